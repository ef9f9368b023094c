// alloc_counter.h: counts heap allocations of the whole process, so
// `moescope bench` can show that a training step allocates nothing.
// malloc and friends are interposed (glibc allows replacing them) and forward
// to glibc's own; the cost is one relaxed atomic increment per allocation.
// Not available under the sanitizers (ASan, TSan), which interpose malloc themselves.
#pragma once

#include <cstdint>

namespace moe {
bool heap_counter_available();  // false in sanitizer builds (MOESCOPE_SANITIZE, MOESCOPE_TSAN)
uint64_t heap_allocations();    // malloc/calloc/realloc/aligned calls so far
}  // namespace moe

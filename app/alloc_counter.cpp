// alloc_counter.cpp: see alloc_counter.h.
#include "alloc_counter.h"

#include <atomic>
#include <cstddef>

namespace {
std::atomic<uint64_t> g_allocations{0};
}

// Off where a sanitizer interposes malloc (MOESCOPE_NO_HEAP_COUNTER from CMake; the compiler macros as a backstop).
#if defined(MOESCOPE_NO_HEAP_COUNTER) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
namespace moe {
bool heap_counter_available() { return false; }
uint64_t heap_allocations() { return 0; }
}  // namespace moe
#else
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);

void* malloc(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t s) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, s);
}
void* realloc(void* p, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
void* memalign(size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = __libc_memalign(a, n);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}
}
namespace moe {
bool heap_counter_available() { return true; }
uint64_t heap_allocations() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace moe
#endif

// fuzz_config.cpp: libFuzzer entry for the JSON config reader (see fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  moe::fuzz::config_reader(data, size);
  return 0;
}

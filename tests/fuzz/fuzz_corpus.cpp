// fuzz_corpus.cpp: libFuzzer entry for the chars corpus decoder (see fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  moe::fuzz::corpus_decoder(data, size);
  return 0;
}

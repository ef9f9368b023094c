// fuzz_targets.h: what the fuzzers feed bytes to, shared with the unit test that replays
// every file under tests/fuzz_regressions/ (test_fuzz_regressions.cpp). Each target must
// return without crashing, throwing, hanging or tripping a sanitizer on any input; the
// checks inside abort on a broken invariant so the fuzzer reports it as a crash.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "config_io.h"
#include "tasks.h"

namespace moe::fuzz {

// The config reader as --config, a preset and a dropped file use it: parse, then apply
// onto the defaults and validate. An error is always a message naming the source.
inline void config_reader(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j;
  std::vector<std::string> warnings;
  std::string err = parse_json_text(text, "fuzz.json", j, &warnings);
  if (!err.empty()) {
    if (err.rfind("fuzz.json: ", 0) != 0) std::abort();  // every error names its source
    return;
  }
  Preset preset;  // the same text as a file of the presets folder
  if (preset_from_text(text, "fuzz.json", preset, &warnings).empty()) (void)preset.settings.dump();
  if (!j.is_object()) return;
  Config cfg = default_config();
  const nlohmann::json& settings = j.contains("config") && j["config"].is_object() ? j["config"] : j;
  err = apply_json(settings, "fuzz.json", cfg);
  if (err.empty()) (void)validate(cfg);
  (void)config_to_json(cfg).dump();  // whatever was accepted serialises back
}

// The chars corpus decoder: UTF-8 in, code points out. Accepted text must hold only
// Unicode scalar values; refused text must say why.
inline void corpus_decoder(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::vector<uint32_t> cps;
  std::string err;
  if (!decode_utf8(bytes, &cps, &err)) {
    if (err.empty()) std::abort();
    return;
  }
  if (cps.size() > bytes.size()) std::abort();
  for (uint32_t cp : cps)
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) std::abort();
}

}  // namespace moe::fuzz

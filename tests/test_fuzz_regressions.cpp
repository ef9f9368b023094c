// test_fuzz_regressions.cpp: replays every input under tests/fuzz_regressions/<target>/
// through the same code the fuzzers drive (tests/fuzz/fuzz_targets.h), so an input that
// once crashed (or a crash kind from issue 15: 1e400, deep nesting) stays fixed in every
// build, including the sanitizer build of `.ci/test`. The fuzzers themselves run in `.ci/fuzz`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/fuzz_targets.h"

namespace moe {
namespace {

namespace fs = std::filesystem;

// Every file of one target's folder, through `target`; returns how many were replayed.
template <class Target>
int replay(const std::string& folder, Target target) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(MOESCOPE_TESTS_DIR) / "fuzz_regressions" / folder)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    SCOPED_TRACE(entry.path().string());
    target(reinterpret_cast<const uint8_t*>(bytes.data()),
           bytes.size());  // aborts (fails the test) on a broken invariant
    ++n;
  }
  return n;
}

TEST(FuzzRegressions, EveryConfigReaderInputIsReadWithoutCrashing) {
  EXPECT_GE(replay("config", fuzz::config_reader), 6);
}

TEST(FuzzRegressions, EveryCorpusDecoderInputIsDecodedWithoutCrashing) {
  EXPECT_GE(replay("corpus", fuzz::corpus_decoder), 5);
}

// The files hold the crash kinds of issue 15; each must now be a clear error.
TEST(FuzzRegressions, TheIssue15CrashKindsAreClearErrors) {
  const auto read_error = [](const std::string& name) {
    std::ifstream in(fs::path(MOESCOPE_TESTS_DIR) / "fuzz_regressions" / "config" / name, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    nlohmann::json j;
    return parse_json_text(ss.str(), name, j);
  };
  EXPECT_NE(read_error("number-overflow-1e400.json").find("setting 'lr': number 1e400 is out of range"),
            std::string::npos);
  EXPECT_NE(read_error("nesting-60000-arrays.json").find("nested deeper than 64"), std::string::npos);
  EXPECT_NE(read_error("nesting-unclosed-objects.json").find("nested deeper than 64"), std::string::npos);
  EXPECT_NE(read_error("duplicate-and-trailing.json").find("malformed JSON"), std::string::npos);
  std::vector<uint32_t> cps;
  std::string err;
  EXPECT_FALSE(decode_utf8(std::string("ab\xc0\xaf"
                                       "cd"),
                           &cps, &err))
      << "an overlong '/' is not UTF-8";
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace moe

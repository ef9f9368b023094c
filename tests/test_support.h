// test_support.h: small text and file helpers shared by the tests that read what
// moescope prints or writes (CSV rows, messages, output files).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace moe::test {

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The whole file at `p` as bytes ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Cuts `s` at every `sep`: n separators give n + 1 cells (so "" gives one empty cell).
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// The lines of `s`; a final newline does not start another (empty) line.
inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out = split(s, '\n');
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace moe::test

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_TRUE(::moe::test::contains((haystack), (needle))) << "'" << (haystack) << "' lacks '" << (needle) << "'"

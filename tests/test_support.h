// test_support.h: small text and file helpers shared by the tests that read what
// moescope prints or writes (CSV rows, messages, output files).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <cstdlib>
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

// What one run of a program left: its exit status (128 + the signal if one killed it),
// and what it printed on stdout and stderr.
struct RunResult {
  int status = -1;
  std::string out, err;
};

// A new empty folder in the test temp dir named `prefix` + 6 random characters;
// an empty path if it could not be made.
inline std::filesystem::path make_temp_folder(const std::string& prefix) {
  std::string tmpl = testing::TempDir() + prefix + "XXXXXX";
  if (!mkdtemp(tmpl.data())) return {};
  return tmpl;
}

// Runs `program ARGS` in `dir` through the shell (ARGS is shell text; `env` holds
// VAR=value assignments put before the program), stdin from /dev/null. stdout and
// stderr go through files in `dir` that are removed again.
inline RunResult run_in_folder(const std::filesystem::path& dir, const std::string& program, const std::string& args,
                               const std::string& env = "") {
  const std::string out = (dir / "stdout.txt").string(), err = (dir / "stderr.txt").string();
  const std::string cmd = "cd '" + dir.string() + "' && " + env + " '" + program + "' " + args + " </dev/null >'" +
                          out + "' 2>'" + err + "'";
  const int raw = std::system(cmd.c_str());
  RunResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// Bad input: `r` (the run of `args`) exited with status 2 and exactly one line on stderr.
// Returns that message.
inline std::string expect_bad_input(const RunResult& r, const std::string& args) {
  EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << "one clear message, got:\n" << r.err;
  return r.err;
}

}  // namespace moe::test

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_TRUE(::moe::test::contains((haystack), (needle))) << "'" << (haystack) << "' lacks '" << (needle) << "'"

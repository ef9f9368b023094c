// test_support.h: small text and file helpers shared by the tests that read what
// moescope prints or writes (CSV rows, messages, output files).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
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

// This test process's own folder in the test temp dir, made on first use, so that test
// processes running at once (ctest -j, two checkouts, two people) never write the same file.
// Removed with what is in it when the process ends, unless MOESCOPE_KEEP_TEST_FILES is set
// (then its path is printed, for a look at what the tests wrote).
inline const std::filesystem::path& process_temp_folder() {
  struct Folder {
    std::filesystem::path path = make_temp_folder("moescope_test_");
    Folder() {
      if (!path.empty() && std::getenv("MOESCOPE_KEEP_TEST_FILES"))
        std::printf("[ files    ] kept in %s\n", path.c_str());
    }
    ~Folder() {
      std::error_code ec;
      if (!path.empty() && !std::getenv("MOESCOPE_KEEP_TEST_FILES")) std::filesystem::remove_all(path, ec);
    }
  };
  static const Folder folder;
  return folder.path;
}

// A path for a file (or folder) called `name` of the running test: in process_temp_folder(),
// after the test's suite and name ("Suite.Test_name"), so no other test or test process
// writes it.
inline std::string temp_path(const std::string& name) {
  const std::filesystem::path& dir = process_temp_folder();
  EXPECT_FALSE(dir.empty()) << "no folder could be made in " << testing::TempDir();
  std::string prefix;
  if (const testing::TestInfo* t = testing::UnitTest::GetInstance()->current_test_info()) {
    prefix = std::string(t->test_suite_name()) + "." + t->name() + "_";
    for (char& c : prefix)
      if (c == '/') c = '_';  // parameterised tests: "Prefix/Suite.Test/0"
  }
  return (dir / (prefix + name)).string();
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

#ifdef MOESCOPE_BINARY
// A test that runs `moescope` in a fresh folder of its own (named `prefix` + 6 random
// characters), removed after the test once it checked that no temporary file (".tmp") was
// left anywhere in it: moescope writes its outputs atomically.
class FolderTest : public testing::Test {
 protected:
  explicit FolderTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir_ = make_temp_folder(prefix_);
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (dir_.empty()) return;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_))
      EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp")) << "leftover " << entry.path();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs `moescope ARGS` in the folder; ARGS is shell text, `env` VAR=value assignments.
  RunResult run(const std::string& args, const std::string& env = "") {
    return run_in_folder(dir_, MOESCOPE_BINARY, args, env);
  }
  // Bad input: status 2 and exactly one line on stderr; that line.
  std::string expect_bad_input(const std::string& args) { return test::expect_bad_input(run(args), args); }
  std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  std::string file(const std::string& name) const { return slurp(dir_ / name); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  std::filesystem::path dir_;

 private:
  std::string prefix_;
};
#endif

}  // namespace moe::test

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_TRUE(::moe::test::contains((haystack), (needle))) << "'" << (haystack) << "' lacks '" << (needle) << "'"

// run_process.h: runs a shell command for the tests that drive the `moescope` binary,
// capturing what it prints (add "2>&1" to the command for stderr too) and its exit status.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace moe::test {

struct ProcessResult {
  int status = -1;  // exit status, -1 if it did not exit normally
  std::string out;  // standard output
};

inline ProcessResult run_process(const std::string& command) {
  ProcessResult r;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace moe::test

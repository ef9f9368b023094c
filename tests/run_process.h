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

// A shell command with its stderr captured too.
inline ProcessResult run_shell(const std::string& command) { return run_process(command + " 2>&1"); }

#ifdef MOESCOPE_BINARY
// `moescope ARGS` (the binary this build made; ARGS is shell text), stdout and stderr.
inline ProcessResult run_moescope(const std::string& args) {
  return run_shell(std::string(MOESCOPE_BINARY) + " " + args);
}
#endif

}  // namespace moe::test

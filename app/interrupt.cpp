// interrupt.cpp: see interrupt.h. The handler does only async-signal-safe work: it sets a
// flag the first time; the second time it unlinks the registered files, writes one line
// with write(2) and calls _exit.
#include "interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace moe {

namespace {

std::atomic<int> g_signal{0};

struct TempSlot {
  std::atomic<bool> used{false};   // claimed by a writer
  std::atomic<bool> ready{false};  // path is complete and may be unlinked by the handler
  char path[1024] = {};
};
TempSlot g_temps[8];

void on_signal(int sig) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, sig)) return;  // first: stop at the next step
  for (TempSlot& s : g_temps)
    if (s.ready.load()) ::unlink(s.path);
  static const char msg[] = "\nmoescope: interrupted again; stopped at once, no output written\n";
  [[maybe_unused]] const ssize_t n = ::write(2, msg, sizeof msg - 1);
  ::_exit(128 + sig);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // reads and writes continue; the flag is polled between steps
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() { return g_signal.load(std::memory_order_relaxed) != 0; }
int interrupt_signal() { return g_signal.load(); }
int interrupt_exit_status() { return 128 + g_signal.load(); }
void clear_interrupt() { g_signal.store(0); }

void register_temp_file(const std::string& path) {
  if (path.size() >= sizeof(TempSlot::path)) return;
  for (TempSlot& s : g_temps) {
    bool expected = false;
    if (!s.used.compare_exchange_strong(expected, true)) continue;
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.ready.store(true);
    return;
  }
}

void forget_temp_file(const std::string& path) {
  for (TempSlot& s : g_temps)
    if (s.ready.load() && path == s.path) {
      s.ready.store(false);
      s.used.store(false);
      return;
    }
}

}  // namespace moe

// interrupt.h: Ctrl+C and SIGTERM for the headless commands (run, sweep).
//
// The first SIGINT or SIGTERM only sets a flag: the command stops at the next step
// boundary, finishes its output with what was trained, and exits with 128 + the
// signal number (130 for SIGINT, 143 for SIGTERM). A second one exits at once with
// the same status, removing the temporary output files registered here (the old
// outputs stay as they were).
#pragma once

#include <string>

namespace moe {

void install_interrupt_handlers();  // idempotent
bool interrupted();                 // a first SIGINT/SIGTERM has arrived
int interrupt_signal();             // its number, 0 if none
int interrupt_exit_status();        // 128 + interrupt_signal()
// For tests and for commands that finish: forget an earlier signal.
void clear_interrupt();

// Temporary files the second signal removes (at most 8 at a time; paths up to 1023 bytes).
void register_temp_file(const std::string& path);
void forget_temp_file(const std::string& path);

}  // namespace moe

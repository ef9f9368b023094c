// session_test_support.h: waiting for a training thread (app/session/session.*) to stand
// still, for the tests that drive a Session or a RunSet's runs (in process or in a window). Apart from test_support.h
// so that the text and file helpers there stay free of the session layer.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "run_set.h"
#include "session.h"

namespace moe::test {

// Waits until `s` took every queued command, is not running and `done(snapshot)` holds;
// that snapshot. After `timeout` a test failure naming the step it stood at and `what` was
// awaited, and the last snapshot.
inline std::shared_ptr<const RunSnapshot> wait_until_idle(
    Session& s, const std::function<bool(const RunSnapshot&)>& done, const std::string& what,
    std::chrono::seconds timeout = std::chrono::seconds(120),
    std::chrono::milliseconds poll = std::chrono::milliseconds(2)) {
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    auto snap = s.snapshot();
    if (snap->commands_done >= s.commands_queued() && !snap->running && done(*snap)) return snap;
    if (std::chrono::steady_clock::now() - t0 > timeout) {
      ADD_FAILURE() << "timed out at step " << snap->steps_done << " waiting for " << what;
      return snap;
    }
    std::this_thread::sleep_for(poll);
  }
}

// Waits until `s` took every command and stopped at exactly `steps`, or diverged.
inline std::shared_ptr<const RunSnapshot> wait_for(Session& s, int64_t steps) {
  return wait_until_idle(
      s, [steps](const RunSnapshot& snap) { return snap.steps_done == steps || snap.diverged; }, std::to_string(steps));
}

// Waits until `s` took every command and stopped at `steps` or later.
inline std::shared_ptr<const RunSnapshot> wait_at_least(Session& s, int64_t steps) {
  return wait_until_idle(
      s, [steps](const RunSnapshot& snap) { return snap.steps_done >= steps; }, std::to_string(steps) + " or later");
}

// Every live run of `runs` told to train to `steps` (all at once), then each awaited until it
// stands idle at `steps` or later; when steps < 0, each idle wherever its own target is.
inline void train_all(RunSet& runs, int64_t steps) {
  for (const RunView& v : runs.views())
    if (Session* s = runs.session(v.info.id); s && steps >= 0) s->run_to(steps);
  for (const RunView& v : runs.views())
    if (Session* s = runs.session(v.info.id))
      wait_until_idle(
          *s, [steps](const RunSnapshot& snap) { return steps < 0 || snap.steps_done >= steps; },
          "run " + std::to_string(v.info.id) + " at step " + std::to_string(steps));
}

}  // namespace moe::test

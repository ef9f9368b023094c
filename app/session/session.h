// session.h: the live run as the window sees it.
//
// A Session owns the training thread. The thread owns the Trainer (live
// tensors); the UI only ever reads immutable RunSnapshots (swapped under a
// mutex, held by shared_ptr) and the thread-safe History, and sends commands.
// Live settings (k, α, β, γ, lr, capacity, noise...) apply at the next step
// boundary and become Events; structural ones restart the run.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "history.h"
#include "trainer.h"

namespace moe {

// Series ids of a run in the History, indexed by the metric table (kMetricTable):
// run metrics are named by their key ("loss_task"), layer metrics "L0/load_entropy",
// bins and experts a group of consecutive ids "L0/top1_hist[3]", "L0/load[3]".
struct HistoryIds {
  std::vector<SeriesId> run;                  // [metric] series of a run-scope metric, -1 for the others
  std::vector<std::vector<SeriesId>> layers;  // [layer][metric] (first) series of a layer metric, -1 for run ones
  SeriesId of(int metric) const { return metric >= 0 && metric < int(run.size()) ? run[size_t(metric)] : -1; }
  SeriesId of(int layer, int metric) const {
    if (layer < 0 || layer >= int(layers.size()) || metric < 0 || metric >= int(layers[size_t(layer)].size()))
      return -1;
    return layers[size_t(layer)][size_t(metric)];
  }
};

// Everything a panel draws, frozen at one step. Never mutated once published.
struct RunSnapshot {
  Config cfg;          // the config in force (live changes included)
  std::string preset;  // preset name it started from, "" if none
  int64_t steps_done = 0;
  bool running = false;       // training thread is playing
  StepMetrics last;           // metrics of the last step (layers[l])
  std::vector<Event> events;  // every live change so far ("k 2→1" at step s)
  Config run_config;          // the config this run started from at step 0
  // Every change this run makes after step 0, exact values, by step: the schedule
  // (--set key=value@STEP, a saved "schedule") and the user's live changes. With
  // run_config it reproduces the run (Ctrl+S, File > Copy as command).
  std::vector<ScheduledChange> changes;
  int64_t stop_at = 0;             // training pauses when steps_done reaches it (0 = never)
  std::vector<ProbeResult> probe;  // [layer] gates of the fixed probe batch
  RoutingMap map;                  // blobs only (res == 0 otherwise), layer `map_layer`
  int map_layer = 0;
  std::vector<float>
      probe_xy;  // blobs only: [probe tokens * 2] inputs (x, y) of the probe batch, labels in probe[l].labels
  SparsityFigures sparsity;                       // total/active params, FLOPs per token
  std::vector<std::string> label_names;           // task labels for the specialisation matrix
  std::vector<std::vector<double>> label_expert;  // [layer][label * E + e] token counts, probe batch
  // lm only (empty otherwise), refreshed with the probe: the probe passage's characters (UTF-8, one
  // per probe token; its gates per layer are probe[l]), the attention of its first window
  // ([layer][(head·n + i)·n + j], row i attends to j <= i), and text sampled at this step after `prompt`.
  std::vector<std::string> probe_text;
  std::vector<std::vector<float>> probe_attention;
  std::string sample_prompt, sample;
  bool diverged = false;                   // the run paused itself on NaN/Inf
  std::string diverged_what;               // "loss_task = nan at step 812"
  std::string notice;                      // last message for the status bar ("restarted: num_experts 8→16")
  double steps_per_s = 0;                  // measured training speed
  uint64_t commands_done = 0;              // commands the thread had taken when this was published
  std::shared_ptr<const History> history;  // thread-safe, shared with the writer
  HistoryIds ids;
};

// A run that goes on from a given state instead of step 0 (a fork, RunSet::fork).
struct SessionStart {
  std::unique_ptr<Trainer> trainer;      // at its current step (Trainer::clone)
  std::shared_ptr<History> history;      // its past: one row per finite step, laid out as `ids`
  HistoryIds ids;                        // as the run it was copied from made them
  std::string preset;                    // preset name it started from, "" if none
  Config run_config;                     // the config at step 0
  std::vector<ScheduledChange> changes;  // every change after step 0, done and to come: Reset replays them
};

// One run copied at one step boundary (Session::capture), every part of it consistent.
struct SessionCapture {
  std::unique_ptr<Trainer> trainer;         // Trainer::clone (null when not asked for, or on error)
  std::shared_ptr<History> history;         // a deep copy of the history
  std::shared_ptr<const RunSnapshot> snap;  // published at that boundary; its history is the copy, running false
  std::string error;                        // non-empty: nothing was copied, and why
};

class Session {
 public:
  // Starts the training thread, paused, on cfg (validated by the caller).
  explicit Session(const Config& cfg, std::string preset = "");
  // Starts the training thread, paused, on a run that goes on from start.trainer's step.
  explicit Session(SessionStart start);
  ~Session();  // stops and joins the thread

  std::shared_ptr<const RunSnapshot> snapshot() const;  // latest published snapshot

  void play();
  void pause();
  void toggle();
  void step_once();            // one step, then paused
  void run_to(int64_t steps);  // play until steps_done == steps, then pause (shots, tests)
  // Changes for later steps (--set key=value@STEP), kept across reset/new seed. "" or an error.
  std::string schedule(const std::vector<ScheduledChange>& changes);
  void reset();  // same config and seed, from step 0
  // cfg afresh from step 0 as `preset`, its schedule replacing any earlier one: a preset or
  // a file loaded exactly, even when it is the one running. "" or an error (nothing changes).
  std::string restart(const Config& cfg, const std::string& preset, const std::vector<ScheduledChange>& schedule = {});
  // Playing pauses when steps_done reaches `steps` (0 = never), in every later run too; Play goes on past it.
  void set_stop_at(int64_t steps);
  void new_seed();  // seed + 1, from step 0
  // Live settings apply at the next step boundary (an Event); structural ones restart
  // the run. Returns "" or an error naming the setting and what is allowed (nothing changes).
  std::string apply(const Config& next, const std::string& preset = "");
  void reset_with_lr(double lr);      // after divergence: restart with a smaller learning rate
  void set_rate(double steps_per_s);  // 0 = as fast as possible
  // Live runs side by side with this one (RunSet), itself included: while training, the
  // snapshot, probe and routing-map refreshes are n times further apart, so n runs together
  // spend on them what one run does (the curves read the history, which every step appends).
  void set_side_by_side(int n);
  double rate() const;
  void set_map_layer(int layer);  // which layer the routing map and probe describe first
  // Commands sent so far; a snapshot with commands_done equal to it reflects every one of them.
  uint64_t commands_queued() const;
  // Copies the run at the next step boundary (after every command queued before it) and returns
  // the copy; blocks until the training thread has made it. with_trainer false: history and
  // snapshot only (a pinned reference).
  SessionCapture capture(bool with_trainer);

 private:
  // Training thread only (session.cpp): the loop and its pieces.
  void thread_main();
  struct Command;
  bool wait_for_work(std::vector<std::unique_ptr<Command>>& cmds);  // false: stop
  void run_command(const Command& c);
  void reset_with_lr_now(double lr);
  void apply_now(const Config& next, const std::string& preset);
  void train_if_due();
  void rebuild(const Config& cfg);  // new Trainer + History (training thread only)
  void reset_thread_state();        // a new run in trainer_: probes, events, speed and pacing start afresh
  void capture_now(bool with_trainer, SessionCapture& out);
  void publish();  // builds and swaps a snapshot (training thread only)

  void send(std::unique_ptr<Command> c);  // queues it (counted) and wakes the thread
  void start_running();                   // training thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const RunSnapshot> snap_;
  std::vector<std::unique_ptr<Command>> queue_;
  std::atomic<uint64_t> queued_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  std::atomic<double> rate_{0};
  std::atomic<int> side_by_side_{1};
  std::atomic<int> map_layer_{0};
  std::atomic<int64_t> stop_at_{0};
  std::thread thread_;
  // training thread only:
  std::unique_ptr<Trainer> trainer_;
  std::shared_ptr<History> history_;
  HistoryIds ids_;
  std::string preset_, notice_;
  std::vector<float> row_;
  std::vector<ScheduledChange> scheduled_;
  Config start_cfg_;  // what Reset / New seed restart from: the start config plus the user's live changes
  Config run_cfg_;    // this run's config at step 0
  std::vector<ScheduledChange> user_changes_;  // this run's live changes from the controls, exact values
  struct ThreadState;                          // timers, probes, shown events... (session.cpp)
  std::unique_ptr<ThreadState> ts_;
};

}  // namespace moe

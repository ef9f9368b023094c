// run_set.h: every run the window holds, side by side (issue 11).
//
// The first run plus up to max_runs()-1 more. A Live run is a Session of its own
// (its own training thread, its own Trainer whose Model owns its own thread pool),
// so runs share no mutable state and each is bit-identical to the same run trained
// alone; the OS schedules their threads fairly, and one that diverges pauses alone.
// A Pinned run is a frozen copy of another run's last snapshot (a reference), a
// Results run one read from a results file. The UI reads RunViews: immutable
// snapshots plus the run's list entry, frozen for one frame.
//
// Threads: RunSet itself is used from one thread (the UI's, or the command line's);
// each Live run trains on its own thread behind its Session.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "session.h"

namespace moe {

enum class RunKind { Live, Pinned, Results };  // trains | frozen reference copy | read from a results file

struct RunInfo {
  int id = -1;  // stable, never reused
  // Short difference label against the first run ("α=0", "k=2, α=1e-2", "seed 3"), editable. The
  // first run itself, beside others, shows its own values of what they change ("α=1e-2" beside
  // "α=0"); alone (or when nothing differs) its preset's name.
  std::string label;
  bool label_edited = false;  // set_label() was called: the label no longer follows the run's settings
  bool visible = true;
  bool paused = true;      // as of the run's latest snapshot: not training (always true for Pinned/Results)
  int style = 0;           // the run's slot in the run palette (colour + dash), stable for its life
  int group = -1;          // seed group id (-1: none); members share it
  int parent = -1;         // run it was forked from (-1: none)
  int64_t fork_step = -1;  // step where it parted from parent (-1: not a fork)
  RunKind kind = RunKind::Live;
  std::string source;  // Results: the file it was read from ("" if unknown), for a workspace to open it again
};

struct RunView {  // what the panels read for one run, frozen for one frame
  RunInfo info;
  std::shared_ptr<const RunSnapshot> snap;
};

class RunSet {  // every run the window holds: the first run plus up to max_runs()-1 more
 public:
  explicit RunSet(const Config& cfg, std::string preset = "");
  ~RunSet();
  RunSet(const RunSet&) = delete;
  RunSet& operator=(const RunSet&) = delete;

  // Entries of the run list (a seed group counts once): 9, or 16 when the machine's memory
  // allows (estimate_bytes in core/config.h plus the history's bound, against available memory).
  int max_runs() const;
  // Runs altogether, seed-group members each counted (each trains and holds a history):
  // what the memory allows, at least max_runs() and at most 48.
  int max_total_runs() const;
  int size() const;                    // runs held now (members counted)
  int entries() const;                 // entries of the run list now (a group counts once)
  std::vector<RunView> views() const;  // in list order, labels as shown
  RunInfo info(int id) const;          // as in views(); id -1 when there is no such run
  int first() const;                   // id of the first run (the reference for labels), -1 if none
  int selected() const;
  void select(int id);       // the run per-expert views show
  Session* session(int id);  // the live run's Session (nullptr for Pinned/Results or unknown ids)
  std::shared_ptr<const RunSnapshot> snapshot(int id) const;  // latest snapshot of a run, nullptr if unknown

  // New run from step 0 with changes (step-0 changes = settings, later ones = schedule). Its id, or -1 and *error.
  int duplicate(int id, const std::vector<ScheduledChange>& changes, std::string* error);
  // New run from id's exact current state (weights, moments, bias, RNG streams, history); changes
  // applied at the fork step (their step fields are ignored). Its id, or -1 and *error.
  int fork(int id, const std::vector<ScheduledChange>& changes, std::string* error);
  int pin(int id, std::string* error);  // frozen copy as a reference (kind Pinned); its id, or -1 and *error
  // Makes id a group of n seeds (n <= 16): members seed, seed+1, ... (id keeps its seed). "" or an error.
  std::string repeat_over_seeds(int id, int n);
  // A read-only run (kind Results), read from the file `source` if any. Its id, or -1 and *error.
  int add_results(std::shared_ptr<const RunSnapshot> snap, std::string label, std::string* error,
                  std::string source = "");
  // A new live run of cfg from step 0 with a schedule (a workspace being opened). From `like`:
  // label (kept if label_edited), visible, group (joins or starts that group), parent and
  // fork_step (the run is marked as a fork; a fork is exactly its parent's run with the
  // changes scheduled at the fork step). Its id, or -1 and *error.
  int add_run(const Config& cfg, const std::vector<ScheduledChange>& schedule, const std::string& preset,
              const RunInfo& like, std::string* error);
  // A run's config at step 0 and every change after it (its schedule and live changes): what
  // reproduces it. False if there is no such run.
  bool describe(int id, Config* cfg, std::vector<ScheduledChange>* changes) const;
  // Removes a run (its training thread stops). The last remaining run stays; when the first run
  // goes, the next one becomes the reference for labels.
  void remove(int id);

  // Toggles of a run-list entry: on a seed group's member they act on the whole group.
  void set_visible(int id, bool v);
  void set_paused(int id, bool p);
  // What a saved workspace restores on an existing run: label and label_edited, visible,
  // group (live runs), and parent / fork_step when that parent exists.
  void restore_info(int id, const RunInfo& like);
  void set_label(int id, std::string label);  // "" returns to the automatic difference label
  void play_all();
  void pause_all();
  // Members of a seed group (ids, list order); empty if none.
  std::vector<int> group_members(int group) const;

 private:
  struct Run;
  Run* find(int id);
  const Run* find(int id) const;
  int next_style() const;
  void share_refreshes();
  std::vector<int> entry_of(int id) const;
  std::string auto_label(const Run& r) const;
  std::string first_label() const;
  int duplicate_as(int id, const std::vector<ScheduledChange>& changes, bool new_entry, std::string* error);
  std::string check_room(int new_runs, bool new_entry) const;  // "" or why the set is full
  int add_live(std::unique_ptr<Session> s, RunInfo info, const Config& run_config,
               std::vector<ScheduledChange> changes);

  std::vector<std::unique_ptr<Run>> runs_;
  int next_id_ = 0, next_group_ = 0, selected_ = -1;
  int max_runs_ = 9, max_total_ = 9;
};

// Short label naming what `run` changes against `first` (settings, then scheduled changes):
// "α=0", "k=2, α=1e-2", "seed 3", "α=0@500"; "" when nothing differs.
std::string difference_label(const Config& first, const Config& run, const std::vector<ScheduledChange>& changes);

// The whole plan as a Trainer would run it on cfg: each change known and live, each value
// allowed, every step's changes together valid (k <= E ...). "" or the first problem.
std::string check_schedule(Config cfg, std::vector<ScheduledChange> plan);

// Bytes the system can still give (MemAvailable), or 0 when unknown.
double available_memory_bytes();

}  // namespace moe

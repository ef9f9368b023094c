// run_compare.h: the runs of `--compare SETTINGS ... [--seeds N]` (issue 11), shared by
// `moescope run` and `moescope shot`.
//
// Run 0 is the source (preset or config file) with its --set; each --compare adds a run with
// those overrides on top ("key=value" pairs joined by commas, "key=value@STEP" scheduled as in
// --set, so "alpha=0@500" is that run forked at step 500); --seeds N repeats every run over
// seeds seed..seed+N-1 (each run's own seed first). Order: run by run, seeds within a run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "run_set.h"
#include "run_source.h"
#include "trainer.h"

namespace moe {

struct ComparedRun {
  int run = 0;                             // 0: the first run; i: the i-th --compare
  Config cfg;                              // at step 0, seed included
  std::vector<ScheduledChange> schedule;   // every @STEP change (the source's and the compare's)
  std::string compare;                     // the --compare text as given ("" for run 0)
  std::vector<std::string> changed;        // settings whose step-0 value differs from run 0's (seed aside)
  std::vector<ScheduledChange> scheduled;  // @STEP changes run 0 does not make
  std::string label;                       // difference label against run 0 of the same seed ("α=0", "seed 3")
};

inline constexpr int kMaxCompareSeeds = 1000;

// The --compare list a command trains: `given` when not empty, else the preset's or the config
// file's own "compare" list (config_io.h; none for a file that cannot be read: its error comes later).
std::vector<std::string> compare_or_preset(const RunSource& src, const std::vector<std::string>& given);

// Builds every run, checked: "" or an error naming the --compare or --seeds and what is allowed.
std::string plan_compared_runs(const RunSource& src, const std::vector<std::string>& compare, int seeds,
                               std::vector<ComparedRun>& out);

// The plan's runs side by side in a RunSet (the window, `shot --compare`): run 0's first seed
// is the first run; each run is one entry of the run list, a seed group when seeds > 1. The
// runs are paused at step 0. nullptr and *error if the set cannot hold them.
std::unique_ptr<RunSet> make_run_set(const std::vector<ComparedRun>& plan, const std::string& preset,
                                     std::string* error);

}  // namespace moe

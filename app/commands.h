// commands.h: the headless subcommands of `moescope`, one file each (cmd_*.cpp).
// Each returns the process exit status: 0 ok, 1 the run diverged or failed, 2 bad input.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "results_io.h"
#include "run_source.h"
#include "trainer.h"

namespace moe {

struct RunOptions {
  RunSource source;
  int64_t steps = -1;        // -1: the config's `steps`
  std::string out;           // .csv or .json, "" = none
  int log_every = 1;         // write every Nth step
  bool quiet = false;        // no summary
};
int cmd_run(const RunOptions& opt);

struct TraceOptions {
  RunSource source;
  std::string out;
  int64_t after = 0;         // train this many steps first, then trace the next one
};
int cmd_trace(const TraceOptions& opt);

struct SweepOptions {
  RunSource source;
  std::vector<std::string> grid;   // key=v1,v2,...
  int seeds = 1;
  int64_t steps = -1;
  int jobs = 0;                    // 0 = all cores
  std::string shard;               // "i/n"
  std::string out;
};
int cmd_sweep(const SweepOptions& opt);

int cmd_presets();
int cmd_bench(int steps, bool with_torch, const std::string& json_out);

// A readable multi-line summary of a finished run.
std::string run_summary(const Trainer& tr, double seconds);

}  // namespace moe

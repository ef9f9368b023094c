// commands.h: the headless subcommands of `moescope`, one file each (cmd_*.cpp).
// Each returns the process exit status: 0 ok, 1 the run diverged or failed, 2 bad input,
// 128 + signal (130 SIGINT, 143 SIGTERM) when run or sweep was interrupted (interrupt.h).
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "trainer.h"

namespace moe {

// What every training command shares: where the config comes from and its overrides.
struct RunSource {
  std::string preset;                    // --preset NAME
  std::string config_file;               // --config FILE
  std::vector<std::string> sets;         // --set key=value and key=value@STEP
};

// Builds the config (preset or file, then --set), and the scheduled changes from @STEP sets.
// Returns "" or an error naming what is wrong.
std::string resolve_config(const RunSource& src, Config& cfg, std::vector<ScheduledChange>* scheduled);

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
  std::string max_memory;          // "3G": budget for the parallel runs together ("" = 80% of available)
  std::string out;
};
int cmd_sweep(const SweepOptions& opt);

int cmd_presets();
int cmd_bench(int steps, bool with_torch, const std::string& json_out);

// Writes one CSV header / rows for per-step metrics (shared by run and the GUI's export).
std::string metrics_csv_header(const Config& cfg);
void append_metrics_csv(const StepMetrics& m, const std::vector<Event>& events, size_t* events_written, std::string& out);
// A readable multi-line summary of a finished run.
std::string run_summary(const Trainer& tr, double seconds);
// Formats a double for outputs: shortest text that reads back to the same float-ish value (%.9g), "nan"/"inf".
std::string fmt(double v);

}  // namespace moe

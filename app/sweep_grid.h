// sweep_grid.h: a sweep's grid and one run of it, shared by `moescope sweep` (cmd_sweep.cpp)
// and the window's sweep (app/gui/sweep_runner), so both compute the same numbers.
//
//   axes      --grid key=v1,v2,... parsed against the base config (each value checked)
//   runs      the cartesian product × seeds; run `index`: last axis fastest, seeds innermost,
//             seed = base seed + index % seeds, one thread per run (a run's numbers never
//             depend on threads)
//   one run   trained for `steps` on its own Trainer to its final metrics (status ok,
//             diverged or "invalid: why"), the numbers of one sweep CSV row
//   memory    the largest valid grid point's estimate bounds every run; the budget is 80%
//             of what the machine (or its cgroup) has available now
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config.h"

namespace moe {

constexpr uint64_t kMaxSweepRuns = 1000000;

struct SweepAxis {
  std::string key;                  // canonical setting name
  std::vector<std::string> values;  // as text, in the order given
};

// One run of the grid.
struct SweepRun {
  int64_t index = 0;
  std::vector<std::string> values;  // one per axis
  int64_t seed = 0;
  Config cfg;
};

// "key=v1,v2,..." into axis (every value checked on a copy of base). "" or the --grid error.
std::string parse_sweep_axis(const std::string& text, const Config& base, SweepAxis& axis);
// Grid points and runs (× seeds), with overflow checks. "" or why the grid is too big.
std::string count_sweep_runs(const std::vector<SweepAxis>& axes, int seeds, uint64_t* combos, uint64_t* total);
// Run `index` of the grid (cfg.threads = 1).
SweepRun make_sweep_run(int64_t index, const std::vector<SweepAxis>& axes, int seeds, const Config& base);
// Bytes one run may need: the largest estimate over the valid grid points (0 if none is valid).
double sweep_run_bytes(const std::vector<SweepAxis>& axes, int seeds, const Config& base);
// 80% of the memory available now (MemAvailable, capped by the cgroup's limit); 3.2 GiB if unreadable.
double sweep_memory_budget();
// "3G", "512M", "2.5G", "1048576" (bytes). False if not a positive size.
bool parse_memory_size(const std::string& text, double* bytes);
// "i/n" with 0 <= i < n <= 1,000,000, digits only.
bool parse_shard(const std::string& text, int* i, int* n);
std::string mib(double bytes);  // "512 MiB"

// The final numbers of one trained run: status and, in sweep_value_columns() order,
// steps done then every MetricFlags_Final metric (NaN when the run made no step).
struct SweepOutcome {
  std::string status;          // "ok", "diverged", "invalid: why" (commas and quotes as ';')
  std::vector<double> values;  // [sweep_value_columns().size()]
};
// The numeric columns of a sweep row after `status`: "steps", then each final metric's key.
const std::vector<std::string>& sweep_value_columns();
// Trains r for `steps` steps. Returns false (and no outcome) when stop() turned true first.
bool run_sweep_run(const SweepRun& r, int64_t steps, const std::function<bool()>& stop, SweepOutcome* out);

// The CSV `moescope sweep` writes: header "run,<axis keys>,seed,status,steps,<final metrics>\n"
// and one row per run, every number as fmt() prints it.
std::string sweep_csv_header(const std::vector<SweepAxis>& axes);
std::string sweep_csv_row(const SweepRun& r, const SweepOutcome& o);

}  // namespace moe

// cmd_sweep.cpp: `moescope sweep`: the cartesian product of --grid values ×
// seeds, run in parallel (one thread per run; a run's numbers never depend on
// threads), one CSV row per run with its final metrics (results_io.h), rows in run order.
// --shard i/n keeps runs with index % n == i, so a cluster job array splits a sweep;
// --merge joins the shard CSVs again (checked: one sweep, every run once).
//
// The grid, one run and its row are sweep_grid.h (shared with the window's sweep).
// Limits: at most kMaxSweepRuns runs (counted with overflow checks); parallel runs
// are fitted into a memory budget from estimate_bytes (--jobs is lowered, and says so).
// Rows are written to the output as runs finish; Ctrl+C or SIGTERM lets the running
// runs go, keeps every finished one in the CSV, and exits with 128 + the signal.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "commands.h"
#include "config_io.h"
#include "interrupt.h"
#include "results_io.h"
#include "safe_io.h"
#include "sweep_grid.h"
#include "sweep_results.h"

namespace moe {

int cmd_sweep(const SweepOptions& opt) {
  Config base;
  std::string err = resolve_config(opt.source, base, nullptr);
  auto fail = [](const std::string& e) {
    std::fprintf(stderr, "moescope sweep: %s\n", e.c_str());
    return 2;
  };
  if (!opt.merge.empty()) {  // no training: the shards' rows checked and joined in run order
    if (opt.out.empty()) return fail("--out FILE.csv is required");
    SweepTable t;
    if (err = read_sweep_csv(opt.merge, &t); !err.empty()) return fail("--merge: " + err);
    if (err = write_file_atomic(opt.out, t.csv()); !err.empty()) {
      std::fprintf(stderr, "moescope sweep: %s\n", err.c_str());
      return 1;
    }
    std::printf("moescope sweep: merged %zu files, %zu runs, into %s\n", opt.merge.size(), t.rows.size(),
                opt.out.c_str());
    return 0;
  }
  if (!err.empty()) return fail(err);
  if (opt.grid.empty()) return fail("give at least one --grid key=v1,v2,...");
  if (opt.seeds < 1 || opt.seeds > 10000) return fail("--seeds: allowed: an integer in [1, 10000]");
  if (opt.out.empty()) return fail("--out FILE.csv is required");
  int shard_i = 0, shard_n = 1;
  if (!opt.shard.empty() && !parse_shard(opt.shard, &shard_i, &shard_n))
    return fail("--shard '" + opt.shard + "': expected i/n with whole numbers 0 <= i < n <= 1000000, e.g. --shard 0/4");
  double budget = 0;
  if (!opt.max_memory.empty() && !parse_memory_size(opt.max_memory, &budget))
    return fail("--max-memory '" + opt.max_memory + "': expected a size such as 3G, 512M or 2.5G");
  const bool budget_given = budget > 0;
  if (!budget_given) budget = sweep_memory_budget();
  std::vector<SweepAxis> axes(opt.grid.size());
  for (size_t i = 0; i < opt.grid.size(); ++i) {
    err = parse_sweep_axis(opt.grid[i], base, axes[i]);
    if (!err.empty()) return fail(err);
  }
  uint64_t combos = 0, total = 0;
  if (err = count_sweep_runs(axes, opt.seeds, &combos, &total); !err.empty()) return fail(err);
  // This shard's runs, by index; configs are built when a run starts.
  std::vector<int64_t> runs;
  for (uint64_t i = uint64_t(shard_i); i < total; i += uint64_t(shard_n)) runs.push_back(int64_t(i));
  const int64_t steps = opt.steps > 0 ? opt.steps : base.steps;

  // Memory: the largest valid grid point bounds every run (seeds do not change sizes).
  const double per_run = sweep_run_bytes(axes, opt.seeds, base);
  int jobs = opt.jobs > 0 ? opt.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  jobs = int(std::min<size_t>(size_t(jobs), std::max<size_t>(1, runs.size())));
  const char* budget_from = budget_given ? "--max-memory" : "80% of the memory available now; --max-memory to change";
  if (per_run > budget)
    return fail("one run needs about " + mib(per_run) + " and the memory budget is " + mib(budget) + " (" +
                budget_from + "); make the batch, the experts or the widths smaller");
  if (per_run > 0 && double(jobs) * per_run > budget) {
    const int fit = std::max(1, int(budget / per_run));
    std::fprintf(
        stderr,
        "moescope sweep: running %d at a time instead of %d: each run needs up to %s and the budget is %s (%s)\n", fit,
        jobs, mib(per_run).c_str(), mib(budget).c_str(), budget_from);
    jobs = fit;
  }

  // The CSV: header now, each finished run's row as soon as every earlier run of this
  // shard has finished too, so the file is always in run order.
  AtomicFile out;
  const std::string header = sweep_csv_header(axes);
  if (err = out.open(opt.out); err.empty()) err = out.write(header);
  if (!err.empty()) {
    std::fprintf(stderr, "moescope sweep: %s\n", err.c_str());
    return 1;
  }
  install_interrupt_handlers();

  std::atomic<size_t> next{0};
  std::atomic<int> done{0};
  std::mutex io;                          // guards the three below and stderr
  std::map<size_t, std::string> pending;  // finished rows waiting for an earlier run, by position in `runs`
  size_t next_to_write = 0;
  std::string write_error;
  const bool tty = isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  auto progress = [&]() {
    const int d = done.load();
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double eta = d > 0 ? el / d * (double(runs.size()) - d) : 0;
    const int width = 30, fill = runs.empty() ? width : int(width * double(d) / double(runs.size()));
    std::string bar(size_t(fill), '#');
    bar += std::string(size_t(width - fill), '.');
    std::fprintf(stderr, "%s[%s] %d/%zu runs  %.0f s elapsed  ETA %.0f s%s", tty ? "\r" : "", bar.c_str(), d,
                 runs.size(), el, eta, tty ? "" : "\n");
    std::fflush(stderr);
  };
  auto worker = [&]() {
    for (;;) {
      if (interrupted()) return;
      const size_t i = next++;
      if (i >= runs.size()) return;
      const SweepRun r = make_sweep_run(runs[i], axes, opt.seeds, base);
      SweepOutcome outcome;
      if (!run_sweep_run(r, steps, &interrupted, &outcome)) return;  // an unfinished run leaves no row
      std::string row = sweep_csv_row(r, outcome);
      ++done;
      std::lock_guard<std::mutex> lock(io);
      pending.emplace(i, std::move(row));
      for (auto it = pending.begin(); it != pending.end() && it->first == next_to_write;
           it = pending.erase(it), ++next_to_write)
        if (std::string w = out.write(it->second); !w.empty() && write_error.empty()) write_error = w;
      progress();
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (tty) std::fprintf(stderr, "\n");
  // After an interrupt, finished runs behind an unfinished one are still kept (in run order).
  const size_t kept = next_to_write + pending.size();
  for (const auto& entry : pending) out.write(entry.second);
  err = out.commit();
  if (!err.empty()) {
    std::fprintf(stderr, "moescope sweep: %s\n", err.c_str());
    return 1;
  }
  if (interrupted()) {
    std::fprintf(
        stderr,
        "moescope sweep: interrupted; %zu of %zu runs finished and are in %s (column `run` is each one's index)\n",
        kept, runs.size(), opt.out.c_str());
    return interrupt_exit_status();
  }
  std::printf("moescope sweep: %zu runs (shard %d/%d) of %lld steps written to %s\n", runs.size(), shard_i, shard_n,
              (long long)steps, opt.out.c_str());
  return 0;
}

}  // namespace moe

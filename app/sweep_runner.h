// sweep_runner.h: a sweep trained in the background (the window's sweep view), run for run
// the same as `moescope sweep` (sweep_grid.h), so a cell equals the CLI's cell.
//
//   SweepRunner r;
//   r.start(base, {"k=1,2,4", "alpha=0,1e-3,1e-2"}, /*seeds=*/3, /*steps=*/500);  // "" or why not
//   r.progress();   // runs done / total, elapsed, ETA, running
//   r.table();      // the finished runs so far (an immutable copy, remade when runs finished since)
//   r.cancel();     // runs in progress stop at their next step; finished ones stay
//
// Runs go in parallel on threads of their own (one thread per run, as the CLI), as many
// as the cores (one left for the window) and the memory budget allow: the largest grid
// point's estimate_bytes × parallel runs stays within 80% of the available memory.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "sweep_results.h"

namespace moe {

struct SweepProgress {
  int64_t done = 0, total = 0;  // finished runs (this sweep), all runs
  double elapsed_s = 0;         // since start (frozen when it ended)
  double eta_s = 0;             // remaining time at the pace so far (0 before the first run)
  bool running = false;
  bool cancelled = false;
  int jobs = 0;      // runs at a time
  std::string note;  // why fewer runs go at a time, or "" (memory)
};

class SweepRunner {
 public:
  SweepRunner() = default;
  ~SweepRunner();  // cancels and joins
  SweepRunner(const SweepRunner&) = delete;
  SweepRunner& operator=(const SweepRunner&) = delete;

  // Starts a sweep of `grid` ("key=v1,v2,...", one or more) × seeds over base, each run
  // `steps` steps; jobs 0 = cores - 1 (at least 1). Checks everything first: "" or what is
  // wrong (nothing starts). A sweep still running is cancelled first.
  std::string start(const Config& base, const std::vector<std::string>& grid, int seeds, int64_t steps, int jobs = 0);
  // Shows a table read from files (no training; base: the config its cells' runs open with);
  // cancels a running sweep.
  void show(SweepTable table, std::string source, const Config& base);
  void cancel();  // running runs stop at their next step; what is done stays
  void wait();    // until the sweep has ended (finished or cancelled)

  SweepProgress progress() const;
  std::shared_ptr<const SweepTable> table() const;  // nullptr before any sweep
  const Config& base() const { return base_; }      // the config the grid varies (the window's, for a file)
  bool from_file() const { return from_file_; }
  const std::string& source() const { return source_; }  // the file(s) shown, "" for a trained sweep
  int64_t steps() const { return steps_; }
  // The runs of one grid point (its seeds), as the sweep trains them.
  std::vector<SweepRun> cell_runs(int64_t cell) const;

 private:
  void join();
  Config base_;
  std::vector<SweepAxis> axes_;
  int seeds_ = 1;
  int64_t steps_ = 0;
  bool from_file_ = false;
  std::string source_;
  mutable std::mutex mu_;
  SweepTable working_;                               // every finished run so far (guarded by mu_)
  mutable std::shared_ptr<const SweepTable> table_;  // the copy table() last handed out
  mutable bool dirty_ = false;                       // working_ changed since
  std::atomic<bool> cancel_{false};
  std::atomic<int64_t> next_{0}, done_{0};
  std::atomic<int> live_workers_{0};
  int64_t total_ = 0;
  int jobs_ = 0;
  std::string note_;
  std::chrono::steady_clock::time_point t0_, t_end_;
  bool ended_ = true;
  std::vector<std::thread> workers_;
};

}  // namespace moe

// sweep_runner.cpp: see sweep_runner.h.
#include "sweep_runner.h"

#include <algorithm>
#include <cmath>

#include "thread_pool.h"

namespace moe {

SweepRunner::~SweepRunner() {
  cancel();
  join();
}

void SweepRunner::join() {
  for (std::thread& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void SweepRunner::cancel() { cancel_ = true; }

void SweepRunner::wait() { join(); }

std::string SweepRunner::start(const Config& base, const std::vector<std::string>& grid, int seeds, int64_t steps,
                               int jobs) {
  if (grid.empty()) return "give at least one setting and its values, e.g. k=1,2,4";
  if (seeds < 1 || seeds > 16) return "seeds: allowed: a whole number in [1, 16]";
  if (steps < 1 || steps > 100000000) return "steps: allowed: a whole number in [1, 100000000]";
  if (std::string e = validate(base); !e.empty()) return "the base config: " + e;
  std::vector<SweepAxis> axes(grid.size());
  for (size_t i = 0; i < grid.size(); ++i) {
    if (std::string e = parse_sweep_axis(grid[i], base, axes[i]); !e.empty())
      return e.substr(e.rfind("--grid") == 0 ? 2 : 0);
    for (size_t j = 0; j < i; ++j)
      if (axes[j].key == axes[i].key) return "setting '" + axes[i].key + "' is given twice; give each setting once";
  }
  uint64_t combos = 0, total = 0;
  if (std::string e = count_sweep_runs(axes, seeds, &combos, &total); !e.empty()) return e;
  if (total > 10000)
    return "the grid has " + std::to_string(total) +
           " runs; the window runs at most 10000 (use `moescope sweep`, with --shard on a cluster)";
  const double per_run = sweep_run_bytes(axes, seeds, base), budget = sweep_memory_budget();
  if (per_run > budget)
    return "one run needs about " + mib(per_run) + " and the memory budget is " + mib(budget) +
           " (80% of the memory available now); make the batch, the experts or the widths smaller";

  cancel();
  join();
  int want = jobs > 0 ? jobs : std::max(1, hardware_threads() - 1);
  want = int(std::min<uint64_t>(uint64_t(want), total));
  note_.clear();
  if (per_run > 0 && double(want) * per_run > budget) {
    const int fit = std::max(1, int(budget / per_run));
    note_ = std::to_string(fit) + " at a time instead of " + std::to_string(want) + ": each run needs up to " +
            mib(per_run) + ", the budget is " + mib(budget);
    want = fit;
  }
  base_ = base;
  axes_ = axes;
  seeds_ = seeds;
  steps_ = steps;
  from_file_ = false;
  source_.clear();
  total_ = int64_t(total);
  jobs_ = want;
  {
    std::lock_guard<std::mutex> lock(mu_);
    working_ = SweepTable{};
    working_.axes = axes;
    working_.seeds = seeds;
    working_.first_seed = base.seed;
    dirty_ = true;
  }
  cancel_ = false;
  next_ = 0;
  done_ = 0;
  ended_ = false;
  t0_ = std::chrono::steady_clock::now();
  live_workers_ = want;
  for (int j = 0; j < want; ++j)
    workers_.emplace_back([this] {
      for (;;) {
        const int64_t i = next_++;
        if (i >= total_ || cancel_) break;
        const SweepRun r = make_sweep_run(i, axes_, seeds_, base_);
        SweepOutcome o;
        if (!run_sweep_run(
                r, steps_, [this] { return cancel_.load(std::memory_order_relaxed); }, &o))
          break;
        SweepRow row{r.index, r.values, r.seed, o.status, o.values, "", 0};
        std::lock_guard<std::mutex> lock(mu_);
        working_.insert(std::move(row));
        dirty_ = true;
        ++done_;
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (--live_workers_ == 0) {
        t_end_ = std::chrono::steady_clock::now();
        ended_ = true;
      }
    });
  return "";
}

void SweepRunner::show(SweepTable table, std::string source, const Config& base) {
  cancel();
  join();
  base_ = base;
  axes_ = table.axes;
  seeds_ = table.seeds;
  steps_ = 0;
  for (const SweepRow& r : table.rows)
    if (!r.numbers.empty() && std::isfinite(r.numbers[0])) steps_ = std::max(steps_, int64_t(r.numbers[0]));
  from_file_ = true;
  source_ = std::move(source);
  total_ = table.run_count();
  done_ = int64_t(table.rows.size());
  jobs_ = 0;
  note_.clear();
  ended_ = true;
  t0_ = t_end_ = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  working_ = std::move(table);
  dirty_ = true;
}

SweepProgress SweepRunner::progress() const {
  SweepProgress p;
  std::lock_guard<std::mutex> lock(mu_);
  p.done = done_;
  p.total = total_;
  p.running = !ended_;
  p.cancelled = cancel_ && p.done < p.total;
  p.jobs = jobs_;
  p.note = note_;
  const auto end = ended_ ? t_end_ : std::chrono::steady_clock::now();
  p.elapsed_s = std::chrono::duration<double>(end - t0_).count();
  p.eta_s = p.done > 0 && p.running ? p.elapsed_s / double(p.done) * double(p.total - p.done) : 0;
  return p;
}

std::shared_ptr<const SweepTable> SweepRunner::table() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (dirty_) {  // one copy per change seen, however many runs finished since (not one per run)
    table_ = std::make_shared<const SweepTable>(working_);
    dirty_ = false;
  }
  return table_;
}

std::vector<SweepRun> SweepRunner::cell_runs(int64_t cell) const {
  std::vector<SweepRun> runs;
  if (axes_.empty() || cell < 0 || cell * seeds_ >= total_) return runs;
  // A table read from a file carries its grid and seeds; the rest of the config is the base's.
  Config base = base_;
  if (from_file_)
    if (const auto t = table(); t && !t->rows.empty()) base.seed = t->first_seed;
  for (int k = 0; k < seeds_; ++k) runs.push_back(make_sweep_run(cell * seeds_ + k, axes_, seeds_, base));
  return runs;
}

}  // namespace moe

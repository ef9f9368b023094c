// cmd_sweep.cpp: `moescope sweep`: the cartesian product of --grid values ×
// seeds, run in parallel (one thread per run; a run's numbers never depend on
// threads), one CSV row per run with its final metrics (results_io.h), rows in run order.
// --shard i/n keeps runs with index % n == i, so a cluster job array splits a sweep.
//
// Limits: at most kMaxSweepRuns runs (counted with overflow checks); parallel runs
// are fitted into a memory budget from estimate_bytes (--jobs is lowered, and says so).
// Rows are written to the output as runs finish; Ctrl+C or SIGTERM lets the running
// runs go, keeps every finished one in the CSV, and exits with 128 + the signal.
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include "commands.h"
#include "config_io.h"
#include "interrupt.h"
#include "results_io.h"

namespace moe {

namespace {

struct Axis {
  std::string key;                  // canonical setting name
  std::vector<std::string> values;  // as text
};

constexpr uint64_t kMaxSweepRuns = 1000000;

struct SweepRun {
  int64_t index = 0;
  std::vector<std::string> values;  // one per axis
  int64_t seed = 0;
  Config cfg;
};

// Run `index` of the grid: last axis fastest, seeds innermost.
SweepRun make_run(int64_t index, const std::vector<Axis>& axes, int seeds, const Config& base) {
  SweepRun r;
  r.index = index;
  uint64_t rem = uint64_t(index) / uint64_t(seeds);
  r.values.resize(axes.size());
  for (size_t a = axes.size(); a-- > 0;) {
    r.values[a] = axes[a].values[rem % axes[a].values.size()];
    rem /= axes[a].values.size();
  }
  r.cfg = base;
  for (size_t a = 0; a < axes.size(); ++a) find_property(axes[a].key)->set_from_text(r.cfg, r.values[a]);
  r.seed = base.seed + index % seeds;
  r.cfg.seed = r.seed;
  r.cfg.threads = 1;
  return r;
}

// "i/n" with 0 <= i < n <= 1,000,000, digits only.
bool parse_shard(const std::string& text, int* i, int* n) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  const auto number = [](std::string_view s, int* out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  const std::string_view all(text);
  return number(all.substr(0, slash), i) && number(all.substr(slash + 1), n) && *n >= 1 && *n <= 1000000 && *i >= 0 &&
         *i < *n;
}

// Bytes the sweep may use for its runs together: 80% of what the machine (or the cgroup
// the process runs in) has available now.
double memory_budget_bytes() {
  double avail = 0;
  if (std::FILE* f = std::fopen("/proc/meminfo", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (unsigned long long kb = 0; std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) avail = double(kb) * 1024;
    std::fclose(f);
  }
  const auto read_number = [](const char* path, double* out) {
    std::FILE* f = std::fopen(path, "r");
    if (!f) return false;
    unsigned long long v = 0;
    const bool ok = std::fscanf(f, "%llu", &v) == 1;  // "max" (no limit) does not read as a number
    std::fclose(f);
    if (ok) *out = double(v);
    return ok;
  };
  double limit = 0, used = 0;
  if (read_number("/sys/fs/cgroup/memory.max", &limit) && read_number("/sys/fs/cgroup/memory.current", &used))
    avail = avail > 0 ? std::min(avail, std::max(0.0, limit - used)) : std::max(0.0, limit - used);
  if (avail <= 0) avail = 4.0 * 1024 * 1024 * 1024;  // nothing readable: assume a small machine
  return 0.8 * avail;
}

// "3G", "512M", "2.5G", "1048576" (bytes). False if not a positive size.
bool parse_size(const std::string& text, double* bytes) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == text.c_str() || !(v > 0) || !std::isfinite(v)) return false;
  const std::string unit(end);
  double scale = 0;
  if (unit.empty())
    scale = 1;
  else if (unit == "K" || unit == "KiB")
    scale = 1024;
  else if (unit == "M" || unit == "MiB")
    scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB")
    scale = 1024.0 * 1024 * 1024;
  if (scale == 0 || text.find_first_of("xXpP") != std::string::npos) return false;  // no hex floats
  *bytes = v * scale;
  return true;
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / (1024.0 * 1024));
  return buf;
}

std::string parse_grid(const std::string& g, const Config& base, Axis& axis) {
  const auto eq = g.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == g.size())
    return "--grid '" + g + "': expected key=v1,v2,..., e.g. --grid k=1,2,4";
  const Property* p = find_property(g.substr(0, eq));
  if (!p) return "--grid: unknown setting '" + g.substr(0, eq) + "' (`moescope run --help` lists them)";
  if (p->flags & PropFlags_Seed) return "--grid " + std::string(p->name) + ": use --seeds N instead";
  axis.key = p->name;
  size_t pos = eq + 1;
  while (pos <= g.size()) {
    const size_t comma = g.find(',', pos);
    const std::string v = g.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    Config probe = base;
    std::string err = p->set_from_text(probe, v);
    if (!err.empty()) return "--grid: " + err;
    axis.values.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return "";
}

std::string final_row(const SweepRun& r, const Trainer* tr, const std::string& status) {
  std::string row = std::to_string(r.index);
  for (const std::string& v : r.values) row += "," + v;
  row += "," + std::to_string(r.seed) + "," + status;
  append_final_metrics(tr, row);
  return row + "\n";
}

}  // namespace

int cmd_sweep(const SweepOptions& opt) {
  Config base;
  std::string err = resolve_config(opt.source, base, nullptr);
  auto fail = [](const std::string& e) {
    std::fprintf(stderr, "moescope sweep: %s\n", e.c_str());
    return 2;
  };
  if (!err.empty()) return fail(err);
  if (opt.grid.empty()) return fail("give at least one --grid key=v1,v2,...");
  if (opt.seeds < 1 || opt.seeds > 10000) return fail("--seeds: allowed: an integer in [1, 10000]");
  if (opt.out.empty()) return fail("--out FILE.csv is required");
  int shard_i = 0, shard_n = 1;
  if (!opt.shard.empty() && !parse_shard(opt.shard, &shard_i, &shard_n))
    return fail("--shard '" + opt.shard + "': expected i/n with whole numbers 0 <= i < n <= 1000000, e.g. --shard 0/4");
  double budget = 0;
  if (!opt.max_memory.empty() && !parse_size(opt.max_memory, &budget))
    return fail("--max-memory '" + opt.max_memory + "': expected a size such as 3G, 512M or 2.5G");
  const bool budget_given = budget > 0;
  if (!budget_given) budget = memory_budget_bytes();
  std::vector<Axis> axes(opt.grid.size());
  for (size_t i = 0; i < opt.grid.size(); ++i) {
    err = parse_grid(opt.grid[i], base, axes[i]);
    if (!err.empty()) return fail(err);
  }
  // Count the runs with overflow checks: 64 axes of 2 values must not wrap to 0.
  uint64_t combos = 1, total = 0;
  for (const Axis& a : axes)
    if (__builtin_mul_overflow(combos, uint64_t(a.values.size()), &combos) || combos > kMaxSweepRuns)
      return fail("the grid has more than " + std::to_string(kMaxSweepRuns) + " runs (" + std::to_string(axes.size()) +
                  " axes); allowed: at most " + std::to_string(kMaxSweepRuns) + "; use fewer values or split it");
  if (__builtin_mul_overflow(combos, uint64_t(opt.seeds), &total) || total > kMaxSweepRuns)
    return fail("the grid × --seeds has more than " + std::to_string(kMaxSweepRuns) + " runs; allowed: at most " +
                std::to_string(kMaxSweepRuns) + "; use fewer seeds or values, or split it with --shard");
  // This shard's runs, by index; configs are built when a run starts.
  std::vector<int64_t> runs;
  for (uint64_t i = uint64_t(shard_i); i < total; i += uint64_t(shard_n)) runs.push_back(int64_t(i));
  const int64_t steps = opt.steps > 0 ? opt.steps : base.steps;

  // Memory: the largest valid grid point bounds every run (seeds do not change sizes).
  double per_run = 0;
  for (uint64_t c = 0; c < combos; ++c) {
    const SweepRun r = make_run(int64_t(c * uint64_t(opt.seeds)), axes, opt.seeds, base);
    if (validate(r.cfg).empty()) per_run = std::max(per_run, estimate_bytes(r.cfg));
  }
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
  std::string header = "run";
  for (const Axis& a : axes) header += "," + a.key;
  header += ",seed,status" + final_metrics_header() + "\n";
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
      const SweepRun r = make_run(runs[i], axes, opt.seeds, base);
      std::string e;
      auto tr = Trainer::create(r.cfg, &e);
      std::string status = "ok";
      if (!tr) {
        status = "invalid: " + e;
        for (char& ch : status)
          if (ch == ',' || ch == '"') ch = ';';
      } else {
        for (int64_t s = 0; s < steps; ++s) {
          if (interrupted()) return;  // an unfinished run leaves no row
          if (!tr->step().finite) {
            status = "diverged";
            break;
          }
        }
      }
      std::string row = final_row(r, tr.get(), status);
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

// cmd_sweep.cpp: `moescope sweep`: the cartesian product of --grid values ×
// seeds, run in parallel (one thread per run; a run's numbers never depend on
// threads), one CSV row per run with its final metrics (results_io.h), rows in run order.
// --shard i/n keeps runs with index % n == i, so a cluster job array splits a sweep.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "commands.h"
#include "config_io.h"

namespace moe {

namespace {

struct Axis {
  std::string key;                  // canonical setting name
  std::vector<std::string> values;  // as text
};

struct SweepRun {
  int index = 0;
  std::vector<std::string> values;  // one per axis
  int64_t seed = 0;
  Config cfg;
  std::string row;                  // CSV row once finished
};

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
  if (!opt.shard.empty()) {
    if (std::sscanf(opt.shard.c_str(), "%d/%d", &shard_i, &shard_n) != 2 || shard_n < 1 || shard_i < 0 || shard_i >= shard_n)
      return fail("--shard '" + opt.shard + "': expected i/n with 0 <= i < n, e.g. --shard 0/4");
  }
  std::vector<Axis> axes(opt.grid.size());
  for (size_t i = 0; i < opt.grid.size(); ++i) {
    err = parse_grid(opt.grid[i], base, axes[i]);
    if (!err.empty()) return fail(err);
  }
  // enumerate runs: last axis fastest, seeds innermost
  std::vector<SweepRun> runs;
  size_t combos = 1;
  for (const Axis& a : axes) combos *= a.values.size();
  if (combos * size_t(opt.seeds) > 1000000) return fail("the grid has more than 1,000,000 runs; split it");
  int index = 0;
  for (size_t c = 0; c < combos; ++c) {
    std::vector<std::string> vals(axes.size());
    size_t rem = c;
    for (size_t a = axes.size(); a-- > 0;) {
      vals[a] = axes[a].values[rem % axes[a].values.size()];
      rem /= axes[a].values.size();
    }
    for (int s = 0; s < opt.seeds; ++s, ++index) {
      if (index % shard_n != shard_i) continue;
      SweepRun r;
      r.index = index;
      r.values = vals;
      r.cfg = base;
      for (size_t a = 0; a < axes.size(); ++a) find_property(axes[a].key)->set_from_text(r.cfg, vals[a]);
      r.seed = base.seed + s;
      r.cfg.seed = r.seed;
      r.cfg.threads = 1;
      runs.push_back(std::move(r));
    }
  }
  const int64_t steps = opt.steps > 0 ? opt.steps : base.steps;
  const int jobs = opt.jobs > 0 ? opt.jobs : int(std::max(1u, std::thread::hardware_concurrency()));

  std::atomic<size_t> next{0};
  std::atomic<int> done{0};
  std::mutex io;
  const bool tty = isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  auto progress = [&]() {
    const int d = done.load();
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double eta = d > 0 ? el / d * (double(runs.size()) - d) : 0;
    const int width = 30, fill = runs.empty() ? width : int(width * double(d) / double(runs.size()));
    std::string bar(size_t(fill), '#');
    bar += std::string(size_t(width - fill), '.');
    std::fprintf(stderr, "%s[%s] %d/%zu runs  %.0f s elapsed  ETA %.0f s%s", tty ? "\r" : "", bar.c_str(), d, runs.size(),
                 el, eta, tty ? "" : "\n");
    std::fflush(stderr);
  };
  auto worker = [&]() {
    for (;;) {
      const size_t i = next++;
      if (i >= runs.size()) return;
      SweepRun& r = runs[i];
      std::string e;
      auto tr = Trainer::create(r.cfg, &e);
      std::string status = "ok";
      if (!tr) {
        status = "invalid: " + e;
        for (char& ch : status)
          if (ch == ',' || ch == '"') ch = ';';
      } else {
        for (int64_t s = 0; s < steps; ++s)
          if (!tr->step().finite) {
            status = "diverged";
            break;
          }
      }
      r.row = final_row(r, tr.get(), status);
      ++done;
      std::lock_guard<std::mutex> lock(io);
      progress();
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::min<int>(jobs, int(runs.size())); ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (tty) std::fprintf(stderr, "\n");

  std::string csv = "run";
  for (const Axis& a : axes) csv += "," + a.key;
  csv += ",seed,status" + final_metrics_header() + "\n";
  for (const SweepRun& r : runs) csv += r.row;
  err = write_file_atomic(opt.out, csv);
  if (!err.empty()) {
    std::fprintf(stderr, "moescope sweep: %s\n", err.c_str());
    return 1;
  }
  std::printf("moescope sweep: %zu runs (shard %d/%d) of %lld steps written to %s\n", runs.size(), shard_i, shard_n,
              (long long)steps, opt.out.c_str());
  return 0;
}

}  // namespace moe

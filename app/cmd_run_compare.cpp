// cmd_run_compare.cpp: `moescope run --compare SETTINGS ... [--seeds N]`: several runs
// (run_compare.h) trained in parallel, one file in long format.
//   CSV   run,seed, then the columns of a plain `run --out F.csv`, rows run by run (seeds in
//         order within a run); a run with fewer experts leaves the extra expert columns empty.
//   JSON  {"format": "moescope-compare/1", "runs": [{"run", "seed", "label", "compare",
//         "changed": {key: value}, "scheduled": [...], "config", "events", "steps"}]}
// Each run trains on its own Trainer (threads = 1 when several train at once: a run's
// numbers never depend on its thread count) and writes its rows to a scratch file of its
// own; the output is put together in run order at the end, so its bytes do not depend on
// which run finished first. Ctrl+C stops every run at its next step and writes what was
// trained.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"
#include "config_io.h"
#include "interrupt.h"
#include "run_compare.h"
#include "run_set.h"
#include "safe_io.h"

namespace moe {

using nlohmann::json;

namespace {

// One run's outcome and its rows in a scratch file.
struct Outcome {
  std::FILE* rows = nullptr;  // CSV rows (already prefixed) or JSON steps joined by ','
  int64_t trained = 0;
  bool diverged = false;
  std::string diverged_what, error, summary;
  std::vector<Event> events;
  Outcome() = default;
  Outcome(const Outcome&) = delete;
  Outcome& operator=(const Outcome&) = delete;
  ~Outcome() {
    if (rows) std::fclose(rows);
  }
};

// Column positions of one run's CSV in the output's header (the widest run's), by name.
struct Columns {
  size_t own = 0;            // columns of the run's own header, event included
  std::vector<size_t> into;  // [own column] position in the output header
  bool identity = true;
};

Columns map_columns(const Config& run, const std::vector<std::string>& wide) {
  const std::vector<std::string> names = [&] {
    std::string h = metrics_csv_header(run);
    h.pop_back();
    std::vector<std::string> v;
    size_t start = 0;
    for (size_t i = 0; i <= h.size(); ++i)
      if (i == h.size() || h[i] == ',') v.push_back(h.substr(start, i - start)), start = i + 1;
    return v;
  }();
  Columns c;
  c.own = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    const size_t at = size_t(std::find(wide.begin(), wide.end(), names[i]) - wide.begin());
    c.into.push_back(at);
    c.identity = c.identity && at == i;
  }
  c.identity = c.identity && names.size() == wide.size();
  return c;
}

// Rows of one step (append_metrics_csv) with "run,seed," in front, widened to the output header.
void prefix_rows(const std::string& rows, const std::string& prefix, const Columns& cols, size_t wide,
                 std::string& out) {
  size_t start = 0;
  while (start < rows.size()) {
    const size_t end = rows.find('\n', start);
    const std::string line = rows.substr(start, end - start);
    start = end + 1;
    out += prefix;
    if (cols.identity) {
      out += line + "\n";
      continue;
    }
    // The first own-1 cells hold no comma; the rest of the line is the (quoted) event cell.
    std::vector<std::string> cells(wide);
    size_t pos = 0;
    for (size_t i = 0; i + 1 < cols.own; ++i) {
      const size_t comma = line.find(',', pos);
      cells[cols.into[i]] = line.substr(pos, comma - pos);
      pos = comma + 1;
    }
    cells[cols.into[cols.own - 1]] = line.substr(pos);
    for (size_t i = 0; i < wide; ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
}

// Trains one run, writing its logged steps into o.rows.
void train_one(const ComparedRun& run, int64_t steps_opt, int log_every, bool csv, bool quiet, int threads,
               const Columns& cols, size_t wide, Outcome& o) {
  Config cfg = run.cfg;
  cfg.threads = threads > 0 ? threads : cfg.threads;
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  if (tr) err = tr->schedule(run.schedule);
  if (!tr || !err.empty()) {
    o.error = err;
    return;
  }
  const int64_t steps = steps_opt > 0 ? steps_opt : run.cfg.steps;
  const std::string prefix = std::to_string(run.run) + "," + std::to_string(run.cfg.seed) + ",";
  size_t events_written = 0;
  std::string text, rows;
  int64_t written = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps && !interrupted(); ++s) {
    const StepMetrics& m = tr->step();
    if (!m.finite) {
      o.diverged = true;
      o.diverged_what = m.diverged;
      break;
    }
    o.trained = s + 1;
    if (!o.rows || (s % log_every != 0 && s != steps - 1 && !interrupted())) continue;
    text.clear();
    if (csv) {
      rows.clear();
      append_metrics_csv(m, tr->events(), &events_written, rows);
      prefix_rows(rows, prefix, cols, wide, text);
    } else {
      text = (written ? "," : "") + step_json(m).dump();
    }
    ++written;
    if (std::fwrite(text.data(), 1, text.size(), o.rows) != text.size()) {
      o.error = "cannot write a scratch file for run " + std::to_string(run.run);
      break;
    }
  }
  o.events = tr->events();
  if (!quiet)
    o.summary = run_summary(*tr, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

std::string read_all(std::FILE* f) {
  std::string s;
  if (!f || std::fseek(f, 0, SEEK_SET) != 0) return s;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

json change_list(const std::vector<ScheduledChange>& changes) {
  json a = json::array();
  for (const ScheduledChange& c : changes) a.push_back({{"step", c.step}, {"key", c.key}, {"value", c.value}});
  return a;
}

}  // namespace

int cmd_run_compare(const RunOptions& opt) {
  std::vector<ComparedRun> runs;
  if (std::string err = plan_compared_runs(opt.source, opt.compare, opt.seeds, runs); !err.empty()) {
    std::fprintf(stderr, "moescope run: %s\n", err.c_str());
    return 2;
  }
  const bool to_json = opt.out.size() >= 5 && opt.out.substr(opt.out.size() - 5) == ".json";
  const bool to_csv = opt.out.size() >= 4 && opt.out.substr(opt.out.size() - 4) == ".csv";
  if (!opt.out.empty() && !to_json && !to_csv) {
    std::fprintf(stderr, "moescope run: --out '%s': allowed: a file name ending in .csv or .json\n", opt.out.c_str());
    return 2;
  }
  // Runs at once: every core, fewer when their memory would not fit (estimate_bytes).
  int jobs = std::min<int>(hardware_threads(), int(runs.size()));
  double per_run = 0;
  for (const ComparedRun& r : runs) per_run = std::max(per_run, estimate_bytes(r.cfg));
  if (const double avail = 0.8 * available_memory_bytes(); avail > 0 && per_run > 0)
    jobs = std::max(1, std::min(jobs, int(avail / per_run)));
  const int threads = jobs > 1 ? 1 : 0;  // 0: the config's own

  // The output header: the widest run's columns (every run shares all but the per-expert ones).
  size_t widest = 0;
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].cfg.routed_experts() > runs[widest].cfg.routed_experts()) widest = i;
  std::string header = "run,seed," + metrics_csv_header(runs[widest].cfg);
  std::vector<std::string> wide_names;
  {
    std::string h = metrics_csv_header(runs[widest].cfg);
    h.pop_back();
    size_t start = 0;
    for (size_t i = 0; i <= h.size(); ++i)
      if (i == h.size() || h[i] == ',') wide_names.push_back(h.substr(start, i - start)), start = i + 1;
  }
  AtomicFile out;
  if (!opt.out.empty()) {
    if (std::string err = out.open(opt.out); !err.empty()) {
      std::fprintf(stderr, "moescope run: %s\n", err.c_str());
      return 1;
    }
  }
  std::vector<Outcome> outcomes(runs.size());
  for (Outcome& o : outcomes)
    if (!opt.out.empty() && !(o.rows = std::tmpfile())) {
      std::fprintf(stderr, "moescope run: cannot make a scratch file for the runs' rows\n");
      return 1;
    }

  install_interrupt_handlers();
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < runs.size() && !interrupted();) {
      const Columns cols = map_columns(runs[i].cfg, wide_names);
      train_one(runs[i], opt.steps, opt.log_every, to_csv, opt.quiet, threads, cols, wide_names.size(), outcomes[i]);
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  for (size_t i = 0; i < runs.size(); ++i)
    if (!outcomes[i].error.empty()) {
      std::fprintf(stderr, "moescope run: run %d seed %lld: %s\n", runs[i].run, (long long)runs[i].cfg.seed,
                   outcomes[i].error.c_str());
      return 1;
    }
  if (!opt.out.empty()) {
    if (to_csv) {
      out.write(header);
      for (Outcome& o : outcomes) out.write(read_all(o.rows));
    } else {
      json doc_runs = json::array();
      for (size_t i = 0; i < runs.size(); ++i) {
        const ComparedRun& r = runs[i];
        json changed = json::object();
        for (const std::string& key : r.changed) changed[key] = format_value_exact(find_property(key)->get(r.cfg));
        json evs = json::array();
        for (const Event& e : outcomes[i].events)
          evs.push_back({{"step", e.step}, {"key", e.key}, {"from", e.from}, {"to", e.to}});
        doc_runs.push_back({{"run", r.run},
                            {"seed", r.cfg.seed},
                            {"label", r.label},
                            {"compare", r.compare},
                            {"changed", changed},
                            {"scheduled", change_list(r.scheduled)},
                            {"config", config_to_json(r.cfg)},
                            {"events", evs},
                            {"steps", json::parse("[" + read_all(outcomes[i].rows) + "]")}});
      }
      const json doc = {{"format", "moescope-compare/1"}, {"runs", doc_runs}};
      out.write(doc.dump(1) + "\n");
    }
    if (std::string err = out.commit(); !err.empty()) {
      std::fprintf(stderr, "moescope run: %s\n", err.c_str());
      return 1;
    }
  }
  if (interrupted()) {
    std::fprintf(
        stderr, "moescope run: interrupted; %s\n",
        opt.out.empty() ? "no --out file was asked for" : ("wrote the steps trained so far to " + opt.out).c_str());
    return interrupt_exit_status();
  }
  int status = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const ComparedRun& r = runs[i];
    const Outcome& o = outcomes[i];
    if (o.diverged) {
      std::fprintf(stderr, "moescope run: run %d (%s) seed %lld diverged: %s; the others went on.\n", r.run,
                   r.label.c_str(), (long long)r.cfg.seed, o.diverged_what.c_str());
      status = 1;
    }
    if (!opt.quiet)
      std::printf("run %d (%s) seed %lld: %s", r.run, r.label.c_str(), (long long)r.cfg.seed, o.summary.c_str());
  }
  if (!opt.quiet) std::printf("moescope run: %zu runs in %.2f s, %d at once\n", runs.size(), seconds, jobs);
  return status;
}

}  // namespace moe

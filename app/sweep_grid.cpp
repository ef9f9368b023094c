// sweep_grid.cpp: see sweep_grid.h.
#include "sweep_grid.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "metrics.h"
#include "results_io.h"
#include "trainer.h"

namespace moe {

std::string parse_sweep_axis(const std::string& g, const Config& base, SweepAxis& axis) {
  const auto eq = g.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == g.size())
    return "--grid '" + g + "': expected key=v1,v2,..., e.g. --grid k=1,2,4";
  const Property* p = find_property(g.substr(0, eq));
  if (!p) return "--grid: unknown setting '" + g.substr(0, eq) + "' (`moescope run --help` lists them)";
  if (p->flags & PropFlags_Seed) return "--grid " + std::string(p->name) + ": use --seeds N instead";
  axis.key = p->name;
  axis.values.clear();
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

std::string count_sweep_runs(const std::vector<SweepAxis>& axes, int seeds, uint64_t* combos_out, uint64_t* total_out) {
  // Overflow checks: 64 axes of 2 values must not wrap to 0.
  uint64_t combos = 1, total = 0;
  for (const SweepAxis& a : axes)
    if (__builtin_mul_overflow(combos, uint64_t(a.values.size()), &combos) || combos > kMaxSweepRuns)
      return "the grid has more than " + std::to_string(kMaxSweepRuns) + " runs (" + std::to_string(axes.size()) +
             " axes); allowed: at most " + std::to_string(kMaxSweepRuns) + "; use fewer values or split it";
  if (__builtin_mul_overflow(combos, uint64_t(seeds), &total) || total > kMaxSweepRuns)
    return "the grid × --seeds has more than " + std::to_string(kMaxSweepRuns) + " runs; allowed: at most " +
           std::to_string(kMaxSweepRuns) + "; use fewer seeds or values, or split it with --shard";
  *combos_out = combos;
  *total_out = total;
  return "";
}

SweepRun make_sweep_run(int64_t index, const std::vector<SweepAxis>& axes, int seeds, const Config& base) {
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

double sweep_run_bytes(const std::vector<SweepAxis>& axes, int seeds, const Config& base) {
  uint64_t combos = 0, total = 0;
  if (!count_sweep_runs(axes, seeds, &combos, &total).empty()) return 0;
  double per_run = 0;
  for (uint64_t c = 0; c < combos; ++c) {
    const SweepRun r = make_sweep_run(int64_t(c * uint64_t(seeds)), axes, seeds, base);
    if (validate(r.cfg).empty()) per_run = std::max(per_run, estimate_bytes(r.cfg));
  }
  return per_run;
}

double sweep_memory_budget() {
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

bool parse_memory_size(const std::string& text, double* bytes) {
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

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / (1024.0 * 1024));
  return buf;
}

const std::vector<std::string>& sweep_value_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c{"steps"};
    for (const MetricDef& d : kMetricTable)
      if (d.flags & MetricFlags_Final) c.emplace_back(d.key);
    return c;
  }();
  return columns;
}

bool run_sweep_run(const SweepRun& r, int64_t steps, const std::function<bool()>& stop, SweepOutcome* out) {
  std::string e;
  auto tr = Trainer::create(r.cfg, &e);
  out->status = "ok";
  if (!tr) {
    out->status = "invalid: " + e;
    for (char& ch : out->status)
      if (ch == ',' || ch == '"') ch = ';';
  } else {
    for (int64_t s = 0; s < steps; ++s) {
      if (stop && stop()) return false;  // an unfinished run leaves no row
      if (!tr->step().finite) {
        out->status = "diverged";
        break;
      }
    }
  }
  // As append_final_metrics (results_io.h): NaN everywhere when the run made no step.
  const bool has_step = tr && tr->steps_done() > 0;
  out->values.clear();
  out->values.push_back(has_step ? double(tr->steps_done()) : std::nan(""));
  for (const MetricDef& d : kMetricTable)
    if (d.flags & MetricFlags_Final) out->values.push_back(has_step ? final_value(d, tr->last()) : std::nan(""));
  return true;
}

std::string sweep_csv_header(const std::vector<SweepAxis>& axes) {
  std::string header = "run";
  for (const SweepAxis& a : axes) header += "," + a.key;
  return header + ",seed,status" + final_metrics_header() + "\n";
}

std::string sweep_csv_row(const SweepRun& r, const SweepOutcome& o) {
  std::string row = std::to_string(r.index);
  for (const std::string& v : r.values) row += "," + v;
  row += "," + std::to_string(r.seed) + "," + o.status;
  for (double v : o.values) row += "," + fmt(v);
  return row + "\n";
}

}  // namespace moe

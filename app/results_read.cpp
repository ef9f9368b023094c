// results_read.cpp: see results_read.h.
#include "results_read.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

#include "config_io.h"
#include "file_read.h"
#include "json_reader.h"
#include "metrics.h"
#include "sweep_results.h"

namespace moe {

using nlohmann::json;

namespace {

// Where each metric of the table lives in StepMetrics / LayerMetrics (the table has getters only).
double* run_field(StepMetrics& m, std::string_view key) {
  if (key == "loss_total") return &m.losses.total;
  if (key == "loss_task") return &m.losses.task;
  if (key == "loss_balance") return &m.losses.balance;
  if (key == "loss_z") return &m.losses.z;
  if (key == "loss_importance") return &m.losses.importance;
  if (key == "accuracy") return &m.losses.accuracy;
  if (key == "grad_norm") return &m.grad_norm;
  if (key == "lr") return &m.lr;
  return nullptr;
}

void set_layer_field(LayerMetrics& m, std::string_view key, double v) {
  if (key == "router_entropy") m.router_entropy = v;
  if (key == "load_entropy") m.load_entropy = v;
  if (key == "load_cv") m.load_cv = v;
  if (key == "max_vio") m.max_vio = v;
  if (key == "dead_experts") m.dead_experts = std::isfinite(v) ? int(v) : 0;
  if (key == "drop_rate") m.drop_rate = v;
  if (key == "unrouted") m.unrouted = v;
  if (key == "top1_gate_mean") m.top1_gate_mean = v;
  if (key == "specialisation") m.specialisation = v;
  if (key == "label_purity") m.label_purity = v;
  if (key == "routing_churn") m.routing_churn = v;
}

double* values_field(LayerMetrics& m, std::string_view key, size_t i) {
  if (key == "top1_hist") return i < m.top1_hist.size() ? &m.top1_hist[i] : nullptr;
  std::vector<double>* v = key == "load"         ? &m.load
                           : key == "tokens"     ? &m.tokens
                           : key == "kept"       ? &m.kept
                           : key == "importance" ? &m.importance
                           : key == "bias"       ? &m.bias
                                                 : nullptr;
  if (!v) return nullptr;
  if (v->size() <= i) v->resize(i + 1, 0.0);
  return &(*v)[i];
}

bool parse_number(const std::string& s, double* v) {
  if (s == "nan" || s == "-nan") return *v = std::nan(""), true;
  if (s == "inf") return *v = INFINITY, true;
  if (s == "-inf") return *v = -INFINITY, true;
  if (s.empty() || s.find_first_of("xXpPnNiI") != std::string::npos) return false;
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// The History a live run of cfg has (session.cpp's layout), its ids filled.
std::shared_ptr<History> make_history(const Config& cfg, HistoryOptions opt, HistoryIds& ids) {
  auto h = std::make_shared<History>(opt);
  ids.run.assign(size_t(kMetricCount), -1);
  ids.layers.assign(size_t(cfg.n_layers), std::vector<SeriesId>(size_t(kMetricCount), -1));
  for (int i = 0; i < kMetricCount; ++i)
    if (kMetricTable[i].scope == MetricScope::run) ids.run[size_t(i)] = h->add_series(kMetricTable[i].key);
  const int E = cfg.routed_experts();
  for (int l = 0; l < cfg.n_layers; ++l) {
    const std::string prefix = "L" + std::to_string(l) + "/";
    for (int i = 0; i < kMetricCount; ++i) {
      const MetricDef& d = kMetricTable[i];
      SeriesId& id = ids.layers[size_t(l)][size_t(i)];
      if (d.scope == MetricScope::layer) id = h->add_series(prefix + d.key);
      if (d.scope == MetricScope::layer_bins || d.scope == MetricScope::expert)
        id = h->add_series_group(prefix + d.key, metric_width(d, E));
    }
  }
  return h;
}

void fill_row(const StepMetrics& m, const HistoryIds& ids, std::vector<float>& row) {
  std::fill(row.begin(), row.end(), std::numeric_limits<float>::quiet_NaN());
  for (int i = 0; i < kMetricCount; ++i)
    if (kMetricTable[i].scope == MetricScope::run) row[size_t(ids.run[size_t(i)])] = float(kMetricTable[i].run(m));
  for (size_t l = 0; l < ids.layers.size() && l < m.layers.size(); ++l)
    for (int i = 0; i < kMetricCount; ++i) {
      const MetricDef& d = kMetricTable[i];
      const SeriesId id = ids.layers[l][size_t(i)];
      if (d.scope == MetricScope::layer) row[size_t(id)] = float(d.layer(m.layers[l]));
      if (d.scope == MetricScope::layer_bins || d.scope == MetricScope::expert) {
        const std::span<const double> v = d.values(m.layers[l]);
        for (size_t e = 0; e < v.size(); ++e) row[size_t(id) + e] = float(v[e]);
      }
    }
}

// Steps in order, evenly spaced, into a snapshot.
std::shared_ptr<const RunSnapshot> build(const Config& cfg, std::vector<StepMetrics>& steps, std::vector<Event> events,
                                         const std::string& name, std::string* error) {
  if (steps.empty()) return *error = "'" + name + "': no steps in the file", nullptr;
  const int64_t stride = steps.size() > 1 ? steps[1].step - steps[0].step : 1;
  // `run --log-every N` also writes the last step, off the N grid: it is the run's end
  // (`last`, steps_done) but not a History row.
  size_t rows = steps.size();
  if (rows > 2 && steps[rows - 1].step - steps[rows - 2].step < stride && steps[rows - 1].step > steps[rows - 2].step)
    --rows;
  for (size_t i = 1; i < rows; ++i)
    if (steps[i].step - steps[i - 1].step != stride || stride < 1)
      return *error = "'" + name + "': step " + std::to_string(steps[i].step) + " follows step " +
                      std::to_string(steps[i - 1].step) + "; allowed: increasing steps " + std::to_string(stride) +
                      " apart (as --log-every writes them)",
             nullptr;
  auto snap = std::make_shared<RunSnapshot>();
  snap->cfg = cfg;
  snap->run_config = cfg;
  auto h = make_history(cfg, HistoryOptions{1024, steps.front().step, stride}, snap->ids);
  std::vector<float> row(size_t(h->series_count()));
  for (size_t i = 0; i < rows; ++i) {
    fill_row(steps[i], snap->ids, row);
    h->append(row);
  }
  snap->history = h;
  snap->last = steps.back();
  snap->steps_done = steps.back().step + 1;
  snap->events = std::move(events);
  snap->notice = "read from " + name;
  return snap;
}

std::shared_ptr<const RunSnapshot> parse_csv(const std::string& text, const std::string& name, std::string* error) {
  std::vector<std::string> head;
  std::vector<StepMetrics> steps;
  size_t pos = 0;
  int line_no = 0, E = 0, n_layers = 0;
  auto fail = [&](const std::string& what) {
    *error = "'" + name + "' line " + std::to_string(line_no) + ": " + what;
    return nullptr;
  };
  // Column c: which metric, and which value of it (bins and experts).
  struct Col {
    const MetricDef* def = nullptr;
    size_t index = 0;
  };
  std::vector<Col> cols;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1) {
      if (line.rfind("step,layer,", 0) != 0)
        return fail("not a `moescope run --out` CSV: the header must start with \"step,layer,\"");
      size_t p = 0;
      for (;;) {
        const size_t c = line.find(',', p);
        head.push_back(line.substr(p, c == std::string::npos ? std::string::npos : c - p));
        if (c == std::string::npos) break;
        p = c + 1;
      }
      if (head.back() != "event") return fail("the last column must be \"event\"");
      cols.resize(head.size());
      for (size_t c = 2; c + 1 < head.size(); ++c) {
        const std::string& k = head[c];
        if (const MetricDef* d = find_metric(k);
            d && (d->scope == MetricScope::run || d->scope == MetricScope::layer)) {
          cols[c].def = d;
          continue;
        }
        const size_t us = k.rfind('_');
        const MetricDef* d = us == std::string::npos ? nullptr : find_metric(k.substr(0, us));
        int64_t i = -1;
        const auto r = us == std::string::npos ? std::from_chars_result{}
                                               : std::from_chars(k.data() + us + 1, k.data() + k.size(), i);
        if (!d || d->scope == MetricScope::run || d->scope == MetricScope::layer || r.ec != std::errc() || i < 0 ||
            i >= kMaxRoutedExperts)
          return fail("column '" + k + "' is not a metric of this version (core/metrics.h lists them)");
        cols[c] = {d, size_t(i)};
        if (std::string_view(d->key) == "load") E = std::max(E, int(i) + 1);
      }
      if (E == 0) return fail("no load_0.. columns: cannot tell the number of experts");
      continue;
    }
    if (line.empty()) continue;
    // The event column may be quoted and hold commas: the numbers are the first head.size() - 1 fields.
    std::vector<std::string> f;
    size_t p = 0;
    while (f.size() + 1 < head.size()) {
      const size_t c = line.find(',', p);
      if (c == std::string::npos)
        return fail(std::to_string(f.size() + 1) + " fields, the header has " + std::to_string(head.size()));
      f.push_back(line.substr(p, c - p));
      p = c + 1;
    }
    int64_t step = 0, layer = 0;
    double v = 0;
    if (!parse_number(f[0], &v) || v < 0 || v != std::floor(v))
      return fail("step '" + f[0] + "' is not a whole number");
    step = int64_t(v);
    if (!parse_number(f[1], &v) || v < 0 || v >= 4 || v != std::floor(v))
      return fail("layer '" + f[1] + "' is not a layer number 0..3");
    layer = int64_t(v);
    if (layer == 0) {
      if (!steps.empty() && step <= steps.back().step)
        return fail("step " + std::to_string(step) + " after step " + std::to_string(steps.back().step));
      steps.emplace_back();
      steps.back().step = step;
    } else if (steps.empty() || steps.back().step != step || int64_t(steps.back().layers.size()) != layer) {
      return fail("layer " + std::to_string(layer) + " of step " + std::to_string(step) + " does not follow layer " +
                  std::to_string(layer - 1) + " of the same step");
    }
    StepMetrics& m = steps.back();
    m.layers.emplace_back();
    LayerMetrics& lm = m.layers.back();
    for (size_t c = 2; c < f.size(); ++c) {
      if (!parse_number(f[c], &v)) return fail("column '" + head[c] + "': '" + f[c] + "' is not a number");
      const MetricDef* d = cols[c].def;
      if (d->scope == MetricScope::run) {
        if (layer == 0) *run_field(m, d->key) = v;
      } else if (d->scope == MetricScope::layer) {
        set_layer_field(lm, d->key, v);
      } else if (double* dst = values_field(lm, d->key, cols[c].index)) {
        *dst = v;
      }
    }
    n_layers = std::max(n_layers, int(layer) + 1);
  }
  if (line_no == 0) return *error = "'" + name + "': empty file", nullptr;
  for (const StepMetrics& m : steps)
    if (int(m.layers.size()) != n_layers)
      return *error = "'" + name + "': step " + std::to_string(m.step) + " has " + std::to_string(m.layers.size()) +
                      " layers, others " + std::to_string(n_layers),
             nullptr;
  Config cfg = default_config();
  cfg.n_layers = n_layers;
  cfg.shared_experts = 0;
  cfg.num_experts = E;
  cfg.top_k = std::min(cfg.top_k, E);
  return build(cfg, steps, {}, name, error);
}

std::shared_ptr<const RunSnapshot> parse_json(const std::string& text, const std::string& name, std::string* error) {
  json doc;
  if (std::string e = parse_json_text(text, "'" + name + "'", doc); !e.empty()) return *error = e, nullptr;
  if (!doc.is_object() || doc.value("format", "") != "moescope-run/1")
    return *error = "'" + name + "': not a `moescope run --out` JSON (\"format\": \"moescope-run/1\" expected)",
           nullptr;
  Config cfg = default_config();
  if (!doc.contains("config") || !doc["config"].is_object())
    return *error = "'" + name + "': no \"config\" object", nullptr;
  if (std::string e = apply_json(doc["config"], "'" + name + "' config", cfg); !e.empty()) return *error = e, nullptr;
  std::vector<Event> events;
  if (doc.contains("events") && doc["events"].is_array())
    for (const json& e : doc["events"])
      if (e.is_object() && e.contains("step") && e["step"].is_number_integer())
        events.push_back({e["step"].get<int64_t>(), e.value("key", ""), e.value("from", ""), e.value("to", "")});
  if (!doc.contains("steps") || !doc["steps"].is_array()) return *error = "'" + name + "': no \"steps\" array", nullptr;
  const auto num = [](const json& j) { return j.is_number() ? j.get<double>() : std::nan(""); };  // null = NaN
  std::vector<StepMetrics> steps;
  for (size_t i = 0; i < doc["steps"].size(); ++i) {
    const json& s = doc["steps"][i];
    const std::string at = "'" + name + "' steps[" + std::to_string(i) + "]";
    if (!s.is_object() || !s.contains("step") || !s["step"].is_number_integer() || !s.contains("layers") ||
        !s["layers"].is_array() || s["layers"].size() != size_t(cfg.n_layers))
      return *error = at + ": expected {\"step\": N, ..., \"layers\": [" + std::to_string(cfg.n_layers) +
                      " layer objects]}",
             nullptr;
    StepMetrics m;
    m.step = s["step"].get<int64_t>();
    for (const MetricDef& d : kMetricTable)
      if (d.scope == MetricScope::run) {
        const json::json_pointer p(d.json);
        *run_field(m, d.key) = s.contains(p) ? num(s[p]) : std::nan("");
      }
    for (const json& l : s["layers"]) {
      LayerMetrics lm;
      for (const MetricDef& d : kMetricTable) {
        const json::json_pointer p(d.json);
        if (d.scope == MetricScope::run || !l.is_object() || !l.contains(p)) continue;
        if (d.scope == MetricScope::layer) {
          set_layer_field(lm, d.key, num(l[p]));
        } else if (l[p].is_array()) {
          for (size_t e = 0; e < l[p].size() && e < size_t(kMaxRoutedExperts); ++e)
            if (double* dst = values_field(lm, d.key, e)) *dst = num(l[p][e]);
        }
      }
      m.layers.push_back(std::move(lm));
    }
    steps.push_back(std::move(m));
  }
  return build(cfg, steps, std::move(events), name, error);
}

}  // namespace

ResultsKind results_kind(const std::string& path, std::string* error) {
  std::string text;
  if (std::string e = read_regular_file(path, size_t(1) << 30, &text); !e.empty()) {
    *error = "'" + path + "': " + e;
    return ResultsKind::unknown;
  }
  error->clear();
  const std::string first = text.substr(0, text.find('\n'));
  if (is_sweep_csv_header(first)) return ResultsKind::sweep_csv;
  if (first.rfind("step,layer,", 0) == 0) return ResultsKind::run_csv;
  if (text.find("\"moescope-run/1\"") != std::string::npos) return ResultsKind::run_json;
  *error = "'" + path + "': not a results file: expected a `moescope run --out` CSV or JSON, or a `moescope sweep` CSV";
  return ResultsKind::unknown;
}

std::shared_ptr<const RunSnapshot> parse_run_results(const std::string& text, const std::string& name, bool as_json,
                                                     std::string* error) {
  return as_json ? parse_json(text, name, error) : parse_csv(text, name, error);
}

std::shared_ptr<const RunSnapshot> read_run_results(const std::string& path, std::string* error) {
  std::string text;
  if (std::string e = read_regular_file(path, size_t(1) << 30, &text); !e.empty()) {
    *error = "'" + path + "': " + e;
    return nullptr;
  }
  const bool as_json = path.size() >= 5 && path.substr(path.size() - 5) == ".json";
  return parse_run_results(text, path, as_json, error);
}

}  // namespace moe

// results_io.cpp: see results_io.h. Every loop here walks kMetricTable in order.
#include "results_io.h"

#include <cmath>
#include <cstdio>
#include <string_view>
#include <nlohmann/json.hpp>

#include "config_io.h"

namespace moe {

using nlohmann::json;

namespace {

void add_cell(std::string& out, std::string_view text) {  // ",text"
  out += ',';
  out += text;
}

}  // namespace

std::string fmt(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// [SECTION] Per-step CSV

std::string metrics_csv_header(const Config& cfg) {
  std::string h = "step,layer";
  const int E = cfg.routed_experts();
  for (const MetricDef& d : kMetricTable) {
    const int width = metric_width(d, E);
    if (d.scope == MetricScope::run || d.scope == MetricScope::layer) {
      add_cell(h, d.key);
    } else {
      for (int i = 0; i < width; ++i) add_cell(h, std::string(d.key) + "_" + std::to_string(i));
    }
  }
  return h + ",event\n";
}

void append_metrics_csv(const StepMetrics& m, const std::vector<Event>& events, size_t* events_written,
                        std::string& out) {
  std::string ev;
  while (*events_written < events.size() && events[*events_written].step <= m.step) {
    ev += (ev.empty() ? "" : "; ") + events[*events_written].label();
    ++*events_written;
  }
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const LayerMetrics& lm = m.layers[l];
    out += std::to_string(m.step);
    add_cell(out, std::to_string(l));
    for (const MetricDef& d : kMetricTable) {
      switch (d.scope) {
        case MetricScope::run: add_cell(out, fmt(d.run(m))); break;
        case MetricScope::layer: add_cell(out, fmt(d.layer(lm))); break;
        case MetricScope::layer_bins:
        case MetricScope::expert:
          for (double v : d.values(lm)) add_cell(out, fmt(v));
          break;
      }
    }
    out += ",";
    if (l == 0 && !ev.empty()) out += "\"" + ev + "\"";
    out += "\n";
  }
}

// [SECTION] JSON

namespace {

json number(const MetricDef& d, double v) {
  if (!std::isfinite(v)) return json(nullptr);
  if (d.flags & MetricFlags_Integer) return json(int64_t(v));
  return json(v);
}

}  // namespace

json step_json(const StepMetrics& m) {
  json step = {{"step", m.step}};
  json layers = json::array();
  for (const LayerMetrics& lm : m.layers) {
    json layer = json::object();
    for (const MetricDef& d : kMetricTable) {
      const json::json_pointer at(d.json);
      switch (d.scope) {
        case MetricScope::run: break;
        case MetricScope::layer: layer[at] = number(d, d.layer(lm)); break;
        case MetricScope::layer_bins:
        case MetricScope::expert: {
          json values = json::array();
          for (double v : d.values(lm)) values.push_back(number(d, v));
          layer[at] = std::move(values);
          break;
        }
      }
    }
    layers.push_back(std::move(layer));
  }
  for (const MetricDef& d : kMetricTable)
    if (d.scope == MetricScope::run) step[json::json_pointer(d.json)] = number(d, d.run(m));
  step["layers"] = std::move(layers);
  return step;
}

std::string run_json_document(const Config& cfg, const std::vector<Event>& events, const json& steps) {
  json evs = json::array();
  for (const Event& e : events) evs.push_back({{"step", e.step}, {"key", e.key}, {"from", e.from}, {"to", e.to}});
  const json doc = {{"format", "moescope-run/1"}, {"config", config_to_json(cfg)}, {"events", evs}, {"steps", steps}};
  return doc.dump(1) + "\n";
}

// [SECTION] Final metrics (sweep rows)

std::string final_metrics_header() {
  std::string h = ",steps";
  for (const MetricDef& d : kMetricTable)
    if (d.flags & MetricFlags_Final) add_cell(h, d.key);
  return h;
}

void append_final_metrics(const Trainer* tr, std::string& row) {
  const bool has_step = tr && tr->steps_done() > 0;
  add_cell(row, fmt(has_step ? double(tr->steps_done()) : std::nan("")));
  for (const MetricDef& d : kMetricTable)
    if (d.flags & MetricFlags_Final) add_cell(row, fmt(has_step ? final_value(d, tr->last()) : std::nan("")));
}

}  // namespace moe

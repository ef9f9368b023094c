// results_io.h: what training commands write, every column and field taken from the
// metric table (core/metrics.h kMetricTable):
//   per-step CSV    step,layer, run metrics, layer metrics, top1_hist_0.., load_0.. per expert, event
//   per-step JSON   {"step", "losses": {...}, "grad_norm", "lr", "layers": [{...}]} (`moescope run`)
//   final metrics   one sweep row: steps, then every MetricFlags_Final metric (layers averaged)
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "config.h"
#include "trainer.h"

namespace moe {

// Formats a double for outputs: %.9g, or "nan"/"inf"/"-inf".
std::string fmt(double v);

// Per-step CSV: the header for cfg's expert count, then one row per layer of each step.
// Events up to m.step not yet written go, quoted, into the event column of layer 0.
std::string metrics_csv_header(const Config& cfg);
void append_metrics_csv(const StepMetrics& m, const std::vector<Event>& events, size_t* events_written,
                        std::string& out);

// One step as a JSON object (NaN and Inf become null).
nlohmann::json step_json(const StepMetrics& m);
// The whole `moescope run` document: {"format": "moescope-run/1", "config", "events", "steps"}.
std::string run_json_document(const Config& cfg, const std::vector<Event>& events, const nlohmann::json& steps);

// Final metrics of a run: ",steps,loss_total,..." and the matching values, all NaN when the
// run has no step (tr null, invalid or diverged at its first step).
std::string final_metrics_header();
void append_final_metrics(const Trainer* tr, std::string& row);

}  // namespace moe

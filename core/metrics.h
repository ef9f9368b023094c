// metrics.h: what the router did on one step, per MoE layer (docs/math.md "Metrics").
//   load_i = f_i          tokens_i = n_i (before capacity)     kept_i (after)
//   importance_i = P_i    router entropy (1/T) Σ_t H(p_t)/log E    load entropy H(f)/log E
//   load CV = std(f)/mean(f)   MaxVio = max n_i / mean n − 1   drop rate   unrouted (expert choice)
//   top-1 gate: mean and 10-bin histogram of max_i p_{t,i}
//   specialisation: MI(label; top-1 expert) / min(log E, log n_labels); label purity
//   routing churn: share of the fixed probe batch whose top-1 expert changed since the previous step
//
// kMetricTable below lists every metric once (name, CSV column, scope, unit, help with its
// source, accessor); the CSV and JSON writers, the sweep, the window's history and its plots
// iterate it, so adding a metric is one field here and one row there.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"

namespace moe {

constexpr int kTop1Bins = 10;  // bins of the top-1 gate histogram over [0, 1]

struct LayerMetrics {
  double router_entropy = 0;  // 1 = uniform gates, 0 = one-hot
  double load_entropy = 0;    // 1 = perfectly balanced load
  double load_cv = 0;         // std(f) / mean(f)
  double max_vio = 0;         // max n_i / mean n − 1
  int dead_experts = 0;       // no token in the last dead_window steps
  double drop_rate = 0;       // dropped / all assignments
  double unrouted = 0;        // fraction of tokens no expert took (expert choice)
  double top1_gate_mean = 0;  // mean of max_i p_{t,i}
  double specialisation = 0;  // normalised MI between label and top-1 expert
  double label_purity = 0;    // Σ_e max_c n(e,c) / N: how well the top-1 expert predicts the label
  double routing_churn = 0;  // probe tokens whose top-1 expert changed since the previous step / probe tokens (Trainer)
  std::array<double, kTop1Bins> top1_hist{};                 // fraction of tokens per bin of [0,1]
  std::vector<double> load, tokens, kept, importance, bias;  // [E] each
};

struct StepMetrics {
  int64_t step = 0;      // index of the step these metrics describe (0-based)
  Losses losses;         // every term, unweighted, and the total
  double grad_norm = 0;  // global gradient norm before clipping
  double lr = 0;
  std::vector<LayerMetrics> layers;
  bool finite = true;    // false: the step diverged and was not applied
  std::string diverged;  // what was not finite, e.g. "loss_task = nan"
};

// [SECTION] The metric table

// Where a metric lives and how many values it has per step.
enum class MetricScope {
  run,         // one value per step: losses, accuracy, grad_norm, lr
  layer,       // one value per MoE layer
  layer_bins,  // kTop1Bins values per layer, a histogram over [0, 1]
  expert,      // E values per layer, one per routed expert
};

enum MetricFlags : unsigned {
  MetricFlags_None = 0,
  MetricFlags_Integer = 1u << 0,  // a count: JSON writes it as an integer
  MetricFlags_Final = 1u << 1,    // a final metric of a run: a sweep column, listed by the sweep view's picker
};

// One row of the table. Accessors: `run` for MetricScope::run, `layer` for ::layer,
// `values` for ::layer_bins and ::expert (the others are null).
struct MetricDef {
  const char* key;    // CSV column and History series; bins/experts: key_0, key_1... columns and key[i] series
  const char* json;   // JSON pointer inside a step object (run scope) or a layer object (the others)
  const char* label;  // readable name: plot lines, hover readouts, pickers
  MetricScope scope;
  const char* unit;  // "" for a pure number
  const char* help;  // definition and where it comes from
  unsigned flags;    // MetricFlags
  double (*run)(const StepMetrics&);
  double (*layer)(const LayerMetrics&);
  std::span<const double> (*values)(const LayerMetrics&);
};

// The columns of a per-step CSV row and the JSON fields follow this order.
inline constexpr MetricDef kMetricTable[] = {
    {"loss_total", "/losses/total", "total loss", MetricScope::run, "nats or squared error",
     "L = L_task + α·L_bal + β·L_z + w_imp·L_imp, the loss the optimiser minimises.", MetricFlags_Final,
     [](const StepMetrics& m) { return m.losses.total; }, nullptr, nullptr},
    {"loss_task", "/losses/task", "task loss", MetricScope::run, "nats or squared error",
     "Cross-entropy (blobs, chars) or mean squared error (teacher) of the step's batch.", MetricFlags_Final,
     [](const StepMetrics& m) { return m.losses.task; }, nullptr, nullptr},
    {"loss_balance", "/losses/balance", "balance loss", MetricScope::run, "",
     "L_bal = E·Σ_i f_i·P_i averaged over layers (Switch Transformer, Fedus et al. 2021); 1 when balanced.",
     MetricFlags_Final, [](const StepMetrics& m) { return m.losses.balance; }, nullptr, nullptr},
    {"loss_z", "/losses/z", "router z-loss", MetricScope::run, "",
     "L_z = mean_t (logsumexp z_t)² averaged over layers (ST-MoE, Zoph et al. 2022).", MetricFlags_Final,
     [](const StepMetrics& m) { return m.losses.z; }, nullptr, nullptr},
    {"loss_importance", "/losses/importance", "importance loss", MetricScope::run, "",
     "L_imp = CV(I)², I_i the summed gates of expert i, averaged over layers (Shazeer et al. 2017).", MetricFlags_Final,
     [](const StepMetrics& m) { return m.losses.importance; }, nullptr, nullptr},
    {"accuracy", "/losses/accuracy", "accuracy", MetricScope::run, "fraction",
     "Share of the batch's tokens whose largest output is the target class; NaN for regression.", MetricFlags_Final,
     [](const StepMetrics& m) { return m.losses.accuracy; }, nullptr, nullptr},
    {"grad_norm", "/grad_norm", "gradient norm", MetricScope::run, "",
     "Global L2 norm of every parameter's gradient, before clipping.", MetricFlags_None,
     [](const StepMetrics& m) { return m.grad_norm; }, nullptr, nullptr},
    {"lr", "/lr", "learning rate", MetricScope::run, "", "The learning rate this step used (live changes included).",
     MetricFlags_None, [](const StepMetrics& m) { return m.lr; }, nullptr, nullptr},
    {"router_entropy", "/router_entropy", "router entropy", MetricScope::layer, "fraction of log E",
     "(1/T) Σ_t H(p_t) / log E: 1 = every token's gates uniform, 0 = one-hot.", MetricFlags_Final, nullptr,
     [](const LayerMetrics& m) { return m.router_entropy; }, nullptr},
    {"load_entropy", "/load_entropy", "load entropy", MetricScope::layer, "fraction of log E",
     "H(f) / log E of the load fractions f_i: 1 = balanced, towards 0 as routing collapses.", MetricFlags_Final,
     nullptr, [](const LayerMetrics& m) { return m.load_entropy; }, nullptr},
    {"load_cv", "/load_cv", "load CV", MetricScope::layer, "",
     "Coefficient of variation std(f) / mean(f) of the load (Shazeer et al. 2017): 0 = balanced.", MetricFlags_Final,
     nullptr, [](const LayerMetrics& m) { return m.load_cv; }, nullptr},
    {"max_vio", "/max_vio", "MaxVio", MetricScope::layer, "",
     "max_i n_i / mean_j n_j − 1, tokens before capacity (Wang et al. 2024, auxiliary-loss-free balancing).",
     MetricFlags_Final, nullptr, [](const LayerMetrics& m) { return m.max_vio; }, nullptr},
    {"dead_experts", "/dead_experts", "dead experts", MetricScope::layer, "experts",
     "Experts that took no token in the last dead_window steps.", MetricFlags_Integer | MetricFlags_Final, nullptr,
     [](const LayerMetrics& m) { return double(m.dead_experts); }, nullptr},
    {"drop_rate", "/drop_rate", "drop rate", MetricScope::layer, "fraction",
     "Assignments dropped by the capacity C / all assignments (GShard, Lepikhin et al. 2020).", MetricFlags_Final,
     nullptr, [](const LayerMetrics& m) { return m.drop_rate; }, nullptr},
    {"unrouted", "/unrouted", "unrouted tokens", MetricScope::layer, "fraction",
     "Tokens no expert chose / T (expert choice, Zhou et al. 2022); 0 for token-choice routers.", MetricFlags_Final,
     nullptr, [](const LayerMetrics& m) { return m.unrouted; }, nullptr},
    {"top1_gate_mean", "/top1_gate_mean", "mean top-1 gate", MetricScope::layer, "",
     "(1/T) Σ_t max_i p_{t,i}: how sure the router is of its first choice (1/E uniform, 1 one-hot).", MetricFlags_Final,
     nullptr, [](const LayerMetrics& m) { return m.top1_gate_mean; }, nullptr},
    {"specialisation", "/specialisation", "specialisation", MetricScope::layer, "",
     "MI(label; top-1 expert) / min(log E, log n_labels): 1 = the expert determines the label.", MetricFlags_Final,
     nullptr, [](const LayerMetrics& m) { return m.specialisation; }, nullptr},
    {"label_purity", "/label_purity", "label purity", MetricScope::layer, "fraction",
     "Σ_e max_c n(e, c) / N: accuracy of predicting the label from the top-1 expert alone.", MetricFlags_Final, nullptr,
     [](const LayerMetrics& m) { return m.label_purity; }, nullptr},
    {"routing_churn", "/routing_churn", "routing churn", MetricScope::layer, "fraction",
     "Tokens of the fixed probe batch whose top-1 expert changed since the previous step / probe tokens; 0 at "
     "step 0 (routing fluctuation on fixed inputs, StableMoE, Dai et al. 2022).",
     MetricFlags_Final, nullptr, [](const LayerMetrics& m) { return m.routing_churn; }, nullptr},
    {"top1_hist", "/top1_hist", "top-1 gate histogram", MetricScope::layer_bins, "fraction of tokens",
     "Share of tokens whose largest gate max_i p_{t,i} falls in bin b of [0, 1] (10 bins).", MetricFlags_None, nullptr,
     nullptr, [](const LayerMetrics& m) { return std::span<const double>(m.top1_hist); }},
    {"load", "/load", "load", MetricScope::expert, "fraction",
     "f_i: expert i's share of the routed assignments, before capacity.", MetricFlags_None, nullptr, nullptr,
     [](const LayerMetrics& m) { return std::span<const double>(m.load); }},
    {"tokens", "/tokens", "tokens", MetricScope::expert, "tokens", "n_i: assignments to expert i before capacity.",
     MetricFlags_None, nullptr, nullptr, [](const LayerMetrics& m) { return std::span<const double>(m.tokens); }},
    {"kept", "/kept", "kept tokens", MetricScope::expert, "tokens", "Assignments to expert i kept after capacity.",
     MetricFlags_None, nullptr, nullptr, [](const LayerMetrics& m) { return std::span<const double>(m.kept); }},
    {"importance", "/importance", "importance", MetricScope::expert, "fraction",
     "P_i = (1/T) Σ_t p_{t,i}: mean router probability of expert i (Shazeer et al. 2017).", MetricFlags_None, nullptr,
     nullptr, [](const LayerMetrics& m) { return std::span<const double>(m.importance); }},
    {"bias", "/bias", "selection bias", MetricScope::expert, "",
     "b_i added to the scores for selection only (auxiliary-loss-free balancing, Wang et al. 2024).", MetricFlags_None,
     nullptr, nullptr, [](const LayerMetrics& m) { return std::span<const double>(m.bias); }},
};

inline constexpr int kMetricCount = int(std::size(kMetricTable));

// Index of the row named `key`, checked at compile time: metric_index("load_entropy").
consteval int metric_index(std::string_view key) {
  for (int i = 0; i < kMetricCount; ++i)
    if (std::string_view(kMetricTable[i].key) == key) return i;
  throw "metric_index: no metric of that key in kMetricTable";
}
// The row named `key`, nullptr if none (run time: e.g. a picker's saved choice).
const MetricDef* find_metric(std::string_view key);
// Values per layer: 1 (layer), kTop1Bins (layer_bins), E (expert); 0 for run scope.
int metric_width(const MetricDef& def, int routed_experts);
// The value a run ends with, for a sweep row or picker: run scope as is, layer scope as the
// mean over layers; NaN for bins and experts (no single number) or when m has no layers.
double final_value(const MetricDef& def, const StepMetrics& m);

// Scratch for the metrics; holds its buffers so a step allocates nothing.
struct MetricsScratch {
  std::vector<double> joint;  // [n_labels * E]
  std::vector<int32_t> top1;  // [T]
};

// Fills m from the last forward's routing of layer `rs` (dead_experts is the caller's).
template <class S>
void compute_layer_metrics(const RouterState<S>& rs, const RowVec<S>& bias, const std::vector<int32_t>& labels,
                           int n_labels, MetricsScratch& scratch, LayerMetrics& m);

// Normalised Shannon entropy of a distribution (1 for a single bin).
double normalised_entropy(const double* p, int n);
// Top-1 expert of token t (first of K_t; for expert choice the largest gate among the experts that took it), -1 if
// none.
template <class S>
int top1_expert(const RouterState<S>& rs, int t);

}  // namespace moe

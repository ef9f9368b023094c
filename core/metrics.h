// metrics.h: what the router did on one step, per MoE layer (docs/math.md "Metrics").
//   load_i = f_i          tokens_i = n_i (before capacity)     kept_i (after)
//   importance_i = P_i    router entropy (1/T) Σ_t H(p_t)/log E    load entropy H(f)/log E
//   load CV = std(f)/mean(f)   MaxVio = max n_i / mean n − 1   drop rate   unrouted (expert choice)
//   top-1 gate: mean and 10-bin histogram of max_i p_{t,i}
//   specialisation: MI(label; top-1 expert) / min(log E, log n_labels); label purity
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model.h"

namespace moe {

struct LayerMetrics {
  double router_entropy = 0;   // 1 = uniform gates, 0 = one-hot
  double load_entropy = 0;     // 1 = perfectly balanced load
  double load_cv = 0;          // std(f) / mean(f)
  double max_vio = 0;          // max n_i / mean n − 1
  int dead_experts = 0;        // no token in the last dead_window steps
  double drop_rate = 0;        // dropped / all assignments
  double unrouted = 0;         // fraction of tokens no expert took (expert choice)
  double top1_gate_mean = 0;   // mean of max_i p_{t,i}
  double specialisation = 0;   // normalised MI between label and top-1 expert
  double label_purity = 0;     // Σ_e max_c n(e,c) / N: how well the top-1 expert predicts the label
  std::array<double, 10> top1_hist{};  // fraction of tokens per bin of [0,1]
  std::vector<double> load, tokens, kept, importance, bias;  // [E] each
};

struct StepMetrics {
  int64_t step = 0;             // index of the step these metrics describe (0-based)
  Losses losses;                // every term, unweighted, and the total
  double grad_norm = 0;         // global gradient norm before clipping
  double lr = 0;
  std::vector<LayerMetrics> layers;
  bool finite = true;           // false: the step diverged and was not applied
  std::string diverged;         // what was not finite, e.g. "loss_task = nan"
};

// Scratch for the metrics; holds its buffers so a step allocates nothing.
struct MetricsScratch {
  std::vector<double> joint;    // [n_labels * E]
  std::vector<int32_t> top1;    // [T]
};

// Fills m from the last forward's routing of layer `rs` (dead_experts is the caller's).
template <class S>
void compute_layer_metrics(const RouterState<S>& rs, const RowVec<S>& bias, const std::vector<int32_t>& labels,
                           int n_labels, MetricsScratch& scratch, LayerMetrics& m);

// Normalised Shannon entropy of a distribution (1 for a single bin).
double normalised_entropy(const double* p, int n);
// Top-1 expert of token t (first of K_t; for expert choice the largest gate among the experts that took it), -1 if none.
template <class S>
int top1_expert(const RouterState<S>& rs, int t);

}  // namespace moe

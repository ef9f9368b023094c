// metrics.cpp: see metrics.h for the definitions.
#include "metrics.h"

#include <algorithm>
#include <cmath>

namespace moe {

const MetricDef* find_metric(std::string_view key) {
  for (const MetricDef& d : kMetricTable)
    if (key == d.key) return &d;
  return nullptr;
}

int metric_width(const MetricDef& def, int routed_experts) {
  switch (def.scope) {
    case MetricScope::run: return 0;
    case MetricScope::layer: return 1;
    case MetricScope::layer_bins: return kTop1Bins;
    case MetricScope::expert: return routed_experts;
  }
  return 0;
}

double final_value(const MetricDef& def, const StepMetrics& m) {
  if (def.scope == MetricScope::run) return def.run(m);
  if (def.scope != MetricScope::layer || m.layers.empty()) return std::nan("");
  const double n = double(m.layers.size());
  double mean = 0;
  for (const LayerMetrics& lm : m.layers) mean += def.layer(lm) / n;  // summed as v/n, in layer order
  return mean;
}

double normalised_entropy(const double* p, int n) {
  if (n <= 1) return 1.0;
  double sum = 0, h = 0;
  for (int i = 0; i < n; ++i) sum += p[i];
  if (sum <= 0) return 0.0;
  for (int i = 0; i < n; ++i) {
    const double q = p[i] / sum;
    if (q > 0) h -= q * std::log(q);
  }
  return h / std::log(double(n));
}

template <class S>
int top1_expert(const RouterState<S>& rs, int t) {
  if (!rs.expert_choice) return rs.slot_expert[size_t(rs.slot(t, 0))];
  int best = -1;  // expert choice: slot e is expert e or -1; the largest gate wins, ties to the lower expert
  S g = S(-1);
  for (int e = 0; e < rs.W; ++e)
    if (rs.slot_expert[size_t(rs.slot(t, e))] >= 0 && rs.slot_gate(t, e) > g) g = rs.slot_gate(t, e), best = e;
  return best;
}

template <class S>
void compute_layer_metrics(const RouterState<S>& rs, const RowVec<S>& bias, const std::vector<int32_t>& labels,
                           int n_labels, MetricsScratch& scratch, LayerMetrics& m) {
  const int T = rs.T, E = rs.E;
  m.load.resize(size_t(E));
  m.tokens.resize(size_t(E));
  m.kept.resize(size_t(E));
  m.importance.resize(size_t(E));
  m.bias.resize(size_t(E));
  double n_total = 0, kept_total = 0;
  for (int e = 0; e < E; ++e) {
    m.load[size_t(e)] = double(rs.f[e]);
    m.tokens[size_t(e)] = rs.tokens[size_t(e)];
    m.kept[size_t(e)] = rs.kept[size_t(e)];
    m.importance[size_t(e)] = double(rs.P[e]);
    m.bias[size_t(e)] = double(bias[e]);
    n_total += rs.tokens[size_t(e)];
    kept_total += rs.kept[size_t(e)];
  }
  // router entropy and top-1 gate
  m.top1_hist.fill(0);
  double h_sum = 0, top1_sum = 0;
  const double logE = std::log(double(E));
  // With softmax scores ln p_te = z_te − lse_t, so H_t = lse_t − Σ_e p_te z_te
  // needs no logarithm (T·E calls to log were a tenth of a small step).
  const bool by_identity = rs.softmax_scores && rs.has_router && E > 1;
  for (int t = 0; t < T; ++t) {
    double h = 0, mx = 0;
    if (by_identity) {
      double pz = 0;
      for (int e = 0; e < E; ++e) {
        const double q = double(rs.p(t, e));
        pz += q * double(rs.z(t, e));
        mx = std::max(mx, q);
      }
      h = std::max(0.0, double(rs.lse[size_t(t)]) - pz);
    } else {
      for (int e = 0; e < E; ++e) {
        const double q = double(rs.p(t, e));
        if (q > 0) h -= q * std::log(q);
        mx = std::max(mx, q);
      }
    }
    h_sum += E > 1 ? h / logE : 1.0;
    top1_sum += mx;
    m.top1_hist[size_t(std::min(9, int(mx * 10)))] += 1.0 / T;
  }
  m.router_entropy = h_sum / T;
  m.top1_gate_mean = top1_sum / T;
  m.load_entropy = normalised_entropy(m.load.data(), E);
  double mean_f = 0, var_f = 0;
  for (double f : m.load) mean_f += f;
  mean_f /= E;
  for (double f : m.load) var_f += (f - mean_f) * (f - mean_f);
  var_f /= E;
  m.load_cv = mean_f > 0 ? std::sqrt(var_f) / mean_f : 0;
  const double mean_n = n_total / E;
  double max_n = 0;
  for (double n : m.tokens) max_n = std::max(max_n, n);
  m.max_vio = mean_n > 0 ? max_n / mean_n - 1.0 : 0;
  m.drop_rate = n_total > 0 ? (n_total - kept_total) / n_total : 0;
  m.unrouted = T > 0 ? double(rs.unrouted) / T : 0;

  // specialisation: MI between label and top-1 expert
  m.specialisation = 0;
  m.label_purity = 0;
  if (n_labels > 0 && int(labels.size()) >= T) {
    scratch.joint.assign(size_t(n_labels) * size_t(E), 0.0);
    double N = 0;
    for (int t = 0; t < T; ++t) {
      const int e = top1_expert(rs, t);
      const int c = labels[size_t(t)];
      if (e < 0 || c < 0 || c >= n_labels) continue;
      scratch.joint[size_t(c) * size_t(E) + size_t(e)] += 1;
      N += 1;
    }
    if (N > 0) {
      double mi = 0, purity = 0;
      for (int e = 0; e < E; ++e) {
        double pe = 0, best = 0;
        for (int c = 0; c < n_labels; ++c) {
          pe += scratch.joint[size_t(c) * size_t(E) + size_t(e)];
          best = std::max(best, scratch.joint[size_t(c) * size_t(E) + size_t(e)]);
        }
        purity += best;
        if (pe == 0) continue;
        for (int c = 0; c < n_labels; ++c) {
          const double n = scratch.joint[size_t(c) * size_t(E) + size_t(e)];
          if (n == 0) continue;
          double pc = 0;
          for (int e2 = 0; e2 < E; ++e2) pc += scratch.joint[size_t(c) * size_t(E) + size_t(e2)];
          mi += n / N * std::log(n * N / (pe * pc));
        }
      }
      const double norm = std::min(std::log(double(E)), std::log(double(n_labels)));
      m.specialisation = norm > 0 ? mi / norm : 0;
      m.label_purity = purity / N;
    }
  }
}

template void compute_layer_metrics<float>(const RouterState<float>&, const RowVec<float>&, const std::vector<int32_t>&,
                                           int, MetricsScratch&, LayerMetrics&);
template void compute_layer_metrics<double>(const RouterState<double>&, const RowVec<double>&,
                                            const std::vector<int32_t>&, int, MetricsScratch&, LayerMetrics&);
template int top1_expert<float>(const RouterState<float>&, int);
template int top1_expert<double>(const RouterState<double>&, int);

}  // namespace moe

// lesson_formula.cpp: see lesson_formula.h. One function per formula; each writes its
// numbers with 2-3 significant digits (a projector line), and the value it evaluates.
#include "lesson_formula.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numeric>

namespace moe::lesson {

namespace {

std::string num(double v, int digits = 3) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : v > 0 ? "\u221e" : "\u2212\u221e";
  if (v == 0) return "0";
  const double a = std::abs(v);
  char buf[48];
  if (a < 1e-3 || a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  else if (a >= 100)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.*f", std::clamp(digits - 1 - int(std::floor(std::log10(a))), 0, 4), v);
  std::string s = buf;
  if (s.find('.') != std::string::npos && s.find('e') == std::string::npos) {  // 0.0100 -> 0.01, 2.50 -> 2.5
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s[0] == '-') s = "\u2212" + s.substr(1);
  return s;
}

// "a·b + c·d + … + y·z": every term when there are at most `all` of them, else the first two and the last.
std::string terms(int n, const std::function<std::string(int)>& term, int all = 8) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (n > all && i == 2) {
      s += " + \u2026";
      i = n - 2;
      continue;
    }
    s += (i ? " + " : "") + term(i);
  }
  return s;
}

const LayerMetrics* layer_of(const RunSnapshot& s, int layer) {
  if (s.steps_done == 0 || s.last.layers.empty()) return nullptr;
  return &s.last.layers[size_t(std::clamp(layer, 0, int(s.last.layers.size()) - 1))];
}

// A formula's second line and what it evaluates to; a Live made from a reason alone says what
// is missing (NaN value).
struct Live {
  std::string line;
  double value = std::nan("");
};
constexpr const char* kNoStep = "(no step trained yet)";
constexpr const char* kNoProbe = "(no probe yet)";

// A formula's symbolic line and the note under it, for a run's config (the gate's depends on it).
struct Text {
  const char* symbolic;
  const char* note;
};

Live balance_loss(const RunSnapshot& s, int layer) {
  const LayerMetrics* m = layer_of(s, layer);
  if (!m || m->load.empty()) return {kNoStep};
  const int E = int(m->load.size());
  double sum = 0;
  for (int i = 0; i < E; ++i) sum += m->load[size_t(i)] * m->importance[size_t(i)];
  const double alpha = s.cfg.alpha, value = alpha * E * sum;
  return {
      "= " + num(alpha) + " \u00b7 " + std::to_string(E) + " \u00b7 (" +
          terms(E, [&](int i) { return num(m->load[size_t(i)], 2) + "\u00b7" + num(m->importance[size_t(i)], 2); }) +
          ") = " + num(alpha) + " \u00b7 " + num(E * sum) + " = " + num(value),
      value};
}

Live capacity(const RunSnapshot& s, int layer) {
  const Config& c = s.cfg;
  const int E = c.routed_experts(), k = c.active_k(), T = c.batch_size;
  const LayerMetrics* m = layer_of(s, layer);
  const std::string drops = m ? ";  dropped: " + num(100 * m->drop_rate, 2) + "% of assignments" : "";
  if (c.capacity_factor <= 0) return {"c = 0: no limit, no token is dropped" + drops};
  const double cap = std::ceil(c.capacity_factor * k * T / double(E) - 1e-9);
  return {"= \u2308\\frac{" + num(c.capacity_factor) + "\u00b7" + std::to_string(k) + "\u00b7" + std::to_string(T) +
              "}{" + std::to_string(E) + "}\u2309 = " + num(cap) + " tokens per expert" + drops,
          cap};
}

Live router_entropy(const RunSnapshot& s, int layer) {
  const LayerMetrics* m = layer_of(s, layer);
  if (!m) return {kNoStep};
  return {"= " + num(m->router_entropy) + "   (mean top-1 gate " + num(m->top1_gate_mean) +
              ", uniform 1/E = " + num(1.0 / s.cfg.routed_experts()) + ")",
          m->router_entropy};
}

Live load_entropy(const RunSnapshot& s, int layer) {
  const LayerMetrics* m = layer_of(s, layer);
  if (!m || m->load.empty()) return {kNoStep};
  const int E = int(m->load.size());
  double h = 0;
  for (double p : m->load)
    if (p > 0) h -= p * std::log(p);
  const double value = E > 1 ? h / std::log(double(E)) : 1.0;
  return {"= \u2212(" +
              terms(E,
                    [&](int i) {
                      const double p = m->load[size_t(i)];
                      return p > 0 ? num(p, 2) + " log " + num(p, 2) : std::string("0");
                    }) +
              ") / log " + std::to_string(E) + " = \\frac{" + num(h) + "}{" + num(std::log(double(E))) +
              "} = " + num(value),
          value};
}

Live max_vio(const RunSnapshot& s, int layer) {
  const LayerMetrics* m = layer_of(s, layer);
  if (!m || m->tokens.empty()) return {kNoStep};
  const double mx = *std::max_element(m->tokens.begin(), m->tokens.end());
  const double mean = std::accumulate(m->tokens.begin(), m->tokens.end(), 0.0) / double(m->tokens.size());
  const double value = mean > 0 ? mx / mean - 1 : std::nan("");
  return {"= \\frac{" + num(mx) + "}{" + num(mean) + "} \u2212 1 = " + num(value), value};
}

Live sparsity(const RunSnapshot& s, int) {
  const SparsityFigures& sp = s.sparsity;
  if (!(sp.total_params > 0)) return {"(no model yet)"};
  const double value = sp.active_params / sp.total_params;
  return {"= \\frac{" + num(sp.active_params) + "}{" + num(sp.total_params) + "} = " + num(100 * value, 2) + "%,   " +
              num(sp.flops_per_token) + " FLOPs per token (" + num(sp.dense_equal_flops / sp.flops_per_token, 2) +
              "\u00d7 fewer than running every expert)",
          value};
}

Live z_loss(const RunSnapshot& s, int) {
  if (s.steps_done == 0) return {kNoStep};
  const double lz = s.last.losses.z;
  return {
      "= " + num(lz) + ",   \u03b2\u00b7L_z = " + num(s.cfg.beta) + " \u00b7 " + num(lz) + " = " + num(s.cfg.beta * lz),
      lz};
}

Live bias_update(const RunSnapshot& s, int layer) {
  const LayerMetrics* m = layer_of(s, layer);
  if (!m || m->bias.empty()) return {kNoStep};
  const int E = int(m->bias.size());
  const double mean = std::accumulate(m->tokens.begin(), m->tokens.end(), 0.0) / double(E);
  return {"\u03b3 = " + num(s.cfg.aux_free_gamma) + ",  mean n = " + num(mean) + ",  n = (" +
              terms(E, [&](int i) { return num(m->tokens[size_t(i)]); }) + "),  b = (" +
              terms(E, [&](int i) { return num(m->bias[size_t(i)], 2); }) + ")",
          *std::max_element(m->bias.begin(), m->bias.end()) - *std::min_element(m->bias.begin(), m->bias.end())};
}

Text gate_softmax_text(const Config& c) {
  if (c.renormalized())
    return {
        "p_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}},   g_i = \\frac{p_i}{\\sum_{j\u2208K} p_j} for i in the top-k set K",
        "Renormalised: the k chosen gates sum to 1 (Mixtral, GShard top-2)."};
  return {"p_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}},   g_i = p_i for i in the top-k set K",
          "Not renormalised: the output is scaled by p_i itself, so the router learns from how sure it is (Switch)."};
}

Live gate_softmax(const RunSnapshot& s, int layer) {
  const int l = std::clamp(layer, 0, std::max(0, int(s.probe.size()) - 1));
  if (s.probe.empty() || s.probe[size_t(l)].tokens == 0) return {kNoProbe};
  const ProbeResult& pr = s.probe[size_t(l)];
  const int E = pr.experts, k = std::clamp(s.cfg.active_k(), 1, E);
  const float* p = &pr.gates[0];  // the probe's first token: its router probabilities p_i
  std::vector<int> order(static_cast<size_t>(E));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
  double chosen = 0;
  for (int j = 0; j < k; ++j) chosen += p[order[size_t(j)]];
  const int top = order[0];
  std::string set = "K = {";
  for (int j = 0; j < k; ++j) set += (j ? ", " : "") + std::to_string(order[size_t(j)]);
  set += "}";
  const std::string gi = "g_{" + std::to_string(top) + "}";
  Live f{"token 0: p = (" + terms(E, [&](int i) { return num(p[i], 2); }) + "),  " + set + ",  "};
  if (s.cfg.renormalized() && k > 1) {
    f.value = p[top] / chosen;
    f.line += gi + " = \\frac{" + num(p[top], 2) + "}{" + num(chosen, 2) + "} = " + num(f.value, 2);
  } else {
    f.value = p[top];
    f.line += gi + " = p_{" + std::to_string(top) + "} = " + num(f.value, 2);
  }
  return f;
}

Live mutual_information(const RunSnapshot& s, int layer) {
  const int l = std::clamp(layer, 0, std::max(0, int(s.label_expert.size()) - 1));
  if (s.label_expert.empty() || s.label_names.size() < 2) return {"(the task has one label: nothing to specialise on)"};
  const std::vector<double>& j = s.label_expert[size_t(l)];
  const int C = int(s.label_names.size());
  if (j.size() % size_t(C) != 0 || j.empty()) return {kNoProbe};
  const int E = int(j.size()) / C;
  std::vector<double> pc(size_t(C), 0), pe(size_t(E), 0);
  double N = 0;
  for (int c = 0; c < C; ++c)
    for (int e = 0; e < E; ++e) pc[size_t(c)] += j[size_t(c * E + e)], pe[size_t(e)] += j[size_t(c * E + e)];
  for (double v : pc) N += v;
  if (N <= 0) return {kNoProbe};
  double mi = 0;
  for (int c = 0; c < C; ++c)
    for (int e = 0; e < E; ++e) {
      const double n = j[size_t(c * E + e)];
      if (n > 0) mi += n / N * std::log(n * N / (pc[size_t(c)] * pe[size_t(e)]));
    }
  const double norm = std::min(std::log(double(E)), std::log(double(C)));
  Live f{"", norm > 0 ? mi / norm : std::nan("")};
  f.line = "= \\frac{" + num(mi) + " nats}{min(log " + std::to_string(E) + ", log " + std::to_string(C) +
           ")} = \\frac{" + num(mi) + "}{" + num(norm) + "} = " + num(f.value) + "   (" + std::to_string(int(N)) +
           " probe tokens)";
  if (const LayerMetrics* m = layer_of(s, layer)) f.line += ";  this step's batch: " + num(m->specialisation);
  return f;
}

// Every formula: its name, its text (or, for the one whose text follows the config, a function
// giving it) and its live line.
struct Entry {
  const char* name;
  Text text;
  Text (*text_for)(const Config&);  // when set, used in place of `text`
  Live (*live)(const RunSnapshot&, int);
};
const Entry kFormulas[] = {
    {"balance_loss",
     {"L_{bal} = \u03b1\u00b7E\u00b7\\sum_{i=1}^{E} f_i\u00b7P_i",
      "f_i: share of tokens sent to expert i; P_i: its mean router probability. Minimal (1 before \u03b1) when both "
      "are 1/E."},
     nullptr,
     &balance_loss},
    {"capacity",
     {"C = \u2308\\frac{c\u00b7k\u00b7T}{E}\u2309",
      "Each expert takes at most C tokens; the rest are dropped and ride the residual connection unchanged."},
     nullptr,
     &capacity},
    {"router_entropy",
     {"H_{router} = \\frac{1}{T}\\sum_t \\frac{\u2212\\sum_i p_{t,i} log p_{t,i}}{log E}",
      "1: every token's gates are uniform (the router cannot decide); 0: each token goes to one expert for sure."},
     nullptr,
     &router_entropy},
    {"load_entropy",
     {"H_{load} = \\frac{\u2212\\sum_i f_i log f_i}{log E}",
      "1: every expert gets the same share of tokens; 0: one expert gets them all (collapse)."},
     nullptr,
     &load_entropy},
    {"max_vio",
     {"MaxVio = \\frac{max_i n_i}{mean_j n_j} \u2212 1",
      "0: perfectly even; E/k \u2212 1 when one expert takes every token."},
     nullptr,
     &max_vio},
    {"sparsity",
     {"active share = \\frac{N_{active}}{N_{total}},   FLOPs_{token} \u2248 2\u00b7N_{active}",
      "Compute per token follows the active parameters; memory must hold all of them."},
     nullptr,
     &sparsity},
    {"z_loss",
     {"L_z = \\frac{1}{T}\\sum_t (log \\sum_i e^{z_{t,i}})^2",
      "Grows with the router logits z; \u03b2\u00b7L_z pulls them back before the softmax saturates."},
     nullptr,
     &z_loss},
    {"bias_update",
     {"b_i \u2190 b_i + \u03b3\u00b7sign(mean_j n_j \u2212 n_i)",
      "b_i only changes which experts are selected (top-k of p_i + b_i), never a gate value."},
     nullptr,
     &bias_update},
    {"gate_softmax", {}, &gate_softmax_text, &gate_softmax},
    {"mutual_information",
     {"MI = \\frac{\\sum_{c,e} p(c,e) log \\frac{p(c,e)}{p(c)\u00b7p(e)}}{min(log E, log C)}",
      "c: a token's label (class, character kind); e: its top-1 expert. 0: experts ignore labels; 1: an expert names "
      "the label."},
     nullptr,
     &mutual_information},
};

}  // namespace

const std::vector<std::string>& formula_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Entry& e : kFormulas) v.push_back(e.name);
    return v;
  }();
  return names;
}

bool formula_exists(const std::string& name) {
  return std::any_of(std::begin(kFormulas), std::end(kFormulas), [&](const Entry& e) { return name == e.name; });
}

FormulaLines evaluate_formula(const std::string& name, const RunSnapshot& snap, int layer) {
  for (const Entry& e : kFormulas)
    if (name == e.name) {
      const Text t = e.text_for ? e.text_for(snap.cfg) : e.text;
      Live live = e.live(snap, layer);
      return {t.symbolic, std::move(live.line), t.note, live.value};
    }
  FormulaLines f;
  f.live = "(no formula '" + name + "')";
  f.value = std::nan("");
  return f;
}

}  // namespace moe::lesson

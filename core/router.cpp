// router.cpp: the router of one MoE layer, forward and backward, and its losses.
//
// Forward (docs/math.md "Router"):
//   z = x·W_r (+ ε ⊙ softplus(x·W_noise) in training with noisy gating)
//   s = softmax(z) | sigmoid(z);  p = s | s/Σs
//   top-k:  K_t = TopK(s_t + b, k), ties to the lower expert; g = s or s/Σ_{K_t} s
//           capacity C = ceil(c·k·T/E − 1e-9) per expert, drops by position or by gate
//   expert choice: each expert takes its top C = min(T, ceil(c·T/E − 1e-9)) tokens by s[:,e]
// Losses (averaged over layers by the caller):
//   L_bal = E Σ f_i P_i   L_z = mean_t lse(z_t)²   L_imp = CV(I)²
// Backward: through the selected gates and their renormalisation, never through
// the choice of K_t; f_i is a constant.
#include <algorithm>
#include <array>
#include <cmath>

#include "model.h"

namespace moe {

namespace {

template <class S>
S softplus(S v) {
  return std::max(v, S(0)) + std::log1p(std::exp(-std::abs(v)));  // stable for any v
}
template <class S>
S sigmoid(S v) {
  return S(1) / (S(1) + std::exp(-v));
}

}  // namespace

template <class S>
void Model<S>::ensure_rows(Layer& L, int rows) {
  if (L.Xp.rows() >= rows) return;
  const int d = cfg_.d_model, h = cfg_.expert_hidden;
  L.Xp.resize(rows, d);
  L.Hpre.resize(rows, h);
  L.H.resize(rows, h);
  L.O.resize(rows, d);
  L.dO.resize(rows, d);
  L.keep.resize(rows, h);
  L.dXp.resize(rows, d);
  L.rs.row_token.resize(size_t(rows));
}

// [SECTION] Router forward: route() and one function per router kind

template <class S>
void Model<S>::route(Layer& L, int T, bool training) {
  RouterState<S>& rs = L.rs;
  rs.T = T;
  std::fill(rs.tokens.begin(), rs.tokens.end(), 0);
  std::fill(rs.kept.begin(), rs.kept.end(), 0);
  rs.unrouted = 0;
  rs.capacity = 0;
  rs.noisy = false;
  rs.expert_choice = cfg_.router == RouterKind::expert_choice;
  if (!rs.has_router) return route_dense(L, T);
  score_tokens(L, T, training);  // z, s, p for every token; K_t and gates too for token choice
  if (rs.expert_choice)
    route_expert_choice(L, T);
  else
    route_token_choice(L, T);
}

// Dense baseline: every token through expert 0 with weight 1.
template <class S>
void Model<S>::route_dense(Layer& L, int T) {
  RouterState<S>& rs = L.rs;
  rs.W = 1;
  ensure_rows(L, T);
  for (int t = 0; t < T; ++t) {
    rs.slot_expert[size_t(rs.slot(t, 0))] = 0;
    rs.slot_gate(t, 0) = S(1);
    rs.slot_dropped[size_t(rs.slot(t, 0))] = 0;
    rs.slot_row[size_t(rs.slot(t, 0))] = t;
    rs.row_token[size_t(t)] = t;
  }
  rs.tokens[0] = rs.kept[0] = T;
  rs.offset[0] = 0;
  rs.offset[1] = T;
  rs.f.setOnes();
  rs.P.setOnes();
  rs.I.setConstant(S(T));
}

// Logits, noise, scores, probabilities: all per token, so in fixed pieces of
// rows on the pool (the same pieces, hence the same bits, for any thread
// count). Token choice also picks K_t and its gates in the same pass.
template <class S>
void Model<S>::score_tokens(Layer& L, int T, bool training) {
  RouterState<S>& rs = L.rs;
  const int E = rs.E;
  const Mat<S>& x = x_[size_t(&L - layers_.data())];
  const bool use_sigmoid = cfg_.score == Score::sigmoid && cfg_.router != RouterKind::expert_choice;
  rs.softmax_scores = !use_sigmoid;
  const bool noisy = cfg_.noisy_gating && training;
  rs.noisy = noisy;
  const bool token_choice = cfg_.router != RouterKind::expert_choice;
  const int k = cfg_.top_k;
  const bool renorm = cfg_.renormalized();
  const RowVec<S>& b = L.bias;
  if (token_choice) rs.W = k;
  constexpr int kRows = 128;
  pool_->parallel_for((T + kRows - 1) / kRows, [&](int piece) {
    const int t0 = piece * kRows, n = std::min(T, t0 + kRows) - t0;
    auto z = rs.z.middleRows(t0, n);
    rs.logits_clean.middleRows(t0, n).noalias() = x.middleRows(t0, n) * params_.mat(L.router_w);
    if (noisy) {
      rs.noise_pre.middleRows(t0, n).noalias() = x.middleRows(t0, n) * params_.mat(L.noise_w);
      z = rs.logits_clean.middleRows(t0, n) +
          rs.eps.middleRows(t0, n).cwiseProduct(
              rs.noise_pre.middleRows(t0, n).unaryExpr([](S v) { return softplus(v); }));
    } else {
      z = rs.logits_clean.middleRows(t0, n);
    }
    std::array<int32_t, kMaxRoutedExperts> idx;
    for (int t = t0; t < t0 + n; ++t) {
      const S m = rs.z.row(t).maxCoeff();
      const S sum = (rs.z.row(t).array() - m).exp().sum();
      rs.lse[size_t(t)] = m + std::log(sum);
      if (use_sigmoid) {
        rs.s.row(t) = rs.z.row(t).unaryExpr([](S v) { return sigmoid(v); });
        rs.p.row(t) = rs.s.row(t) / rs.s.row(t).sum();
      } else {
        rs.s.row(t) = (rs.z.row(t).array() - rs.lse[size_t(t)]).exp().matrix();
        rs.p.row(t) = rs.s.row(t);
      }
      if (!token_choice) continue;
      // top-k by s + bias (the bias only selects), ties to the lower expert
      for (int e = 0; e < E; ++e) idx[size_t(e)] = e;
      std::partial_sort(idx.begin(), idx.begin() + k, idx.begin() + E, [&](int a, int c) {
        const S va = rs.s(t, a) + b[a], vc = rs.s(t, c) + b[c];
        return va > vc || (va == vc && a < c);
      });
      S gate_sum = 0;
      for (int j = 0; j < k; ++j) gate_sum += rs.s(t, idx[size_t(j)]);
      for (int j = 0; j < k; ++j) {
        const int e = idx[size_t(j)];
        rs.slot_expert[size_t(rs.slot(t, j))] = e;
        rs.slot_gate(t, j) = renorm ? rs.s(t, e) / gate_sum : rs.s(t, e);
        rs.slot_dropped[size_t(rs.slot(t, j))] = 0;
      }
    }
  });
}

// Expert choice: each expert takes its top C = min(T, ceil(c·T/E − 1e-9)) tokens by s[:,e]
// (c = k when capacity_factor is 0); a slot is an expert (W = E), -1 where it did not take the token.
template <class S>
void Model<S>::route_expert_choice(Layer& L, int T) {
  RouterState<S>& rs = L.rs;
  const int E = rs.E;
  std::vector<int32_t>& idx = L.sort_idx;
  rs.W = E;
  const double c = cfg_.capacity_factor > 0 ? cfg_.capacity_factor : double(cfg_.top_k);
  const int C = int(std::min<double>(T, std::ceil(c * T / E - 1e-9)));
  rs.capacity = C;
  ensure_rows(L, E * C);
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) {
      rs.slot_expert[size_t(rs.slot(t, e))] = -1;
      rs.slot_gate(t, e) = S(0);
      rs.slot_dropped[size_t(rs.slot(t, e))] = 0;
      rs.slot_row[size_t(rs.slot(t, e))] = -1;
    }
  int row = 0;
  for (int e = 0; e < E; ++e) {
    for (int t = 0; t < T; ++t) idx[size_t(t)] = t;
    std::partial_sort(idx.begin(), idx.begin() + C, idx.begin() + T, [&](int a, int b) {
      const S sa = rs.s(a, e), sb = rs.s(b, e);
      return sa > sb || (sa == sb && a < b);
    });
    // pack the chosen tokens in token order (locality, and a canonical order)
    std::sort(idx.begin(), idx.begin() + C);
    rs.offset[size_t(e)] = row;
    for (int r = 0; r < C; ++r) {
      const int t = idx[size_t(r)];
      rs.slot_expert[size_t(rs.slot(t, e))] = e;
      rs.slot_gate(t, e) = rs.s(t, e);
      rs.slot_row[size_t(rs.slot(t, e))] = row;
      rs.row_token[size_t(row)] = t;
      ++row;
    }
    rs.tokens[size_t(e)] = rs.kept[size_t(e)] = C;
  }
  rs.offset[size_t(E)] = row;
  for (int t = 0; t < T; ++t) {
    bool any = false;
    for (int e = 0; e < E && !any; ++e) any = rs.slot_expert[size_t(rs.slot(t, e))] >= 0;
    rs.unrouted += any ? 0 : 1;
  }
}

// Top-k (token choice), after score_tokens chose K_t: count each expert's assignments,
// apply the capacity C = ceil(c·k·T/E − 1e-9) (drops by position or by gate), pack the kept rows.
template <class S>
void Model<S>::route_token_choice(Layer& L, int T) {
  RouterState<S>& rs = L.rs;
  const int E = rs.E, k = cfg_.top_k;
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < k; ++j) rs.tokens[size_t(rs.slot_expert[size_t(rs.slot(t, j))])]++;

  // capacity: per expert, its assignments in token order (counting sort), keep the first C
  // (position) or the C largest gates (gate), ties to the lower token.
  std::vector<int32_t>& order = L.order;  // [T*k] slot ids grouped by expert
  std::vector<int32_t>& start = L.expert_start;
  start[0] = 0;
  for (int e = 0; e < E; ++e) start[size_t(e) + 1] = start[size_t(e)] + rs.tokens[size_t(e)];
  for (int e = 0; e <= E; ++e) L.expert_fill[size_t(e)] = start[size_t(e)];
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < k; ++j) {
      const int e = rs.slot_expert[size_t(rs.slot(t, j))];
      order[size_t(L.expert_fill[size_t(e)]++)] = rs.slot(t, j);
    }
  int C = 0;
  if (cfg_.capacity_factor > 0) C = int(std::ceil(cfg_.capacity_factor * k * T / double(E) - 1e-9));
  rs.capacity = C;
  int total_kept = 0;
  for (int e = 0; e < E; ++e) {
    const int n = rs.tokens[size_t(e)];
    int keep = n;
    if (C > 0 && n > C) {
      keep = C;
      auto first = order.begin() + start[size_t(e)], last = first + n;
      if (cfg_.drop_policy == DropPolicy::gate) {
        std::partial_sort(first, first + C, last, [&](int sa, int sb) {
          const S ga = rs.slot_gate(sa / E, sa % E), gb = rs.slot_gate(sb / E, sb % E);
          return ga > gb || (ga == gb && sa < sb);  // slot id order is token order
        });
        std::sort(first, first + C);  // pack kept rows in token order
      }
      for (auto it = first + C; it != last; ++it) rs.slot_dropped[size_t(*it)] = 1;
    }
    rs.kept[size_t(e)] = keep;
    total_kept += keep;
  }

  // packing: expert e's kept rows are [offset[e], offset[e+1])
  ensure_rows(L, total_kept);
  int row = 0;
  for (int e = 0; e < E; ++e) {
    rs.offset[size_t(e)] = row;
    for (int i = 0; i < rs.kept[size_t(e)]; ++i) {
      const int slot = order[size_t(start[size_t(e)] + i)];
      rs.slot_row[size_t(slot)] = row;
      rs.row_token[size_t(row)] = slot / E;
      ++row;
    }
    for (int i = rs.kept[size_t(e)]; i < rs.tokens[size_t(e)]; ++i)
      rs.slot_row[size_t(order[size_t(start[size_t(e)] + i)])] = -1;
  }
  rs.offset[size_t(E)] = row;
}

// [SECTION] Router losses and backward

template <class S>
void Model<S>::router_losses(Layer& L, int T) {
  RouterState<S>& rs = L.rs;
  const int E = rs.E;
  rs.loss_balance = rs.loss_z = rs.loss_importance = S(0);
  if (!rs.has_router) return;
  double total_tokens = 0;
  for (int e = 0; e < E; ++e) total_tokens += rs.tokens[size_t(e)];
  for (int e = 0; e < E; ++e) {
    if (cfg_.router == RouterKind::expert_choice)
      rs.f[e] = total_tokens > 0 ? S(rs.tokens[size_t(e)] / total_tokens) : S(0);
    else
      rs.f[e] = S(double(rs.tokens[size_t(e)]) / (double(cfg_.top_k) * T));
  }
  rs.P.setZero();
  add_column_sums(rs.P, rs.p.topRows(T));
  rs.P /= S(T);
  rs.loss_balance = S(E) * rs.f.dot(rs.P);
  S z2 = 0;
  for (int t = 0; t < T; ++t) z2 += rs.lse[size_t(t)] * rs.lse[size_t(t)];
  rs.loss_z = z2 / S(T);
  rs.I.setZero();
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < rs.W; ++j) {
      const int e = rs.slot_expert[size_t(rs.slot(t, j))];
      if (e >= 0) rs.I[e] += rs.slot_gate(t, j);
    }
  const S mean = rs.I.mean();
  if (mean > S(0)) {
    const S var = (rs.I.array() - mean).square().mean();
    rs.loss_importance = var / (mean * mean);
  }
}

template <class S>
void Model<S>::route_backward(Layer& L, int T, const Mat<S>& /*dy*/, Mat<S>& dx) {
  RouterState<S>& rs = L.rs;
  if (!rs.has_router) return;  // dense: the "gate" is the constant 1
  const int E = rs.E;
  const int l = int(&L - layers_.data());
  const Mat<S>& x = x_[size_t(l)];
  const S nl = S(layers_.size());
  const S a_bal = S(cfg_.alpha) / nl, a_z = S(cfg_.beta) / nl, a_imp = S(cfg_.w_importance) / nl;

  // importance: dL/dI_i for L = var(I)/mean(I)², population variance
  if (a_imp != S(0)) {
    const S mean = rs.I.mean();
    if (mean > S(0)) {
      const S var = (rs.I.array() - mean).square().mean();
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < rs.W; ++j) {
          const int e = rs.slot_expert[size_t(rs.slot(t, j))];
          if (e < 0) continue;
          const S dI = S(2) / S(E) * (rs.I[e] - mean) / (mean * mean) - S(2) * var / (mean * mean * mean * S(E));
          L.dg(t, j) += a_imp * dI;
        }
    }
  }

  // gates → scores
  auto ds = L.ds.topRows(T);
  ds.setZero();
  if (cfg_.router == RouterKind::expert_choice) {
    for (int t = 0; t < T; ++t)
      for (int e = 0; e < E; ++e)
        if (rs.slot_expert[size_t(rs.slot(t, e))] >= 0) ds(t, e) += L.dg(t, e);
  } else {
    const bool renorm = cfg_.renormalized();
    for (int t = 0; t < T; ++t) {
      if (renorm) {  // g_j = s_j / Σ_K s:  ds_m = (dg_m − Σ_j dg_j g_j) / Σ_K s
        S sum = 0, G = 0;
        for (int j = 0; j < rs.W; ++j) {
          sum += rs.s(t, rs.slot_expert[size_t(rs.slot(t, j))]);
          G += L.dg(t, j) * rs.slot_gate(t, j);
        }
        for (int j = 0; j < rs.W; ++j) ds(t, rs.slot_expert[size_t(rs.slot(t, j))]) += (L.dg(t, j) - G) / sum;
      } else {
        for (int j = 0; j < rs.W; ++j) ds(t, rs.slot_expert[size_t(rs.slot(t, j))]) += L.dg(t, j);
      }
    }
  }

  // balance: dL/dp_{t,i} = α E f_i / T, then p → s
  const bool use_sigmoid = cfg_.score == Score::sigmoid && cfg_.router != RouterKind::expert_choice;
  if (a_bal != S(0)) {
    const S c = a_bal * S(E) / S(T);  // dp = c·f (an expression: nothing allocated)
    if (use_sigmoid) {                // p = s / Q:  ds_m += (dp_m − Σ_i dp_i p_i) / Q
      for (int t = 0; t < T; ++t) {
        const S Q = rs.s.row(t).sum(), G = c * rs.f.dot(rs.p.row(t));
        ds.row(t).array() += (c * rs.f.array() - G) / Q;
      }
    } else {
      for (int t = 0; t < T; ++t) ds.row(t) += c * rs.f;  // (rowwise() += would evaluate c·f into a temporary)
    }
  }

  // scores → logits
  auto dz = L.dz.topRows(T);
  for (int t = 0; t < T; ++t) {
    if (use_sigmoid) {
      dz.row(t) = ds.row(t).cwiseProduct(rs.s.row(t).unaryExpr([](S v) { return v * (S(1) - v); }));
    } else {
      const S G = ds.row(t).dot(rs.s.row(t));
      dz.row(t) = rs.s.row(t).cwiseProduct((ds.row(t).array() - G).matrix());
    }
    if (a_z != S(0)) {  // L_z = mean lse²:  dz += 2 lse softmax(z) / T
      const S lse = rs.lse[size_t(t)];
      dz.row(t).array() += (S(2) * a_z * lse / S(T)) * (rs.z.row(t).array() - lse).exp();
    }
  }

  // logits → router weights and the layer input
  grads_.mat(L.router_w).noalias() += x.topRows(T).transpose() * dz;
  dx.topRows(T).noalias() += dz * params_.mat(L.router_w).transpose();
  if (rs.noisy) {  // z = a + ε ⊙ softplus(x·W_n):  d(x·W_n) = dz ⊙ ε ⊙ σ(x·W_n)
    auto dn = L.dnoise.topRows(T);
    dn = dz.cwiseProduct(rs.eps.topRows(T)).cwiseProduct(rs.noise_pre.topRows(T).unaryExpr([](S v) {
      return sigmoid(v);
    }));
    grads_.mat(L.noise_w).noalias() += x.topRows(T).transpose() * dn;
    dx.topRows(T).noalias() += dn * params_.mat(L.noise_w).transpose();
  }
}

template <class S>
void Model<S>::update_aux_free_bias() {
  if (cfg_.aux_free_gamma <= 0 || cfg_.router != RouterKind::topk) return;
  for (Layer& L : layers_) {
    const int E = L.rs.E;
    double mean = 0;
    for (int e = 0; e < E; ++e) mean += L.rs.tokens[size_t(e)];
    mean /= E;
    for (int e = 0; e < E; ++e) {
      const double diff = mean - L.rs.tokens[size_t(e)];
      const double sign = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
      L.bias[e] += S(cfg_.aux_free_gamma * sign);
    }
  }
}

template void Model<float>::ensure_rows(Layer&, int);
template void Model<double>::ensure_rows(Layer&, int);
template void Model<float>::route(Layer&, int, bool);
template void Model<double>::route(Layer&, int, bool);
template void Model<float>::route_dense(Layer&, int);
template void Model<double>::route_dense(Layer&, int);
template void Model<float>::score_tokens(Layer&, int, bool);
template void Model<double>::score_tokens(Layer&, int, bool);
template void Model<float>::route_expert_choice(Layer&, int);
template void Model<double>::route_expert_choice(Layer&, int);
template void Model<float>::route_token_choice(Layer&, int);
template void Model<double>::route_token_choice(Layer&, int);
template void Model<float>::router_losses(Layer&, int);
template void Model<double>::router_losses(Layer&, int);
template void Model<float>::route_backward(Layer&, int, const Mat<float>&, Mat<float>&);
template void Model<double>::route_backward(Layer&, int, const Mat<double>&, Mat<double>&);
template void Model<float>::update_aux_free_bias();
template void Model<double>::update_aux_free_bias();

}  // namespace moe

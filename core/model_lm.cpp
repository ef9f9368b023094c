// model_lm.cpp: the `lm` task's transformer around the MoE layers (docs/math.md
// "The `lm` task"), forward and backward side by side:
//
//   h⁰_{b,j} = E_tok[id_{b,j}] + E_pos[j]
//   block l:  a = h + Attn_l(N(h; g1_l))        x_l = N(a; g2_l)        h' = a + MoE_l(x_l)
//   x_L = N(h^L; g_f)  →  head, next-character cross-entropy (model.cpp)
//   N(x; g) = x / sqrt(mean_d(x²) + 1e-5) ⊙ g                              RMSNorm
//   Attn(x) = concat_h softmax_causal(Q_h K_hᵀ / sqrt(d/H)) V_h · W_o,  Q = x·W_q, K = x·W_k, V = x·W_v
//
// Work is split into whole windows (n rows) and (window, head) pairs, fixed by
// the batch and never by the thread count, and parameter gradients are summed
// by one task each in row order: a step is bit-identical for any thread count.
// Every buffer is sized in lm_allocate(); a step allocates nothing.
//
// [SECTION] Parameters and buffers
// [SECTION] RMSNorm
// [SECTION] Forward
// [SECTION] Backward
#include <algorithm>
#include <cassert>
#include <cmath>

#include "model.h"

namespace moe {

// [SECTION] Parameters and buffers

template <class S>
void Model<S>::lm_add_params(int l, LmLayer& B) {
  const int d = cfg_.d_model;
  const std::string pre = "layers." + std::to_string(l) + ".";
  B.norm1 = layout_.add(pre + "norm1.weight", 1, d, true);
  B.wq = layout_.add(pre + "attn.wq", d, d, false);
  B.wk = layout_.add(pre + "attn.wk", d, d, false);
  B.wv = layout_.add(pre + "attn.wv", d, d, false);
  B.wo = layout_.add(pre + "attn.wo", d, d, false);
  B.norm2 = layout_.add(pre + "norm2.weight", 1, d, true);
}

template <class S>
void Model<S>::lm_allocate() {
  const int R = max_rows_, d = cfg_.d_model, nl = n_layers();
  assert(R % n_ctx_ == 0 && "lm buffers hold whole windows: max_rows a multiple of lm_context");
  for (LmLayer& B : lm_layers_) {
    for (Mat<S>* m : {&B.n1, &B.Q, &B.K, &B.V, &B.C, &B.a}) m->setZero(R, d);
    B.P.setZero(R * heads_, n_ctx_);
    B.r1.assign(size_t(R), S(0));
    B.r2.assign(size_t(R), S(0));
  }
  h_.assign(size_t(nl) + 1, Mat<S>::Zero(R, d));
  rf_.assign(size_t(R), S(0));
  for (Mat<S>* m : {&dh_, &da_, &dn_, &dQ_, &dK_, &dV_, &dC_}) m->setZero(R, d);
  dP_.setZero(R * heads_, n_ctx_);
}

// Rows in chunks of whole windows, about kChunkRows each (fixed by n and T, never by the thread
// count): fewer, larger products than one per window, the same bits on any number of threads.
template <class S>
template <class F>
void Model<S>::for_windows(int T, F&& fn) {
  constexpr int kChunkRows = 256;
  const int per = std::max(1, kChunkRows / n_ctx_) * n_ctx_, chunks = (T + per - 1) / per;
  pool_->parallel_for(chunks, [&](int c) { fn(c * per, std::min(per, T - c * per)); });
}

// [SECTION] RMSNorm
//   r = 1 / sqrt(mean_d(x²) + 1e-5),  y = x·r ⊙ g
//   dx = r·(dy⊙g) − x·r³/d·((dy⊙g)·x),   dg = Σ_t dy_t ⊙ x_t·r_t

namespace {

constexpr double kRmsEps = 1e-5;

template <class S, class G>
void rms_forward(const Mat<S>& x, const G& g, Mat<S>& y, std::vector<S>& r, int r0, int rows) {
  const S inv_d = S(1) / S(x.cols());
  for (int t = r0; t < r0 + rows; ++t) {
    r[size_t(t)] = S(1) / std::sqrt(x.row(t).squaredNorm() * inv_d + S(kRmsEps));
    y.row(t) = x.row(t).cwiseProduct(g) * r[size_t(t)];
  }
}

// out (+)= dL/dx for rows [r0, r0 + rows): out = base + norm backward (base may be null: out = backward only)
template <class S, class G>
void rms_backward(const Mat<S>& dy, const Mat<S>& x, const G& g, const std::vector<S>& r, const Mat<S>* base,
                  Mat<S>& out, int r0, int rows) {
  const S inv_d = S(1) / S(x.cols());
  for (int t = r0; t < r0 + rows; ++t) {
    const S rt = r[size_t(t)];
    const S dot = dy.row(t).cwiseProduct(g).dot(x.row(t));
    const S c = rt * rt * rt * dot * inv_d;
    if (base)
      out.row(t) = base->row(t) + rt * dy.row(t).cwiseProduct(g) - c * x.row(t);
    else
      out.row(t) = rt * dy.row(t).cwiseProduct(g) - c * x.row(t);
  }
}

// dg += Σ_t dy_t ⊙ x_t·r_t, in row order
template <class S, class G>
void rms_gain_grad(const Mat<S>& dy, const Mat<S>& x, const std::vector<S>& r, int T, G dg) {
  for (int t = 0; t < T; ++t) dg += dy.row(t).cwiseProduct(x.row(t)) * r[size_t(t)];
}

}  // namespace

// [SECTION] Forward

template <class S>
void Model<S>::lm_input(const Batch& b) {
  const int T = b.T;
  assert(T > 0 && T <= max_rows_ && T % n_ctx_ == 0 && "an lm batch is whole windows within the buffers");
  T_ = T;
  auto emb = params_.mat(embed_w_);
  auto pos = params_.mat(pos_w_);
  Mat<S>& h = h_[0];
  for (int t = 0; t < T; ++t) {
    const int id = b.token_ids[size_t(t)];
    ids_[size_t(t)] = id;
    h.row(t) = emb.row(id) + pos.row(t % n_ctx_);
  }
}

template <class S>
void Model<S>::lm_attention_forward(int l, int T) {
  LmLayer& B = lm_layers_[size_t(l)];
  const Mat<S>& h = h_[size_t(l)];
  const int n = n_ctx_, H = heads_, dh = cfg_.d_model / heads_;
  const S scale = S(1) / std::sqrt(S(dh));
  const auto g1 = params_.mat(B.norm1).row(0);
  const auto Wq = params_.mat(B.wq), Wk = params_.mat(B.wk), Wv = params_.mat(B.wv);
  for_windows(T, [&](int r0, int rows) {
    rms_forward(h, g1, B.n1, B.r1, r0, rows);
    const auto x = B.n1.middleRows(r0, rows);
    B.Q.middleRows(r0, rows).noalias() = x * Wq;
    B.K.middleRows(r0, rows).noalias() = x * Wk;
    B.V.middleRows(r0, rows).noalias() = x * Wv;
  });
  // per (window b, head h): P = softmax_causal(Q_h K_hᵀ · scale), C_h = P V_h
  pool_->parallel_for((T / n) * H, [&](int item) {
    const int b = item / H, hd = item % H, r0 = b * n, c0 = hd * dh;
    auto P = B.P.middleRows(item * n, n);
    P.noalias() = (scale * B.Q.block(r0, c0, n, dh)) * B.K.block(r0, c0, n, dh).transpose();  // scale: GEMM's alpha
    for (int i = 0; i < n; ++i) {  // causal softmax of row i over j <= i, as vectorised array expressions
      auto row = P.row(i).head(i + 1).array();
      row = (row - row.maxCoeff()).exp();
      row *= S(1) / row.sum();
      P.row(i).tail(n - i - 1).setZero();
    }
    B.C.block(r0, c0, n, dh).noalias() = P * B.V.block(r0, c0, n, dh);
  });
  const auto Wo = params_.mat(B.wo);
  const auto g2 = params_.mat(B.norm2).row(0);
  Mat<S>& x = x_[size_t(l)];
  for_windows(T, [&](int r0, int rows) {
    B.a.middleRows(r0, rows) = h.middleRows(r0, rows);
    B.a.middleRows(r0, rows).noalias() += B.C.middleRows(r0, rows) * Wo;
    rms_forward(B.a, g2, x, B.r2, r0, rows);
  });
}

template <class S>
void Model<S>::lm_forward(int T, bool training, bool route_only) {
  const int nl = n_layers();
  for (int l = 0; l < nl; ++l) {
    lm_attention_forward(l, T);
    if (route_only && l == nl - 1) return route(layers_.back(), T, false);
    layer_forward(l, T, training);
  }
  const auto gf = params_.mat(norm_f_).row(0);
  for_windows(T, [&](int r0, int rows) { rms_forward(h_[size_t(nl)], gf, x_[size_t(nl)], rf_, r0, rows); });
}

// [SECTION] Backward

template <class S>
void Model<S>::lm_backward(int T) {
  const int nl = n_layers();
  // dx_[L] = dL/dN(h^L) (model.cpp, the head); dh = its norm's backward
  const auto gf = params_.mat(norm_f_).row(0);
  for_windows(T, [&](int r0, int rows) {
    rms_backward(dx_[size_t(nl)], h_[size_t(nl)], gf, rf_, static_cast<const Mat<S>*>(nullptr), dh_, r0, rows);
  });
  rms_gain_grad(dx_[size_t(nl)], h_[size_t(nl)], rf_, T, grads_.mat(norm_f_).row(0));
  for (int l = nl - 1; l >= 0; --l) {
    layer_backward(l, T);  // dy = dh_ (dL/dh_{l+1}); dx_[l] = dL/dN(a) through the experts and the router
    LmLayer& B = lm_layers_[size_t(l)];
    const auto g2 = params_.mat(B.norm2).row(0);
    for_windows(T, [&](int r0, int rows) { rms_backward(dx_[size_t(l)], B.a, g2, B.r2, &dh_, da_, r0, rows); });
    rms_gain_grad(dx_[size_t(l)], B.a, B.r2, T, grads_.mat(B.norm2).row(0));
    lm_attention_backward(l, T);  // da_ → dh_ = dL/dh_l
  }
  // embeddings: scatter-add in token order (deterministic)
  auto demb = grads_.mat(embed_w_);
  auto dpos = grads_.mat(pos_w_);
  for (int t = 0; t < T; ++t) {
    demb.row(ids_[size_t(t)]) += dh_.row(t);
    dpos.row(t % n_ctx_) += dh_.row(t);
  }
}

template <class S>
void Model<S>::lm_attention_backward(int l, int T) {
  LmLayer& B = lm_layers_[size_t(l)];
  const int n = n_ctx_, H = heads_, dh = cfg_.d_model / heads_;
  const S scale = S(1) / std::sqrt(S(dh));
  const auto Wq = params_.mat(B.wq), Wk = params_.mat(B.wk), Wv = params_.mat(B.wv), Wo = params_.mat(B.wo);
  // a = h + C·W_o:  dC = da·W_oᵀ
  for_windows(
      T, [&](int r0, int rows) { dC_.middleRows(r0, rows).noalias() = da_.middleRows(r0, rows) * Wo.transpose(); });
  // per (window, head): dP = dC_h V_hᵀ, dV_h = Pᵀ dC_h, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ_h = dS K_h·scale,
  // dK_h = dSᵀ Q_h·scale
  pool_->parallel_for((T / n) * H, [&](int item) {
    const int b = item / H, hd = item % H, r0 = b * n, c0 = hd * dh;
    const auto P = B.P.middleRows(item * n, n);
    auto dP = dP_.middleRows(item * n, n);
    const auto dCh = dC_.block(r0, c0, n, dh);
    dP.noalias() = dCh * B.V.block(r0, c0, n, dh).transpose();
    dV_.block(r0, c0, n, dh).noalias() = P.transpose() * dCh;
    for (int i = 0; i < n; ++i) {  // row i over j <= i, vectorised
      const auto p = P.row(i).head(i + 1).array();
      auto g = dP.row(i).head(i + 1).array();
      const S s = (g * p).sum();
      g = p * (g - s) * scale;
      dP.row(i).tail(n - i - 1).setZero();
    }
    dQ_.block(r0, c0, n, dh).noalias() = dP * B.K.block(r0, c0, n, dh);
    dK_.block(r0, c0, n, dh).noalias() = dP.transpose() * B.Q.block(r0, c0, n, dh);
  });
  // weight gradients, one task each, summed over rows in order
  pool_->parallel_for(4, [&](int i) {
    const auto Tn1 = B.n1.topRows(T).transpose();
    switch (i) {
      case 0: grads_.mat(B.wo).noalias() += B.C.topRows(T).transpose() * da_.topRows(T); break;
      case 1: grads_.mat(B.wq).noalias() += Tn1 * dQ_.topRows(T); break;
      case 2: grads_.mat(B.wk).noalias() += Tn1 * dK_.topRows(T); break;
      default: grads_.mat(B.wv).noalias() += Tn1 * dV_.topRows(T); break;
    }
  });
  // dN(h) = dQ W_qᵀ + dK W_kᵀ + dV W_vᵀ;  dh = da + norm1 backward
  const auto g1 = params_.mat(B.norm1).row(0);
  const Mat<S>& h = h_[size_t(l)];
  for_windows(T, [&](int r0, int rows) {
    auto dn = dn_.middleRows(r0, rows);
    dn.noalias() = dQ_.middleRows(r0, rows) * Wq.transpose();
    dn.noalias() += dK_.middleRows(r0, rows) * Wk.transpose();
    dn.noalias() += dV_.middleRows(r0, rows) * Wv.transpose();
    rms_backward(dn_, h, g1, B.r1, &da_, dh_, r0, rows);
  });
  rms_gain_grad(dn_, h, B.r1, T, grads_.mat(B.norm1).row(0));
}

#define MOESCOPE_LM_INSTANTIATE(S)                        \
  template void Model<S>::lm_add_params(int, LmLayer&);   \
  template void Model<S>::lm_allocate();                  \
  template void Model<S>::lm_input(const Batch&);         \
  template void Model<S>::lm_attention_forward(int, int); \
  template void Model<S>::lm_forward(int, bool, bool);    \
  template void Model<S>::lm_backward(int);               \
  template void Model<S>::lm_attention_backward(int, int);
MOESCOPE_LM_INSTANTIATE(float)
MOESCOPE_LM_INSTANTIATE(double)
#undef MOESCOPE_LM_INSTANTIATE

}  // namespace moe

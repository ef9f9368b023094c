// model.cpp: parameters, initialisation, and the forward/backward passes of
// the whole model (input projection, MoE layers, head, task loss). The router
// lives in router.cpp; the expert FFN pair is expert_forward/expert_backward here.
//
// [SECTION] Parameters and initialisation
// [SECTION] Expert FFN: forward / backward
// [SECTION] Task loss: cross-entropy / MSE
// [SECTION] Model forward / backward
// [SECTION] Sparsity figures
#include "model.h"

#include <cassert>
#include <cmath>
#include <limits>

#include "activations.h"

namespace moe {

// [SECTION] Parameters and initialisation

template <class S>
Model<S>::Model(const Config& cfg, const TaskData& task, int max_rows) : cfg_(cfg), task_kind_(task.kind()) {
  const int d = cfg.d_model, h = cfg.expert_hidden, E = cfg.routed_experts(), nl = cfg.n_layers;
  regression_ = task.regression();
  n_out_ = task.n_out();
  max_rows_ = max_rows;
  lm_ = task_kind_ == Task::lm;
  if (task_kind_ == Task::chars) {
    vocab_ = task.vocab_size();
    window_ = task.input_width();
    embed_ = cfg.chars_embed;
    d_in_ = window_ * embed_;
    embed_w_ = layout_.add("embed.weight", vocab_, embed_, false);
  } else if (lm_) {
    vocab_ = task.vocab_size();
    n_ctx_ = task.context();
    heads_ = cfg.lm_heads;
    embed_w_ = layout_.add("embed.weight", vocab_, d, false);
    pos_w_ = layout_.add("pos.weight", n_ctx_, d, false);
    lm_layers_.resize(size_t(nl));
  } else {
    d_in_ = task.input_width();
  }
  if (!lm_) {
    in_w_ = layout_.add("input.weight", d_in_, d, false);
    in_b_ = layout_.add("input.bias", 1, d, true);
  }
  layers_.resize(size_t(nl));
  for (int l = 0; l < nl; ++l) {
    Layer& L = layers_[size_t(l)];
    if (lm_) lm_add_params(l, lm_layers_[size_t(l)]);
    const std::string pre = "layers." + std::to_string(l) + ".";
    if (cfg.router != RouterKind::dense) {
      L.router_w = layout_.add(pre + "router.weight", d, E, false, ParamGroup_Router);
      L.noise_w = layout_.add(pre + "router.noise_weight", d, E, false, ParamGroup_Router);
    }
    auto add_ffn = [&](const std::string& name) {
      ExpertIds ids;
      ids.w1 = layout_.add(name + ".w1", d, h, false);
      ids.b1 = layout_.add(name + ".b1", 1, h, true);
      ids.w2 = layout_.add(name + ".w2", h, d, false);
      ids.b2 = layout_.add(name + ".b2", 1, d, true);
      return ids;
    };
    for (int e = 0; e < E; ++e) L.experts.push_back(add_ffn(pre + "experts." + std::to_string(e)));
    for (int s = 0; s < cfg.shared_experts; ++s) L.shared.push_back(add_ffn(pre + "shared." + std::to_string(s)));
  }
  if (lm_) norm_f_ = layout_.add("norm_f.weight", 1, d, true);
  head_w_ = layout_.add("head.weight", d, n_out_, false);
  head_b_ = layout_.add("head.bias", 1, n_out_, true);
  params_.init(layout_);
  grads_.init(layout_);

  // Initial values, drawn in double in layout order so float and double models start identical:
  // a weight [in, out] and the bias after it ~ U(±1/√in) (PyTorch's nn.Linear), embeddings ~ N(0,1),
  // noise weights 0 (Shazeer et al. 2017). lm: position embeddings ~ N(0,1) too (nn.Embedding's
  // default), RMSNorm gains 1, attention maps [d,d] ~ U(±1/√d) like any weight.
  Rng rng(uint64_t(cfg.seed), RngStream_Init);
  int fan_in = 1;
  for (const ParamSpec& p : layout_.specs()) {
    S* v = params_.data.data() + p.offset;
    const bool is_noise = p.name.find("noise_weight") != std::string::npos;
    const bool is_gain = p.name.find("norm") != std::string::npos;
    const int id = int(&p - layout_.specs().data());
    if (!p.vector) fan_in = p.rows;
    const double bound = 1.0 / std::sqrt(double(fan_in));
    for (size_t i = 0; i < p.size(); ++i) {
      if (is_noise)
        v[i] = S(0);
      else if (is_gain)
        v[i] = S(1);
      else if (id == embed_w_ || id == pos_w_)
        v[i] = S(rng.normal());
      else
        v[i] = S(rng.uniform(-bound, bound));
    }
  }

  // Activations for max_rows tokens.
  const int R = max_rows;
  u_.resize(R, d_in_);
  du_.resize(R, d_in_);
  x_.assign(size_t(nl) + 1, Mat<S>(R, d));
  dx_.assign(size_t(nl) + 1, Mat<S>(R, d));
  o_.resize(R, n_out_);
  do_.resize(R, n_out_);
  targets_.resize(size_t(R));
  reg_targets_.resize(R, n_out_);
  ids_.resize(size_t(R) * size_t(std::max(1, window_)));
  for (Layer& L : layers_) {
    RouterState<S>& rs = L.rs;
    rs.E = E;
    rs.has_router = cfg.router != RouterKind::dense;
    for (Mat<S>* m :
         {&rs.logits_clean, &rs.noise_pre, &rs.eps, &rs.z, &rs.s, &rs.p, &rs.slot_gate, &L.dz, &L.ds, &L.dnoise, &L.dg})
      m->setZero(R, E);
    rs.slot_expert.assign(size_t(R) * E, -1);
    rs.slot_dropped.assign(size_t(R) * E, 0);
    rs.slot_row.assign(size_t(R) * E, -1);
    rs.tokens.assign(size_t(E), 0);
    rs.kept.assign(size_t(E), 0);
    rs.offset.assign(size_t(E) + 1, 0);
    rs.f.setZero(E);
    rs.P.setZero(E);
    rs.I.setZero(E);
    rs.lse.assign(size_t(R), S(0));
    L.bias.setZero(E);
    L.sort_idx.assign(size_t(std::max(R, E)), 0);
    L.order.assign(size_t(R) * E, 0);
    L.expert_start.assign(size_t(E) + 1, 0);
    L.expert_fill.assign(size_t(E) + 1, 0);
    int rows = R * cfg.active_k();
    if (cfg.router == RouterKind::expert_choice) {
      const double c = cfg.capacity_factor > 0 ? cfg.capacity_factor : double(cfg.top_k);
      rows = E * int(std::min<double>(R, std::ceil(c * R / E - 1e-9)));
    }
    ensure_rows(L, rows);
    for (size_t s = 0; s < L.shared.size(); ++s) {
      L.sh_Hpre.emplace_back(R, h);
      L.sh_H.emplace_back(R, h);
      L.sh_O.emplace_back(R, d);
      L.sh_keep.emplace_back(R, h);
      L.sh_dX.emplace_back(R, d);
    }
  }
  if (lm_) lm_allocate();
  pool_ = std::make_unique<ThreadPool>(cfg.threads);
}

template <class S>
Model<S>::~Model() = default;

template <class S>
void Model<S>::set_live(const Config& cfg) {
  assert(!structural_change(cfg_, cfg) && "set_live takes live settings only; rebuild the model for structural ones");
  cfg_ = cfg;
}

template <class S>
void Model<S>::draw_noise(Rng& rng, int T) {
  for (Layer& L : layers_)
    for (int t = 0; t < T; ++t)
      for (int e = 0; e < L.rs.E; ++e) L.rs.eps(t, e) = S(rng.normal());
}

// [SECTION] Expert FFN: forward / backward
//   Hpre = X·W1 + b1 [n,h]   H = φ(Hpre) [n,h]   O = H·W2 + b2 [n,d]
// The forward also keeps, in the layer's `keep` buffer, the part of φ that
// φ' needs again (tanh(u) for gelu, σ(x) for silu), so each transcendental
// is evaluated once per step.

namespace {

template <class S, class XB, class HB, class OB>
void expert_forward(const ParamBuffer<S>& P, int w1, int b1, int w2, int b2, Activation act, const XB& X, HB Hpre, HB H,
                    HB keep, OB O) {
  // bias first, then the product added onto it: Eigen's `=` for a product
  // zero-fills the destination first, so this saves a pass over it
  Hpre.rowwise() = P.mat(b1).row(0);
  Hpre.noalias() += X * P.mat(w1);
  // φ as Eigen array expressions, so tanh and exp run vectorised
  const auto x = Hpre.array();
  switch (act) {
    case Activation::relu: H.array() = x.max(S(0)); break;
    case Activation::gelu:
      keep.array() = (S(kGeluC) * (x + S(kGeluA) * x.cube())).tanh();
      H.array() = S(0.5) * x * (S(1) + keep.array());
      break;
    case Activation::silu:
      keep.array() = S(1) / (S(1) + (-x).exp());
      H.array() = x * keep.array();
      break;
  }
  O.rowwise() = P.mat(b2).row(0);
  O.noalias() += H * P.mat(w2);
}

// Accumulates dW1, db1, dW2, db2 from dO; writes dX. `keep` is what the
// forward kept; H is used for dW2 first and then overwritten with dL/dHpre.
template <class S, class XB, class HB, class DOB, class DXB>
void expert_backward(const ParamBuffer<S>& P, ParamBuffer<S>& G, int w1, int b1, int w2, int b2, Activation act,
                     const XB& X, const HB& Hpre, HB H, const HB& keep, const DOB& dO, DXB dX) {
  G.mat(w2).noalias() += H.transpose() * dO;
  add_column_sums(G.mat(b2).row(0), dO);
  H.noalias() = dO * P.mat(w2).transpose();  // dL/dH
  const auto x = Hpre.array();
  const auto k = keep.array();
  switch (act) {
    case Activation::relu: H.array() *= (x > S(0)).template cast<S>(); break;
    case Activation::gelu:  // φ' = ½(1 + th) + ½ x (1 − th²) c (1 + 3a x²),  th = tanh(c (x + a x³))
      H.array() *= S(0.5) * (S(1) + k) +
                   S(0.5) * x * (S(1) - k.square()) * S(kGeluC) * (S(1) + S(3 * kGeluA) * x.square());
      break;
    case Activation::silu:  // φ' = σ (1 + x (1 − σ))
      H.array() *= k * (S(1) + x * (S(1) - k));
      break;
  }
  G.mat(w1).noalias() += X.transpose() * H;
  add_column_sums(G.mat(b1).row(0), H);
  dX.noalias() = H * P.mat(w1).transpose();
}

}  // namespace

// [SECTION] Model forward / backward

template <class S>
void Model<S>::layer_forward(int l, int T, bool training) {
  Layer& L = layers_[size_t(l)];
  RouterState<S>& rs = L.rs;
  const Mat<S>& x = x_[size_t(l)];
  // lm: the MoE reads x = N(a) and its residual is a (the block's stream), output h_{l+1}
  Mat<S>& y = lm_ ? h_[size_t(l) + 1] : x_[size_t(l) + 1];
  const Mat<S>& res = lm_ ? lm_layers_[size_t(l)].a : x;
  route(L, T, training);
  router_losses(L, T);
  const int E = rs.E, nS = int(L.shared.size());
  const Activation act = cfg_.activation;
  pool_->parallel_for(E + nS, [&](int i) {
    if (i < E) {
      const int off = rs.offset[size_t(i)], n = rs.kept[size_t(i)];
      if (n == 0) return;
      for (int r = off; r < off + n; ++r) L.Xp.row(r) = x.row(rs.row_token[size_t(r)]);
      const ExpertIds& id = L.experts[size_t(i)];
      expert_forward<S>(params_, id.w1, id.b1, id.w2, id.b2, act, L.Xp.middleRows(off, n), L.Hpre.middleRows(off, n),
                        L.H.middleRows(off, n), L.keep.middleRows(off, n), L.O.middleRows(off, n));
    } else {
      const int s = i - E;
      const ExpertIds& id = L.shared[size_t(s)];
      expert_forward<S>(params_, id.w1, id.b1, id.w2, id.b2, act, x.topRows(T), L.sh_Hpre[size_t(s)].topRows(T),
                        L.sh_H[size_t(s)].topRows(T), L.sh_keep[size_t(s)].topRows(T), L.sh_O[size_t(s)].topRows(T));
    }
  });
  // combine: y_t = x_t + Σ_kept g O + Σ_s O_s  (per token, fixed slot order)
  const int chunks = pool_->size();
  pool_->parallel_for(chunks, [&](int c) {
    const int t0 = int(int64_t(T) * c / chunks), t1 = int(int64_t(T) * (c + 1) / chunks);
    for (int t = t0; t < t1; ++t) {
      y.row(t) = res.row(t);
      for (int j = 0; j < rs.W; ++j) {
        const int row = rs.slot_row[size_t(rs.slot(t, j))];
        if (row >= 0) y.row(t) += rs.slot_gate(t, j) * L.O.row(row);
      }
      for (int s = 0; s < nS; ++s) y.row(t) += L.sh_O[size_t(s)].row(t);
    }
  });
}

template <class S>
void Model<S>::layer_backward(int l, int T) {
  Layer& L = layers_[size_t(l)];
  RouterState<S>& rs = L.rs;
  const Mat<S>& x = x_[size_t(l)];
  const Mat<S>& dy = lm_ ? dh_ : dx_[size_t(l) + 1];  // lm: dL/dh_{l+1}
  Mat<S>& dx = dx_[size_t(l)];                        // lm: dL/dN(a), the residual is added by the block
  const int E = rs.E, nS = int(L.shared.size());
  const Activation act = cfg_.activation;
  const int chunks = pool_->size();
  // dO_row = g · dy_t ;  dg_{t,j} = dy_t · O_row (kept slots; 0 otherwise)
  pool_->parallel_for(chunks, [&](int c) {
    const int t0 = int(int64_t(T) * c / chunks), t1 = int(int64_t(T) * (c + 1) / chunks);
    for (int t = t0; t < t1; ++t)
      for (int j = 0; j < rs.W; ++j) {
        const int row = rs.slot_row[size_t(rs.slot(t, j))];
        if (row >= 0) {
          L.dO.row(row) = rs.slot_gate(t, j) * dy.row(t);
          L.dg(t, j) = dy.row(t).dot(L.O.row(row));
        } else {
          L.dg(t, j) = S(0);
        }
      }
  });
  pool_->parallel_for(E + nS, [&](int i) {
    if (i < E) {
      const int off = rs.offset[size_t(i)], n = rs.kept[size_t(i)];
      if (n == 0) return;
      const ExpertIds& id = L.experts[size_t(i)];
      expert_backward<S>(params_, grads_, id.w1, id.b1, id.w2, id.b2, act, L.Xp.middleRows(off, n),
                         L.Hpre.middleRows(off, n), L.H.middleRows(off, n), L.keep.middleRows(off, n),
                         L.dO.middleRows(off, n), L.dXp.middleRows(off, n));
    } else {
      const int s = i - E;
      const ExpertIds& id = L.shared[size_t(s)];
      expert_backward<S>(params_, grads_, id.w1, id.b1, id.w2, id.b2, act, x.topRows(T),
                         L.sh_Hpre[size_t(s)].topRows(T), L.sh_H[size_t(s)].topRows(T), L.sh_keep[size_t(s)].topRows(T),
                         dy.topRows(T), L.sh_dX[size_t(s)].topRows(T));
    }
  });
  // dx_t = dy_t (residual; not for lm) + Σ_kept dX_row + Σ_s dX_s
  pool_->parallel_for(chunks, [&](int c) {
    const int t0 = int(int64_t(T) * c / chunks), t1 = int(int64_t(T) * (c + 1) / chunks);
    for (int t = t0; t < t1; ++t) {
      if (lm_)
        dx.row(t).setZero();
      else
        dx.row(t) = dy.row(t);
      for (int j = 0; j < rs.W; ++j) {
        const int row = rs.slot_row[size_t(rs.slot(t, j))];
        if (row >= 0) dx.row(t) += L.dXp.row(row);
      }
      for (int s = 0; s < nS; ++s) dx.row(t) += L.sh_dX[size_t(s)].row(t);
    }
  });
  route_backward(L, T, dy, dx);
}

template <class S>
void Model<S>::input_forward(const Batch& b) {
  const int T = b.T;
  assert(T > 0 && T <= max_rows_ && "batch larger than the model's buffers");
  T_ = T;
  // input: u = inputs, or the window's embeddings concatenated (chars)
  if (task_kind_ == Task::chars) {
    auto emb = params_.mat(embed_w_);
    for (int t = 0; t < T; ++t)
      for (int w = 0; w < window_; ++w) {
        const int id = b.token_ids[size_t(t) * size_t(window_) + size_t(w)];
        ids_[size_t(t) * size_t(window_) + size_t(w)] = id;
        u_.row(t).segment(w * embed_, embed_) = emb.row(id);
      }
  } else {
    u_.topRows(T) = b.inputs.topRows(T).template cast<S>();
  }
  x_[0].topRows(T).noalias() = u_.topRows(T) * params_.mat(in_w_);
  x_[0].topRows(T).rowwise() += params_.mat(in_b_).row(0);
}

template <class S>
void Model<S>::route_only(const Batch& b) {
  if (lm_) {
    lm_input(b);
    lm_forward(b.T, false, true);
    return;
  }
  input_forward(b);
  for (int l = 0; l + 1 < n_layers(); ++l) layer_forward(l, b.T, false);
  route(layers_.back(), b.T, false);
}

template <class S>
Losses Model<S>::forward(const Batch& b, bool training) {
  const int T = b.T;
  if (lm_) {
    lm_input(b);
    lm_forward(T, training, false);
  } else {
    input_forward(b);
    for (int l = 0; l < n_layers(); ++l) layer_forward(l, T, training);
  }
  o_.topRows(T).noalias() = x_[layers_.size()].topRows(T) * params_.mat(head_w_);
  o_.topRows(T).rowwise() += params_.mat(head_b_).row(0);

  Losses out;
  // [SECTION] Task loss: cross-entropy / MSE, and dL_task/do
  if (regression_) {
    const S scale = S(1) / (S(T) * S(n_out_));
    reg_targets_.topRows(T) = b.reg_targets.topRows(T).template cast<S>();
    do_.topRows(T) = o_.topRows(T) - reg_targets_.topRows(T);
    out.task = double(do_.topRows(T).squaredNorm() * scale);
    do_.topRows(T) *= S(2) * scale;
    out.accuracy = std::numeric_limits<double>::quiet_NaN();
  } else {
    double loss = 0;
    int correct = 0;
    for (int t = 0; t < T; ++t) {
      const int y = b.class_targets[size_t(t)];
      targets_[size_t(t)] = y;
      Eigen::Index arg;
      const S m = o_.row(t).maxCoeff(&arg);
      const S lse = m + std::log((o_.row(t).array() - m).exp().sum());
      loss += double(lse - o_(t, y));
      correct += (int(arg) == y);
      do_.row(t) = ((o_.row(t).array() - lse).exp() / S(T)).matrix();
      do_(t, y) -= S(1) / S(T);
    }
    out.task = loss / T;
    out.accuracy = double(correct) / T;
  }
  double bal = 0, z = 0, imp = 0;
  for (const Layer& L : layers_) {
    bal += double(L.rs.loss_balance);
    z += double(L.rs.loss_z);
    imp += double(L.rs.loss_importance);
  }
  const double nl = double(layers_.size());
  out.balance = bal / nl;
  out.z = z / nl;
  out.importance = imp / nl;
  out.total = out.task + cfg_.alpha * out.balance + cfg_.beta * out.z + cfg_.w_importance * out.importance;
  last_ = out;
  return out;
}

template <class S>
void Model<S>::backward() {
  const int T = T_;
  grads_.zero(*pool_);
  const size_t nl = layers_.size();
  grads_.mat(head_w_).noalias() += x_[nl].topRows(T).transpose() * do_.topRows(T);
  add_column_sums(grads_.mat(head_b_).row(0), do_.topRows(T));
  dx_[nl].topRows(T).noalias() = do_.topRows(T) * params_.mat(head_w_).transpose();
  if (lm_) return lm_backward(T);
  for (int l = int(nl) - 1; l >= 0; --l) layer_backward(l, T);
  grads_.mat(in_w_).noalias() += u_.topRows(T).transpose() * dx_[0].topRows(T);
  add_column_sums(grads_.mat(in_b_).row(0), dx_[0].topRows(T));
  if (task_kind_ == Task::chars) {
    du_.topRows(T).noalias() = dx_[0].topRows(T) * params_.mat(in_w_).transpose();
    auto demb = grads_.mat(embed_w_);
    for (int t = 0; t < T; ++t)  // scatter-add in token order: deterministic
      for (int w = 0; w < window_; ++w)
        demb.row(ids_[size_t(t) * size_t(window_) + size_t(w)]) += du_.row(t).segment(w * embed_, embed_);
  }
}

// [SECTION] Sparsity figures

template <class S>
SparsityFigures Model<S>::sparsity() const {
  SparsityFigures f;
  const double d = cfg_.d_model, h = cfg_.expert_hidden, E = cfg_.routed_experts(), k = cfg_.active_k();
  const double nS = cfg_.shared_experts, nl = cfg_.n_layers;
  const double ffn = 2 * d * h + h + d;
  f.total_params = double(layout_.total());
  const double routed = nl * E * ffn;
  f.active_params = f.total_params - routed + nl * std::min(k, E) * ffn;
  if (embed_w_ >= 0) {  // a token reads `window` embedding rows, not the whole table
    const double table = double(layout_.specs()[size_t(embed_w_)].size());
    f.active_params += double(window_) * embed_ - table;
  }
  const double router_flops = cfg_.router == RouterKind::dense ? 0 : 2 * d * E;
  const double ffn_flops = 2 * (2 * d * h);
  f.flops_per_token = 2 * d_in_ * d + nl * (router_flops + (std::min(k, E) + nS) * ffn_flops) + 2 * d * n_out_;
  f.dense_equal_flops = 2 * d_in_ * d + nl * ((E + nS) * ffn_flops) + 2 * d * n_out_;
  if (lm_) {  // a position reads one row of each embedding table and runs every block's attention
    const double tables = double(layout_.specs()[size_t(embed_w_)].size() + layout_.specs()[size_t(pos_w_)].size());
    f.active_params += 2 * d - tables;
    const double attn = 2 * 4 * d * d + 2 * 2 * n_ctx_ * d;  // Q, K, V, W_o maps; scores and context
    f.flops_per_token += nl * attn;
    f.dense_equal_flops += nl * attn;
  }
  return f;
}

template class Model<float>;
template class Model<double>;

}  // namespace moe

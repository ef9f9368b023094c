// model.h: the MoE model of docs/math.md "Model", forward and backward, in float or double.
//
//   u (task input) → x = u·W_in + b_in → [MoE layer] × n_layers → o = y·W_out + b_out → task loss
//   MoE layer: y_t = x_t + Σ_{i∈K_t, kept} g_{t,i} FFN_i(x_t) + Σ_s FFN_s(x_t)
//
// Dimension letters: T tokens, d model width, E routed experts, k experts per
// token, W slots per token (k for top-k, E for expert choice, 1 for dense),
// A packed expert rows (kept assignments), h expert hidden width.
// task = lm (docs/math.md "The `lm` task", model_lm.cpp) puts the MoE layers in pre-norm
// transformer blocks: x_[l] is then N(a_l), the router's input, and each block's output
// is the stream h_[l+1] = a_l + MoE_l(N(a_l)); x_[n_layers] = N(h; g_f) feeds the head.
// Every buffer is allocated in the constructor (or grown when a live setting
// such as k or the capacity needs more rows); a steady training step allocates
// nothing. Model<double> is used for gradient checks and the trace.
#pragma once

#include <memory>
#include <vector>

#include "config.h"
#include "rng.h"
#include "tasks.h"
#include "tensor.h"
#include "thread_pool.h"

namespace moe {

// Every loss term, unweighted, and the weighted total (docs/math.md "Losses").
struct Losses {
  double task = 0;        // cross-entropy or MSE
  double balance = 0;     // L_bal averaged over layers
  double z = 0;           // L_z averaged over layers
  double importance = 0;  // L_imp averaged over layers
  double total = 0;       // task + α·balance + β·z + w_imp·importance
  double accuracy = 0;    // classification accuracy; NaN for regression
};

// One MoE layer's routing of the last batch, in the trace's terms.
template <class S>
struct RouterState {
  int T = 0, E = 0, W = 0;            // tokens, routed experts, slots per token
  Mat<S> logits_clean;                // [R,E] x·W_r
  Mat<S> noise_pre;                   // [R,E] x·W_noise (noisy gating)
  Mat<S> eps;                         // [R,E] ε ~ N(0,1) (noisy gating, training)
  Mat<S> z;                           // [R,E] logits entering the score function
  Mat<S> s;                           // [R,E] scores: softmax(z) or sigmoid(z)
  Mat<S> p;                           // [R,E] probabilities: s, or s/Σs for sigmoid
  std::vector<int32_t> slot_expert;   // [R*E] K_t in descending s+b (top-k) or e / -1 (expert choice)
  Mat<S> slot_gate;                   // [R,E] g_{t,j} (renormalised before drops)
  std::vector<uint8_t> slot_dropped;  // [R*E] 1 = dropped by capacity
  std::vector<int32_t> slot_row;      // [R*E] packed expert row of the slot, -1 if none/dropped
  std::vector<int32_t> tokens;        // [E] n_i: assignments selected, before drops
  std::vector<int32_t> kept;          // [E] assignments kept after capacity
  std::vector<int32_t> offset;        // [E+1] first packed row of each expert
  std::vector<int32_t> row_token;     // [A] packed row → token
  RowVec<S> f, P, I;                  // [E] load fraction, mean probability, summed gate
  std::vector<S> lse;                 // [R] logsumexp(z_t)
  S loss_balance = 0, loss_z = 0, loss_importance = 0;
  int unrouted = 0;            // tokens with no expert (expert choice)
  int capacity = 0;            // C, 0 = no limit
  bool has_router = true;      // false for the dense baseline
  bool noisy = false;          // ε was used on the last forward
  bool expert_choice = false;  // slots are experts (W = E), set by the router kind
  bool softmax_scores = true;  // p = softmax(z), so ln p = z − lse (the metrics use it)
  int slot(int t, int j) const { return t * E + j; }
};

// Parameter counts and per-token cost, for the sparsity panel.
struct SparsityFigures {
  double total_params = 0;       // every parameter
  double active_params = 0;      // parameters one token touches (k routed + shared experts + the rest)
  double flops_per_token = 0;    // forward multiply-adds × 2 for one token
  double dense_equal_flops = 0;  // forward FLOPs of a dense FFN with all E experts' width
};

template <class S>
class Model {
 public:
  // Allocates parameters and every buffer for up to max_rows tokens per call.
  Model(const Config& cfg, const TaskData& task, int max_rows);
  ~Model();

  void set_live(const Config& cfg);  // applies live settings (k, α, score, capacity...)
  const Config& config() const { return cfg_; }
  const ParamLayout& layout() const { return layout_; }
  ParamBuffer<S>& params() { return params_; }
  const ParamBuffer<S>& params() const { return params_; }
  ParamBuffer<S>& grads() { return grads_; }
  const ParamBuffer<S>& grads() const { return grads_; }
  int n_layers() const { return int(layers_.size()); }
  int max_rows() const { return max_rows_; }
  int n_out() const { return n_out_; }
  ThreadPool& pool() { return *pool_; }

  void draw_noise(Rng& rng, int T);                   // fills ε of every layer for T tokens
  Losses forward(const Batch& batch, bool training);  // training: noise on (if enabled)
  // Every layer's routing of batch (no noise) and nothing after the last router: router(l)
  // holds the choices, the last layer's experts and the head are not run (a fraction of forward).
  void route_only(const Batch& batch);
  void backward();              // grads = dL/dθ of the last forward (zeroes first)
  void update_aux_free_bias();  // b_i += γ sign(mean n − n_i), from the last forward

  const RouterState<S>& router(int layer) const { return layers_[size_t(layer)].rs; }
  RowVec<S>& bias(int layer) { return layers_[size_t(layer)].bias; }
  const RowVec<S>& bias(int layer) const { return layers_[size_t(layer)].bias; }
  const Mat<S>& output() const { return o_; }  // [R, n_out] head output of the last forward
  const Mat<S>& layer_input(int layer) const { return x_[size_t(layer)]; }  // [R, d]
  const Mat<S>& task_input() const { return u_; }  // [R, d_in] u (embeddings concatenated for chars; empty for lm)
  bool is_lm() const { return lm_; }
  int lm_context() const { return n_ctx_; }
  int lm_heads() const { return heads_; }
  // lm: attention probabilities of the last forward, rows ((b·H + h)·n + i), columns j ≤ i (0 above).
  const Mat<S>& attention(int layer) const { return lm_layers_[size_t(layer)].P; }
  SparsityFigures sparsity() const;

 private:
  struct ExpertIds {
    int w1, b1, w2, b2;
  };
  struct Layer {
    int router_w = -1, noise_w = -1;
    std::vector<ExpertIds> experts, shared;
    RowVec<S> bias;  // [E] aux-loss-free selection bias
    RouterState<S> rs;
    // packed routed-expert activations [A, ·] and their gradients
    // (keep: the part of φ that φ' reuses, tanh(u) for gelu or σ(x) for silu)
    Mat<S> Xp, Hpre, H, O, dO, keep, dXp;
    // shared experts, full batch: one [R,h] pair and [R,d] output each
    std::vector<Mat<S>> sh_Hpre, sh_H, sh_O, sh_keep, sh_dX;
    // router backward scratch
    Mat<S> dz, ds, dnoise, dg;
    // selection scratch: sort indices [max(R,E)], slots grouped by expert [R*E], per-expert starts [E+1]
    std::vector<int32_t> sort_idx, order, expert_start, expert_fill;
  };

  void input_forward(const Batch& b);                 // u and x_[0] = u·W_in + b_in for b's tokens
  void route(Layer& L, int T, bool training);         // router forward: z, s, K_t, gates, drops, packing
  void route_dense(Layer& L, int T);                  // dense baseline: every token to expert 0, gate 1
  void score_tokens(Layer& L, int T, bool training);  // z, s, p per token (+ K_t and gates for top-k)
  void route_expert_choice(Layer& L, int T);          // each expert takes its top C tokens
  void route_token_choice(Layer& L, int T);           // top-k after score_tokens: counts, capacity, packing
  void route_backward(Layer& L, int T, const Mat<S>& dy, Mat<S>& dx);
  void ensure_rows(Layer& L, int rows);  // grows packed buffers (only when k or C grows)
  void layer_forward(int l, int T, bool training);
  void layer_backward(int l, int T);
  void router_losses(Layer& L, int T);

  // lm (model_lm.cpp): one pre-norm transformer block around MoE layer l.
  struct LmLayer {
    int norm1 = -1, wq = -1, wk = -1, wv = -1, wo = -1, norm2 = -1;  // parameter ids
    Mat<S> n1, Q, K, V, C, a;  // [R,d] N(h; g1), projections, heads' context (concatenated), a = h + C·W_o
    Mat<S> P;                  // [R·H, n] attention probabilities, window b head h at rows (b·H + h)·n
    std::vector<S> r1, r2;     // [R] 1/rms of h and of a
  };
  void lm_add_params(int l, LmLayer& B);
  void lm_allocate();
  void lm_input(const Batch& b);
  void lm_attention_forward(int l, int T);  // h_[l] → a_l and x_[l] = N(a_l)
  void lm_forward(int T, bool training, bool route_only);
  void lm_backward(int T);
  void lm_attention_backward(int l, int T);  // da_ → dh_ (accumulates), parameter gradients
  template <class F>
  void for_windows(int T, F&& fn);  // fn(first row, rows) per chunk of whole windows, on the pool

  bool lm_ = false;
  int n_ctx_ = 0, heads_ = 0;
  int pos_w_ = -1, norm_f_ = -1;
  std::vector<LmLayer> lm_layers_;
  std::vector<Mat<S>> h_;  // [L+1] of [R,d]: the residual stream entering block l (h_[L] leaves the last)
  std::vector<S> rf_;      // [R] 1/rms of h_[L]
  Mat<S> dh_, da_, dn_, dQ_, dK_, dV_, dC_, dP_;  // backward scratch ([R,d]; dP_ [R·H, n])

  Config cfg_;
  Task task_kind_;
  int d_in_ = 0, n_out_ = 0, vocab_ = 0, window_ = 0, embed_ = 0;
  bool regression_ = false;
  int max_rows_ = 0, T_ = 0;
  ParamLayout layout_;
  ParamBuffer<S> params_, grads_;
  int embed_w_ = -1, in_w_ = -1, in_b_ = -1, head_w_ = -1, head_b_ = -1;
  std::vector<Layer> layers_;
  std::unique_ptr<ThreadPool> pool_;
  // activations: u [R,d_in], x_[l] [R,d] input of layer l (x_[L] = final y), o [R,n_out]
  Mat<S> u_, o_, do_, du_;
  std::vector<Mat<S>> x_, dx_;
  std::vector<int32_t> targets_;  // [R] class ids (classification)
  Mat<S> reg_targets_;            // [R, n_out]
  std::vector<int32_t> ids_;      // [R*window] chars
  Losses last_;
};

extern template class Model<float>;
extern template class Model<double>;

}  // namespace moe

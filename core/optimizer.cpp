// optimizer.cpp: see optimizer.h.
#include "optimizer.h"

#include <cassert>
#include <cmath>

namespace moe {

template <class S>
void OptimizerState<S>::init(const ParamLayout& layout) {
  layout_ = &layout;
  m_.assign(layout.total(), S(0));
  v_.assign(layout.total(), S(0));
  chunks_.clear();
  constexpr size_t kChunk = 16384;
  for (const ParamSpec& p : layout.specs())
    for (size_t off = 0; off < p.size(); off += kChunk)
      chunks_.push_back({p.offset + off, std::min(kChunk, p.size() - off), p.group});
  sq_.assign(chunks_.size(), 0.0);
  t_ = 0;
}

template <class S>
void OptimizerState<S>::copy_state_from(const OptimizerState& o) {
  assert(m_.size() == o.m_.size() && v_.size() == o.v_.size() && "copy_state_from: layouts differ");
  m_ = o.m_;
  v_ = o.v_;
  t_ = o.t_;
}

template <class S>
double OptimizerState<S>::clip(const Config& cfg, ParamBuffer<S>& g, ThreadPool& pool) {
  pool.parallel_for(int(chunks_.size()), [&](int i) {
    // 8 double lanes in a fixed order: vectorisable, and the same sum on any machine state
    const Chunk& c = chunks_[size_t(i)];
    const S* v = g.data.data() + c.offset;
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= c.size; j += 8)
      for (int k = 0; k < 8; ++k) lane[k] += double(v[j + size_t(k)]) * double(v[j + size_t(k)]);
    for (; j < c.size; ++j) lane[0] += double(v[j]) * double(v[j]);
    sq_[size_t(i)] = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  });
  double total = 0;
  for (double s : sq_) total += s;
  const double norm = std::sqrt(total);
  if (cfg.grad_clip > 0 && norm > cfg.grad_clip && std::isfinite(norm)) {
    const S scale = S(cfg.grad_clip / norm);
    pool.parallel_for(int(chunks_.size()), [&](int i) {
      Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>(g.data.data() + chunks_[size_t(i)].offset,
                                                     Eigen::Index(chunks_[size_t(i)].size)) *= scale;
    });
  }
  return norm;
}

template <class S>
void OptimizerState<S>::step(const Config& cfg, ParamBuffer<S>& p, const ParamBuffer<S>& g, ThreadPool& pool) {
  ++t_;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const double c1 = 1.0 - std::pow(b1, double(t_)), c2 = 1.0 - std::pow(b2, double(t_));
  pool.parallel_for(int(chunks_.size()), [&](int i) {
    const Chunk& c = chunks_[size_t(i)];
    const double lr = cfg.lr * (c.group == ParamGroup_Router ? cfg.router_lr_scale : 1.0);
    using Arr = Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>;
    using CArr = Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>;
    const Eigen::Index n = Eigen::Index(c.size);
    Arr th(p.data.data() + c.offset, n), m(m_.data() + c.offset, n), v(v_.data() + c.offset, n);
    CArr gr(g.data.data() + c.offset, n);
    switch (cfg.optimizer) {
      case Optimizer::sgd:
        m = S(cfg.momentum) * m + gr;
        th -= S(lr) * m;
        break;
      case Optimizer::adam:
      case Optimizer::adamw: {
        const S decay = cfg.optimizer == Optimizer::adamw ? S(1.0 - lr * cfg.weight_decay) : S(1);
        const S sb1 = S(b1), sb2 = S(b2), a = S(lr / c1), rc2 = S(1.0 / std::sqrt(c2)), e = S(eps);
        m = sb1 * m + (S(1) - sb1) * gr;
        v = sb2 * v + (S(1) - sb2) * gr.square();
        th = th * decay - a * m / (v.sqrt() * rc2 + e);
        break;
      }
    }
  });
}

template class OptimizerState<float>;
template class OptimizerState<double>;

}  // namespace moe

// optimizer.cpp: see optimizer.h.
#include "optimizer.h"

#include <cmath>

namespace moe {

template <class S>
void OptimizerState<S>::init(const ParamLayout& layout) {
  layout_ = &layout;
  m_.assign(layout.total(), S(0));
  v_.assign(layout.total(), S(0));
  sq_.assign(layout.specs().size(), 0.0);
  t_ = 0;
}

template <class S>
double OptimizerState<S>::clip(const Config& cfg, ParamBuffer<S>& g, ThreadPool& pool) {
  const auto& specs = layout_->specs();
  pool.parallel_for(int(specs.size()), [&](int i) {
    const ParamSpec& p = specs[size_t(i)];
    double s = 0;
    for (size_t j = 0; j < p.size(); ++j) s += double(g.data[p.offset + j]) * double(g.data[p.offset + j]);
    sq_[size_t(i)] = s;
  });
  double total = 0;
  for (double s : sq_) total += s;
  const double norm = std::sqrt(total);
  if (cfg.grad_clip > 0 && norm > cfg.grad_clip && std::isfinite(norm)) {
    const S scale = S(cfg.grad_clip / norm);
    for (S& v : g.data) v *= scale;
  }
  return norm;
}

template <class S>
void OptimizerState<S>::step(const Config& cfg, ParamBuffer<S>& p, const ParamBuffer<S>& g, ThreadPool& pool) {
  ++t_;
  const auto& specs = layout_->specs();
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const double c1 = 1.0 - std::pow(b1, double(t_)), c2 = 1.0 - std::pow(b2, double(t_));
  pool.parallel_for(int(specs.size()), [&](int i) {
    const ParamSpec& ps = specs[size_t(i)];
    const double lr = cfg.lr * (ps.group == ParamGroup_Router ? cfg.router_lr_scale : 1.0);
    S* th = p.data.data() + ps.offset;
    const S* gr = g.data.data() + ps.offset;
    S* m = m_.data() + ps.offset;
    S* v = v_.data() + ps.offset;
    const size_t n = ps.size();
    switch (cfg.optimizer) {
      case Optimizer::sgd: {
        const S mu = S(cfg.momentum), a = S(lr);
        for (size_t j = 0; j < n; ++j) {
          m[j] = mu * m[j] + gr[j];
          th[j] -= a * m[j];
        }
        break;
      }
      case Optimizer::adam:
      case Optimizer::adamw: {
        const S decay = cfg.optimizer == Optimizer::adamw ? S(1.0 - lr * cfg.weight_decay) : S(1);
        const S sb1 = S(b1), sb2 = S(b2), a = S(lr / c1), rc2 = S(1.0 / std::sqrt(c2)), e = S(eps);
        for (size_t j = 0; j < n; ++j) {
          m[j] = sb1 * m[j] + (S(1) - sb1) * gr[j];
          v[j] = sb2 * v[j] + (S(1) - sb2) * gr[j] * gr[j];
          th[j] = th[j] * decay - a * m[j] / (std::sqrt(v[j]) * rc2 + e);
        }
        break;
      }
    }
  });
}

template class OptimizerState<float>;
template class OptimizerState<double>;

}  // namespace moe

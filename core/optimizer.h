// optimizer.h: SGD with momentum, Adam and AdamW over a ParamBuffer, with
// optional global-norm clipping and a learning-rate multiplier for the router.
//   SGD:   m ← μ m + g;            θ ← θ − lr m
//   Adam:  m ← β1 m + (1−β1) g;   v ← β2 v + (1−β2) g²;   θ ← θ − lr m̂ / (√v̂ + ε)
//   AdamW: θ ← θ − lr λ θ first (decoupled decay, Loshchilov & Hutter 2019)
// β1 0.9, β2 0.999, ε 1e-8. The flat buffer is cut into fixed chunks (never
// spanning two tensors) updated in parallel; the global norm is summed chunk
// by chunk in a fixed order, so nothing depends on the thread count.
#pragma once

#include "config.h"
#include "tensor.h"
#include "thread_pool.h"

namespace moe {

template <class S>
class OptimizerState {
 public:
  void init(const ParamLayout& layout);
  // Global L2 norm of g; with grad_clip > 0 and a larger norm, scales g to grad_clip.
  double clip(const Config& cfg, ParamBuffer<S>& g, ThreadPool& pool);
  void step(const Config& cfg, ParamBuffer<S>& p, const ParamBuffer<S>& g, ThreadPool& pool);
  int64_t steps() const { return t_; }
  // Takes o's moments and step count (o was initialised with an identical layout): a forked run.
  void copy_state_from(const OptimizerState& o);

 private:
  const ParamLayout* layout_ = nullptr;
  std::vector<S> m_, v_;
  struct Chunk {
    size_t offset, size;
    int group;  // ParamGroup_ of its tensor
  };
  std::vector<Chunk> chunks_;
  std::vector<double> sq_;  // per-chunk squared norms
  int64_t t_ = 0;
};

extern template class OptimizerState<float>;
extern template class OptimizerState<double>;

}  // namespace moe

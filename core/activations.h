// activations.h: the expert nonlinearities φ and their derivatives φ'.
//   relu(x) = max(0, x)
//   gelu(x) = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))   (tanh form, as in BERT/GPT-2)
//   silu(x) = x σ(x)                                        (Elfwing et al. 2018)
#pragma once

#include <cmath>

#include "config.h"

namespace moe {

constexpr double kGeluC = 0.7978845608028654;  // √(2/π)
constexpr double kGeluA = 0.044715;

template <class S>
inline S activate(Activation a, S x) {
  switch (a) {
    case Activation::relu: return x > S(0) ? x : S(0);
    case Activation::gelu: {
      const S c = S(0.7978845608028654), u = c * (x + S(0.044715) * x * x * x);
      return S(0.5) * x * (S(1) + std::tanh(u));
    }
    case Activation::silu: return x / (S(1) + std::exp(-x));
  }
  return x;
}

template <class S>
inline S activate_grad(Activation a, S x) {
  switch (a) {
    case Activation::relu: return x > S(0) ? S(1) : S(0);
    case Activation::gelu: {
      const S c = S(0.7978845608028654), u = c * (x + S(0.044715) * x * x * x);
      const S th = std::tanh(u), du = c * (S(1) + S(3 * 0.044715) * x * x);
      return S(0.5) * (S(1) + th) + S(0.5) * x * (S(1) - th * th) * du;
    }
    case Activation::silu: {
      const S sg = S(1) / (S(1) + std::exp(-x));
      return sg * (S(1) + x * (S(1) - sg));
    }
  }
  return S(1);
}

}  // namespace moe

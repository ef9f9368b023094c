// activations.h: the constants of the expert nonlinearities φ, which model.cpp
// applies (and differentiates) on whole expert blocks; docs/math.md "Experts".
//   relu(x) = max(0, x)
//   gelu(x) = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))   (tanh form, as in BERT/GPT-2)
//   silu(x) = x σ(x)                                        (Elfwing et al. 2018)
#pragma once

namespace moe {

constexpr double kGeluC = 0.7978845608028654;  // √(2/π)
constexpr double kGeluA = 0.044715;

}  // namespace moe

// test_gradients.cpp: the backward pass of Model<double> against central
// finite differences of the forward pass, for every router kind (top-k softmax
// renormalised and raw, top-k sigmoid, noisy top-k, capacity with position and
// gate drops, expert choice, dense) × activation (relu, gelu, silu) × task head
// (blobs cross-entropy, teacher MSE, chars cross-entropy through embeddings, lm: the
// transformer's embeddings, RMSNorm gains and causal attention around the MoE) ×
// depth (one layer; two layers with a shared expert). α, β and w_importance are
// all nonzero, so the gradient of every loss term is checked.
//
// Method: draw the router noise ε once, then evaluate L(θ ± h·e_i) with
// forward(batch, true) (ε stays fixed between calls) and compare
//   num = (L+ − L−) / 2h   with   ana = model.grads()
// and require  |num − ana| ≤ kRelTol·max(|num|, |ana|) + noise,  where
// noise = kNoiseUlps·ulp(L)/(2h) is the rounding floor of the difference
// quotient (L is a sum of O(T) terms, so L± carry a few ulps each: at L ≈ 4
// and h = 1e-6 that is ~1e-9, well below any real gradient error).
// An entry is skipped when a relu kink or a discrete routing flip lies within
// ±h: then the one-sided differences (L+ − L0)/h and (L0 − L−)/h disagree by at
// least the central difference's error (for a kink at distance δ < h the
// central error is exactly half their gap; for a smooth function with a wrong
// gradient they agree to O(h·L'')). At most kMaxSkipFraction of the checked
// entries may be skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "config.h"
#include "model.h"
#include "rng.h"
#include "tasks.h"

namespace moe {
namespace {

constexpr double kStep = 1e-6;             // h of the central difference
constexpr double kRelTol = 1e-6;           // allowed relative error
constexpr double kNoiseUlps = 16;          // rounding allowance of L+ − L−, in ulps of L
constexpr double kReportFloor = 1e-2;      // the printed worst relative error is over |grad| ≥ this
constexpr double kMaxSkipFraction = 0.05;  // kinks and routing flips crossed
constexpr int kEntriesPerTensor = 10;      // checked per tensor: the largest |grad| half, the rest spread evenly

// [SECTION] The case matrix

enum RouterCase {
  RouterCase_TopkSoftmaxRenormalised,
  RouterCase_TopkSoftmaxRaw,
  RouterCase_TopkSigmoid,
  RouterCase_NoisyTopk,
  RouterCase_CapacityPositionDrops,
  RouterCase_CapacityGateDrops,
  RouterCase_ExpertChoice,
  RouterCase_Dense,
  RouterCase_Top1SwitchRawCapacity,  // k = 1, raw softmax gate, capacity 1.0 (Switch)
  RouterCase_Top1Sigmoid,  // k = 1 sigmoid: the gate is the constant 1, the router learns from the aux losses only
};
enum Depth { Depth_OneLayer, Depth_TwoLayersShared };

const char* router_case_name(RouterCase r) {
  switch (r) {
    case RouterCase_TopkSoftmaxRenormalised: return "TopkSoftmaxRenormalised";
    case RouterCase_TopkSoftmaxRaw: return "TopkSoftmaxRaw";
    case RouterCase_TopkSigmoid: return "TopkSigmoid";
    case RouterCase_NoisyTopk: return "NoisyTopk";
    case RouterCase_CapacityPositionDrops: return "CapacityPositionDrops";
    case RouterCase_CapacityGateDrops: return "CapacityGateDrops";
    case RouterCase_ExpertChoice: return "ExpertChoice";
    case RouterCase_Dense: return "Dense";
    case RouterCase_Top1SwitchRawCapacity: return "Top1SwitchRawCapacity";
    case RouterCase_Top1Sigmoid: return "Top1Sigmoid";
  }
  return "?";
}
const char* activation_name(Activation a) {
  switch (a) {
    case Activation::relu: return "Relu";
    case Activation::gelu: return "Gelu";
    case Activation::silu: return "Silu";
  }
  return "?";
}
const char* task_name(Task t) {
  switch (t) {
    case Task::blobs: return "BlobsCrossEntropy";
    case Task::teacher: return "TeacherMse";
    case Task::chars: return "CharsCrossEntropyEmbeddings";
    case Task::lm: return "LmTransformerAttentionRmsNorm";
  }
  return "?";
}

struct GradCase {
  RouterCase router;
  Activation activation;
  Task task;
  Depth depth;
};

std::string case_name(const GradCase& c) {
  return std::string(router_case_name(c.router)) + activation_name(c.activation) + task_name(c.task) +
         (c.depth == Depth_OneLayer ? "OneLayer" : "TwoLayersSharedExpert");
}

Config make_config(const GradCase& gc) {
  Config c = default_config();
  c.seed = 11 + int(gc.router) * 7 + int(gc.activation) * 3 + int(gc.task);
  c.threads = 1;
  c.task = gc.task;
  c.batch_size = 24;
  c.d_model = 7;
  c.num_experts = 4;
  c.top_k = 2;
  c.expert_hidden = 10;
  c.n_layers = gc.depth == Depth_OneLayer ? 1 : 2;
  c.shared_experts = gc.depth == Depth_OneLayer ? 0 : 1;
  c.activation = gc.activation;
  c.alpha = 0.3;
  c.beta = 0.05;
  c.w_importance = 0.2;
  c.blob_clusters = 6;
  c.blob_classes = 3;
  c.teacher_inputs = 5;
  c.teacher_outputs = 3;
  c.teacher_experts = 3;
  c.teacher_hidden = 6;
  c.teacher_noise = 0.1;
  c.chars_window = 3;
  c.chars_embed = 4;
  c.text_length = 2000;
  if (gc.task == Task::lm) {  // T = 24 positions = 4 windows of 6; d = 8 over 2 heads
    c.d_model = 8;
    c.lm_context = 6;
    c.lm_heads = 2;
    c.lm_text = LmText::generated;
  }
  switch (gc.router) {
    case RouterCase_TopkSoftmaxRenormalised: c.renormalize = Renorm::on; break;
    case RouterCase_TopkSoftmaxRaw: c.renormalize = Renorm::off; break;
    case RouterCase_TopkSigmoid: c.score = Score::sigmoid; break;
    case RouterCase_NoisyTopk: c.noisy_gating = true; break;
    case RouterCase_CapacityPositionDrops:
      c.capacity_factor = 0.75;  // C = ceil(0.75·2·24/4) = 9 < the busiest expert's load: drops happen
      c.drop_policy = DropPolicy::position;
      break;
    case RouterCase_CapacityGateDrops:
      c.capacity_factor = 0.75;
      c.drop_policy = DropPolicy::gate;
      break;
    case RouterCase_ExpertChoice: c.router = RouterKind::expert_choice; break;
    case RouterCase_Dense: c.router = RouterKind::dense; break;
    case RouterCase_Top1SwitchRawCapacity:
      c.top_k = 1;  // renormalize auto: off at k = 1
      c.capacity_factor = 1.0;
      break;
    case RouterCase_Top1Sigmoid:
      c.top_k = 1;
      c.score = Score::sigmoid;
      break;
  }
  return c;
}

std::vector<GradCase> all_cases() {
  std::vector<GradCase> out;
  for (int r = RouterCase_TopkSoftmaxRenormalised; r <= RouterCase_Top1Sigmoid; ++r)
    for (Activation a : {Activation::relu, Activation::gelu, Activation::silu})
      for (Task t : {Task::blobs, Task::teacher, Task::chars, Task::lm})
        for (Depth d : {Depth_OneLayer, Depth_TwoLayersShared}) out.push_back({RouterCase(r), a, t, d});
  return out;
}

// [SECTION] The check

class Gradients : public testing::TestWithParam<GradCase> {};

TEST_P(Gradients, MatchFiniteDifferences) {
  const GradCase gc = GetParam();
  const Config cfg = make_config(gc);
  ASSERT_EQ(validate(cfg), "");
  std::string error;
  auto task = TaskData::create(cfg, &error);
  ASSERT_NE(task, nullptr) << error;
  Model<double> model(cfg, *task, cfg.batch_size);

  // A generic point: noise weights away from their zero initialisation, and a
  // small aux-free bias (it only moves selection, never a gate).
  Rng prng(uint64_t(cfg.seed), 77);
  for (const ParamSpec& p : model.layout().specs())
    if (p.name.find("noise_weight") != std::string::npos)
      for (size_t i = 0; i < p.size(); ++i) model.params().data[p.offset + i] = prng.uniform(-0.5, 0.5);
  if (cfg.router == RouterKind::topk)
    for (int l = 0; l < model.n_layers(); ++l)
      for (int e = 0; e < cfg.num_experts; ++e) model.bias(l)[e] = prng.uniform(-0.02, 0.02);

  Batch batch;
  Rng data(uint64_t(cfg.seed), RngStream_Data);
  task->sample(data, cfg.batch_size, batch);
  Rng noise_rng(uint64_t(cfg.seed), RngStream_Noise);
  model.draw_noise(noise_rng, cfg.batch_size);

  const Losses l0 = model.forward(batch, true);
  ASSERT_TRUE(std::isfinite(l0.total));
  // every weighted term is in play (dense and expert choice have no gradient through some of them)
  if (cfg.router != RouterKind::dense) {
    EXPECT_GT(l0.balance, 0);
    EXPECT_GT(l0.z, 0);
    EXPECT_GT(l0.importance, 0);
  }
  if (gc.router == RouterCase_CapacityPositionDrops || gc.router == RouterCase_CapacityGateDrops ||
      gc.router == RouterCase_Top1SwitchRawCapacity) {
    int dropped = 0;
    const RouterState<double>& rs = model.router(0);
    for (int e = 0; e < rs.E; ++e) dropped += rs.tokens[size_t(e)] - rs.kept[size_t(e)];
    EXPECT_GT(dropped, 0) << "the capacity case must actually drop assignments";
  }
  if (gc.router == RouterCase_NoisyTopk) {
    EXPECT_TRUE(model.router(0).noisy);
  }
  model.backward();
  const auto analytic = model.grads().data;  // a copy
  const double L0 = l0.total;

  auto& theta = model.params().data;
  auto loss_at = [&](size_t i, double value) {
    const double saved = theta[i];
    theta[i] = value;
    const double L = model.forward(batch, true).total;
    theta[i] = saved;
    return L;
  };

  const double noise = kNoiseUlps * (std::nextafter(std::abs(L0), INFINITY) - std::abs(L0)) / (2 * kStep);
  int checked = 0, skipped = 0;
  double worst_rel = 0, worst_abs = 0, worst_ratio = 0;
  std::string worst_where;
  for (const ParamSpec& p : model.layout().specs()) {
    // entries: the largest |analytic| half of the budget, then evenly spread ones (zeros included)
    std::vector<size_t> idx(p.size());
    std::iota(idx.begin(), idx.end(), size_t(0));
    std::vector<size_t> pick;
    if (p.size() <= size_t(kEntriesPerTensor)) {
      pick = idx;
    } else {
      std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        return std::abs(analytic[p.offset + a]) > std::abs(analytic[p.offset + b]);
      });
      pick.assign(idx.begin(), idx.begin() + kEntriesPerTensor / 2);
      const size_t stride = p.size() / size_t(kEntriesPerTensor - kEntriesPerTensor / 2);
      for (size_t j = 0; pick.size() < size_t(kEntriesPerTensor) && j < p.size(); j += stride)
        if (std::find(pick.begin(), pick.end(), j) == pick.end()) pick.push_back(j);
    }
    for (size_t j : pick) {
      const size_t i = p.offset + j;
      const double x = theta[i];
      const double Lp = loss_at(i, x + kStep), Lm = loss_at(i, x - kStep);
      const double num = (Lp - Lm) / (2 * kStep), ana = analytic[i];
      const double fwd = (Lp - L0) / kStep, bwd = (L0 - Lm) / kStep;
      const double scale = std::max(std::abs(num), std::abs(ana));
      const double abs_err = std::abs(num - ana), tol = kRelTol * scale + noise;
      ++checked;
      if (abs_err > tol && std::abs(fwd - bwd) > abs_err) {  // a kink or a routing flip within ±h
        ++skipped;
        continue;
      }
      EXPECT_LE(abs_err, tol) << p.name << "[" << j << "]: finite difference " << num << ", backward " << ana
                              << " (one-sided " << fwd << ", " << bwd << ")";
      worst_abs = std::max(worst_abs, abs_err);
      worst_ratio = std::max(worst_ratio, abs_err / tol);
      if (scale >= kReportFloor && abs_err / scale >= worst_rel) {
        worst_rel = abs_err / scale;
        worst_where = p.name + "[" + std::to_string(j) + "]";
      }
    }
  }
  // the forward is a pure function of θ: every probe restored its entry
  EXPECT_EQ(model.forward(batch, true).total, L0);
  EXPECT_LE(skipped, int(kMaxSkipFraction * checked))
      << skipped << " of " << checked << " entries crossed a kink or flip";
  std::printf(
      "[ grads    ] %-72s worst rel %.1e (|g|>=%g, at %s), worst abs %.1e, err/tol %.2f, %d entries, %d skipped\n",
      case_name(gc).c_str(), worst_rel, kReportFloor, worst_where.c_str(), worst_abs, worst_ratio, checked, skipped);
}

INSTANTIATE_TEST_SUITE_P(EveryRouterActivationTaskDepth, Gradients, testing::ValuesIn(all_cases()),
                         [](const testing::TestParamInfo<GradCase>& info) { return case_name(info.param); });

}  // namespace
}  // namespace moe

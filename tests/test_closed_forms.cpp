// test_closed_forms.cpp: the closed forms of docs/math.md, on Model<double>
// with router weights, inputs and the aux-free bias set by hand:
//   L_bal = 1 when P is uniform (any f, any k) and when f is uniform (any P);
//   L_z = (ln E)² at zero logits; MaxVio = E/k − 1, load entropy ln k / ln E
//   and load CV √(E/k − 1) at total collapse; normalised entropies 1 at uniform
//   and 0 at one-hot; dead experts after W steps of collapse; the capacity
//   C = ceil(c·k·T/E − 1e-9) in kept counts and drop rate, and which
//   assignments each drop policy keeps; expert choice gives every expert
//   exactly C tokens and L_bal = 1; sigmoid k = 1 gates are exactly 1; the
//   aux-free bias moves selection, never a gate, and follows its update rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "config.h"
#include "metrics.h"
#include "model.h"
#include "rng.h"
#include "tasks.h"
#include "trainer.h"

namespace moe {
namespace {

// [SECTION] A hand-set model: teacher task (real inputs), u = x (input weight = I)

struct Lab {
  Config cfg;
  std::unique_ptr<TaskData> task;
  std::unique_ptr<Model<double>> model;
  Batch batch;

  int param(const std::string& name) const {
    const int id = model->layout().find(name);
    EXPECT_GE(id, 0) << name;
    return id;
  }
  MatMap<double> mat(const std::string& name) { return model->params().mat(param(name)); }
  Losses forward() { return model->forward(batch, true); }
  LayerMetrics metrics(int layer = 0) {
    LayerMetrics m;
    MetricsScratch scratch;
    compute_layer_metrics(model->router(layer), model->bias(layer), batch.labels, task->n_labels(), scratch, m);
    return m;
  }
};

// d_model = teacher_inputs = d, so x = u exactly once input.weight = I and input.bias = 0.
Config lab_config(int E, int k, int T, int d = 8) {
  Config c = default_config();
  c.task = Task::teacher;
  c.threads = 1;
  c.num_experts = E;
  c.top_k = k;
  c.batch_size = T;
  c.d_model = d;
  c.teacher_inputs = d;
  c.teacher_outputs = 2;
  c.expert_hidden = 4;
  c.alpha = 0.01;
  return c;
}

// Builds the model; inputs ~ N(0,1) until a test sets them; router weights zero.
std::unique_ptr<Lab> make_lab(const Config& c) {
  auto lab = std::make_unique<Lab>();
  lab->cfg = c;
  std::string error;
  EXPECT_EQ(validate(c), "");
  lab->task = TaskData::create(c, &error);
  EXPECT_NE(lab->task, nullptr) << error;
  lab->model = std::make_unique<Model<double>>(c, *lab->task, c.batch_size);
  const int d = c.d_model;
  lab->mat("input.weight") = Mat<double>::Identity(d, d);
  lab->mat("input.bias").setZero();
  if (c.router != RouterKind::dense)
    for (int l = 0; l < c.n_layers; ++l) lab->mat("layers." + std::to_string(l) + ".router.weight").setZero();
  Batch& b = lab->batch;
  b.T = c.batch_size;
  b.inputs.resize(c.batch_size, d);
  Rng rng(uint64_t(c.seed), 99);
  for (Eigen::Index i = 0; i < b.inputs.size(); ++i) b.inputs.data()[i] = rng.normal();
  b.reg_targets = MatrixRd::Zero(c.batch_size, c.teacher_outputs);
  b.labels.assign(size_t(c.batch_size), 0);
  return lab;
}

// A [rows, cols] matrix of U(−scale, scale) from its own stream (Eigen's Random would depend on test order).
Mat<double> random_mat(int rows, int cols, double scale, uint64_t seed) {
  Rng rng(seed, 123);
  Mat<double> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-scale, scale);
  return m;
}

// Sends every token to experts 0..k-1 whatever the scores (s ∈ [0,1], so a bias of 100 dominates).
void collapse_onto_first_k(Model<double>& m, int k) {
  for (int l = 0; l < m.n_layers(); ++l)
    for (int e = 0; e < m.bias(l).size(); ++e) m.bias(l)[e] = e < k ? 100.0 - e : 0.0;
}

// [SECTION] Load balance

TEST(ClosedForms, BalanceLossIsOneWhenRouterProbabilitiesAreUniformForEveryK) {
  for (Score score : {Score::softmax, Score::sigmoid})
    for (int k : {1, 2, 4}) {
      SCOPED_TRACE("k=" + std::to_string(k) + (score == Score::sigmoid ? " sigmoid" : " softmax"));
      Config c = lab_config(8, k, 32);
      c.score = score;
      c.n_layers = 2;  // the average over layers reads 1 too
      auto lab = make_lab(c);
      const Losses L = lab->forward();  // zero router weights: every p_t is uniform, f is all on the lowest experts
      EXPECT_NEAR(L.balance, 1.0, 1e-12);
      for (int l = 0; l < 2; ++l) {
        const RouterState<double>& rs = lab->model->router(l);
        EXPECT_NEAR(rs.loss_balance, 1.0, 1e-12);
        for (int e = 0; e < 8; ++e) {
          EXPECT_NEAR(rs.P[e], 1.0 / 8, 1e-15);
          EXPECT_NEAR(rs.f[e], e < k ? 1.0 / k : 0.0, 1e-15) << "ties go to the lower expert index";
        }
      }
    }
}

TEST(ClosedForms, BalanceLossIsOneWhenLoadIsUniformWhateverTheProbabilities) {
  const int E = 8, T = 32;  // T a multiple of E: token t takes experts t, t+1, ..., t+k-1 (mod E)
  for (int k : {1, 2, 4}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    auto lab = make_lab(lab_config(E, k, T, E));
    lab->mat("layers.0.router.weight") = Mat<double>::Identity(E, E);  // z = x = u
    Rng rng(5, 1);
    for (int t = 0; t < T; ++t) {
      for (int e = 0; e < E; ++e) lab->batch.inputs(t, e) = rng.uniform(-1, 1);
      for (int j = 0; j < k; ++j)
        lab->batch.inputs(t, (t + j) % E) = 2.0 + (k - j) + rng.uniform(0, 0.5) + 0.1 * (t % 5);
    }
    const Losses L = lab->forward();
    const RouterState<double>& rs = lab->model->router(0);
    for (int e = 0; e < E; ++e) {
      EXPECT_EQ(rs.tokens[size_t(e)], k * T / E);
      EXPECT_DOUBLE_EQ(rs.f[e], 1.0 / E);
    }
    EXPECT_GT(rs.P.maxCoeff() - rs.P.minCoeff(), 0.01) << "P must be far from uniform for this to prove anything";
    EXPECT_NEAR(L.balance, 1.0, 1e-12);
  }
}

TEST(ClosedForms, BalanceLossAboveOneWhenLoadAndProbabilityAgreeOnFavourites) {
  // Cauchy-Schwarz direction: collapse (f on expert 0) with P favouring expert 0 gives L_bal = E·P_0 > 1.
  auto lab = make_lab(lab_config(4, 1, 16, 4));
  lab->mat("layers.0.router.weight") = Mat<double>::Identity(4, 4);
  for (int t = 0; t < 16; ++t) lab->batch.inputs.row(t) << 3.0, 0.0, 0.0, 0.0;
  const Losses L = lab->forward();
  const double p0 = std::exp(3.0) / (std::exp(3.0) + 3.0);
  EXPECT_NEAR(L.balance, 4 * p0, 1e-12);
}

// [SECTION] z-loss

TEST(ClosedForms, ZLossAtZeroLogitsIsLogESquared) {
  for (int E : {2, 4, 8, 16}) {
    auto lab = make_lab(lab_config(E, 1, 16));
    const Losses L = lab->forward();
    EXPECT_DOUBLE_EQ(L.z, std::log(double(E)) * std::log(double(E))) << "E=" << E;
  }
}

TEST(ClosedForms, ZLossOfShiftedLogitsIsShiftPlusLogESquared) {
  // z_t = c·1 for every expert: lse = c + ln E.
  const int E = 4;
  auto lab = make_lab(lab_config(E, 1, 16, 4));
  lab->mat("layers.0.router.weight").setConstant(0.5);  // z_{t,e} = 0.5 Σ_j u_{t,j}
  const Losses L = lab->forward();
  double expect = 0;
  for (int t = 0; t < 16; ++t) {
    const double lse = 0.5 * lab->batch.inputs.row(t).sum() + std::log(4.0);
    expect += lse * lse / 16;
  }
  EXPECT_NEAR(L.z, expect, 1e-12);
}

// [SECTION] Collapse metrics

TEST(ClosedForms, TotalCollapseGivesMaxVioEOverKMinusOneAndMatchingLoadEntropyAndCv) {
  const int E = 8;
  for (int k : {1, 2, 4}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    auto lab = make_lab(lab_config(E, k, 32));
    lab->mat("layers.0.router.weight") = random_mat(8, E, 1, 1);  // scores vary; the bias still wins
    collapse_onto_first_k(*lab->model, k);
    lab->forward();
    const LayerMetrics m = lab->metrics();
    EXPECT_DOUBLE_EQ(m.max_vio, double(E) / k - 1);
    EXPECT_NEAR(m.load_entropy, std::log(double(k)) / std::log(double(E)), 1e-12);
    EXPECT_NEAR(m.load_cv, std::sqrt(double(E) / k - 1), 1e-12);
    for (int e = 0; e < E; ++e) EXPECT_EQ(m.tokens[size_t(e)], e < k ? 32 : 0);
  }
}

TEST(ClosedForms, PerfectlyBalancedLoadGivesMaxVioZeroAndLoadEntropyOne) {
  const int E = 8, T = 32;
  auto lab = make_lab(lab_config(E, 2, T, E));
  lab->mat("layers.0.router.weight") = Mat<double>::Identity(E, E);
  for (int t = 0; t < T; ++t) {
    lab->batch.inputs.row(t).setZero();
    lab->batch.inputs(t, t % E) = 3;
    lab->batch.inputs(t, (t + 1) % E) = 2;
  }
  lab->forward();
  const LayerMetrics m = lab->metrics();
  EXPECT_DOUBLE_EQ(m.max_vio, 0.0);
  EXPECT_NEAR(m.load_entropy, 1.0, 1e-12);
  EXPECT_NEAR(m.load_cv, 0.0, 1e-12);
}

// [SECTION] Entropies

TEST(ClosedForms, NormalisedEntropyIsOneAtUniformAndZeroAtOneHot) {
  for (int n : {2, 3, 8, 256}) {
    std::vector<double> uniform(size_t(n), 1.0 / n), one_hot(size_t(n), 0.0), scaled(size_t(n), 7.0);
    one_hot[size_t(n / 2)] = 1.0;
    EXPECT_NEAR(normalised_entropy(uniform.data(), n), 1.0, 1e-12) << n;
    EXPECT_NEAR(normalised_entropy(scaled.data(), n), 1.0, 1e-12) << "unnormalised counts work too";
    EXPECT_EQ(normalised_entropy(one_hot.data(), n), 0.0) << n;
  }
  const double single = 1.0;
  EXPECT_EQ(normalised_entropy(&single, 1), 1.0) << "a single bin reads 1";
  const double two[] = {0.25, 0.75};  // H = −(¼ ln ¼ + ¾ ln ¾), over ln 2
  EXPECT_NEAR(normalised_entropy(two, 2), -(0.25 * std::log(0.25) + 0.75 * std::log(0.75)) / std::log(2.0), 1e-15);
}

TEST(ClosedForms, RouterEntropyIsOneWithZeroRouterWeightsAndZeroWithOneHotGates) {
  for (Score score : {Score::softmax, Score::sigmoid}) {
    Config c = lab_config(8, 2, 32, 8);
    c.score = score;
    auto lab = make_lab(c);
    lab->forward();
    LayerMetrics m = lab->metrics();
    EXPECT_NEAR(m.router_entropy, 1.0, 1e-12);
    EXPECT_NEAR(m.top1_gate_mean, 1.0 / 8, 1e-15);
    EXPECT_NEAR(m.top1_hist[1], 1.0, 1e-12) << "max p = 0.125 falls in bin [0.1, 0.2)";

    // logits 1e4 apart: every p_t is one-hot to the last bit of its largest entry (softmax; sigmoid saturates likewise)
    lab->mat("layers.0.router.weight") = 1e4 * Mat<double>::Identity(8, 8);
    for (int t = 0; t < 32; ++t) {
      lab->batch.inputs.row(t).setZero();
      lab->batch.inputs(t, t % 8) = 1;
      if (score == Score::sigmoid) lab->batch.inputs.row(t).array() -= 0.5;  // z = ±5e3: σ is exactly 0 or 1
    }
    lab->forward();
    m = lab->metrics();
    // Eigen's vectorised exp clamps its argument near −708, so the "zero" probabilities are ~1e-308, not 0
    EXPECT_LT(m.router_entropy, 1e-300);
    EXPECT_EQ(m.top1_gate_mean, 1.0);
    EXPECT_EQ(m.top1_hist[9], 1.0);
  }
}

// [SECTION] Dead experts

TEST(ClosedForms, DeadExpertsCountFromTheWthStepOfCollapse) {
  const int W = 5, E = 8, k = 2;
  Config c = lab_config(E, k, 64);
  c.task = Task::blobs;
  c.dead_window = W;
  c.aux_free_gamma = 0;  // the bias stays where the test puts it
  std::string error;
  auto tr = Trainer::create(c, &error);
  ASSERT_NE(tr, nullptr) << error;
  for (int e = 0; e < E; ++e) tr->model().bias(0)[e] = e < k ? 100.0f : 0.0f;
  for (int s = 0; s < 2 * W; ++s) {
    const StepMetrics& m = tr->step();
    ASSERT_TRUE(m.finite);
    // after the step with index s the idle experts have had no token for s + 1 steps
    EXPECT_EQ(m.layers[0].dead_experts, s + 1 >= W ? E - k : 0) << "step " << s;
  }
  // lift the collapse: an expert is alive again the step it takes a token
  tr->model().bias(0).setZero();
  const StepMetrics& m = tr->step();
  int idle = 0;
  for (int e = k; e < E; ++e) idle += tr->model().router(0).tokens[size_t(e)] == 0 ? 1 : 0;
  EXPECT_EQ(m.layers[0].dead_experts, idle);
  EXPECT_LT(idle, E - k);
}

// [SECTION] Capacity

TEST(ClosedForms, CapacityIsCeilOfCKTOverEWithTheEpsilonAndShowsInKeptAndDropRate) {
  struct Case {
    double c;
    int k, T, E, C;
  };
  // 1.1·2·50/10 = 11.000000000000002 in double: the −1e-9 keeps C at 11, a naive ceil would give 12.
  // 1.25·2·32/8 = 10 exactly; 0.3·1·20/4 = 1.5 → 2.
  for (const Case& cs : {Case{1.1, 2, 50, 10, 11}, Case{1.25, 2, 32, 8, 10}, Case{0.3, 1, 20, 4, 2}}) {
    for (DropPolicy policy : {DropPolicy::position, DropPolicy::gate}) {
      SCOPED_TRACE("c=" + std::to_string(cs.c) + " k=" + std::to_string(cs.k) + " T=" + std::to_string(cs.T) +
                   " E=" + std::to_string(cs.E) + (policy == DropPolicy::gate ? " gate" : " position"));
      Config c = lab_config(cs.E, cs.k, cs.T);
      c.capacity_factor = cs.c;
      c.drop_policy = policy;
      auto lab = make_lab(c);
      lab->mat("layers.0.router.weight") = random_mat(8, cs.E, 1, 2);
      collapse_onto_first_k(*lab->model, cs.k);
      lab->forward();
      const RouterState<double>& rs = lab->model->router(0);
      EXPECT_EQ(rs.capacity, cs.C);
      const LayerMetrics m = lab->metrics();
      for (int e = 0; e < cs.E; ++e) {
        EXPECT_EQ(m.tokens[size_t(e)], e < cs.k ? cs.T : 0) << "counted before drops";
        EXPECT_EQ(m.kept[size_t(e)], e < cs.k ? cs.C : 0);
        EXPECT_DOUBLE_EQ(m.load[size_t(e)], e < cs.k ? 1.0 / cs.k : 0.0) << "f is taken before drops";
      }
      EXPECT_NEAR(m.drop_rate, 1.0 - double(cs.C) / cs.T, 1e-12);
      int dropped = 0;
      for (int t = 0; t < cs.T; ++t)
        for (int j = 0; j < cs.k; ++j) dropped += rs.slot_dropped[size_t(rs.slot(t, j))];
      EXPECT_EQ(dropped, cs.k * (cs.T - cs.C));
    }
  }
}

TEST(ClosedForms, PositionPolicyKeepsTheEarliestTokensAndGatePolicyTheLargestGates) {
  const int E = 4, T = 24, C = 6;  // k = 1, c = 1: C = 24/4 = 6
  for (DropPolicy policy : {DropPolicy::position, DropPolicy::gate}) {
    Config c = lab_config(E, 1, T);
    c.capacity_factor = 1.0;
    c.drop_policy = policy;
    auto lab = make_lab(c);
    lab->mat("layers.0.router.weight") = random_mat(8, E, 1, 3);
    collapse_onto_first_k(*lab->model, 1);  // all 24 tokens on expert 0, gate s_{t,0} (raw softmax at k = 1)
    lab->forward();
    const RouterState<double>& rs = lab->model->router(0);
    ASSERT_EQ(rs.capacity, C);
    std::vector<int> order(T);
    std::iota(order.begin(), order.end(), 0);
    if (policy == DropPolicy::gate)
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return rs.s(a, 0) > rs.s(b, 0); });
    std::vector<uint8_t> expect_kept(T, 0);
    for (int i = 0; i < C; ++i) expect_kept[size_t(order[size_t(i)])] = 1;
    for (int t = 0; t < T; ++t) {
      EXPECT_EQ(rs.slot_expert[size_t(rs.slot(t, 0))], 0);
      EXPECT_DOUBLE_EQ(rs.slot_gate(t, 0), rs.s(t, 0)) << "a dropped slot keeps its gate value";
      EXPECT_EQ(rs.slot_dropped[size_t(rs.slot(t, 0))], expect_kept[size_t(t)] ? 0 : 1)
          << "token " << t << (policy == DropPolicy::gate ? " (gate policy)" : " (position policy)");
    }
    // a dropped token rides the residual: with no shared experts its layer output is its input
    for (int t = 0; t < T; ++t) {
      if (!expect_kept[size_t(t)]) {
        EXPECT_TRUE(lab->model->layer_input(1).row(t) == lab->model->layer_input(0).row(t)) << "token " << t;
      }
    }
  }
}

// [SECTION] Expert choice

TEST(ClosedForms, ExpertChoiceGivesEveryExpertExactlyCTokensAndBalanceLossOne) {
  struct Case {
    int E, T, k;
    double c;
    int C;
  };
  // C = min(T, ceil(c·T/E − 1e-9)), c = capacity_factor or top_k when that is 0
  for (const Case& cs :
       {Case{4, 32, 2, 0.0, 16}, Case{5, 50, 2, 1.1, 11}, Case{8, 20, 1, 0.0, 3}, Case{4, 8, 1, 64.0, 8}}) {
    SCOPED_TRACE("E=" + std::to_string(cs.E) + " T=" + std::to_string(cs.T) + " c=" + std::to_string(cs.c));
    Config c = lab_config(cs.E, cs.k, cs.T);
    c.router = RouterKind::expert_choice;
    c.capacity_factor = cs.c;
    auto lab = make_lab(c);
    lab->mat("layers.0.router.weight") = random_mat(8, cs.E, 2, 4);
    const Losses L = lab->forward();
    const RouterState<double>& rs = lab->model->router(0);
    EXPECT_EQ(rs.capacity, cs.C);
    int none = 0;
    for (int t = 0; t < cs.T; ++t) {
      int got = 0;
      for (int e = 0; e < cs.E; ++e) got += rs.slot_expert[size_t(rs.slot(t, e))] >= 0 ? 1 : 0;
      none += got == 0 ? 1 : 0;
    }
    EXPECT_EQ(rs.unrouted, none);
    for (int e = 0; e < cs.E; ++e) {
      EXPECT_EQ(rs.tokens[size_t(e)], cs.C);
      EXPECT_EQ(rs.kept[size_t(e)], cs.C);
      int chosen = 0;
      double lowest_chosen = 2, highest_left = -1;
      for (int t = 0; t < cs.T; ++t) {
        if (rs.slot_expert[size_t(rs.slot(t, e))] == e) {
          ++chosen;
          lowest_chosen = std::min(lowest_chosen, rs.s(t, e));
          EXPECT_EQ(rs.slot_gate(t, e), rs.s(t, e));
        } else {
          highest_left = std::max(highest_left, rs.s(t, e));
        }
      }
      EXPECT_EQ(chosen, cs.C);
      EXPECT_GE(lowest_chosen, highest_left) << "expert " << e << " took its top-C tokens by score";
    }
    EXPECT_NEAR(L.balance, 1.0, 1e-12);
    const LayerMetrics m = lab->metrics();
    EXPECT_DOUBLE_EQ(m.max_vio, 0.0);
    EXPECT_DOUBLE_EQ(m.drop_rate, 0.0);
    EXPECT_NEAR(m.unrouted, double(none) / cs.T, 1e-15);
  }
}

// [SECTION] Gates

TEST(ClosedForms, SigmoidTopOneGatesAreExactlyOne) {
  Config c = lab_config(8, 1, 32);
  c.score = Score::sigmoid;
  auto lab = make_lab(c);
  lab->mat("layers.0.router.weight") = random_mat(8, 8, 3, 5);
  lab->forward();
  const RouterState<double>& rs = lab->model->router(0);
  for (int t = 0; t < 32; ++t) EXPECT_EQ(rs.slot_gate(t, 0), 1.0) << "token " << t;
}

TEST(ClosedForms, RenormalisedGatesSumToOneAndRawGatesEqualScores) {
  for (Renorm r : {Renorm::auto_, Renorm::off}) {
    Config c = lab_config(8, 3, 32);
    c.renormalize = r;
    auto lab = make_lab(c);
    lab->mat("layers.0.router.weight") = random_mat(8, 8, 2, 6);
    lab->forward();
    const RouterState<double>& rs = lab->model->router(0);
    for (int t = 0; t < 32; ++t) {
      double sum = 0, ssum = 0;
      for (int j = 0; j < 3; ++j) {
        sum += rs.slot_gate(t, j);
        ssum += rs.s(t, rs.slot_expert[size_t(rs.slot(t, j))]);
        if (j > 0) {
          EXPECT_GE(rs.s(t, rs.slot_expert[size_t(rs.slot(t, j - 1))]), rs.s(t, rs.slot_expert[size_t(rs.slot(t, j))]));
        }
      }
      if (r == Renorm::auto_) {
        EXPECT_NEAR(sum, 1.0, 1e-15);  // auto renormalises at k >= 2
      } else {
        EXPECT_DOUBLE_EQ(sum, ssum);
      }
    }
  }
}

TEST(ClosedForms, AuxFreeBiasChangesSelectionButNeverAGateValue) {
  Config c = lab_config(8, 2, 32);
  auto lab = make_lab(c);
  lab->mat("layers.0.router.weight") = random_mat(8, 8, 2, 7);
  // pull experts 6 and 7 into every K_t, whatever their scores
  for (int e = 0; e < 8; ++e) lab->model->bias(0)[e] = e >= 6 ? 10.0 + e : 0.0;
  lab->forward();
  const RouterState<double>& rs = lab->model->router(0);
  for (int t = 0; t < 32; ++t) {
    EXPECT_EQ(rs.slot_expert[size_t(rs.slot(t, 0))], 7) << "K_t in descending s + b";
    EXPECT_EQ(rs.slot_expert[size_t(rs.slot(t, 1))], 6);
    const double s6 = rs.s(t, 6), s7 = rs.s(t, 7);
    EXPECT_NEAR(rs.slot_gate(t, 0), s7 / (s6 + s7), 1e-15);
    EXPECT_NEAR(rs.slot_gate(t, 1), s6 / (s6 + s7), 1e-15);
  }
}

TEST(ClosedForms, AuxFreeBiasUpdateMovesEachBiasByGammaTowardsTheMeanLoad) {
  Config c = lab_config(4, 1, 16);
  c.aux_free_gamma = 1e-3;
  auto lab = make_lab(c);
  for (int e = 0; e < 4; ++e) lab->model->bias(0)[e] = e == 0 ? 1.0 : 0.0;  // all 16 tokens on expert 0
  lab->forward();
  lab->model->update_aux_free_bias();
  // mean n = 4: expert 0 (n = 16) goes down by γ, the idle ones (n = 0) go up by γ
  EXPECT_DOUBLE_EQ(lab->model->bias(0)[0], 1.0 - 1e-3);
  for (int e = 1; e < 4; ++e) EXPECT_DOUBLE_EQ(lab->model->bias(0)[e], 1e-3);
}

}  // namespace
}  // namespace moe

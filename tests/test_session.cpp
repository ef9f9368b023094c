// test_session.cpp: the training thread behind the window (app/session/session.*); no GL needed,
// so it also runs under ASan/UBSan and ThreadSanitizer (.ci/test).
// Proves: the window trains the same numbers as a headless Trainer (same config,
// same seed, bit for bit); a live change becomes an event at the next step and
// the run goes on; a structural change restarts and says what changed; an invalid
// change is refused naming the setting and nothing changes; a diverging run
// pauses itself, says what diverged when, keeps NaN out of the history, and a
// reset with a smaller learning rate trains on; scheduled @STEP changes apply; the
// history has one series per metric-table row (per layer, bin and expert as scoped).
#include <gtest/gtest.h>

#include <cmath>

#include "config_io.h"
#include "session.h"
#include "session_test_support.h"
#include "trainer.h"

namespace moe {
namespace {

using test::wait_for;

Config small_config() {
  Config cfg;
  EXPECT_EQ(load_preset("balanced", cfg), "");
  cfg.batch_size = 64;
  cfg.d_model = 16;
  cfg.expert_hidden = 16;
  cfg.num_experts = 8;
  cfg.top_k = 2;
  cfg.threads = 1;
  return cfg;
}

TEST(Session, TrainsBitForBitTheSameNumbersAsAHeadlessTrainer) {
  const Config cfg = small_config();
  Session s(cfg, "balanced");
  s.run_to(75);
  const auto snap = wait_for(s, 75);
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  ASSERT_TRUE(tr) << err;
  for (int i = 0; i < 75; ++i) tr->step();
  const StepMetrics& a = snap->last;
  const StepMetrics& b = tr->last();
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.losses.total, b.losses.total);
  EXPECT_EQ(a.losses.task, b.losses.task);
  EXPECT_EQ(a.losses.balance, b.losses.balance);
  EXPECT_EQ(a.grad_norm, b.grad_norm);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  EXPECT_EQ(a.layers[0].load, b.layers[0].load);
  EXPECT_EQ(a.layers[0].importance, b.layers[0].importance);
  EXPECT_EQ(a.layers[0].router_entropy, b.layers[0].router_entropy);
  // The history holds one row per step, the last equal to the metrics (stored as float).
  std::vector<HistorySample> pts;
  snap->history->fetch(snap->ids.of(metric_index("loss_total")), 74, 74, 2, pts);
  ASSERT_FALSE(pts.empty());
  EXPECT_FLOAT_EQ(float(pts.back().mean), float(b.losses.total));
  EXPECT_EQ(snap->history->steps(), 75);
}

TEST(Session, LiveChangeIsAnEventAtTheNextStepAndTheRunGoesOn) {
  Config cfg = small_config();
  Session s(cfg);
  s.run_to(20);
  wait_for(s, 20);
  cfg.top_k = 1;
  cfg.alpha = 0.1;
  ASSERT_EQ(s.apply(cfg), "");
  s.run_to(40);
  const auto snap = wait_for(s, 40);
  EXPECT_EQ(snap->steps_done, 40);
  EXPECT_EQ(snap->cfg.top_k, 1);
  ASSERT_EQ(snap->events.size(), 2u);
  EXPECT_EQ(snap->events[0].step, 20);
  EXPECT_EQ(snap->events[0].label(), "k 2\u21921");  // the short name a lecturer writes
  EXPECT_EQ(snap->events[1].key, "alpha");
  // k = 1 from step 20 on: every token takes one expert, so token counts sum to T.
  double tokens = 0;
  for (double t : snap->last.layers[0].tokens) tokens += t;
  EXPECT_EQ(tokens, double(cfg.batch_size));
}

TEST(Session, StructuralChangeRestartsAndSaysWhatChanged) {
  Config cfg = small_config();
  Session s(cfg);
  s.run_to(10);
  wait_for(s, 10);
  cfg.num_experts = 16;
  ASSERT_EQ(s.apply(cfg), "");
  const auto snap = wait_for(s, 0);
  EXPECT_EQ(snap->steps_done, 0);
  EXPECT_EQ(snap->cfg.num_experts, 16);
  EXPECT_NE(snap->notice.find("restarted: num_experts 8\u219216"), std::string::npos) << snap->notice;
  EXPECT_EQ(snap->ids.of(0, metric_index("load")) + 16, snap->ids.of(0, metric_index("tokens")))
      << "history sized for 16 experts";
  EXPECT_EQ(snap->history->series_name(snap->ids.of(0, metric_index("load")) + 15), "L0/load[15]");
}

TEST(Session, HistoryHasASeriesForEveryRowOfTheMetricTableAndRecordsRoutingChurn) {
  Config cfg = small_config();
  cfg.n_layers = 2;
  Session s(cfg);
  s.run_to(12);
  const auto snap = wait_for(s, 12);
  const int E = cfg.routed_experts();
  for (int i = 0; i < kMetricCount; ++i) {
    const MetricDef& d = kMetricTable[i];
    if (d.scope == MetricScope::run) {
      EXPECT_EQ(snap->history->series_name(snap->ids.of(i)), d.key);
      EXPECT_EQ(snap->ids.of(0, i), -1) << d.key << " is not a layer metric";
      continue;
    }
    for (int l = 0; l < 2; ++l) {
      const std::string prefix = "L" + std::to_string(l) + "/" + d.key;
      const SeriesId id = snap->ids.of(l, i);
      if (d.scope == MetricScope::layer) {
        EXPECT_EQ(snap->history->series_name(id), prefix);
      } else {
        const int last = metric_width(d, E) - 1;
        EXPECT_EQ(snap->history->series_name(id + last), prefix + "[" + std::to_string(last) + "]");
      }
    }
  }
  // Routing churn reaches the history like every row: its last value is the last step's.
  const SeriesId churn = snap->ids.of(1, metric_index("routing_churn"));
  EXPECT_FLOAT_EQ(snap->history->latest(churn), float(snap->last.layers[1].routing_churn));
  EXPECT_EQ(snap->history->steps(), 12);
}

TEST(Session, InvalidChangeIsRefusedNamingTheSettingAndNothingChanges) {
  Config cfg = small_config();
  Session s(cfg);
  s.run_to(5);
  wait_for(s, 5);
  Config bad = cfg;
  bad.top_k = 9;  // > E = 8
  const std::string err = s.apply(bad);
  EXPECT_NE(err.find("top_k"), std::string::npos) << err;
  const auto snap = wait_for(s, 5);
  EXPECT_EQ(snap->cfg.top_k, 2);
  EXPECT_EQ(snap->steps_done, 5);
  EXPECT_EQ(s.schedule({{10, "num_experts", "4"}}).find("needs a new run") != std::string::npos, true);
}

TEST(Session, DivergingRunPausesSaysWhatAndWhenAndResetsWithASmallerLearningRate) {
  Config cfg = small_config();
  cfg.optimizer = Optimizer::sgd;
  cfg.lr = 10;
  cfg.grad_clip = 0;
  Session s(cfg);
  s.run_to(300);
  const auto snap = wait_for(s, 300);
  ASSERT_TRUE(snap->diverged) << "lr 10 with SGD should diverge within 300 steps";
  EXPECT_FALSE(snap->running);
  EXPECT_NE(snap->diverged_what.find(" at step "), std::string::npos) << snap->diverged_what;
  EXPECT_NE(snap->notice.find("diverged"), std::string::npos);
  // Only finite steps reach the history: no series holds a NaN.
  for (SeriesId id = 0; id < snap->history->series_count(); ++id) {
    if (id == snap->ids.of(metric_index("accuracy"))) continue;  // NaN by design for a regression task
    EXPECT_EQ(snap->history->nonfinite_count(id), 0) << snap->history->series_name(id);
  }
  EXPECT_EQ(snap->history->steps(), snap->steps_done);
  s.reset_with_lr(1e-3);  // restarts and plays on; stop it at a step it cannot have reached yet
  s.run_to(600);
  const auto after = wait_for(s, 600);
  EXPECT_FALSE(after->diverged);
  EXPECT_EQ(after->cfg.lr, 1e-3);
  EXPECT_NE(after->notice.find("restarted with lr"), std::string::npos) << after->notice;
}

TEST(Session, ScheduledChangesApplyAtTheirStepAndSurviveAReset) {
  Config cfg = small_config();
  Session s(cfg);
  ASSERT_EQ(s.schedule({{15, "top_k", "1"}}), "");
  s.run_to(25);
  auto snap = wait_for(s, 25);
  ASSERT_EQ(snap->events.size(), 1u);
  EXPECT_EQ(snap->events[0].step, 15);
  EXPECT_EQ(snap->cfg.top_k, 1);
  s.reset();
  s.run_to(25);
  snap = wait_for(s, 25);
  ASSERT_EQ(snap->events.size(), 1u);
  EXPECT_EQ(snap->events[0].step, 15);
}

}  // namespace
}  // namespace moe

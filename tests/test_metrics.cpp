// test_metrics.cpp: the metric table (core/metrics.h) and the writers that iterate it
// (app/results_io.h).
// Proves: every table row is a column of the per-step CSV header exactly once (per bin
// and per expert for those scopes) and nothing else is; every row is a field of the
// step JSON (losses nested, counts as integers, NaN as null); the sweep's final
// columns are exactly the rows marked final, unrouted and top1_gate_mean included, and
// the row's values line up with them. Routing churn: 0 at step 0 and whenever the
// parameters do not change (lr = 0), exactly 1 when every probe token's top-1 flips,
// and above 0 while a router learns. Steady-state steps (churn included) allocate nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "config_io.h"
#include "results_io.h"
#include "trainer.h"

namespace moe {
namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& line, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, sep)) out.push_back(cell);
  if (!line.empty() && line.back() == sep) out.push_back("");
  return out;
}

Config small_config() {
  Config cfg;
  EXPECT_EQ(load_preset("balanced", cfg), "");
  cfg.batch_size = 64;
  cfg.probe_size = 32;
  cfg.d_model = 8;
  cfg.expert_hidden = 8;
  cfg.num_experts = 6;
  cfg.top_k = 2;
  cfg.n_layers = 2;
  cfg.threads = 1;
  return cfg;
}

TEST(MetricTable, CsvHeaderHasEveryRowExactlyOnceAndNothingElse) {
  const Config cfg = small_config();
  const int E = cfg.routed_experts();
  std::string header = metrics_csv_header(cfg);
  ASSERT_EQ(header.back(), '\n');
  header.pop_back();
  std::map<std::string, int> count;
  for (const std::string& c : split(header)) ++count[c];
  size_t expected_columns = 3;  // step, layer, event
  for (const char* fixed : {"step", "layer", "event"}) EXPECT_EQ(count[fixed], 1) << fixed;
  for (const MetricDef& d : kMetricTable) {
    const int width = metric_width(d, E);
    if (d.scope == MetricScope::run || d.scope == MetricScope::layer) {
      EXPECT_EQ(count[d.key], 1) << d.key;
      ++expected_columns;
    } else {
      EXPECT_EQ(width, d.scope == MetricScope::expert ? E : kTop1Bins) << d.key;
      for (int i = 0; i < width; ++i)
        EXPECT_EQ(count[std::string(d.key) + "_" + std::to_string(i)], 1) << d.key << "_" << i;
      EXPECT_EQ(count.count(std::string(d.key) + "_" + std::to_string(width)), 0u) << d.key << ": one column too many";
      expected_columns += size_t(width);
    }
  }
  EXPECT_EQ(count.size(), expected_columns) << "a column the table does not name: " << header;
}

TEST(MetricTable, KeysAreUniqueAndEveryRowHasItsAccessorAndHelp) {
  for (int i = 0; i < kMetricCount; ++i) {
    const MetricDef& d = kMetricTable[i];
    EXPECT_EQ(find_metric(d.key), &d) << d.key;
    EXPECT_GT(std::string(d.help).size(), 20u) << d.key << ": the help text says what it is and where it comes from";
    EXPECT_FALSE(std::string(d.label).empty()) << d.key;
    EXPECT_EQ(d.json[0], '/') << d.key << ": a JSON pointer";
    EXPECT_EQ(d.run != nullptr, d.scope == MetricScope::run) << d.key;
    EXPECT_EQ(d.layer != nullptr, d.scope == MetricScope::layer) << d.key;
    EXPECT_EQ(d.values != nullptr, d.scope == MetricScope::layer_bins || d.scope == MetricScope::expert) << d.key;
  }
  EXPECT_EQ(find_metric("no_such_metric"), nullptr);
  static_assert(metric_index("loss_total") == 0);
}

TEST(MetricTable, CsvRowsAndStepJsonCarryTheTrainersValues) {
  const Config cfg = small_config();
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  ASSERT_TRUE(tr) << err;
  for (int s = 0; s < 3; ++s) ASSERT_TRUE(tr->step().finite);
  const StepMetrics& m = tr->last();
  std::string csv = metrics_csv_header(cfg);
  size_t written = 0;
  append_metrics_csv(m, tr->events(), &written, csv);
  std::stringstream lines(csv);
  std::string header_line, row_line;
  std::getline(lines, header_line);
  const std::vector<std::string> header = split(header_line);
  for (size_t l = 0; l < m.layers.size(); ++l) {
    ASSERT_TRUE(std::getline(lines, row_line));
    const std::vector<std::string> row = split(row_line);
    ASSERT_EQ(row.size(), header.size());
    std::map<std::string, std::string> cell;
    for (size_t c = 0; c < header.size(); ++c) cell[header[c]] = row[c];
    EXPECT_EQ(cell["step"], "2");
    EXPECT_EQ(cell["layer"], std::to_string(l));
    EXPECT_EQ(cell["loss_task"], fmt(m.losses.task));
    EXPECT_EQ(cell["grad_norm"], fmt(m.grad_norm));
    EXPECT_EQ(cell["load_entropy"], fmt(m.layers[l].load_entropy));
    EXPECT_EQ(cell["dead_experts"], std::to_string(m.layers[l].dead_experts));
    EXPECT_EQ(cell["top1_hist_9"], fmt(m.layers[l].top1_hist[9]));
    EXPECT_EQ(cell["bias_5"], fmt(m.layers[l].bias[5]));
  }

  const json j = step_json(m);
  EXPECT_EQ(j["step"], 2);
  EXPECT_DOUBLE_EQ(j["losses"]["task"].get<double>(), m.losses.task);
  EXPECT_DOUBLE_EQ(j["losses"]["total"].get<double>(), m.losses.total);
  EXPECT_DOUBLE_EQ(j["lr"].get<double>(), m.lr);
  ASSERT_EQ(j["layers"].size(), m.layers.size());
  for (const MetricDef& d : kMetricTable) {
    if (d.scope == MetricScope::run) {
      EXPECT_TRUE(j.contains(json::json_pointer(d.json))) << d.key;
      continue;
    }
    const json& layer = j["layers"][1];
    ASSERT_TRUE(layer.contains(json::json_pointer(d.json))) << d.key;
    if (d.scope != MetricScope::layer) {
      EXPECT_EQ(layer.at(json::json_pointer(d.json)).size(), d.values(m.layers[1]).size()) << d.key;
    }
  }
  EXPECT_TRUE(j["layers"][0]["dead_experts"].is_number_integer()) << "a count is written as an integer";
  EXPECT_DOUBLE_EQ(j["layers"][1]["specialisation"].get<double>(), m.layers[1].specialisation);
}

TEST(MetricTable, SweepFinalColumnsAreTheFinalRowsWithLayerMeans) {
  const std::vector<std::string> header = split(final_metrics_header().substr(1));
  ASSERT_FALSE(header.empty());
  EXPECT_EQ(header[0], "steps");
  std::vector<std::string> finals;
  for (const MetricDef& d : kMetricTable)
    if (d.flags & MetricFlags_Final) finals.push_back(d.key);
  EXPECT_EQ(std::vector<std::string>(header.begin() + 1, header.end()), finals);
  for (const char* was_dropped : {"unrouted", "top1_gate_mean"}) {
    EXPECT_NE(std::find(header.begin(), header.end(), was_dropped), header.end()) << was_dropped;
  }

  const Config cfg = small_config();
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  ASSERT_TRUE(tr) << err;
  std::string empty_row;
  append_final_metrics(tr.get(), empty_row);  // no step yet: every value NaN
  for (const std::string& v : split(empty_row.substr(1))) EXPECT_EQ(v, "nan");
  for (int s = 0; s < 4; ++s) ASSERT_TRUE(tr->step().finite);
  std::string row;
  append_final_metrics(tr.get(), row);
  const std::vector<std::string> values = split(row.substr(1));
  ASSERT_EQ(values.size(), header.size());
  std::map<std::string, std::string> cell;
  for (size_t c = 0; c < header.size(); ++c) cell[header[c]] = values[c];
  const StepMetrics& m = tr->last();
  EXPECT_EQ(cell["steps"], "4");
  EXPECT_EQ(cell["loss_task"], fmt(m.losses.task));
  EXPECT_EQ(cell["load_entropy"], fmt(m.layers[0].load_entropy / 2 + m.layers[1].load_entropy / 2));
  EXPECT_EQ(cell["top1_gate_mean"], fmt(m.layers[0].top1_gate_mean / 2 + m.layers[1].top1_gate_mean / 2));
}

// [SECTION] Routing churn

TEST(RoutingChurn, ZeroAtStepZeroAndWhileParametersDoNotChangeAboveZeroWhileTheRouterLearns) {
  Config cfg = small_config();
  cfg.lr = 0;  // Adam moves nothing; no aux-free bias either, so every probe token keeps its expert
  cfg.aux_free_gamma = 0;
  std::string err;
  auto frozen = Trainer::create(cfg, &err);
  ASSERT_TRUE(frozen) << err;
  for (int s = 0; s < 15; ++s) {
    const StepMetrics& m = frozen->step();
    ASSERT_TRUE(m.finite);
    for (size_t l = 0; l < m.layers.size(); ++l)
      EXPECT_EQ(m.layers[l].routing_churn, 0.0) << "step " << s << " layer " << l;
  }
  cfg.lr = 3e-2;
  auto learning = Trainer::create(cfg, &err);
  ASSERT_TRUE(learning) << err;
  EXPECT_EQ(learning->step().layers[0].routing_churn, 0.0) << "nothing to compare with at step 0";
  double most = 0;
  for (int s = 1; s < 15; ++s) {
    const StepMetrics& m = learning->step();
    for (const LayerMetrics& lm : m.layers) {
      EXPECT_GE(lm.routing_churn, 0.0);
      EXPECT_LE(lm.routing_churn, 1.0);
      most = std::max(most, lm.routing_churn);
    }
  }
  EXPECT_GT(most, 0.0) << "a router trained at lr 3e-2 moves some probe token to another expert";
}

TEST(RoutingChurn, OneWhenTheRouterIsNegatedSoEveryTop1Flips) {
  Config cfg = small_config();
  cfg.num_experts = 2;  // with two experts, negating the logits swaps every token's top-1
  cfg.top_k = 1;
  cfg.n_layers = 1;
  cfg.lr = 0;
  cfg.aux_free_gamma = 0;
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  ASSERT_TRUE(tr) << err;
  ASSERT_TRUE(tr->step().finite);
  const int w = tr->model().layout().find("layers.0.router.weight");
  ASSERT_GE(w, 0);
  tr->model().params().mat(w) *= -1.0f;
  const StepMetrics& flipped = tr->step();
  EXPECT_EQ(flipped.layers[0].routing_churn, 1.0);
  const StepMetrics& still = tr->step();
  EXPECT_EQ(still.layers[0].routing_churn, 0.0) << "the flipped router stays flipped";
}

TEST(RoutingChurn, SteadyStateStepsAllocateNothing) {
  if (!heap_counter_available())
    GTEST_SKIP() << "heap allocations are not counted in sanitizer builds (ASan and TSan interpose malloc themselves)";
  Config cfg = small_config();  // two layers: the churn probe runs layer 0's experts too
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  ASSERT_TRUE(tr) << err;
  for (int s = 0; s < 20; ++s) tr->step();  // warm-up: buffers reach their steady size
  const uint64_t before = heap_allocations();
  for (int s = 0; s < 50; ++s) ASSERT_TRUE(tr->step().finite);
  EXPECT_EQ(heap_allocations() - before, 0u) << "allocations in 50 steady-state steps";
}

}  // namespace
}  // namespace moe

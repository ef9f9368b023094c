// test_setting_rules.cpp: what the property table says about each setting
// beyond its own range: when the run reads it (Property::relevance and the task
// flags), a bound taken from another setting (Property::at_most) and how the GUI
// draws it (Property::widget).
// Proves: the rules read as documented (momentum only under SGD, k <= E, ...);
// validate() enforces every at_most bound, and only where the setting is read;
// and each rule agrees with the simulator: under every config of a set that
// covers the router kinds, optimisers, scores, capacity and tasks, changing a
// setting the table calls irrelevant leaves two training steps bit-identical,
// while changing one it calls relevant changes them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config.h"
#include "trainer.h"

namespace moe {
namespace {

const Property& prop(const char* name) {
  const Property* p = find_property(name);
  EXPECT_NE(p, nullptr) << name;
  return *p;
}

// [SECTION] The rules as written

TEST(SettingRules, MomentumIsReadOnlyUnderSgdAndWeightDecayOnlyUnderAdamW) {
  Config c = default_config();
  ASSERT_EQ(c.optimizer, Optimizer::adam);
  EXPECT_EQ(prop("momentum").irrelevance(c), "only for optimizer = sgd");
  EXPECT_EQ(prop("weight_decay").irrelevance(c), "only for optimizer = adamw");
  c.optimizer = Optimizer::sgd;
  EXPECT_TRUE(prop("momentum").relevant(c));
  EXPECT_FALSE(prop("weight_decay").relevant(c));
  c.optimizer = Optimizer::adamw;
  EXPECT_FALSE(prop("momentum").relevant(c));
  EXPECT_TRUE(prop("weight_decay").relevant(c));
}

TEST(SettingRules, DropPolicyNeedsTopKAndACapacity) {
  Config c = default_config();
  ASSERT_EQ(c.capacity_factor, 0.0);
  EXPECT_EQ(prop("drop_policy").irrelevance(c),
            "only for router = topk with capacity_factor > 0 (nothing is dropped otherwise)");
  c.capacity_factor = 1.25;
  EXPECT_TRUE(prop("drop_policy").relevant(c));
  c.router = RouterKind::expert_choice;
  EXPECT_FALSE(prop("drop_policy").relevant(c));
}

TEST(SettingRules, TheDenseBaselineReadsNoRouterSetting) {
  Config c = default_config();
  c.router = RouterKind::dense;
  for (const char* name : {"num_experts", "top_k", "score", "renormalize", "noisy_gating", "capacity_factor",
                           "drop_policy", "alpha", "beta", "w_importance", "aux_free_gamma", "router_lr_scale"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(prop(name).relevant(c));
  }
  EXPECT_EQ(prop("alpha").irrelevance(c), "not for router = dense (one FFN, no router)");
  for (const char* name : {"router", "lr", "expert_hidden", "shared_experts", "seed"})
    EXPECT_TRUE(prop(name).relevant(c)) << name;
}

TEST(SettingRules, SigmoidScoresMakeRenormalizeIrrelevantAndExpertChoiceMakesScoreIrrelevant) {
  Config c = default_config();
  EXPECT_TRUE(prop("renormalize").relevant(c));
  c.score = Score::sigmoid;
  EXPECT_FALSE(prop("renormalize").relevant(c));
  EXPECT_TRUE(prop("score").relevant(c));
  c.score = Score::softmax;
  c.router = RouterKind::expert_choice;
  EXPECT_FALSE(prop("score").relevant(c));
  EXPECT_FALSE(prop("aux_free_gamma").relevant(c));
  EXPECT_TRUE(prop("top_k").relevant(c)) << "expert choice's capacity is k when capacity_factor = 0";
}

TEST(SettingRules, TaskSettingsAreReadOnlyForTheirTask) {
  Config c = default_config();
  ASSERT_EQ(c.task, Task::blobs);
  EXPECT_TRUE(prop("blob_spread").relevant(c));
  EXPECT_EQ(prop("teacher_noise").irrelevance(c), "only for task = teacher");
  EXPECT_EQ(prop("chars_window").irrelevance(c), "only for task = chars");
  c.task = Task::chars;
  EXPECT_EQ(prop("blob_spread").irrelevance(c), "only for task = blobs");
  EXPECT_TRUE(prop("text_length").relevant(c));
  c.text_file = "/some/file.txt";
  EXPECT_EQ(prop("text_length").irrelevance(c),
            "only for the generated text (text_file = \"\", and lm_text = generated for lm)");
  c.task = Task::lm;
  c.text_file.clear();
  EXPECT_FALSE(prop("text_length").relevant(c)) << "lm reads the fortunes by default";
  c.lm_text = LmText::generated;
  EXPECT_TRUE(prop("text_length").relevant(c));
  EXPECT_EQ(prop("chars_window").irrelevance(c), "only for task = chars");
  EXPECT_EQ(prop("lm_heads").irrelevance(default_config()), "only for task = lm");
}

TEST(SettingRules, TopKUpperBoundFollowsNumExperts) {
  const Property& k = prop("top_k");
  Config c = default_config();
  EXPECT_STREQ(k.at_most, "num_experts");
  c.num_experts = 8;
  EXPECT_EQ(k.upper_bound(c), 8);
  c.num_experts = 3;
  EXPECT_EQ(k.upper_bound(c), 3);
  c.num_experts = kMaxRoutedExperts;
  EXPECT_EQ(k.upper_bound(c), 256) << "the table's own max when E is larger";
  EXPECT_EQ(prop("d_model").upper_bound(c), 1024) << "no at_most: the table's max";
}

TEST(SettingRules, ValidateEnforcesEveryAtMostBoundWhereTheSettingIsRead) {
  Config c = default_config();
  c.num_experts = 4;
  c.top_k = 5;
  EXPECT_EQ(validate(c), "setting 'top_k': 5 is more than num_experts = 4; allowed: an integer in [1, num_experts]");
  c.router = RouterKind::dense;
  EXPECT_EQ(validate(c), "") << "the dense baseline reads neither k nor E";
  c = default_config();
  c.blob_clusters = 3;
  c.blob_classes = 4;
  EXPECT_EQ(validate(c),
            "setting 'blob_classes': 4 is more than blob_clusters = 3; allowed: an integer in [2, blob_clusters]");
  c.task = Task::teacher;
  EXPECT_EQ(validate(c), "") << "blob settings are not read by the teacher task";
}

TEST(SettingRules, EveryRuleIsWellFormed) {
  int with_rule = 0;
  for (const Property& p : properties()) {
    SCOPED_TRACE(p.name);
    if (p.relevance.holds) {
      ++with_rule;
      EXPECT_GT(std::string(p.relevance.when).size(), 10u) << "a rule says in words when it holds";
    }
    if (p.at_most) {
      ASSERT_EQ(p.type, PropType::Int);
      const Property* other = find_property(p.at_most);
      ASSERT_NE(other, nullptr) << p.at_most;
      EXPECT_EQ(other->type, PropType::Int);
      EXPECT_LE(p.min, other->max);
    }
    switch (p.type) {
      case PropType::Bool: EXPECT_EQ(p.widget, Widget::Checkbox); break;
      case PropType::Choice: EXPECT_EQ(p.widget, Widget::Combo); break;
      case PropType::String: EXPECT_EQ(p.widget, Widget::TextField); break;
      case PropType::Int:
        EXPECT_TRUE(p.widget == Widget::IntSlider || p.widget == Widget::IntLogSlider || p.widget == Widget::IntField);
        break;
      case PropType::Float:
        EXPECT_TRUE(p.widget == Widget::Slider || p.widget == Widget::LogSlider || p.widget == Widget::LogSliderZero);
        if (p.widget == Widget::LogSliderZero) {
          EXPECT_GT(p.log_min, 0.0);
          EXPECT_LT(p.log_min, p.max);
        }
        break;
    }
  }
  EXPECT_EQ(with_rule, 16);
}

TEST(SettingRules, WidgetHintsMatchTheControlsThatWereDrawnByName) {
  EXPECT_EQ(prop("seed").widget, Widget::IntField);
  EXPECT_EQ(prop("lr").widget, Widget::LogSliderZero);
  EXPECT_EQ(prop("lr").log_min, 1e-5);
  EXPECT_EQ(prop("aux_free_gamma").widget, Widget::LogSliderZero);
  EXPECT_EQ(prop("aux_free_gamma").log_min, 1e-6);
  EXPECT_EQ(prop("steps").widget, Widget::IntLogSlider);         // 1..1e8
  EXPECT_EQ(prop("top_k").widget, Widget::IntSlider);            // 1..E
  EXPECT_EQ(prop("capacity_factor").widget, Widget::LogSlider);  // 0..64
  EXPECT_EQ(prop("blob_spread").widget, Widget::LogSlider);      // 0.01..2: wider than 100x
  EXPECT_TRUE(prop("threads").advanced());
  EXPECT_TRUE(prop("probe_size").advanced());
  EXPECT_FALSE(prop("top_k").advanced());
  EXPECT_TRUE(prop("seed").flags & PropFlags_Seed);
  EXPECT_TRUE(prop("renormalize").flags & PropFlags_ChoiceOrBool);
}

// [SECTION] The rules agree with the simulator

// Every number two training steps produce, as exact text (%a), plus the probe and the sparsity figures.
std::string run_fingerprint(const Config& cfg, std::string* error) {
  auto tr = Trainer::create(cfg, error);
  if (!tr) return "";
  std::string out;
  char buf[64];
  auto put = [&](double v) {
    std::snprintf(buf, sizeof buf, "%a,", v);
    out += buf;
  };
  for (int s = 0; s < 2; ++s) {
    const StepMetrics& m = tr->step();
    for (double v : {m.losses.task, m.losses.balance, m.losses.z, m.losses.importance, m.losses.total,
                     m.losses.accuracy, m.grad_norm, m.lr})
      put(v);
    for (const LayerMetrics& lm : m.layers) {
      for (double v : {lm.router_entropy, lm.load_entropy, lm.load_cv, lm.max_vio, double(lm.dead_experts),
                       lm.drop_rate, lm.unrouted, lm.top1_gate_mean, lm.specialisation, lm.label_purity})
        put(v);
      for (const std::vector<double>* vec : {&lm.load, &lm.tokens, &lm.kept, &lm.importance, &lm.bias})
        for (double v : *vec) put(v);
    }
  }
  const SparsityFigures sp = tr->model().sparsity();
  for (double v : {sp.total_params, sp.active_params, sp.flops_per_token, sp.dense_equal_flops}) put(v);
  ProbeResult probe;
  tr->probe(0, probe);
  put(double(probe.tokens));
  for (float g : probe.gates) put(double(g));
  return out;
}

// Other valid values of p to try: neighbours of an integer, half and double of a number
// (0.05 and 0.5 from 0), every other choice, the other boolean, a text file or "".
std::vector<PropValue> alternatives(const Property& p, const Config& c, const std::string& text_file) {
  std::vector<PropValue> out;
  const PropValue v = p.get(c);
  switch (p.type) {
    case PropType::Bool: out.push_back(!std::get<bool>(v)); break;
    case PropType::Int: {
      const int64_t i = std::get<int64_t>(v);
      if (double(i - 1) >= p.min) out.push_back(i - 1);
      if (double(i + 1) <= p.max) out.push_back(i + 1);
      break;
    }
    case PropType::Float: {
      const double x = std::get<double>(v);
      for (double y : {x == 0 ? 0.05 : x * 0.5, x == 0 ? 0.5 : x * 2})
        if (y >= p.min && y <= p.max && y != x) out.push_back(y);
      break;
    }
    case PropType::Choice:
      for (const std::string& ch : p.choices)
        if (ch != std::get<std::string>(v)) out.push_back(ch);
      break;
    case PropType::String: out.push_back(std::get<std::string>(v).empty() ? text_file : std::string()); break;
  }
  return out;
}

// Configs that switch every rule both ways: router kinds, optimisers, scores, capacity, tasks, a text file.
std::vector<std::pair<std::string, Config>> rule_configs(const std::string& text_file) {
  Config base = default_config();
  base.threads = 1;
  base.batch_size = 16;  // small, so ~1,000 two-step runs stay quick under the sanitizers
  base.probe_size = 16;
  base.d_model = 8;
  base.expert_hidden = 16;
  base.text_length = 5000;
  std::vector<std::pair<std::string, Config>> out{{"default", base}};
  auto add = [&](const char* name, auto change) {
    Config c = base;
    change(c);
    out.emplace_back(name, c);
  };
  add("expert_choice", [](Config& c) { c.router = RouterKind::expert_choice; });
  add("expert_choice c=2", [](Config& c) { c.router = RouterKind::expert_choice, c.capacity_factor = 2; });
  add("dense", [](Config& c) { c.router = RouterKind::dense; });
  add("sgd", [](Config& c) { c.optimizer = Optimizer::sgd; });
  add("adamw", [](Config& c) { c.optimizer = Optimizer::adamw; });
  add("sigmoid", [](Config& c) { c.score = Score::sigmoid; });
  add("capacity 1", [](Config& c) { c.capacity_factor = 1.0; });
  add("teacher", [](Config& c) { c.task = Task::teacher; });
  add("chars", [](Config& c) { c.task = Task::chars; });
  add("chars from a file", [&](Config& c) { c.task = Task::chars, c.text_file = text_file; });
  return out;
}

// Settings that are read in every mode but cannot move two steps' numbers:
// the run length, the thread count (by design), the dead-expert window (needs W steps).
bool needs_more_than_two_steps(const Property& p) {
  const std::string n = p.name;
  return n == "steps" || n == "threads" || n == "dead_window";
}

TEST(SettingRules, IrrelevantSettingsLeaveTheRunBitIdenticalAndRelevantOnesChangeIt) {
  const std::string text_file = (std::filesystem::path(::testing::TempDir()) / "moescope_rules.txt").string();
  {
    std::ofstream f(text_file);
    for (int i = 0; i < 200; ++i) f << "the router sends each token to the experts it scores highest. ";
  }
  int irrelevant_checked = 0, relevant_checked = 0;
  for (const auto& [config_name, base] : rule_configs(text_file)) {
    SCOPED_TRACE(config_name);
    std::string err;
    const std::string ref = run_fingerprint(base, &err);
    ASSERT_EQ(err, "");
    for (const Property& p : properties()) {
      SCOPED_TRACE(p.name);
      const bool relevant = p.relevant(base);
      if (relevant && needs_more_than_two_steps(p)) continue;
      bool any_change = false;
      for (const PropValue& alt : alternatives(p, base, text_file)) {
        Config c = base;
        ASSERT_EQ(p.set(c, alt), "");
        if (!validate(c).empty()) continue;  // e.g. k above E, sigmoid with expert choice
        const std::string got = run_fingerprint(c, &err);
        ASSERT_EQ(err, "") << format_value(alt);
        if (!relevant) {
          EXPECT_EQ(got, ref) << p.name << " = " << format_value(alt) << " changed the run, yet the table says "
                              << p.irrelevance(base);
        }
        any_change |= got != ref;
      }
      if (relevant) {
        EXPECT_TRUE(any_change) << p.name << " is relevant under " << config_name
                                << " but no other value changed the run";
        ++relevant_checked;
      } else {
        ++irrelevant_checked;
      }
    }
  }
  EXPECT_GT(irrelevant_checked, 100);
  EXPECT_GT(relevant_checked, 250);
}

}  // namespace
}  // namespace moe

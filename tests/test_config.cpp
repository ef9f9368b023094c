// test_config.cpp: the property table and its JSON side.
// Proves: every default passes its own set(); default_config() validates;
// range and type errors name the field and what is allowed; short names
// resolve; cross-field checks (k <= E, expert choice with sigmoid, the 2 GiB
// memory limit) refuse with a message naming the settings; apply_json refuses
// unknown keys, wrong types and out-of-range values; parse_json_text reports
// malformed JSON with line and column; config_to_json → apply_json
// round-trips every property exactly, also through JSON text.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>
#include <string>

#include "config.h"
#include "config_io.h"
#include "test_support.h"

namespace moe {
namespace {

using nlohmann::json;

using test::contains;

// [SECTION] The table

TEST(Config, EveryDefaultPassesItsOwnSetAndIsReadBack) {
  std::set<std::string> names;
  for (const Property& p : properties()) {
    SCOPED_TRACE(p.name);
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate property name";
    EXPECT_NE(std::string(p.help), "");
    EXPECT_NE(std::string(p.group), "");
    Config c = default_config();
    EXPECT_EQ(p.set(c, p.default_value), "");
    EXPECT_EQ(p.get(c), p.default_value);
    EXPECT_EQ(p.set_from_text(c, format_value(p.default_value)), "") << "the default's text form reads back";
    EXPECT_EQ(p.get(c), p.default_value);
    if (p.type == PropType::Int || p.type == PropType::Float) {
      const double v = p.type == PropType::Int ? double(std::get<int64_t>(p.default_value))
                                               : std::get<double>(p.default_value);
      EXPECT_GE(v, p.min);
      EXPECT_LE(v, p.max);
    }
    if (p.type == PropType::Choice) {
      bool listed = false;
      for (const std::string& ch : p.choices) listed |= ch == std::get<std::string>(p.default_value);
      EXPECT_TRUE(listed);
    }
  }
}

TEST(Config, DefaultConfigValidates) { EXPECT_EQ(validate(default_config()), ""); }

TEST(Config, SettingsTheSpecNamesAreAllInTheTable) {
  for (const char* name : {"task",
                           "seed",
                           "d_model",
                           "batch_size",
                           "num_experts",
                           "top_k",
                           "expert_hidden",
                           "n_layers",
                           "shared_experts",
                           "activation",
                           "router",
                           "score",
                           "renormalize",
                           "noisy_gating",
                           "capacity_factor",
                           "drop_policy",
                           "alpha",
                           "beta",
                           "w_importance",
                           "aux_free_gamma",
                           "optimizer",
                           "lr",
                           "momentum",
                           "weight_decay",
                           "grad_clip",
                           "router_lr_scale",
                           "dead_window",
                           "steps"})
    EXPECT_NE(find_property(name), nullptr) << name;
}

TEST(Config, SetFromTextOutOfRangeNamesTheFieldAndTheAllowedRange) {
  Config c = default_config();
  const Property* k = find_property("top_k");
  ASSERT_NE(k, nullptr);
  std::string err = k->set_from_text(c, "0");
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "[1, 256]");
  EXPECT_EQ(c.top_k, 2) << "a refused value changes nothing";

  err = find_property("alpha")->set_from_text(c, "11");
  EXPECT_CONTAINS(err, "alpha");
  EXPECT_CONTAINS(err, "[0, 10]");
  EXPECT_DOUBLE_EQ(c.alpha, 0.01);

  err = find_property("lr")->set_from_text(c, "-1e-3");
  EXPECT_CONTAINS(err, "lr");
  EXPECT_CONTAINS(err, "[0, 10]");

  err = find_property("batch_size")->set_from_text(c, "65537");
  EXPECT_CONTAINS(err, "batch_size");
  EXPECT_CONTAINS(err, "65536");

  err = find_property("top_k")->set_from_text(c, "two");
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "integer");
  err = find_property("top_k")->set_from_text(c, "2.5");
  EXPECT_CONTAINS(err, "top_k");

  err = find_property("score")->set_from_text(c, "relu");
  EXPECT_CONTAINS(err, "score");
  EXPECT_CONTAINS(err, "softmax, sigmoid");

  err = find_property("noisy_gating")->set_from_text(c, "maybe");
  EXPECT_CONTAINS(err, "noisy_gating");
  EXPECT_CONTAINS(err, "true or false");

  err = find_property("alpha")->set_from_text(c, "nan");
  EXPECT_CONTAINS(err, "alpha");
  err = find_property("alpha")->set_from_text(c, "");
  EXPECT_CONTAINS(err, "alpha");
}

TEST(Config, SetFromTextAcceptsEveryTextForm) {
  Config c = default_config();
  EXPECT_EQ(find_property("steps")->set_from_text(c, "1e3"), "");
  EXPECT_EQ(c.steps, 1000);
  EXPECT_EQ(find_property("noisy_gating")->set_from_text(c, "on"), "");
  EXPECT_TRUE(c.noisy_gating);
  EXPECT_EQ(find_property("renormalize")->set_from_text(c, "false"), "");
  EXPECT_EQ(c.renormalize, Renorm::off);
  EXPECT_EQ(find_property("alpha")->set_from_text(c, "1e-4"), "");
  EXPECT_DOUBLE_EQ(c.alpha, 1e-4);
}

TEST(Config, UnknownKeyIsNullptrAndShortNamesResolve) {
  EXPECT_EQ(find_property("no_such_setting"), nullptr);
  EXPECT_EQ(find_property(""), nullptr);
  EXPECT_EQ(find_property("TOP_K"), nullptr) << "names are case-sensitive";
  ASSERT_NE(find_property("k"), nullptr);
  EXPECT_STREQ(find_property("k")->name, "top_k");
  ASSERT_NE(find_property("E"), nullptr);
  EXPECT_STREQ(find_property("E")->name, "num_experts");
  ASSERT_NE(find_property("gamma"), nullptr);
  EXPECT_STREQ(find_property("gamma")->name, "aux_free_gamma");
  EXPECT_STREQ(short_name("top_k"), "k");
  EXPECT_STREQ(short_name("num_experts"), "E");
}

// [SECTION] Cross-field checks

TEST(Config, TopKAboveNumExpertsIsRefusedNamingTopK) {
  Config c = default_config();
  c.num_experts = 4;
  c.top_k = 5;
  const std::string err = validate(c);
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "num_experts");
  c.top_k = 4;
  EXPECT_EQ(validate(c), "") << "k = E is allowed";
  c.top_k = 5;
  c.router = RouterKind::dense;
  EXPECT_EQ(validate(c), "") << "the dense baseline ignores k";
}

TEST(Config, ExpertChoiceWithSigmoidIsRefused) {
  Config c = default_config();
  c.router = RouterKind::expert_choice;
  c.score = Score::sigmoid;
  const std::string err = validate(c);
  EXPECT_CONTAINS(err, "score");
  EXPECT_CONTAINS(err, "expert_choice");
  c.score = Score::softmax;
  EXPECT_EQ(validate(c), "");
}

TEST(Config, RunNeedingMoreThanTwoGibIsRefusedNamingTheSettings) {
  Config c = default_config();
  c.batch_size = 65536;
  c.num_experts = 256;
  c.expert_hidden = 4096;
  EXPECT_GT(estimate_bytes(c), kMaxRunBytes);
  const std::string err = validate(c);
  EXPECT_CONTAINS(err, "batch_size");
  EXPECT_CONTAINS(err, "num_experts");
  EXPECT_CONTAINS(err, "expert_hidden");
  EXPECT_CONTAINS(err, "GiB");
  EXPECT_LT(estimate_bytes(default_config()), kMaxRunBytes / 100) << "the default run is small";
}

TEST(Config, StructuralAndLiveChangesAreTold) {
  Config a = default_config(), b = a;
  b.top_k = 1;
  b.alpha = 0.1;
  EXPECT_FALSE(structural_change(a, b)) << "k and alpha are live";
  EXPECT_EQ(changed_settings(a, b), (std::vector<std::string>{"top_k", "alpha"}));
  b.num_experts = 4;
  EXPECT_TRUE(structural_change(a, b));
}

// [SECTION] JSON

TEST(ConfigJson, ApplyJsonRejectsUnknownKeyNamingIt) {
  Config c = default_config();
  const std::string err = apply_json(json{{"top_k", 1}, {"topk", 2}}, "test.json", c);
  EXPECT_CONTAINS(err, "test.json");
  EXPECT_CONTAINS(err, "topk");
  EXPECT_CONTAINS(err, "unknown");
}

TEST(ConfigJson, ApplyJsonRejectsWrongTypes) {
  Config c = default_config();
  std::string err = apply_json(json{{"top_k", "2"}}, "f", c);  // a string for an integer
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "integer");
  err = apply_json(json{{"score", 1}}, "f", c);  // a number for a choice
  EXPECT_CONTAINS(err, "score");
  EXPECT_CONTAINS(err, "softmax, sigmoid");
  err = apply_json(json{{"noisy_gating", 1}}, "f", c);  // a number for a boolean
  EXPECT_CONTAINS(err, "noisy_gating");
  err = apply_json(json{{"top_k", 1.5}}, "f", c);  // a fraction for an integer
  EXPECT_CONTAINS(err, "top_k");
  err = apply_json(json{{"alpha", json::array({1})}}, "f", c);  // an array
  EXPECT_CONTAINS(err, "alpha");
  err = apply_json(json{{"alpha", nullptr}}, "f", c);
  EXPECT_CONTAINS(err, "alpha");
  err = apply_json(json::array({1, 2}), "f", c);  // not an object at all
  EXPECT_CONTAINS(err, "object");
  EXPECT_EQ(c.top_k, 2);
  EXPECT_EQ(c.score, Score::softmax);
}

TEST(ConfigJson, ApplyJsonRejectsOutOfRangeNamingFieldAndRange) {
  Config c = default_config();
  const std::string err = apply_json(json{{"num_experts", 1000}}, "f", c);
  EXPECT_CONTAINS(err, "num_experts");
  EXPECT_CONTAINS(err, "[1, 256]");
  EXPECT_EQ(apply_json(json{{"top_k", 2.0}, {"alpha", 0}}, "f", c), "") << "2.0 is an integer; 0 is a number";
  EXPECT_EQ(c.top_k, 2);
  EXPECT_EQ(apply_json(json{{"renormalize", false}}, "f", c), "") << "renormalize takes a boolean too";
  EXPECT_EQ(c.renormalize, Renorm::off);
}

TEST(ConfigJson, HugeNumberForAnIntegerSettingIsOutOfRangeNotWrappedAround) {
  Config c = default_config();
  std::string err = apply_json(json::parse("{\"top_k\": 1e300}"), "f", c);
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "[1, 256]");
  EXPECT_FALSE(contains(err, "-9223372036854775808")) << err;
  err = apply_json(json::parse("{\"top_k\": 18446744073709551615}"), "f", c);
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_FALSE(contains(err, "-1 is out of range")) << "an unsigned 2^64-1 must not read as -1: " << err;
  EXPECT_EQ(c.top_k, 2);
}

TEST(ConfigJson, MalformedJsonIsReportedWithLineAndColumn) {
  json out;
  const std::string err = parse_json_text("{\n  \"top_k\": 2,\n  \"alpha\": ,\n}", "bad.json", out);
  EXPECT_CONTAINS(err, "bad.json");
  EXPECT_CONTAINS(err, "malformed JSON");
  EXPECT_CONTAINS(err, "line 3");
  EXPECT_CONTAINS(err, "column 12");
  EXPECT_EQ(parse_json_text("{\"top_k\": 2}", "good.json", out), "");
  EXPECT_EQ(out["top_k"], 2);
}

// A config with every property away from its default: the next choice, the top of the range
// (or a value inside it), the other boolean, a text.
Config everything_changed() {
  Config c = default_config();
  for (const Property& p : properties()) {
    PropValue v;
    switch (p.type) {
      case PropType::Bool: v = !std::get<bool>(p.default_value); break;
      case PropType::Int: {
        const int64_t d = std::get<int64_t>(p.default_value);
        v = int64_t(d < int64_t(p.max) ? d + 1 : d - 1);
        break;
      }
      case PropType::Float: {
        const double d = std::get<double>(p.default_value);
        v = d + (p.max - d) / 3.0;  // not a short decimal: the round trip must keep every bit
        break;
      }
      case PropType::Choice: {
        const std::string& d = std::get<std::string>(p.default_value);
        size_t i = 0;
        while (p.choices[i] != d) ++i;
        v = p.choices[(i + 1) % p.choices.size()];
        break;
      }
      case PropType::String: v = std::string("/some/where/ü.txt"); break;
    }
    EXPECT_EQ(p.set(c, v), "") << p.name;
  }
  return c;
}

TEST(ConfigJson, ConfigToJsonThenApplyJsonRoundTripsEveryPropertyExactly) {
  const Config src = everything_changed();
  const json j = config_to_json(src);
  EXPECT_EQ(j.size(), properties().size());
  for (const json& doc : {j, json::parse(j.dump()), json::parse(j.dump(2))}) {
    Config back = default_config();
    ASSERT_EQ(apply_json(doc, "round trip", back), "");
    for (const Property& p : properties()) {
      EXPECT_EQ(p.get(back), p.get(src)) << p.name << ": " << format_value(p.get(back)) << " vs "
                                         << format_value(p.get(src));
      EXPECT_NE(p.get(back), p.default_value) << p.name << " was not exercised";
    }
    EXPECT_TRUE(changed_settings(back, src).empty());
  }
}

TEST(ConfigJson, PresetsApplyTheirConfigObjectOntoTheDefaultsAndValidate) {
  const std::vector<Preset> presets = list_presets();
  ASSERT_FALSE(presets.empty());
  for (const Preset& preset : presets) {
    SCOPED_TRACE(preset.name);
    Config c;
    Preset loaded;
    ASSERT_EQ(load_preset(preset.name, c, &loaded), "");
    EXPECT_EQ(validate(c), "");
    EXPECT_NE(loaded.title, "");
    for (auto it = preset.settings.begin(); it != preset.settings.end(); ++it) {
      const Property* p = find_property(it.key());
      ASSERT_NE(p, nullptr) << it.key();
      Config expect = default_config();
      ASSERT_EQ(apply_json(json{{it.key(), it.value()}}, "one key", expect), "");
      EXPECT_EQ(p->get(c), p->get(expect)) << it.key();
    }
  }
  Config c;
  const std::string err = load_preset("no-such-preset", c);
  EXPECT_CONTAINS(err, "no-such-preset");
  EXPECT_CONTAINS(err, "balanced");
  EXPECT_CONTAINS(err, "switch-top1");
}

TEST(ConfigJson, ApplySetNamesTheKey) {
  Config c = default_config();
  EXPECT_EQ(apply_set("k=1", c), "");
  EXPECT_EQ(c.top_k, 1);
  EXPECT_CONTAINS(apply_set("nonsense=1", c), "nonsense");
  EXPECT_CONTAINS(apply_set("top_k", c), "key=value");
  EXPECT_CONTAINS(apply_set("=3", c), "key=value");
}

// A preset's optional "compare" list: strings as `run --compare` takes, each checked against the
// preset's config when it is loaded; a wrong shape or setting is an error naming the entry.
TEST(ConfigJson, PresetCompareListIsReadAndCheckedNamingTheBadEntry) {
  Preset p;
  ASSERT_EQ(preset_from_text(R"({"title": "t", "description": "d", "config": {"top_k": 1},
                                 "compare": ["top_k=2", "alpha=0,top_k=2@50"]})",
                             "x.json", p),
            "");
  EXPECT_EQ(p.compare, (std::vector<std::string>{"top_k=2", "alpha=0,top_k=2@50"}));
  for (const char* bad : {R"("compare": "top_k=2")", R"("compare": [2])", R"("compare": [])", R"("compare": [""])"}) {
    const std::string err = preset_from_text(
        std::string(R"({"title": "t", "description": "d", "config": {}, )") + bad + "}", "x.json", p);
    EXPECT_NE(err.find("\"compare\": expected a list of runs"), std::string::npos) << bad << ": " << err;
  }

  // Settings are checked on load, against the preset's own config.
  const std::filesystem::path dir = test::make_temp_folder("moescope_preset_compare_");
  ASSERT_FALSE(dir.empty());
  std::filesystem::create_directories(dir / "presets");
  const std::pair<const char*, const char*> cases[] = {
      {R"(["top_k=2", "no_such=1"])", "\"compare\" entry 2 'no_such=1'"},
      {R"(["top_k=9"])", "top_k"},
      {R"(["alpha=-1"])", "alpha"},
      {R"(["alpha=0@x"])", "the step after @"},
      {R"(["top_k"])", "key=value"},
  };
  const char* before = std::getenv("MOESCOPE_ASSETS");
  const std::string saved = before ? before : "";
  setenv("MOESCOPE_ASSETS", dir.c_str(), 1);
  for (const auto& [list, what] : cases) {
    std::ofstream(dir / "presets" / "p.json")
        << R"({"title": "t", "description": "d", "config": {"num_experts": 8, "top_k": 1}, "compare": )" << list << "}";
    Config cfg;
    const std::string err = load_preset("p", cfg);
    EXPECT_NE(err.find("preset 'p'"), std::string::npos) << list << ": " << err;
    EXPECT_NE(err.find(what), std::string::npos) << list << ": " << err;
  }
  std::ofstream(dir / "presets" / "p.json")
      << R"({"title": "t", "description": "d", "config": {"top_k": 1}, "compare": ["top_k=2,alpha=0@5"]})";
  Config cfg;
  Preset loaded;
  EXPECT_EQ(load_preset("p", cfg, &loaded), "");
  EXPECT_EQ(loaded.compare.size(), 1u);
  if (before)
    setenv("MOESCOPE_ASSETS", saved.c_str(), 1);
  else
    unsetenv("MOESCOPE_ASSETS");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace moe

// test_cli.cpp: the real `moescope` binary (MOESCOPE_BINARY), run in a fresh
// temporary folder with stdin from /dev/null.
// Proves: bad input exits with status 2 and one message naming the problem;
// `run` writes a CSV with the named columns, one row per step and layer, and
// scheduled @STEP changes on the right row; runs are byte-identical for a seed
// (and for any thread count) and differ for another seed; sweeps are identical
// for any --jobs and shards partition them; a diverging run exits 1, says what
// diverged where and what to try, and keeps the steps before; the trace is
// moescope-trace/1 and its gradients equal a Model<double> computed here; no
// temporary file is ever left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "config_io.h"
#include "model.h"
#include "test_support.h"

namespace moe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::contains;
using test::lines;
using test::slurp;
using test::split;

using Result = test::RunResult;

// A parsed metrics CSV: header names and rows of cells.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int col(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : int(it - header.begin());
  }
};

Csv parse_csv(const std::string& text) {
  Csv csv;
  const std::vector<std::string> ls = lines(text);
  if (ls.empty()) return csv;
  csv.header = split(ls[0], ',');
  for (size_t i = 1; i < ls.size(); ++i) csv.rows.push_back(split(ls[i], ','));
  return csv;
}

// Each test in a fresh folder; outputs are written atomically: never a temporary file left in it.
class Cli : public test::FolderTest {
 protected:
  Cli() : FolderTest("moescope_cli_") {}
};

// A fast run of the balanced preset (E = 8, k = 2), and its source alone.
// Presets are tuned by others over time, so every setting a test reads is pinned here.
const std::string kSource =
    "--preset balanced --set task=blobs num_experts=8 top_k=2 n_layers=1 shared_experts=0 router=topk score=softmax "
    "capacity_factor=0 optimizer=adam lr=0.003 grad_clip=0 batch_size=64 ";
const std::string kSmall = "run " + kSource;

// [SECTION] Bad input: status 2, one message

TEST_F(Cli, UnknownPresetExitsTwoListingThePresets) {
  const std::string err = expect_bad_input("run --preset no-such-preset");
  EXPECT_CONTAINS(err, "no-such-preset");
  EXPECT_CONTAINS(err, "balanced");
  EXPECT_CONTAINS(err, "switch-top1");
}

TEST_F(Cli, SetWithUnknownKeyExitsTwoNamingTheKey) {
  EXPECT_CONTAINS(expect_bad_input(kSmall + "--set frobnicate=3 --steps 2"), "frobnicate");
}

TEST_F(Cli, SetOutOfRangeExitsTwoNamingFieldAndRange) {
  const std::string err = expect_bad_input(kSmall + "--set top_k=0 --steps 2");
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "[1, 256]");
  const std::string err2 = expect_bad_input(kSmall + "--set alpha=20 --steps 2");
  EXPECT_CONTAINS(err2, "alpha");
  EXPECT_CONTAINS(err2, "[0, 10]");
}

TEST_F(Cli, TopKAboveNumExpertsExitsTwo) {
  const std::string err = expect_bad_input(kSmall + "--set num_experts=4 --set top_k=5 --steps 2");
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "num_experts");
}

TEST_F(Cli, MalformedConfigFileExitsTwoWithLineAndColumn) {
  write("broken.json", "{\n  \"top_k\": 2,\n  \"alpha\": 0.01,,\n}\n");
  const std::string err = expect_bad_input("run --config broken.json --steps 2");
  EXPECT_CONTAINS(err, "broken.json");
  EXPECT_CONTAINS(err, "line 3");
  EXPECT_CONTAINS(err, "column");
}

TEST_F(Cli, ConfigWithAWrongTypeExitsTwoNamingTheSetting) {
  write("typed.json", "{\"num_experts\": 8, \"top_k\": \"two\"}\n");
  const std::string err = expect_bad_input("run --config typed.json --steps 2");
  EXPECT_CONTAINS(err, "typed.json");
  EXPECT_CONTAINS(err, "top_k");
  EXPECT_CONTAINS(err, "integer");
  write("unknown.json", "{\"num_expert\": 8}\n");
  EXPECT_CONTAINS(expect_bad_input("run --config unknown.json --steps 2"), "num_expert");
}

TEST_F(Cli, ScheduledChangeOfAStructuralSettingExitsTwo) {
  const std::string err = expect_bad_input(kSmall + "--set num_experts=4@10 --steps 20");
  EXPECT_CONTAINS(err, "num_experts");
  EXPECT_CONTAINS(err, "structure");
  EXPECT_CONTAINS(expect_bad_input(kSmall + "--set top_k=1@soon --steps 20"), "STEP");
}

TEST_F(Cli, OutWithABadExtensionExitsTwo) {
  const std::string err = expect_bad_input(kSmall + "--steps 2 --out metrics.txt");
  EXPECT_CONTAINS(err, "metrics.txt");
  EXPECT_CONTAINS(err, ".csv");
  EXPECT_FALSE(fs::exists(dir_ / "metrics.txt"));
}

TEST_F(Cli, SweepWithMalformedGridOrBadShardExitsTwo) {
  const std::string base = "sweep " + kSource + "--steps 2 ";
  EXPECT_CONTAINS(expect_bad_input(base + "--grid k --out s.csv"), "--grid 'k'");
  EXPECT_CONTAINS(expect_bad_input(base + "--grid k=1,x --out s.csv"), "top_k");
  EXPECT_CONTAINS(expect_bad_input(base + "--grid nonsense=1,2 --out s.csv"), "nonsense");
  EXPECT_CONTAINS(expect_bad_input(base + "--grid k=1,2 --shard 2/2 --out s.csv"), "--shard '2/2'");
  EXPECT_CONTAINS(expect_bad_input(base + "--grid k=1,2 --shard half --out s.csv"), "--shard 'half'");
  EXPECT_FALSE(fs::exists(dir_ / "s.csv"));
}

// [SECTION] run: the CSV

TEST_F(Cli, RunWritesCsvWithNamedColumnsAndOneRowPerStepAndLayer) {
  for (int layers : {1, 2}) {
    SCOPED_TRACE("n_layers=" + std::to_string(layers));
    const Result r = run(kSmall + "--set n_layers=" + std::to_string(layers) + " --steps 12 --out m.csv");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_CONTAINS(r.out, "load entropy");  // the summary
    const Csv csv = parse_csv(file("m.csv"));
    for (const char* name : {"step", "layer", "loss_task", "loss_balance", "loss_z", "load_entropy", "router_entropy",
                             "max_vio", "dead_experts", "drop_rate", "event"})
      EXPECT_GE(csv.col(name), 0) << name;
    for (const char* prefix : {"load_", "tokens_", "kept_", "importance_", "bias_"})
      for (int e = 0; e < 8; ++e) EXPECT_GE(csv.col(prefix + std::to_string(e)), 0) << prefix << e;
    EXPECT_EQ(csv.col("load_8"), -1) << "E = 8 experts";
    ASSERT_EQ(csv.rows.size(), size_t(12 * layers));
    for (size_t i = 0; i < csv.rows.size(); ++i) {
      ASSERT_EQ(csv.rows[i].size(), csv.header.size()) << "row " << i;
      EXPECT_EQ(csv.rows[i][size_t(csv.col("step"))], std::to_string(i / size_t(layers)));
      EXPECT_EQ(csv.rows[i][size_t(csv.col("layer"))], std::to_string(i % size_t(layers)));
      const double le = std::stod(csv.rows[i][size_t(csv.col("load_entropy"))]);
      EXPECT_GE(le, 0);
      EXPECT_LE(le, 1);
    }
  }
}

TEST_F(Cli, RunWritesJsonWhenAskedTo) {
  const Result r = run(kSmall + "--steps 4 --out m.json --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "") << "--quiet prints no summary";
  const json doc = json::parse(file("m.json"));
  EXPECT_EQ(doc["format"], "moescope-run/1");
  EXPECT_EQ(doc["steps"].size(), 4u);
  EXPECT_EQ(doc["config"]["top_k"], 2);
}

TEST_F(Cli, ScheduledTopKChangeIsAnEventOnItsStepAndChangesTheTokenCount) {
  const Result r = run(kSmall + "--set top_k=1@5 --steps 10 --out m.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_CONTAINS(r.out, "event at step 5");
  const Csv csv = parse_csv(file("m.csv"));
  ASSERT_EQ(csv.rows.size(), 10u);
  const int ev = csv.col("event"), t0 = csv.col("tokens_0");
  ASSERT_GE(ev, 0);
  ASSERT_GE(t0, 0);
  for (int s = 0; s < 10; ++s) {
    const auto& row = csv.rows[size_t(s)];
    double tokens = 0;
    for (int e = 0; e < 8; ++e) tokens += std::stod(row[size_t(t0 + e)]);
    EXPECT_EQ(tokens, s < 5 ? 64 * 2 : 64 * 1) << "step " << s << ": Σ tokens_i = T·k";
    if (s == 5) {
      EXPECT_CONTAINS(row[size_t(ev)], "k 2\u21921");
    } else {
      EXPECT_EQ(row[size_t(ev)], "") << "step " << s;
    }
  }
}

// [SECTION] Determinism

TEST_F(Cli, SameSeedGivesIdenticalBytesAndAnotherSeedDifferentBytes) {
  const std::string base = kSmall + "--set noisy_gating=true capacity_factor=1.25 --steps 25 --quiet ";
  ASSERT_EQ(run(base + "--out a.csv").status, 0);
  ASSERT_EQ(run(base + "--out b.csv").status, 0);
  ASSERT_EQ(run(base + "--set seed=2 --out c.csv").status, 0);
  EXPECT_EQ(file("a.csv"), file("b.csv"));
  EXPECT_NE(file("a.csv"), file("c.csv"));
}

TEST_F(Cli, ThreadCountNeverChangesTheNumbers) {
  const std::string base = kSmall + "--set n_layers=2 shared_experts=1 noisy_gating=true --steps 25 --quiet ";
  ASSERT_EQ(run(base + "--set threads=1 --out one.csv").status, 0);
  ASSERT_EQ(run(base + "--set threads=2 --out two.csv").status, 0);
  ASSERT_EQ(run(base + "--set threads=3 --out three.csv").status, 0);
  EXPECT_EQ(file("one.csv"), file("two.csv"));
  EXPECT_EQ(file("one.csv"), file("three.csv"));
}

TEST_F(Cli, ConfigFileWrittenFromAPresetRunsLikeThePreset) {
  Config c;
  ASSERT_EQ(load_preset("switch-top1", c), "");
  write("switch.json", config_to_json(c).dump(2));
  const Result a = run("run --config switch.json --set batch_size=64 --steps 8 --out a.csv --quiet");
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(run("run --preset switch-top1 --set batch_size=64 --steps 8 --out b.csv --quiet").status, 0);
  EXPECT_EQ(file("a.csv"), file("b.csv"));
}

// [SECTION] sweep

TEST_F(Cli, SweepGivesIdenticalFilesForAnyJobsAndShardsPartitionIt) {
  const std::string base = "sweep " + kSource + "--grid k=1,2 --grid alpha=0,0.01 --seeds 2 --steps 8 ";
  const Result one = run(base + "--jobs 1 --out one.csv");
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(run(base + "--jobs 2 --out two.csv").status, 0);
  EXPECT_EQ(file("one.csv"), file("two.csv"));
  const Csv whole = parse_csv(file("one.csv"));
  ASSERT_EQ(whole.rows.size(), 8u) << "2 × 2 grid points × 2 seeds";
  for (const char* name : {"run", "top_k", "alpha", "seed", "status", "loss_task", "load_entropy", "max_vio"})
    EXPECT_GE(whole.col(name), 0) << name;
  for (const auto& row : whole.rows) EXPECT_EQ(row[size_t(whole.col("status"))], "ok");

  ASSERT_EQ(run(base + "--jobs 2 --shard 0/2 --out s0.csv").status, 0);
  ASSERT_EQ(run(base + "--jobs 2 --shard 1/2 --out s1.csv").status, 0);
  const Csv s0 = parse_csv(file("s0.csv")), s1 = parse_csv(file("s1.csv"));
  EXPECT_EQ(s0.header, whole.header);
  EXPECT_EQ(s1.header, whole.header);
  EXPECT_EQ(s0.rows.size() + s1.rows.size(), whole.rows.size());
  std::vector<std::vector<std::string>> joined = s0.rows;
  joined.insert(joined.end(), s1.rows.begin(), s1.rows.end());
  std::sort(joined.begin(), joined.end(),
            [](const auto& a, const auto& b) { return std::stoi(a[0]) < std::stoi(b[0]); });
  EXPECT_EQ(joined, whole.rows);
}

// [SECTION] Divergence

TEST_F(Cli, DivergingRunExitsOneNamingWhatAndWhenAndKeepsTheStepsBefore) {
  const Result r = run(kSmall + "--set optimizer=sgd lr=10 grad_clip=0 --steps 300 --out d.csv");
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_CONTAINS(r.err, "diverged");
  EXPECT_CONTAINS(r.err, "lr");
  EXPECT_CONTAINS(r.err, "d.csv");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("(loss_\\w+|grad_norm) = (nan|inf) at step ([0-9]+)"))) << r.err;
  const int step = std::stoi(m[3]);
  EXPECT_GT(step, 0);
  EXPECT_LT(step, 300);
  const Csv csv = parse_csv(file("d.csv"));
  ASSERT_EQ(csv.rows.size(), size_t(step)) << "one row for each finite step before it";
  for (size_t i = 0; i < csv.rows.size(); ++i) EXPECT_EQ(csv.rows[i][0], std::to_string(i));
}

// [SECTION] trace

TEST_F(Cli, TraceIsValidJsonWhoseGradientsEqualAnInProcessModel) {
  const std::string sets =
      "--set task=blobs batch_size=16 d_model=6 num_experts=4 top_k=2 expert_hidden=8 noisy_gating=true alpha=0.1 "
      "beta=0.01 "
      "w_importance=0.1";
  const Result r = run("trace --preset balanced " + sets + " --after 3 --out t.json");
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(file("t.json"));
  EXPECT_EQ(doc["format"], "moescope-trace/1");
  for (const char* key : {"config", "params", "batch", "layers", "bias", "losses", "grads"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["config"]["num_experts"], 4);
  EXPECT_FALSE(doc["layers"][0]["noise"].is_null());

  // the same step, here: train 3 float steps, then one Model<double> step from that state
  RunSource src;
  src.preset = "balanced";
  for (const char* s : {"task=blobs", "top_k=2", "batch_size=16", "d_model=6", "num_experts=4", "expert_hidden=8",
                        "noisy_gating=true", "alpha=0.1", "beta=0.01", "w_importance=0.1"})
    src.sets.push_back(s);
  Config cfg;
  ASSERT_EQ(resolve_config(src, cfg, nullptr), "");
  std::string error;
  auto tr = Trainer::create(cfg, &error);
  ASSERT_NE(tr, nullptr) << error;
  for (int s = 0; s < 3; ++s) ASSERT_TRUE(tr->step().finite);
  Model<double> model(cfg, tr->task(), cfg.batch_size);
  for (size_t i = 0; i < model.params().data.size(); ++i) model.params().data[i] = double(tr->model().params().data[i]);
  for (int l = 0; l < model.n_layers(); ++l) model.bias(l) = tr->model().bias(l).cast<double>();
  Rng data = tr->next_data_rng(), noise = tr->next_noise_rng();
  Batch batch;
  tr->task().sample(data, cfg.batch_size, batch);
  model.draw_noise(noise, cfg.batch_size);
  const Losses losses = model.forward(batch, true);
  model.backward();

  EXPECT_NEAR(doc["losses"]["total"].get<double>(), losses.total, 1e-12 * std::abs(losses.total));
  EXPECT_NEAR(doc["losses"]["task"].get<double>(), losses.task, 1e-12 * std::abs(losses.task));
  ASSERT_EQ(doc["grads"].size(), model.layout().specs().size());
  double worst = 0;
  for (const ParamSpec& p : model.layout().specs()) {
    const json& g = doc["grads"][p.name];
    ASSERT_TRUE(g.is_object()) << p.name;
    const std::vector<double> data_vals = g["data"].get<std::vector<double>>();
    ASSERT_EQ(data_vals.size(), p.size()) << p.name;
    const std::vector<int64_t> shape = g["shape"].get<std::vector<int64_t>>();
    const std::vector<int64_t> want = p.vector ? std::vector<int64_t>{p.cols} : std::vector<int64_t>{p.rows, p.cols};
    EXPECT_EQ(shape, want) << p.name;
    const std::vector<double> vals = doc["params"][p.name]["data"].get<std::vector<double>>();
    for (size_t i = 0; i < p.size(); ++i) {
      const double mine = model.grads().data[p.offset + i];
      worst = std::max(worst, std::abs(data_vals[i] - mine) / std::max(1e-12, std::abs(mine)));
      EXPECT_EQ(vals[i], model.params().data[p.offset + i]) << p.name << "[" << i << "]";
    }
  }
  EXPECT_LE(worst, 1e-12) << "trace gradients against the in-process Model<double>";
}

}  // namespace
}  // namespace moe

// test_cli_compare.cpp: `moescope run --compare SETTINGS ... [--seeds N]` (issue 11), the real
// binary in a fresh temporary folder.
// Proves: the CSV is the plain run's, in long format with run and seed columns in front, run
// by run; run 0 equals the plain run row for row; a --compare run equals `--set` of the same
// overrides (an @STEP one too: a fork); --seeds repeats every run over seed..seed+N-1, each
// equal to its own plain run; a run with fewer experts leaves their columns empty; the bytes
// are the same on every run; the JSON names what each run changed; bad input exits 2 with one
// message naming the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results_io.h"
#include "run_compare.h"
#include "session_test_support.h"
#include "test_support.h"

namespace moe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::contains;
using test::lines;
using test::slurp;
using test::split;

class CliCompare : public test::FolderTest {
 protected:
  CliCompare() : FolderTest("moescope_compare_") {}
};

// A fast run, every setting a test reads pinned.
const std::string kSmall =
    "run --preset balanced --set task=blobs num_experts=8 top_k=2 n_layers=1 shared_experts=0 router=topk "
    "score=softmax capacity_factor=0 optimizer=adam lr=0.003 grad_clip=0 batch_size=64 seed=5 --steps 14 --quiet ";

// The rows of a compare CSV for one (run, seed), with the two leading cells cut off.
std::vector<std::string> rows_of(const std::string& csv, int run, int seed) {
  std::vector<std::string> out;
  const std::string prefix = std::to_string(run) + "," + std::to_string(seed) + ",";
  for (const std::string& l : lines(csv))
    if (l.rfind(prefix, 0) == 0) out.push_back(l.substr(prefix.size()));
  return out;
}

std::vector<std::string> body(const std::string& csv) {
  std::vector<std::string> ls = lines(csv);
  if (!ls.empty()) ls.erase(ls.begin());
  return ls;
}

TEST_F(CliCompare, RunZeroIsThePlainRunAndEachCompareIsItsSetOverrides) {
  const auto r = run(kSmall + "--compare alpha=0 --compare top_k=1,alpha=0@6 --out c.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(run(kSmall + "--out plain.csv").status, 0);
  ASSERT_EQ(run(kSmall + "--set alpha=0 --out a.csv").status, 0);
  ASSERT_EQ(run(kSmall + "--set top_k=1 alpha=0@6 --out f.csv").status, 0);
  const std::string c = file("c.csv");
  EXPECT_EQ(lines(c).at(0), "run,seed," + lines(file("plain.csv")).at(0));
  EXPECT_EQ(rows_of(c, 0, 5), body(file("plain.csv")));
  EXPECT_EQ(rows_of(c, 1, 5), body(file("a.csv")));
  EXPECT_EQ(rows_of(c, 2, 5), body(file("f.csv")));
  EXPECT_EQ(lines(c).size(), 1 + 3 * 14u);
  // Long format, run by run.
  const std::vector<std::string> ls = lines(c);
  for (size_t i = 1; i < ls.size(); ++i) EXPECT_EQ(ls[i].substr(0, 2), std::to_string((i - 1) / 14) + ",");
  EXPECT_TRUE(contains(rows_of(c, 2, 5).at(6), "\u21920")) << "the fork's event on step 6";
}

TEST_F(CliCompare, SeedsRepeatEveryRunAndTheBytesAreTheSameEveryTime) {
  const std::string args = kSmall + "--compare alpha=0 --seeds 3 --out s.csv";
  ASSERT_EQ(run(args).status, 0);
  const std::string first = file("s.csv");
  ASSERT_EQ(run(args).status, 0);
  EXPECT_EQ(file("s.csv"), first);
  EXPECT_EQ(lines(first).size(), 1 + 2 * 3 * 14u);
  ASSERT_EQ(run(kSmall + "--set seed=7 alpha=0 --out a7.csv").status, 0);
  EXPECT_EQ(rows_of(first, 1, 7), body(file("a7.csv")));
  ASSERT_EQ(run(kSmall + "--set seed=6 --out p6.csv").status, 0);
  EXPECT_EQ(rows_of(first, 0, 6), body(file("p6.csv")));
  // Order: run 0 seeds 5, 6, 7, then run 1.
  const std::vector<std::string> ls = lines(first);
  EXPECT_EQ(ls[1].substr(0, 4), "0,5,");
  EXPECT_EQ(ls[1 + 14].substr(0, 4), "0,6,");
  EXPECT_EQ(ls[1 + 3 * 14].substr(0, 4), "1,5,");
  // --seeds alone repeats the one run.
  ASSERT_EQ(run(kSmall + "--seeds 2 --out two.csv").status, 0);
  EXPECT_EQ(rows_of(file("two.csv"), 0, 5), rows_of(first, 0, 5));
  EXPECT_EQ(lines(file("two.csv")).size(), 1 + 2 * 14u);
}

TEST_F(CliCompare, ARunWithFewerExpertsLeavesTheirColumnsEmpty) {
  ASSERT_EQ(run(kSmall + "--compare num_experts=4 --out e.csv").status, 0);
  const std::vector<std::string> ls = lines(file("e.csv"));
  const std::vector<std::string> header = split(ls.at(0), ',');
  const int load7 = int(std::find(header.begin(), header.end(), "load_7") - header.begin());
  const int load3 = int(std::find(header.begin(), header.end(), "load_3") - header.begin());
  ASSERT_LT(load7, int(header.size()));
  for (size_t i = 1; i < ls.size(); ++i) {
    const std::vector<std::string> row = split(ls[i], ',');
    ASSERT_EQ(row.size(), header.size()) << ls[i];
    const bool small = row[0] == "1";
    EXPECT_EQ(row[size_t(load7)].empty(), small) << ls[i];
    EXPECT_FALSE(row[size_t(load3)].empty());
  }
  ASSERT_EQ(run(kSmall + "--set num_experts=4 --out four.csv").status, 0);
  // Its own cells, in its own order, are the plain run's.
  const std::vector<std::string> plain = body(file("four.csv"));
  const std::vector<std::string> rows = rows_of(file("e.csv"), 1, 5);
  ASSERT_EQ(rows.size(), plain.size());
  std::string joined;
  for (const std::string& cell : split(rows[3], ','))
    if (!cell.empty()) joined += cell + ",";
  std::string want;
  for (const std::string& cell : split(plain[3], ','))
    if (!cell.empty()) want += cell + ",";
  EXPECT_EQ(joined, want);
}

TEST_F(CliCompare, JsonSaysWhatEachRunChanged) {
  const auto r = run(kSmall + "--compare alpha=0 --compare alpha=0@9 --out c.json");
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(file("c.json"));
  EXPECT_EQ(doc["format"], "moescope-compare/1");
  ASSERT_EQ(doc["runs"].size(), 3u);
  EXPECT_EQ(doc["runs"][0]["changed"].size(), 0u);
  EXPECT_EQ(doc["runs"][0]["label"], "first run");
  EXPECT_EQ(doc["runs"][1]["changed"]["alpha"], "0");
  EXPECT_EQ(doc["runs"][1]["label"], "α=0");
  EXPECT_EQ(doc["runs"][1]["compare"], "alpha=0");
  EXPECT_EQ(doc["runs"][2]["changed"].size(), 0u);
  ASSERT_EQ(doc["runs"][2]["scheduled"].size(), 1u);
  EXPECT_EQ(doc["runs"][2]["scheduled"][0]["step"], 9);
  EXPECT_EQ(doc["runs"][2]["label"], "α=0@9");
  EXPECT_EQ(doc["runs"][2]["events"][0]["step"], 9);
  for (const json& run : doc["runs"]) {
    EXPECT_EQ(run["steps"].size(), 14u);
    EXPECT_EQ(run["seed"], 5);
  }
  // The steps before the fork are the first run's.
  EXPECT_EQ(doc["runs"][2]["steps"][8], doc["runs"][0]["steps"][8]);
  EXPECT_NE(doc["runs"][2]["steps"][13], doc["runs"][0]["steps"][13]);
}

TEST_F(CliCompare, BadCompareOrSeedsExitsTwoWithOneMessage) {
  const std::pair<std::string, std::string> cases[] = {
      {"--compare alpha", "'alpha' is not key=value"},
      {"--compare alpha=0,,k=1", "empty setting"},
      {"--compare no_such=1", "no_such"},
      {"--compare alpha=-1", "alpha"},
      {"--compare num_experts=4@5", "num_experts"},
      {"--compare top_k=9", "top_k"},
      {"--seeds 0", "--seeds 0"},
      {"--seeds 1001", "--seeds 1001"},
  };
  for (const auto& [args, what] : cases) {
    const auto r = run(kSmall + args + " --out bad.csv");
    EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << args << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, what)) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "bad.csv")) << args;
  }
}

// The same plan in a RunSet (what the window and `shot --compare` show): one entry per run, a
// seed group per run, the command line's labels, and the command line's numbers.
TEST_F(CliCompare, APlanInARunSetTrainsTheCommandLinesNumbers) {
  RunSource src;
  src.preset = "balanced";
  src.sets = {"task=blobs",    "num_experts=8",     "top_k=2",        "n_layers=1", "shared_experts=0", "router=topk",
              "score=softmax", "capacity_factor=0", "optimizer=adam", "lr=0.003",   "grad_clip=0",      "batch_size=64",
              "seed=5",        "threads=1"};  // kSmall's settings
  std::vector<ComparedRun> plan;
  ASSERT_EQ(plan_compared_runs(src, {"alpha=0", "top_k=1,alpha=0@6"}, 2, plan), "");
  ASSERT_EQ(plan.size(), 6u);
  std::string err;
  auto set = make_run_set(plan, "balanced", &err);
  ASSERT_TRUE(set) << err;
  EXPECT_EQ(set->size(), 6);
  EXPECT_EQ(set->entries(), 3);
  const std::vector<RunView> views = set->views();
  EXPECT_EQ(views[0].info.label, "k=2, α=1e-2") << "the first run: its values of what the others change";
  EXPECT_EQ(views[2].info.label, "α=0");
  EXPECT_EQ(views[4].info.label, "k=1, α=0@6");
  EXPECT_EQ(views[5].info.label, "k=1, seed 6, α=0@6");
  EXPECT_EQ(set->group_members(views[4].info.group).size(), 2u);
  EXPECT_NE(views[0].info.group, views[2].info.group);
  for (const RunView& v : views) set->session(v.info.id)->run_to(14);
  const auto r = run(kSmall + "--set threads=1 --compare alpha=0 --compare top_k=1,alpha=0@6 --seeds 2 --out c.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = file("c.csv");
  const std::vector<std::string> header = split(lines(csv).at(0), ',');
  const size_t loss = size_t(std::find(header.begin(), header.end(), "loss_total") - header.begin()) - 2;
  for (size_t i = 0; i < views.size(); ++i) {
    Session& s = *set->session(views[i].info.id);
    const auto snap = test::wait_until_idle(
        s, [](const RunSnapshot& sn) { return sn.steps_done == 14; }, "step 14");
    const std::vector<std::string> rows = rows_of(csv, plan[i].run, int(plan[i].cfg.seed));
    ASSERT_EQ(rows.size(), 14u);
    EXPECT_EQ(split(rows.back(), ',').at(loss), fmt(snap->last.losses.total)) << "run " << i;
  }
}

// A preset's own "compare" list (lm-top1-vs-top2: ["top_k=2"]) is what `run --preset` trains
// unless --compare is given: run 1 equals the preset run with --set top_k=2, row for row.
TEST_F(CliCompare, APresetsOwnCompareListRunsUnlessTheCommandLineGivesOne) {
  const std::string small =
      "run --preset lm-top1-vs-top2 --set lm_text=generated text_length=4000 d_model=16 lm_heads=2 lm_context=8 "
      "batch_size=32 expert_hidden=16 seed=3 --steps 6 --quiet ";
  const auto r = run(small + "--out c.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  // The same two runs the other way round: top_k=2 first, then its own --compare back to top_k=1.
  ASSERT_EQ(run(small + "--set top_k=2 --compare top_k=1 --out top2.csv").status, 0);
  const std::string c = file("c.csv");
  EXPECT_EQ(lines(c).size(), 1 + 2 * 6 * 2u) << "two runs of 6 steps, 2 layers each";
  EXPECT_EQ(rows_of(c, 1, 3), rows_of(file("top2.csv"), 0, 3)) << "run 1 is the preset with top_k=2";
  EXPECT_EQ(rows_of(c, 0, 3), rows_of(file("top2.csv"), 1, 3)) << "run 0 is the preset itself (top_k=1)";
  // The user's own --compare replaces the preset's.
  ASSERT_EQ(run(small + "--compare alpha=0 --out a.csv").status, 0);
  const std::string a = file("a.csv");
  EXPECT_EQ(rows_of(a, 0, 3), rows_of(c, 0, 3));
  EXPECT_NE(rows_of(a, 1, 3), rows_of(c, 1, 3));
  EXPECT_FALSE(contains(a, "\n2,3,")) << "one compare run, the user's";
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

// A config file's own "compare" list (a preset file copied, or a comparison the window saved)
// is what `run --config` trains unless --compare is given: the same bytes as the preset path
// and as the same runs given on the command line; a bad list exits 2 naming the file, the
// field or entry and what is allowed.
TEST_F(CliCompare, AConfigFilesCompareListRunsLikeAPresetsAndIsChecked) {
  const std::string sets =
      "--set lm_text=generated text_length=4000 d_model=16 lm_heads=2 lm_context=8 batch_size=32 expert_hidden=16 "
      "seed=3 --steps 6 --quiet ";
  // The preset's own file as a config file: its "compare" list comes with it.
  const fs::path preset_file = fs::path(MOESCOPE_SOURCE_DIR) / "assets" / "presets" / "lm-top1-vs-top2.json";
  ASSERT_TRUE(json::parse(slurp(preset_file)).contains("compare"));
  fs::copy_file(preset_file, dir_ / "lm.json");
  ASSERT_EQ(run("run --preset lm-top1-vs-top2 " + sets + "--out p.csv").status, 0);
  auto r = run("run --config lm.json " + sets + "--out c.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(file("c.csv")).size(), 1 + 2 * 6 * 2u) << "two runs of 6 steps, 2 layers each";
  EXPECT_EQ(file("c.csv"), file("p.csv")) << "the config file's compare list trains the preset's runs, byte for byte";

  // A flat config with a compare list, as the window saves it: the same bytes as --compare.
  json cfg = json::parse(slurp(fs::path(MOESCOPE_SOURCE_DIR) / "assets" / "presets" / "balanced.json"))["config"];
  write_text(dir_ / "plain.json", cfg.dump(2));
  cfg["compare"] = {"alpha=0", "alpha=0@7", "top_k=1,alpha=0.02"};
  write_text(dir_ / "cmp.json", cfg.dump(2));
  const std::string small = "--set task=blobs num_experts=8 top_k=2 n_layers=1 seed=5 --steps 14 --quiet ";
  ASSERT_EQ(run("run --config cmp.json " + small + "--seeds 2 --out a.csv").status, 0);
  ASSERT_EQ(run("run --config plain.json " + small +
                "--compare alpha=0 --compare alpha=0@7 --compare top_k=1,alpha=0.02 --seeds 2 --out b.csv")
                .status,
            0);
  EXPECT_EQ(file("a.csv"), file("b.csv"));
  EXPECT_TRUE(contains(file("a.csv"), "\n3,6,")) << "run 3, seed 6";
  // The command line's own --compare wins.
  ASSERT_EQ(run("run --config cmp.json " + small + "--compare lr=0.001 --out g.csv").status, 0);
  ASSERT_EQ(run("run --config plain.json " + small + "--compare lr=0.001 --out h.csv").status, 0);
  EXPECT_EQ(file("g.csv"), file("h.csv"));
  EXPECT_FALSE(contains(file("g.csv"), "\n2,5,")) << "one compare run, the command line's";

  // Bad lists: exit 2, one message naming the file, the field or entry, and what is allowed.
  const std::pair<json, std::vector<std::string>> bad[] = {
      {"alpha=0", {"cmp_bad.json", "\"compare\": expected a list of runs", "got \"alpha=0\""}},
      {json::array(), {"cmp_bad.json", "\"compare\": expected a list"}},
      {{3}, {"\"compare\": expected a list", "got the entry 3"}},
      {{"alpha=0", "alpha=banana"}, {"cmp_bad.json", "\"compare\" entry 2 'alpha=banana'", "alpha"}},
      {{"nosuch=1"}, {"\"compare\" entry 1 'nosuch=1'", "unknown setting 'nosuch'"}},
      {{"alpha=0@soon"}, {"\"compare\" entry 1", "the step after @ must be a whole number"}},
      {{"top_k=9"}, {"\"compare\" entry 1 'top_k=9'"}},
  };
  for (const auto& [list, said] : bad) {
    json b = cfg;
    b["compare"] = list;
    write_text(dir_ / "cmp_bad.json", b.dump());
    r = run("run --config cmp_bad.json " + small + "--out x.csv");
    EXPECT_EQ(r.status, 2) << list.dump();
    for (const std::string& s : said) EXPECT_TRUE(contains(r.err, s)) << list.dump() << ": " << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  }
}

}  // namespace
}  // namespace moe

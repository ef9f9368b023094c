// test_workspace.cpp: a RunSet saved to one JSON file and opened again (app/workspace.*; issue 11).
// Named Session.* because it trains on session threads (the ThreadSanitizer stage runs it too).
// Proves: every run comes back (live, fork, seed group, pinned, edited label, hidden run,
// the selection, the layout and sweep blobs); histories recomputed on opening equal the
// originals bit for bit; saving the opened workspace gives the same bytes; a results run
// whose file is gone is skipped with a warning; malformed workspaces are refused naming
// what is wrong.
#include <gtest/gtest.h>

#include <cstdio>
#include <cmath>

#include "config_io.h"
#include "session_test_support.h"
#include "workspace.h"

namespace moe {
namespace {

using nlohmann::json;

Config small_config() {
  Config cfg;
  EXPECT_EQ(load_preset("balanced", cfg), "");
  cfg.batch_size = 32;
  cfg.d_model = 8;
  cfg.expert_hidden = 8;
  cfg.num_experts = 4;
  cfg.top_k = 2;
  cfg.noisy_gating = true;
  cfg.threads = 1;
  return cfg;
}

// Waits until `s` took every command and stopped at exactly `steps`.
void wait_for(Session& s, int64_t steps) {
  test::wait_until_idle(
      s, [steps](const RunSnapshot& snap) { return snap.steps_done == steps; }, std::to_string(steps));
}

// Every value of every series, NaN as NaN (the runs here fit in the raw ring).
std::vector<std::vector<double>> values(const History& h) {
  std::vector<std::vector<double>> out;
  std::vector<HistorySample> pts;
  for (SeriesId id = 0; id < h.series_count(); ++id) {
    h.fetch(id, -INFINITY, INFINITY, 1 << 20, pts);
    out.emplace_back();
    for (const HistorySample& p : pts) out.back().push_back(p.mean);
  }
  return out;
}

void expect_same_values(const History& a, const History& b, const std::string& what) {
  const auto va = values(a), vb = values(b);
  ASSERT_EQ(va.size(), vb.size()) << what;
  for (size_t s = 0; s < va.size(); ++s) {
    ASSERT_EQ(va[s].size(), vb[s].size()) << what;
    for (size_t i = 0; i < va[s].size(); ++i)
      ASSERT_TRUE(va[s][i] == vb[s][i] || (std::isnan(va[s][i]) && std::isnan(vb[s][i])))
          << what << " " << a.series_name(SeriesId(s)) << " step " << i;
  }
}

TEST(Session, RunSetWorkspaceRoundTripsEveryRunAndItsHistory) {
  RunSet set(small_config(), "balanced");
  std::string err;
  const int a = set.first();
  set.session(a)->run_to(12);
  wait_for(*set.session(a), 12);
  const int fork = set.fork(a, {{0, "alpha", "0"}}, &err);
  ASSERT_GE(fork, 0) << err;
  const int pin = set.pin(a, &err);
  ASSERT_GE(pin, 0) << err;
  const int dup = set.duplicate(a, {{0, "top_k", "1"}, {8, "lr", "0.002"}}, &err);
  ASSERT_GE(dup, 0) << err;
  ASSERT_EQ(set.repeat_over_seeds(dup, 2), "");
  set.set_label(fork, "no balance from 12");
  set.set_visible(pin, false);
  set.select(dup);
  for (const RunView& v : set.views())
    if (v.info.kind == RunKind::Live) set.session(v.info.id)->run_to(20);
  for (const RunView& v : set.views())
    if (v.info.kind == RunKind::Live) wait_for(*set.session(v.info.id), 20);
  const json layout = {{"plots", {"entropy", "load"}}, {"split", 0.3}};
  const json sweep = {{"grid", {{"top_k", {1, 2}}}}, {"seeds", 3}};
  const json saved = workspace_json(set, layout, sweep);
  EXPECT_EQ(saved["runs"].size(), 5u);

  Workspace ws;
  ASSERT_EQ(workspace_from_json(saved, "test", ws), "");
  EXPECT_TRUE(ws.warnings.empty());
  RunSet& back = *ws.runs;
  const std::vector<RunView> before = set.views(), after = back.views();
  ASSERT_EQ(after.size(), before.size());
  for (const RunView& v : after)
    if (v.info.kind == RunKind::Live) wait_for(*back.session(v.info.id), 20);
  for (size_t i = 0; i < before.size(); ++i) {
    SCOPED_TRACE("run " + std::to_string(i) + " " + before[i].info.label);
    const RunView &x = before[i], y = back.views()[i];
    EXPECT_EQ(y.info.kind, x.info.kind);
    EXPECT_EQ(y.info.label, x.info.label);
    EXPECT_EQ(y.info.label_edited, x.info.label_edited);
    EXPECT_EQ(y.info.visible, x.info.visible);
    EXPECT_EQ(y.info.group >= 0, x.info.group >= 0);
    EXPECT_EQ(y.info.fork_step, x.info.fork_step);
    EXPECT_EQ(y.snap->steps_done, x.snap->steps_done);
    expect_same_values(*y.snap->history, *x.snap->history, x.info.label);
  }
  EXPECT_EQ(back.info(back.views()[1].info.id).parent, back.first());  // the fork's parent
  EXPECT_EQ(back.selected(), back.views()[3].info.id);
  EXPECT_EQ(back.group_members(back.views()[3].info.group).size(), 2u);
  EXPECT_EQ(ws.layout, layout);
  EXPECT_EQ(ws.sweep, sweep);
  // Saved again, the same document.
  EXPECT_EQ(workspace_json(back, ws.layout, ws.sweep).dump(1), saved.dump(1));
}

TEST(Session, RunSetWorkspaceSkipsAResultsRunWhoseFileIsGoneAndRefusesMalformedFiles) {
  RunSet set(small_config());
  std::string err;
  auto snap = std::make_shared<RunSnapshot>(*set.snapshot(set.first()));
  const int r = set.add_results(snap, "old run", &err, "/nonexistent/old.csv");
  ASSERT_GE(r, 0) << err;
  const json saved = workspace_json(set);
  Workspace ws;
  const ResultsOpener opener = [](const std::string& path, std::string* e) {
    *e = "cannot read '" + path + "'";
    return std::shared_ptr<const RunSnapshot>();
  };
  ASSERT_EQ(workspace_from_json(saved, "w.json", ws, opener), "");
  EXPECT_EQ(ws.runs->size(), 1);
  ASSERT_EQ(ws.warnings.size(), 1u);
  EXPECT_NE(ws.warnings[0].find("/nonexistent/old.csv"), std::string::npos) << ws.warnings[0];

  // Through a file: the same document back.
  const std::string path = testing::TempDir() + "moescope_workspace_test.json";
  ASSERT_EQ(save_workspace(path, set), "");
  Workspace from_file;
  ASSERT_EQ(load_workspace(path, from_file, opener), "");
  EXPECT_EQ(from_file.runs->size(), 1);
  EXPECT_EQ(workspace_json(*from_file.runs)["runs"][0], saved["runs"][0]);
  std::remove(path.c_str());
  EXPECT_NE(load_workspace(path, from_file), "") << "a missing file is an error";

  json bad = saved;
  bad["format"] = "something-else";
  EXPECT_NE(workspace_from_json(bad, "w.json", ws), "");
  bad = saved;
  bad["runs"][0]["config"]["top_k"] = 99;
  err = workspace_from_json(bad, "w.json", ws);
  EXPECT_NE(err.find("top_k"), std::string::npos) << err;
  EXPECT_EQ(ws.runs, nullptr);
  bad = saved;
  bad["runs"][0]["changes"] = json::array({{{"step", 5}, {"key", "num_experts"}, {"value", "2"}}});
  err = workspace_from_json(bad, "w.json", ws);
  EXPECT_NE(err.find("num_experts"), std::string::npos) << err;
  bad = saved;
  bad["runs"] = json::array();
  EXPECT_NE(workspace_from_json(bad, "w.json", ws).find("runs"), std::string::npos);
}

}  // namespace
}  // namespace moe

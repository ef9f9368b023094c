// gui_test_window_runs.cpp: the window's run list wired to what opens runs (issue 11):
//   - a click on a sweep cell opens that cell's seeds as a seed group of live runs, each the
//     sweep's run exactly (trained to the sweep's steps, its final metrics are the cell's);
//     a second click selects it; a point of the one-setting line opens its run alone
//   - a run's results file opens as a read-only run beside a live run of the same config and
//     seed and draws the same curve (the same series, the same polyline)
//   - `--compare key=v@STEP` (add_compared_runs) forks the first run at STEP, with the numbers
//     of the change scheduled there; "Fork here" records parent and fork step, and the fork
//     step is marked on the time plots in the fork's colour
//   - a workspace saved from the window (a fork, a seed group, a pinned run, a sweep
//     definition, the layout) opens in a fresh window with the same runs, labels and layout;
//     a sweep shown from a CSV opens again from it
#include <epoxy/gl.h>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config_io.h"
#include "gui_test_fixture.h"
#include "metrics.h"
#include "palette.h"
#include "run_list.h"
#include "run_process.h"
#include "sweep_view.h"
#include "test_support.h"
#include "window.h"

namespace moe {
namespace {

constexpr int kW = 1000, kH = 700;

using test::PlotLog;

class WindowRuns : public test::WindowTest {
 protected:
  WindowRuns() : WindowTest(kW, kH) {}
  void TearDown() override {
    other_.reset();
    WindowTest::TearDown();
  }
  // Renders the last frame and writes it to the test temp dir, for a look.
  static void save_png(const std::string& name, bool light = false) {
    glViewport(0, 0, kW, kH);
    const ImVec4 bg = gui::clear_colour(light);
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    const std::string path = test::temp_path(name);
    EXPECT_EQ(gui::save_framebuffer_png(path, kW, kH), "");
    std::printf("[ png      ] %s\n", path.c_str());
  }
  // The entropy panel drawn for w's comparison; what its plots drew.
  static PlotLog draw_entropy_of(gui::MainWindow& w) {
    return test::record_panel(ImVec2(kW, kH), [&w] {
      PanelContext ctx{w.snapshot(), w.ui(), nullptr, &w.comparison()};
      draw_entropy(ctx);
    });
  }
  std::unique_ptr<gui::MainWindow> other_;  // a second window (win_ is the first)
};

// [SECTION] A sweep cell opens its runs

TEST_F(WindowRuns, ASweepCellOpensItsSeedsAsAGroupEqualToTheSweepsRuns) {
  Config cfg;
  ASSERT_EQ(load_preset("balanced", cfg), "");
  SweepView& v = open_on_sweep(cfg, "balanced");
  constexpr int64_t kSteps = 30;
  ASSERT_EQ(v.runner.start(win_->session().snapshot()->cfg, {"k=1,2", "alpha=0,1e-2"}, 2, kSteps), "");
  v.runner.wait();
  const auto table = v.runner.table();
  ASSERT_EQ(int64_t(table->rows.size()), table->run_count());

  for (int i = 0; i < 3; ++i) frame(*win_);
  const auto& placed = win_->panel_placements();
  ASSERT_EQ(placed.size(), 1u);
  const ImVec2 lo = placed[0].min, hi = placed[0].max;
  // Bottom-right cell (k=2, alpha=1e-2), as gui_test_sweep_window clicks it.
  const ImVec2 at(lo.x + (hi.x - lo.x) * 0.7f, hi.y - (hi.y - lo.y) * 0.18f);
  frame(*win_, at);
  frame(*win_, at, true);
  frame(*win_, at, false);
  EXPECT_NE(v.notice.find("opened top_k=2, alpha=1e-2 (2 seeds)"), std::string::npos) << v.notice;
  frame(*win_);
  save_png("moescope_window_sweep_cell_opened.png");
  RunSet& runs = win_->runs();
  ASSERT_EQ(runs.size(), 3) << "the first run and the cell's two seeds";
  EXPECT_EQ(runs.entries(), 2) << "the seeds are one entry of the run list";
  const std::vector<RunView> views = runs.views();
  const RunInfo a = views[1].info, b = views[2].info;
  EXPECT_EQ(a.kind, RunKind::Live);
  ASSERT_GE(a.group, 0);
  EXPECT_EQ(a.group, b.group);
  EXPECT_EQ(a.style, b.style) << "a group is drawn in one colour";
  EXPECT_EQ(a.label, "k=2") << "named by what it changes against the first run (balanced: k=1, α=1e-2)";
  EXPECT_EQ(views[0].info.label, "k=1") << "and the first run by what the others change";
  frame(*win_, at, true);  // a second click: the cell is open already
  frame(*win_, at, false);
  EXPECT_EQ(runs.size(), 3) << "not opened twice";
  EXPECT_NE(v.notice.find("open already"), std::string::npos) << v.notice;
  EXPECT_EQ(runs.selected(), a.id) << "it is selected instead";

  // Trained to the sweep's steps, each seed's final metrics are the sweep table's.
  settle(*win_, -1);
  frame(*win_);
  ASSERT_EQ(win_->comparison().lines.size(), 2u);
  EXPECT_EQ(win_->comparison().lines[1].members.size(), 2u);
  const int64_t cell = 3;  // k=2 (row 1) × alpha=1e-2 (column 1)
  for (int s = 0; s < 2; ++s) {
    const auto snap = runs.snapshot(views[size_t(1 + s)].info.id);
    ASSERT_EQ(snap->steps_done, kSteps);
    EXPECT_EQ(snap->cfg.top_k, 2);
    EXPECT_EQ(snap->cfg.alpha, 1e-2);
    EXPECT_EQ(snap->cfg.seed, cfg.seed + s);
    const SweepRow* row = table->find(cell * 2 + s);
    ASSERT_NE(row, nullptr);
    ASSERT_EQ(row->seed, snap->cfg.seed);
    int checked = 0;
    for (const MetricDef& d : kMetricTable) {
      if (!(d.flags & MetricFlags_Final)) continue;
      const int c = table->column(d.key);
      ASSERT_GE(c, 0) << d.key;
      const double want = row->numbers[size_t(c)], got = final_value(d, snap->last);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << d.key;
      } else {
        EXPECT_EQ(got, want) << d.key << " of seed " << row->seed << ": the window's run is the sweep's run";
      }
      ++checked;
    }
    EXPECT_GT(checked, 5);
  }

  win_->ui().layout = PanelLayout_Four;
  for (int i = 0; i < 3; ++i) frame(*win_);
  save_png("moescope_window_sweep_cell_compared.png");

  // A full run list opens nothing and says so.
  std::string err;
  while (runs.entries() < runs.max_runs()) ASSERT_GE(runs.duplicate(runs.first(), {}, &err), 0) << err;
  const int before = runs.size();
  const std::string refused = win_->open_sweep_cell(v.runner.cell_runs(0), "top_k=1, alpha=0", kSteps);
  EXPECT_NE(refused.find("at most"), std::string::npos) << refused;
  EXPECT_EQ(runs.size(), before);
}

TEST_F(WindowRuns, APointOfTheOneSettingLineOpensItsRunAlone) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  win_->ui().layout = PanelLayout_One;
  win_->ui().single_panel = panel_index("sweep");
  win_->ui().controls_collapsed = true;
  SweepView& v = win_->show_sweep();
  constexpr int64_t kSteps = 25;
  ASSERT_EQ(v.runner.start(win_->session().snapshot()->cfg, {"alpha=0,1e-2"}, 1, kSteps), "");
  v.runner.wait();
  for (int i = 0; i < 3; ++i) frame(*win_);
  const ImVec2 lo = win_->panel_placements().at(0).min, hi = win_->panel_placements().at(0).max;
  const ImVec2 at(lo.x + (hi.x - lo.x) * 0.85f, lo.y + (hi.y - lo.y) * 0.6f);  // over alpha=1e-2
  frame(*win_, at);
  frame(*win_, at, true);
  frame(*win_, at, false);
  EXPECT_NE(v.notice.find("opened alpha=1e-2"), std::string::npos) << v.notice;
  RunSet& runs = win_->runs();
  ASSERT_EQ(runs.size(), 2);
  const RunInfo opened = runs.views()[1].info;
  EXPECT_EQ(opened.group, -1) << "one seed: a run of its own";
  EXPECT_EQ(opened.label, "α=1e-2");
  EXPECT_EQ(runs.views()[0].info.label, "α=0");
  settle(*win_, -1);
  const auto snap = runs.snapshot(opened.id);
  ASSERT_EQ(snap->steps_done, kSteps);
  const SweepRow* row = v.runner.table()->find(1);
  ASSERT_NE(row, nullptr);
  const MetricDef* d = find_metric("load_entropy");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(final_value(*d, snap->last), row->numbers[size_t(v.runner.table()->column("load_entropy"))]);
}

// [SECTION] A results file beside a live run

TEST_F(WindowRuns, AResultsFileOpensAsAReadOnlyRunDrawingTheLiveRunsCurve) {
  const std::filesystem::path dir = std::filesystem::path(test::temp_path("window_runs_results"));
  std::filesystem::create_directories(dir);
  const std::string csv = (dir / "collapse60.csv").string();
  const auto r = test::run_process(std::string(MOESCOPE_BINARY) + " run --preset collapse --steps 60 --quiet --out " +
                                   csv + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;

  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  win_->interactive = false;
  settle(*win_, 60);
  ASSERT_EQ(win_->open_results({csv}), "") << win_->status();
  frame(*win_);
  RunSet& runs = win_->runs();
  ASSERT_EQ(runs.size(), 2);
  const RunView file = runs.views()[1];
  EXPECT_EQ(file.info.kind, RunKind::Results);
  EXPECT_EQ(file.info.label, "collapse60");
  EXPECT_EQ(std::filesystem::path(file.info.source), std::filesystem::absolute(csv));
  EXPECT_EQ(runs.session(file.info.id), nullptr) << "read-only: it does not train";
  const Comparison& c = win_->comparison();
  ASSERT_EQ(c.lines.size(), 2u) << "overlaid with the live run";
  EXPECT_NE(c.lines[0].slot, c.lines[1].slot);

  // The same series, value for value (the CSV's %.9g reads back every float exactly).
  const RunSnapshot& live = *c.lines[0].members[0];
  const RunSnapshot& read = *c.lines[1].members[0];
  for (const char* name : {"loss_task", "L0/load_entropy", "L0/router_entropy", "L0/max_vio", "L0/load[2]"}) {
    const SeriesId li = live.history->find(name), ri = read.history->find(name);
    ASSERT_GE(li, 0) << name;
    ASSERT_GE(ri, 0) << name;
    std::vector<HistorySample> lp, rp;
    live.history->fetch(li, -INFINITY, INFINITY, 4096, lp);
    read.history->fetch(ri, -INFINITY, INFINITY, 4096, rp);
    ASSERT_EQ(lp.size(), 60u) << name;
    ASSERT_EQ(rp.size(), lp.size()) << name;
    for (size_t i = 0; i < lp.size(); ++i) {
      EXPECT_EQ(rp[i].x, lp[i].x) << name << " row " << i;
      EXPECT_EQ(rp[i].mean, lp[i].mean) << name << " row " << i;
    }
  }
  // The same polyline on the plot: the file's run lies exactly on the live one.
  const PlotLog log = draw_entropy_of(*win_);
  const auto a = PlotLog::of(log.lines, palette::run_colour(c.lines[0].slot, palette::Theme::dark));
  const auto b = PlotLog::of(log.lines, palette::run_colour(c.lines[1].slot, palette::Theme::dark));
  ASSERT_GE(a.size(), 2u) << "router and load entropy of the live run";
  ASSERT_EQ(b.size(), a.size());
  size_t points = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    for (size_t k = 0; k < a[i].size(); ++k) {
      EXPECT_EQ(a[i][k].x, b[i][k].x);
      EXPECT_EQ(a[i][k].y, b[i][k].y);
    }
    points += a[i].size();
  }
  EXPECT_GT(points, 60u);

  // A file that is not a run's results is refused, naming it; the runs stay.
  const std::string bad = (dir / "not-results.csv").string();
  {
    std::FILE* f = std::fopen(bad.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("hello,world\n1,2\n", f);
    std::fclose(f);
  }
  EXPECT_NE(win_->open_results({bad}).find("not-results.csv"), std::string::npos) << win_->status();
  EXPECT_EQ(runs.size(), 2);
}

// [SECTION] Forks: `--compare key=v@STEP` and the fork mark

using test::train_all;

TEST(CompareForks, AnAtStepSpecForksTheFirstRunThereWithTheNumbersOfTheScheduledChange) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  cfg.threads = 1;
  RunSet runs(cfg, "collapse");
  std::vector<std::vector<ScheduledChange>> compares(4);
  ASSERT_EQ(gui::parse_compare_spec("alpha=0.01@15", cfg, &compares[0]), "");
  ASSERT_EQ(gui::parse_compare_spec("top_k=2", cfg, &compares[1]), "");
  ASSERT_EQ(gui::parse_compare_spec("alpha=0.01@10", cfg, &compares[2]), "") << "the first run is past 10 by then";
  ASSERT_EQ(gui::parse_compare_spec("alpha=0.01@15,top_k=2@20", cfg, &compares[3]), "") << "two steps: no fork";
  ASSERT_EQ(gui::add_compared_runs(runs, compares), "");
  const std::vector<RunView> v = runs.views();
  ASSERT_EQ(v.size(), 5u);
  const int first = runs.first();
  EXPECT_EQ(v[1].info.parent, first);
  EXPECT_EQ(v[1].info.fork_step, 15);
  EXPECT_EQ(v[1].snap->steps_done, 15) << "a true fork: it starts from the first run's state at 15";
  EXPECT_EQ(v[1].info.label, "α=1e-2@15");
  EXPECT_EQ(v[2].info.fork_step, -1);
  EXPECT_EQ(v[2].info.label, "k=2");
  EXPECT_EQ(v[3].info.parent, first);
  EXPECT_EQ(v[3].info.fork_step, 10) << "trained from step 0 with the change at 10, marked as the fork it is";
  EXPECT_EQ(v[4].info.fork_step, -1);
  // The same runs as the changes scheduled from step 0, bit for bit.
  std::string err;
  const int scheduled15 = runs.duplicate(first, {{15, "alpha", "0.01"}}, &err);
  ASSERT_GE(scheduled15, 0) << err;
  train_all(runs, 40);
  auto same_history = [](const RunSnapshot& a, const RunSnapshot& b, const std::string& what) {
    for (const char* name : {"loss_task", "L0/load_entropy", "L0/max_vio", "L0/load[1]"}) {
      std::vector<HistorySample> pa, pb;
      a.history->fetch(a.history->find(name), -INFINITY, INFINITY, 4096, pa);
      b.history->fetch(b.history->find(name), -INFINITY, INFINITY, 4096, pb);
      ASSERT_EQ(pa.size(), 40u) << what << " " << name;
      ASSERT_EQ(pb.size(), pa.size()) << what << " " << name;
      for (size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].mean, pb[i].mean) << what << " " << name << " step " << i;
    }
    EXPECT_EQ(a.last.losses.total, b.last.losses.total) << what;
  };
  same_history(*runs.snapshot(v[1].info.id), *runs.snapshot(scheduled15), "fork at 15");
  // Its past is the first run's.
  std::vector<HistorySample> fork_past, first_past;
  const auto fs = runs.snapshot(v[1].info.id), ps = runs.snapshot(first);
  fs->history->fetch(fs->history->find("L0/load_entropy"), -INFINITY, 14.5, 4096, fork_past);
  ps->history->fetch(ps->history->find("L0/load_entropy"), -INFINITY, 14.5, 4096, first_past);
  ASSERT_EQ(fork_past.size(), first_past.size());
  for (size_t i = 0; i < fork_past.size(); ++i) EXPECT_EQ(fork_past[i].mean, first_past[i].mean);
}

TEST_F(WindowRuns, AForkIsMarkedAtItsStepOnEveryTimePlotInItsColour) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  win_->interactive = false;
  settle(*win_, 20);
  RunSet& runs = win_->runs();
  EXPECT_NE(win_->add_run_with_change(true, "num_experts=4"), "") << "a structural setting cannot fork";
  EXPECT_NE(win_->add_run_with_change(true, "alpha"), "");
  ASSERT_EQ(runs.size(), 1);
  ASSERT_EQ(win_->add_run_with_change(true, "alpha=0.01"), "");  // "Fork here..." with alpha=0.01
  ASSERT_EQ(runs.size(), 2);
  const RunInfo fork = runs.views()[1].info;
  EXPECT_EQ(fork.parent, runs.first()) << "a true fork: its parent";
  EXPECT_EQ(fork.fork_step, 20) << "and the step it parted at";
  EXPECT_EQ(runs.snapshot(fork.id)->steps_done, 20) << "it starts from the parent's state there";
  settle(*win_, 60);
  frame(*win_);
  const Comparison& c = win_->comparison();
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_EQ(c.lines[1].fork_step, 20);
  const PlotLog log = draw_entropy_of(*win_);
  const ImU32 first_colour = palette::run_colour(c.lines[0].slot, palette::Theme::dark);
  const ImU32 fork_colour = palette::run_colour(c.lines[1].slot, palette::Theme::dark);
  // Where step 20 falls: the first run's curve spans steps 0..59 across each plot.
  const auto curves = PlotLog::of(log.lines, first_colour);
  ASSERT_GE(curves.size(), 2u);
  int marks = 0;
  for (const auto& seg : PlotLog::of(log.segments, fork_colour)) {
    if (std::fabs(seg[0].x - seg[1].x) > 0.01f || std::fabs(seg[0].y - seg[1].y) < 20) continue;  // vertical lines
    ++marks;
    bool in_a_plot = false;
    for (const auto& curve : curves) {
      const float x0 = curve.front().x, x1 = curve.back().x;
      const float want = x0 + (x1 - x0) * (20.0f / 59.0f);
      if (seg[0].x >= x0 && seg[0].x <= x1) {
        in_a_plot = true;
        EXPECT_NEAR(seg[0].x, want, 3.0f) << "the mark stands at step 20";
      }
    }
    EXPECT_TRUE(in_a_plot);
  }
  EXPECT_GE(marks, 2) << "the fork step is marked on both entropy plots";
  int first_marks = 0;
  for (const auto& seg : PlotLog::of(log.segments, first_colour))
    first_marks += std::fabs(seg[0].x - seg[1].x) < 0.01f && std::fabs(seg[0].y - seg[1].y) >= 20;
  EXPECT_EQ(first_marks, 0) << "the first run made no change: no mark in its colour";
}

// [SECTION] A workspace saved and opened again

TEST_F(WindowRuns, AWorkspaceSavedFromTheWindowOpensInAFreshWindowWithTheSameRunsLabelsAndLayout) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  settle(*win_, 20);
  RunSet& runs = win_->runs();
  const int first = runs.first();
  std::string err;
  const int forked = runs.fork(first, {{0, "alpha", "0.01"}}, &err);
  ASSERT_GE(forked, 0) << err;
  const int dup = runs.duplicate(first, {{0, "top_k", "2"}}, &err);
  ASSERT_GE(dup, 0) << err;
  ASSERT_EQ(runs.repeat_over_seeds(dup, 3), "");
  const int pinned = runs.pin(first, &err);
  ASSERT_GE(pinned, 0) << err;
  runs.set_label(forked, "balance loss on at 20");
  runs.set_visible(pinned, false);
  win_->select_run(dup);
  settle(*win_, 30);
  gui::MainWindow& w = *win_;
  w.ui().layout = PanelLayout_Four;
  w.ui().controls_collapsed = true;
  w.ui().difference_view = true;
  w.ui().band_std = true;
  w.ui().light_theme = true;
  w.ui().ema = 0.5f;
  SweepView& sweep = w.show_sweep();
  std::snprintf(sweep.rows, sizeof sweep.rows, "%s", "k=1,2");
  std::snprintf(sweep.cols, sizeof sweep.cols, "%s", "alpha=0,1e-2");
  sweep.seeds = 2;
  sweep.steps = 40;
  sweep.metric = "max_vio";
  frame(w);
  const std::vector<RunView> before = runs.views();
  ASSERT_EQ(before.size(), 6u) << "first, fork, three seeds, pin";

  // The File menu offers it (a look: the menu open over the window).
  frame(w, ImVec2(20, 10));
  frame(w, ImVec2(20, 10), true);
  frame(w, ImVec2(20, 10), false);
  frame(w, ImVec2(60, 200));
  save_png("moescope_window_file_menu.png", true);
  frame(w, ImVec2(900, 40), true);  // a click on the status line closes the menu
  frame(w, ImVec2(900, 40), false);
  const std::string path = test::temp_path("window_workspace.json");
  ASSERT_EQ(w.save_workspace_file(path), "") << w.status();
  ASSERT_TRUE(gui::is_workspace_file(path));

  // A fresh window on another preset; the file dropped on it.
  Config other;
  ASSERT_EQ(load_preset("balanced", other), "");
  other_ = std::make_unique<gui::MainWindow>(other, "balanced");
  other_->open_dropped({path});
  EXPECT_FALSE(other_->status_is_error()) << other_->status();
  settle(*other_, -1);
  frame(*other_);
  const std::vector<RunView> after = other_->runs().views();
  ASSERT_EQ(after.size(), before.size());
  auto index_of = [](const std::vector<RunView>& vs, int id) {
    for (size_t i = 0; i < vs.size(); ++i)
      if (vs[i].info.id == id) return int(i);
    return -1;
  };
  for (size_t i = 0; i < before.size(); ++i) {
    const RunView &x = before[i], &y = after[i];
    SCOPED_TRACE("run " + std::to_string(i) + " " + x.info.label);
    EXPECT_EQ(y.info.kind, x.info.kind);
    EXPECT_EQ(y.info.label, x.info.label);
    EXPECT_EQ(y.info.label_edited, x.info.label_edited);
    EXPECT_EQ(y.info.visible, x.info.visible);
    EXPECT_EQ(y.info.group >= 0, x.info.group >= 0);
    EXPECT_EQ(y.info.fork_step, x.info.fork_step);
    EXPECT_EQ(index_of(after, y.info.parent), index_of(before, x.info.parent));
    ASSERT_TRUE(x.snap && y.snap);
    EXPECT_EQ(y.snap->steps_done, x.snap->steps_done);
    EXPECT_TRUE(changed_settings(x.snap->cfg, y.snap->cfg).empty());
    EXPECT_EQ(y.snap->last.losses.total, x.snap->last.losses.total) << "trained again to the same numbers";
  }
  EXPECT_EQ(after[1].info.fork_step, 20);
  EXPECT_EQ(after[1].info.label, "balance loss on at 20");
  EXPECT_EQ(after[2].info.group, after[3].info.group);
  EXPECT_EQ(after[5].info.kind, RunKind::Pinned);
  EXPECT_EQ(index_of(after, other_->runs().selected()), index_of(before, dup));
  EXPECT_EQ(other_->snapshot().cfg.top_k, 2) << "the selected run drives the controls";
  ASSERT_EQ(other_->comparison().lines.size(), win_->comparison().lines.size());
  for (size_t i = 0; i < other_->comparison().lines.size(); ++i)
    EXPECT_EQ(other_->comparison().lines[i].label, win_->comparison().lines[i].label);

  const UiState& ui = other_->ui();
  EXPECT_EQ(ui.layout, PanelLayout_Four);
  EXPECT_TRUE(ui.controls_collapsed);
  EXPECT_TRUE(ui.difference_view);
  EXPECT_TRUE(ui.band_std);
  EXPECT_TRUE(ui.light_theme);
  EXPECT_FLOAT_EQ(ui.ema, 0.5f);
  ASSERT_TRUE(ui.sweep);
  EXPECT_STREQ(ui.sweep->rows, "k=1,2");
  EXPECT_STREQ(ui.sweep->cols, "alpha=0,1e-2");
  EXPECT_EQ(ui.sweep->seeds, 2);
  EXPECT_EQ(ui.sweep->steps, 40);
  EXPECT_EQ(ui.sweep->metric, "max_vio");
  // Saved again, the opened window writes the same file.
  const std::string again = test::temp_path("window_workspace_again.json");
  ASSERT_EQ(other_->save_workspace_file(again), "");
  EXPECT_EQ(test::slurp(again), test::slurp(path));

  // A broken workspace is refused, naming the file; the runs open stay.
  const std::string bad = test::temp_path("window_workspace_bad.json");
  {
    std::FILE* f = std::fopen(bad.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"format\": \"moescope-workspace/1\", \"runs\": []}\n", f);
    std::fclose(f);
  }
  const std::string refused = other_->open_workspace_file(bad);
  EXPECT_NE(refused.find("window_workspace_bad.json"), std::string::npos) << refused;
  EXPECT_EQ(other_->runs().size(), int(before.size()));
}

TEST_F(WindowRuns, AWorkspaceOpensTheSweepCsvItShowedAgainAndSaysWhenItIsGone) {
  const std::filesystem::path dir = std::filesystem::path(test::temp_path("window_runs_sweep_ws"));
  std::filesystem::create_directories(dir);
  const std::string csv = (dir / "k.csv").string();
  const auto r = test::run_process(std::string(MOESCOPE_BINARY) +
                                   " sweep --preset balanced --grid k=1,2 --seeds 2 --steps 10 --out " + csv + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  Config cfg;
  ASSERT_EQ(load_preset("balanced", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "balanced");
  ASSERT_EQ(win_->open_results({csv}), "") << win_->status();
  win_->ui().sweep->metric = "max_vio";
  const std::string shown = win_->ui().sweep->runner.table()->csv();
  const std::string path = (dir / "ws.json").string();
  ASSERT_EQ(win_->save_workspace_file(path), "");

  other_ = std::make_unique<gui::MainWindow>(cfg, "balanced");
  ASSERT_EQ(other_->open_workspace_file(path), "");
  EXPECT_FALSE(other_->status_is_error()) << other_->status();
  ASSERT_TRUE(other_->ui().sweep);
  ASSERT_TRUE(other_->ui().sweep->runner.table());
  EXPECT_EQ(other_->ui().sweep->runner.table()->csv(), shown) << "the same table, read again from its file";
  EXPECT_EQ(other_->ui().sweep->metric, "max_vio");
  EXPECT_STREQ(other_->ui().sweep->rows, "top_k=1,2");

  std::filesystem::remove(csv);  // gone: the runs open, the status names the file
  other_.reset();
  other_ = std::make_unique<gui::MainWindow>(cfg, "balanced");
  ASSERT_EQ(other_->open_workspace_file(path), "");
  EXPECT_TRUE(other_->status_is_error());
  EXPECT_NE(other_->status().find("k.csv"), std::string::npos) << other_->status();
  EXPECT_EQ(other_->runs().size(), 1);
}

// [SECTION] A saved config holds the comparison

// Ctrl+S with runs side by side saves the first run's config and the others as its "compare"
// list: `run --config` then trains the same runs as `run --compare`, byte for byte, `shot
// --config` draws them, and opening the file in a fresh window makes the same run list.
TEST_F(WindowRuns, ASavedConfigHoldsTheComparisonAndOpensItAgain) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  settle(*win_, 30);
  ASSERT_EQ(win_->add_run_with_change(false, "alpha=0.01, top_k=2"), "");
  ASSERT_EQ(win_->add_run_with_change(true, "alpha=0.02"), "");  // a fork of the first run at 30
  settle(*win_, 40);
  const std::string dir = test::temp_path("saved_cmp") + "/";
  std::filesystem::create_directories(dir);
  ASSERT_EQ(win_->save_config_file(dir + "cmp.json"), "");
  EXPECT_NE(win_->status().find("2 more run(s) as \"compare\""), std::string::npos) << win_->status();
  const nlohmann::json j = nlohmann::json::parse(test::slurp(dir + "cmp.json"));
  ASSERT_TRUE(j.contains("compare")) << j.dump();
  EXPECT_EQ(j["compare"], nlohmann::json({"top_k=2,alpha=0.01", "alpha=0.02@30"}))
      << "settings in the property table's order";
  const std::string bin = std::string(MOESCOPE_BINARY) + " ";
  auto r = test::run_process(bin + "run --config " + dir + "cmp.json --steps 50 --quiet --out " + dir + "a.csv 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  r = test::run_process(bin + "run --preset collapse --compare alpha=0.01,top_k=2 --compare alpha=0.02@30 --steps 50 " +
                        "--quiet --out " + dir + "b.csv 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(test::slurp(dir + "a.csv"), test::slurp(dir + "b.csv")) << "save -> run --config is the same comparison";
  // shot --config draws the three runs: the same plotted numbers as the --compare shot.
  const std::string shot = " --steps 50 --panel entropy --size 600x400 --out ";
  r = test::run_process(bin + "shot --config " + dir + "cmp.json" + shot + dir + "c.svg 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  r = test::run_process(bin + "shot --preset collapse --compare alpha=0.01,top_k=2 --compare alpha=0.02@30" + shot +
                        dir + "d.svg 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  auto data = [](const std::string& csv) { return csv.substr(csv.find('\n') + 1); };  // after the provenance line
  const std::string c = data(test::slurp(dir + "c.csv"));
  EXPECT_EQ(c, data(test::slurp(dir + "d.csv")));
  EXPECT_NE(c.find("2e-2@30"), std::string::npos) << "the fork's column: " << c.substr(0, 300);
  // A fresh window opens the file as the same three runs.
  other_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  ASSERT_EQ(other_->open_config_file(dir + "cmp.json"), "");
  EXPECT_EQ(other_->runs().entries(), 3);
  EXPECT_NE(other_->status().find("beside 2 more run(s)"), std::string::npos) << other_->status();
  frame(*other_);
  std::vector<std::string> labels;
  for (const RunView& v : other_->runs().views()) labels.push_back(v.info.label);
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[1], "k=2, \xCE\xB1=1e-2");
  EXPECT_EQ(labels[2], "\xCE\xB1=2e-2@30");
  frame(*other_);
  save_png("moescope_saved_cmp_window.png");
}

}  // namespace
}  // namespace moe

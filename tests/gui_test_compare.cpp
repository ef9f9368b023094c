// gui_test_compare.cpp: runs side by side in the window (issue 11).
//   - `--compare` specs parse into changes, and bad ones name what is wrong
//   - the comparison lines: hidden runs left out, a seed group folded into one line, the reference
//   - a seed group's line is the mean of its members (min, max and std too), step by step
//   - a run's overlay line reads its own history only: the same pixels whatever runs it is
//     compared with, and a group of one run twice draws exactly that run's line
//   - `moescope shot --compare` draws two runs in two colours with a legend; `--seeds` a band
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "gui_test_fixture.h"
#include "gui_test_image.h"
#include "palette.h"
#include "panels/panel_compare.h"
#include "run_list.h"
#include "run_process.h"
#include "test_support.h"
#include "ui_state.h"
#include "window.h"

namespace moe {
namespace {

// [SECTION] Specs and lines

TEST(CompareSpec, ParsesSettingsAndAStepAndNamesWhatIsWrong) {
  const Config base = default_config();
  std::vector<ScheduledChange> c;
  ASSERT_EQ(gui::parse_compare_spec("alpha=0.01", base, &c), "");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].key, "alpha");
  EXPECT_EQ(c[0].value, "0.01");
  EXPECT_EQ(c[0].step, 0);
  ASSERT_EQ(gui::parse_compare_spec(" alpha=0.01 , top_k=2 @500", base, &c), "");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].key, "top_k");
  EXPECT_EQ(c[1].value, "2");
  EXPECT_EQ(c[0].step, 0) << "as `run --compare`: each pair has its own @STEP";
  EXPECT_EQ(c[1].step, 500);
  EXPECT_NE(gui::parse_compare_spec("alpha", base, &c).find("key=value"), std::string::npos);
  EXPECT_NE(gui::parse_compare_spec("nosuch=1", base, &c).find("'nosuch'"), std::string::npos);
  EXPECT_NE(gui::parse_compare_spec("alpha=0.01@soon", base, &c).find("@"), std::string::npos);
  EXPECT_NE(gui::parse_compare_spec("alpha=lots", base, &c), "") << "the value is checked as --set checks it";
  EXPECT_NE(gui::parse_compare_spec("", base, &c), "");
}

RunView view(int id, int slot, int group, bool visible, std::shared_ptr<const RunSnapshot> snap) {
  RunView v;
  v.info.id = id;
  v.info.label = "run" + std::to_string(id);
  v.info.style = slot;
  v.info.group = group;
  v.info.visible = visible;
  v.snap = std::move(snap);
  return v;
}

TEST(CompareLines, HiddenRunsAreLeftOutAndASeedGroupIsOneLine) {
  auto s = std::make_shared<RunSnapshot>();
  const std::vector<RunView> views = {view(0, 0, -1, true, s), view(1, 1, 7, true, s),   view(2, 1, 7, true, s),
                                      view(3, 2, 7, true, s),  view(4, 3, -1, false, s), view(5, 4, -1, true, s)};
  UiState ui;
  Comparison c = gui::build_comparison(views, /*selected=*/2, /*first=*/0, ui);
  ASSERT_EQ(c.lines.size(), 3u);
  EXPECT_EQ(c.lines[0].id, 0);
  EXPECT_EQ(c.lines[1].id, 1);
  EXPECT_EQ(c.lines[1].members.size(), 3u) << "the group's three seeds draw as one line";
  EXPECT_TRUE(c.lines[1].selected) << "a member is selected";
  EXPECT_EQ(c.lines[2].id, 5) << "run 4 is hidden";
  EXPECT_EQ(c.reference, -1);
  EXPECT_TRUE(c.active());
  ui.difference_view = true;
  ui.band_std = true;
  c = gui::build_comparison(views, 0, 5, ui);
  EXPECT_EQ(c.reference, 2) << "the line of the first run";
  EXPECT_TRUE(c.band_std);
  // One plain run draws as before; one seed group alone still compares (its band).
  EXPECT_FALSE(gui::build_comparison({views[0]}, 0, 0, ui).active());
  EXPECT_TRUE(gui::build_comparison({views[1], views[2]}, 1, 1, ui).active());
}

TEST(RunStyles, RunsDifferInColourAndInDashSoInGreyToo) {
  for (palette::Theme t : {palette::Theme::dark, palette::Theme::light})
    for (int a = 0; a < palette::kRunColours; ++a)
      for (int b = a + 1; b < palette::kRunColours; ++b)
        EXPECT_GT(palette::delta_e(palette::run_colour(a, t), palette::run_colour(b, t)), 0.06f)
            << "run colours " << a << " and " << b;
  // Blue and red, the usual A/B pair, stay apart for the commonest colour blindness.
  for (palette::Vision v : {palette::Vision::deuteranopia, palette::Vision::protanopia})
    EXPECT_GT(palette::delta_e(palette::simulate(palette::run_colour(0, palette::Theme::dark), v),
                               palette::simulate(palette::run_colour(1, palette::Theme::dark), v)),
              0.1f);
  std::set<std::tuple<int, int, int>> looks;
  for (int slot = 0; slot < 16; ++slot) {
    const plot::LineStyle ls = plot::RunLineStyle(slot);
    EXPECT_EQ(ls.dash == plot::Dash_Solid && ls.marker == plot::Marker_None, slot == 0)
        << "only the first run is a plain solid line";
    looks.insert({slot % palette::kRunColours, ls.dash, ls.marker});
  }
  EXPECT_EQ(looks.size(), 16u) << "16 runs, 16 looks";
  std::set<std::pair<int, int>> grey;  // without colour: the first 5 runs by dash alone
  for (int slot = 0; slot < 5; ++slot) grey.insert({plot::RunLineStyle(slot).dash, plot::RunLineStyle(slot).marker});
  EXPECT_EQ(grey.size(), 5u);
}

// [SECTION] Synthetic runs

constexpr int kLoadEntropy = metric_index("load_entropy"), kRouterEntropy = metric_index("router_entropy");

// A run whose layer-0 load and router entropy are f(step) for `steps` steps.
std::shared_ptr<RunSnapshot> synthetic_run(int steps, double (*f)(int, int), int seed) {
  auto s = std::make_shared<RunSnapshot>();
  s->cfg = default_config();
  auto h = std::make_shared<History>();
  s->ids.layers.assign(1, std::vector<SeriesId>(size_t(kMetricCount), -1));
  s->ids.layers[0][size_t(kLoadEntropy)] = h->add_series("L0/load_entropy");
  s->ids.layers[0][size_t(kRouterEntropy)] = h->add_series("L0/router_entropy");
  for (int i = 0; i < steps; ++i) {
    const float row[2] = {float(f(i, seed)), float(0.5 * f(i, seed))};
    h->append(row);
  }
  s->steps_done = steps;
  s->history = h;
  return s;
}

double wave(int i, int seed) { return 0.5 + 0.3 * std::sin(0.01 * i + seed) + 0.05 * ((i * 7 + seed * 3) % 5); }

TEST(CompareGroups, AGroupLineIsTheMeanOfItsMembersWithTheirRangeAndSpread) {
  const int n = 600;
  std::vector<std::shared_ptr<const RunSnapshot>> members;
  for (int seed = 0; seed < 3; ++seed) members.push_back(synthetic_run(n, wave, seed));
  std::vector<panel::GroupSample> g;
  const panel::MetricRef m{0, kLoadEntropy};
  ASSERT_EQ(panel::fetch_group(members, m, -INFINITY, INFINITY, 4096, g), 0) << "every raw step fits";
  ASSERT_EQ(g.size(), size_t(n));
  for (int i = 0; i < n; i += 37) {
    double v[3], sum = 0;
    for (int k = 0; k < 3; ++k) sum += v[k] = double(float(wave(i, k)));
    const double mean = sum / 3;
    double var = 0;
    for (double x : v) var += (x - mean) * (x - mean) / 3;
    const panel::GroupSample& p = g[size_t(i)];
    EXPECT_EQ(p.x, double(i));
    EXPECT_EQ(p.n, 3);
    EXPECT_NEAR(p.mean, mean, 1e-12) << "step " << i;
    EXPECT_EQ(p.min, std::min({v[0], v[1], v[2]}));
    EXPECT_EQ(p.max, std::max({v[0], v[1], v[2]}));
    EXPECT_NEAR(p.std, std::sqrt(var), 1e-9);
  }
  // A member behind the others: the group stops where every member has been.
  members.push_back(synthetic_run(400, wave, 3));
  ASSERT_GE(panel::fetch_group(members, m, -INFINITY, INFINITY, 4096, g), 0);
  EXPECT_EQ(g.back().x, 399.0);
  EXPECT_EQ(g.back().n, 4);
}

// [SECTION] Overlay drawing

using test::PlotLog;

class CompareRender : public ::testing::Test {
 protected:
  static constexpr int kW = 900, kH = 600;
  void SetUp() override {
    std::string error;
    if (!gui_.create_gl(kW, kH, &error)) GTEST_SKIP() << error;
    ASSERT_TRUE(gui_.start([](ImGuiIO& io) {
      io.DisplaySize = ImVec2(kW, kH);
      io.DeltaTime = 1.0f / 60.0f;
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
      ImGui::StyleColorsDark();
    }));
  }
  void TearDown() override { gui_.stop(); }

  // Draws the entropy panel for `cmp` a few frames (fits and alignment settle); the last frame's polylines.
  PlotLog draw(const Comparison& cmp) {
    UiState ui;
    return test::record_panel(ImVec2(kW, kH), [&] {
      PanelContext ctx{*cmp.lines[0].members[0], ui, nullptr, &cmp};
      draw_entropy(ctx);
    });
  }

  test::OffscreenGui gui_;
};

RunLine line(int id, int slot, std::vector<std::shared_ptr<const RunSnapshot>> members) {
  RunLine l;
  l.id = id;
  l.label = "run " + std::to_string(id);
  l.slot = slot;
  l.members = std::move(members);
  return l;
}

TEST_F(CompareRender, ARunsLineReadsOnlyItsOwnHistoryAndAGroupOfItTwiceDrawsTheSame) {
  const int n = 800;
  auto a = synthetic_run(n, wave, 0), b = synthetic_run(n, wave, 5), c = synthetic_run(n, wave, 9);
  const ImU32 colour_a = palette::run_colour(0, palette::Theme::dark);
  Comparison ab, ac, aa_group;
  ab.lines = {line(0, 0, {a}), line(1, 1, {b})};
  ac.lines = {line(0, 0, {a}), line(2, 1, {c})};
  aa_group.lines = {line(0, 0, {a, a}), line(1, 1, {b})};
  const PlotLog with_b = draw(ab), with_c = draw(ac), group = draw(aa_group);
  const auto lines_b = PlotLog::of(with_b.lines, colour_a), lines_c = PlotLog::of(with_c.lines, colour_a),
             lines_g = PlotLog::of(group.lines, colour_a);
  ASSERT_GE(lines_b.size(), 2u) << "run A in both plots (load and router entropy)";
  size_t points = 0;
  for (const auto& l : lines_b) points += l.size();
  EXPECT_GT(points, 200u) << "a real curve: one point per pixel column of each plot";
  ASSERT_EQ(lines_b.size(), lines_c.size());
  for (size_t i = 0; i < lines_b.size(); ++i) {
    ASSERT_EQ(lines_b[i].size(), lines_c[i].size());
    for (size_t k = 0; k < lines_b[i].size(); ++k) {
      EXPECT_EQ(lines_b[i][k].x, lines_c[i][k].x);
      EXPECT_EQ(lines_b[i][k].y, lines_c[i][k].y) << "A's line does not depend on the run beside it";
    }
  }
  ASSERT_EQ(lines_g.size(), lines_b.size()) << "the group draws its mean line (its band is no polyline)";
  for (size_t i = 0; i < lines_b.size(); ++i) {
    ASSERT_EQ(lines_g[i].size(), lines_b[i].size());
    for (size_t k = 0; k < lines_b[i].size(); ++k)
      EXPECT_NEAR(lines_g[i][k].y, lines_b[i][k].y, 1e-3) << "the mean of A and A is A";
  }
  // B's line is there too, in the second run colour.
  EXPECT_GE(PlotLog::of(with_b.lines, palette::run_colour(1, palette::Theme::dark)).size(), 2u);
}

// [SECTION] The window

class CompareWindow : public test::WindowTest {
 protected:
  CompareWindow() : WindowTest(1600, 1000) {}
  // Every live run at `steps`, idle; then two frames so the window shows it.
  void settle(int64_t steps) {
    WindowTest::settle(*win_, steps);
    frame();
    frame();
  }
};

TEST_F(CompareWindow, DuplicatedRunsAreOverlaidTheSelectedOneDrivesTheControlsAndRemovingOneEndsTheOverlay) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  win_->interactive = false;
  settle(40);
  EXPECT_FALSE(win_->comparison().active()) << "one run: the panels draw as before";
  RunSet& runs = win_->runs();
  const int first = runs.first();
  std::vector<ScheduledChange> changes;
  ASSERT_EQ(gui::parse_compare_spec("alpha=0.01", cfg, &changes), "");
  std::string err;
  const int second = runs.duplicate(first, changes, &err);
  ASSERT_GE(second, 0) << err;
  win_->runs_changed();
  settle(40);
  const Comparison& c = win_->comparison();
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_TRUE(c.active());
  EXPECT_TRUE(c.lines[0].selected);
  EXPECT_NE(c.lines[0].slot, c.lines[1].slot) << "two runs, two colours";
  EXPECT_EQ(c.lines[1].members[0]->steps_done, 40);
  EXPECT_EQ(c.lines[1].members[0]->cfg.alpha, 0.01);

  win_->select_run(second);
  frame();
  EXPECT_EQ(win_->snapshot().cfg.alpha, 0.01) << "the per-expert panels and the controls show the selected run";
  EXPECT_EQ(&win_->session(), runs.session(second));
  EXPECT_TRUE(win_->comparison().lines[1].selected);

  // Fork here: a third run from the first one's state now, marked at its fork step on every plot.
  win_->select_run(first);
  const int forked = runs.fork(first, changes, &err);
  ASSERT_GE(forked, 0) << err;
  win_->runs_changed();
  frame();
  ASSERT_EQ(win_->comparison().lines.size(), 3u);
  EXPECT_EQ(win_->comparison().lines[2].fork_step, 40);
  EXPECT_EQ(win_->comparison().lines[2].members[0]->steps_done, 40) << "it shares the first run's past";
  runs.remove(forked);
  win_->runs_changed();
  win_->select_run(second);
  frame();

  // Hidden runs leave the plots; a removed one leaves the window.
  runs.set_visible(first, false);
  frame();
  EXPECT_EQ(win_->comparison().lines.size(), 1u);
  runs.set_visible(first, true);
  runs.remove(second);
  win_->runs_changed();
  frame();
  EXPECT_EQ(win_->comparison().lines.size(), 1u);
  EXPECT_FALSE(win_->comparison().active());
  EXPECT_EQ(&win_->session(), runs.session(first)) << "the selection falls back to a remaining run";
}

// A preset with its own "compare" list opens as runs side by side: lm-top1-vs-top2 is the
// top-1 run and, beside it, the same run with top_k=2.
TEST_F(CompareWindow, APresetsCompareListOpensAsRunsSideBySide) {
  Config cfg;
  ASSERT_EQ(load_preset("collapse", cfg), "");
  win_ = std::make_unique<gui::MainWindow>(cfg, "collapse");
  win_->interactive = false;
  frame();
  ASSERT_EQ(win_->open_preset("lm-top1-vs-top2"), "");
  settle(3);
  const std::vector<RunView> views = win_->runs().views();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].snap->cfg.task, Task::lm);
  EXPECT_EQ(views[0].snap->cfg.top_k, 1);
  EXPECT_EQ(views[1].snap->cfg.top_k, 2);
  EXPECT_TRUE(changed_settings(views[0].snap->cfg, views[1].snap->cfg) == std::vector<std::string>{"top_k"});
  EXPECT_EQ(views[1].info.label, "k=2");
  EXPECT_EQ(win_->comparison().lines.size(), 2u);
  // A preset without one leaves the run list as it is.
  ASSERT_EQ(win_->open_preset("lm-balanced"), "");
  EXPECT_EQ(win_->runs().views().size(), 2u);
}

// [SECTION] Shots

using test::count_colour;
using test::Image;
using test::shot_png;

// Pixels of colour c (within tol) in rows y0..y1 of the image.
int count_rows(const Image& im, ImU32 c, int tol, int y0, int y1) {
  int n = 0;
  for (int y = std::max(0, y0); y < std::min(im.h, y1); ++y)
    for (int x = 0; x < im.w; ++x) n += test::colour_distance(im.at(x, y), c) <= tol;
  return n;
}

TEST(CompareShots, TwoRunsInTwoColoursWithALegendByRun) {
  const Image im = shot_png("--preset collapse --compare alpha=0.01 --steps 300 --panel entropy --size 900x600",
                            "moescope_compare_entropy.png");
  ASSERT_EQ(im.w, 900);
  const ImU32 a = palette::run_colour(0, palette::Theme::dark), b = palette::run_colour(1, palette::Theme::dark);
  EXPECT_GT(count_colour(im, a, 24), 400) << "the first run's lines";
  EXPECT_GT(count_colour(im, b, 24), 200) << "the α = 0.01 run's (dashed) lines";
  // The legend: both swatches in the key row above the plots (the top 70 px: title, then the key).
  EXPECT_GT(count_rows(im, a, 24, 0, 70), 12) << "the first run's swatch";
  EXPECT_GT(count_rows(im, b, 24, 0, 70), 6) << "the second run's swatch";
  // The expert/series colours the single-run panel uses are gone: every line is a run.
  EXPECT_LT(count_colour(im, palette::series_colour(palette::Series::router_entropy, palette::Theme::dark), 6), 40);
}

TEST(CompareShots, ABadCompareSpecExitsTwoNamingIt) {
  const test::ProcessResult r = test::run_process(std::string(MOESCOPE_BINARY) +
                                                  " shot --preset collapse --compare nosuch=1 --steps 10 --out " +
                                                  test::temp_path("never.png") + " 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("nosuch"), std::string::npos) << r.out;
}

TEST(CompareShots, ASeedGroupDrawsItsMeanWithABand) {
  const Image im = shot_png("--preset collapse --seeds 4 --steps 300 --panel entropy --size 900x600",
                            "moescope_compare_seeds.png");
  ASSERT_EQ(im.w, 900);
  const ImU32 c = palette::run_colour(0, palette::Theme::dark);
  // The band: the run colour at 22% over the background (the cleared window colour).
  const ImVec4 bg = gui::clear_colour(false);
  auto mix = [&](int shift, float b) { return int(std::lround(0.22f * float((c >> shift) & 255) + 0.78f * b * 255)); };
  const ImU32 band = IM_COL32(mix(0, bg.x), mix(8, bg.y), mix(16, bg.z), 255);
  EXPECT_GT(count_colour(im, band, 6), 1500) << "a filled band between the seeds' min and max";
  EXPECT_GT(count_colour(im, c, 24), 300) << "the mean line";
}

}  // namespace
}  // namespace moe

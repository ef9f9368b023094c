// gui_test_shots.cpp: `moescope shot` renders every panel and the whole window
// offscreen (EGL, no display), and each image has real content: not blank, and
// the panel's own colours (expert colours for the per-expert plots, both ends of
// the colormap for the heatmaps) present. Also: the light theme, the timing
// report, and bad input (unknown panel, bad size, not a .png) → status 2 naming it;
// the panel list carries each panel's name, GPU heatmaps and where it applies.
// The PNGs stay in the test temp dir (moescope_shot_<panel>.png) for a look.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "gui_test_image.h"
#include "palette.h"
#include "panels/panels.h"
#include "run_process.h"
#include "test_support.h"
#include "ui_state.h"

namespace moe {
namespace {

using Result = test::ProcessResult;

Result run(const std::string& args) { return test::run_process(std::string(MOESCOPE_BINARY) + " " + args + " 2>&1"); }

using test::count_colour;
using test::Image;
using test::load_png;

// How many of `colours` appear on at least `min_pixels` pixels.
int colours_present(const Image& im, const std::vector<ImU32>& colours, int min_pixels = 12, int tol = 20) {
  int n = 0;
  for (ImU32 c : colours) n += count_colour(im, c, tol) >= min_pixels;
  return n;
}

// Fraction of pixels that differ from the most common colour (the background), and distinct colours.
void content_stats(const Image& im, double* non_bg, int* distinct) {
  std::vector<uint32_t> px(size_t(im.w) * size_t(im.h));
  std::set<uint32_t> quant;
  for (size_t i = 0; i < px.size(); ++i) {
    const uint8_t* p = &im.rgba[i * 4];
    px[i] = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16;
    quant.insert(uint32_t(p[0] >> 3) | uint32_t(p[1] >> 3) << 5 | uint32_t(p[2] >> 3) << 10);
  }
  std::vector<uint32_t> sorted = px;
  std::sort(sorted.begin(), sorted.end());
  uint32_t bg = sorted[0];
  size_t best = 0;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    if (j - i > best) best = j - i, bg = sorted[i];
    i = j;
  }
  *non_bg = 1.0 - double(best) / double(px.size());
  (void)bg;
  *distinct = int(quant.size());
}

std::vector<ImU32> experts(int n, palette::Theme t = palette::Theme::dark) {
  std::vector<ImU32> v;
  for (int e = 0; e < n; ++e) v.push_back(palette::categorical(e, t));
  return v;
}

std::vector<ImU32> series(std::initializer_list<palette::Series> list, palette::Theme t = palette::Theme::dark) {
  std::vector<ImU32> v;
  for (palette::Series s : list) v.push_back(palette::series_colour(s, t));
  return v;
}

struct PanelCase {
  const char* panel;
  std::string source;          // preset, sets and steps
  std::vector<ImU32> colours;  // expected colours
  int need;                    // how many of them must appear
};

class Shots : public ::testing::TestWithParam<int> {};

std::vector<PanelCase> cases() {
  const std::string blobs = "--preset balanced --set task=blobs --set num_experts=8 --set top_k=2 --steps 300";
  const std::string balanced = "--preset balanced --steps 300";
  const std::string chars = "--preset chars-specialise --steps 400";
  const std::string lm = "--preset lm-balanced --set lm_text=generated --steps 100";  // no package needed
  const std::vector<ImU32> ends = {palette::colormap(0.0f), palette::colormap(1.0f)};
  const std::vector<ImU32> loss_terms = {palette::series_colour(palette::Series::task_loss, palette::Theme::dark),
                                         palette::series_colour(palette::Series::balance_loss, palette::Theme::dark),
                                         palette::series_colour(palette::Series::z_loss, palette::Theme::dark),
                                         palette::series_colour(palette::Series::total_loss, palette::Theme::dark)};
  return {
      {"load", balanced, experts(8), 7},
      {"entropy", balanced, series({palette::Series::router_entropy, palette::Series::load_entropy}), 2},
      {"collapse", "--preset collapse --steps 400",
       series({palette::Series::dead_experts, palette::Series::max_vio, palette::Series::load_cv}), 3},
      {"losses", balanced, loss_terms,
       4},  // task, L_bal, L_z, total: Okabe-Ito hues, not the two blues task and L_z were
      {"this-step", balanced, experts(8), 7},
      {"gates", balanced, ends, 2},
      {"specialisation", chars, ends, 2},
      {"routing-map", blobs, experts(8), 4},
      {"sparsity", balanced, experts(2), 1},
      {"text-by-expert", lm, experts(8), 6},
      {"samples", lm, {palette::colormap(1.0f)}, 0},  // text only: the content and colour-count checks
      {"attention", lm, ends, 2},                     // row 0 attends only to itself: probability 1
      {"sweep", "--preset balanced --steps 60 --grid k=1,2,4 --grid alpha=0,1e-2 --seeds 2", ends, 2},
  };
}

TEST(Shots, EveryPanelIsCovered) {
  int n = 0;
  const PanelInfo* list = panel_list(&n);
  const auto cs = cases();
  ASSERT_EQ(size_t(n), cs.size());
  for (int i = 0; i < n; ++i) EXPECT_STREQ(list[i].name, cs[size_t(i)].panel);
}

// The panel list is the one place that says what a panel is: its --panel name
// (the help of `shot` is built from it), the GPU heatmaps it needs, whether it
// applies to a config, and how many View-menu flags the UI state keeps.
TEST(Shots, ThePanelListCarriesNamesGpuHeatmapsHelpAndWhereEachApplies) {
  std::set<std::string> names;
  for (const PanelInfo& p : kPanels) {
    EXPECT_TRUE(names.insert(p.name).second) << "two panels are called " << p.name;
    EXPECT_EQ(find_panel(p.name), &p);
    EXPECT_NE(panel_names().find(p.name), std::string::npos) << p.name;
  }
  EXPECT_EQ(find_panel("nosuch"), nullptr);
  EXPECT_EQ(panel_names(),
            "load, entropy, collapse, losses, this-step, gates, specialisation, routing-map, sparsity, "
            "text-by-expert, samples, attention, sweep");
  const Result help = run("shot --help");
  EXPECT_NE(help.out.find("Only this panel: " + panel_names()), std::string::npos) << help.out;

  EXPECT_EQ(find_panel("load")->gpu, PanelGpu_Load);
  EXPECT_EQ(find_panel("gates")->gpu, PanelGpu_Gates);
  EXPECT_EQ(find_panel("specialisation")->gpu, PanelGpu_Specialisation);
  EXPECT_EQ(find_panel("routing-map")->gpu, PanelGpu_Routing);
  EXPECT_EQ(find_panel("losses")->gpu, PanelGpu_None);
  EXPECT_EQ(panel_gpu_needs(), PanelGpu_Gates | PanelGpu_Load | PanelGpu_Routing | PanelGpu_Specialisation);

  Config blobs = default_config(), chars = default_config();
  blobs.task = Task::blobs;
  chars.task = Task::chars;
  Config one_label = default_config();
  one_label.task = Task::teacher;
  one_label.teacher_experts = 1;
  EXPECT_TRUE(find_panel("routing-map")->applies(chars)) << "every task's router inputs have a principal plane";
  EXPECT_FALSE(find_panel("specialisation")->applies(one_label)) << "one label: nothing to specialise on";
  EXPECT_STREQ(find_panel("specialisation")->needs, "needs 2+ task labels");
  Config lm = default_config();
  lm.task = Task::lm;
  for (const PanelInfo& p : kPanels) {
    const bool lm_only = p.applies == &lm_panel_applies;
    EXPECT_TRUE(p.applies(lm)) << p.name << ": every panel works for lm";
    EXPECT_EQ(p.applies(blobs) && p.applies(chars), !lm_only) << p.name;
    EXPECT_TRUE(p.applies(one_label) || std::string(p.name) == "specialisation" || lm_only) << p.name;
    EXPECT_EQ(p.applies(one_label), *p.needs == '\0') << p.name << ": a panel that can be hidden says what it needs";
  }
  EXPECT_STREQ(find_panel("text-by-expert")->needs, "needs task = lm");

  const UiState ui;
  ASSERT_EQ(ui.show_panel.size(), size_t(kPanelCount));
  EXPECT_TRUE(std::all_of(ui.show_panel.begin(), ui.show_panel.end(), [](bool b) { return b; }))
      << "every panel starts shown";
}

TEST_P(Shots, PanelHasRealContentInItsOwnColours) {
  const PanelCase c = cases()[size_t(GetParam())];
  const std::string png = test::temp_path(std::string("moescope_shot_") + c.panel + ".png");
  const Result r = run(std::string("shot ") + c.source + " --panel " + c.panel + " --size 900x560 --out " + png);
  ASSERT_EQ(r.status, 0) << r.out;
  const Image im = load_png(png);
  ASSERT_EQ(im.w, 900);
  ASSERT_EQ(im.h, 560);
  double non_bg = 0;
  int distinct = 0;
  content_stats(im, &non_bg, &distinct);
  EXPECT_GT(non_bg, 0.05) << c.panel << ": almost everything is background";
  EXPECT_GT(distinct, 40) << c.panel << ": too few colours for a plot";
  EXPECT_GE(colours_present(im, c.colours), c.need) << c.panel << ": its data colours are missing";
}

INSTANTIATE_TEST_SUITE_P(EveryPanel, Shots, ::testing::Range(0, kPanelCount),
                         [](const ::testing::TestParamInfo<int>& info) {
                           std::string n = cases()[size_t(info.param)].panel;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Shots, WholeWindowInTheLightThemeShowsEveryExpertColourOnALightBackground) {
  const std::string png = test::temp_path("moescope_shot_window_light.png");
  const Result r = run("shot --preset balanced --steps 300 --theme light --out " + png);
  ASSERT_EQ(r.status, 0) << r.out;
  const Image im = load_png(png);
  ASSERT_EQ(im.w, 1600);
  ASSERT_EQ(im.h, 1000);
  long bright = 0;
  for (int y = 0; y < im.h; ++y)
    for (int x = 0; x < im.w; ++x) bright += (im.at(x, y)[0] + im.at(x, y)[1] + im.at(x, y)[2]) > 600;
  EXPECT_GT(double(bright) / (im.w * im.h), 0.4) << "the report theme is light";
  EXPECT_GE(colours_present(im, experts(8, palette::Theme::light)), 7);
}

TEST(Shots, TimingPrintsFrameTimesAndTrainingSpeed) {
  const std::string png = test::temp_path("moescope_shot_timing.png");
  const Result r = run("shot --preset balanced --steps 50 --size 800x500 --timing --out " + png);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("frame time: median"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("steps/s while drawing"), std::string::npos) << r.out;
}

TEST(Shots, ADivergingRunStillWritesItsShotWithTheBannerAndExitsOne) {
  const std::string png = test::temp_path("moescope_shot_diverged.png");
  const Result r = run("shot --preset balanced --set optimizer=sgd --set lr=10 --set grad_clip=0 --steps 300 --out " +
                       png);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("diverged"), std::string::npos) << r.out;
  const Image im = load_png(png);
  ASSERT_EQ(im.w, 1600);
  EXPECT_GT(count_colour(im, IM_COL32(140, 20, 20, 255), 6), 5000) << "the red divergence banner";
}

TEST(Shots, BadInputExitsTwoNamingWhatIsWrong) {
  const std::string png = test::temp_path("moescope_shot_bad.png");
  Result r = run("shot --preset balanced --steps 5 --panel nosuch --out " + png);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown panel 'nosuch'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("routing-map"), std::string::npos) << "lists the panels: " << r.out;
  r = run("shot --preset balanced --steps 5 --size 10x10 --out " + png);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--size"), std::string::npos) << r.out;
  r = run("shot --preset balanced --steps 5 --out " + test::temp_path("x.txt"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(".png"), std::string::npos) << r.out;
  r = run("shot --preset balanced --set top_k=99 --steps 5 --out " + png);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("top_k"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace moe

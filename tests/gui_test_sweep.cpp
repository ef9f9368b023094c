// gui_test_sweep.cpp: the sweep view as `moescope shot --grid ... --panel sweep` draws it: a
// filled heatmap (the colormap from end to end, many distinct colours) with a number in every
// cell, in a text colour that reads on it; one setting gives a line with its seed band; bad
// --grid and --metric are refused naming what is allowed.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "gui_test_image.h"
#include "palette.h"
#include "run_process.h"
#include "test_support.h"

namespace moe {
namespace {

test::ProcessResult shot(const std::string& args) {
  return test::run_process(std::string(MOESCOPE_BINARY) + " shot " + args + " 2>&1");
}

// Distinct colours (5 bits per channel) among the pixels of rectangle [x0,x1)×[y0,y1).
int distinct_colours(const test::Image& im, int x0, int y0, int x1, int y1) {
  std::set<int> q;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const uint8_t* p = im.at(x, y);
      q.insert(p[0] >> 3 | (p[1] >> 3) << 5 | (p[2] >> 3) << 10);
    }
  return int(q.size());
}

TEST(SweepView, HeatmapIsFilledWithAReadableNumberInEachCell) {
  const std::string out = test::temp_path("sweep_heat.png");
  const auto r = shot(
      "--preset balanced --grid k=1,2,4 --grid alpha=0,1e-3,1e-2 --seeds 2 --steps 60 "
      "--metric load_entropy --panel sweep --size 900x600 --out " +
      out);
  ASSERT_EQ(r.status, 0) << r.out;
  const test::Image im = test::load_png(out);
  ASSERT_EQ(im.w, 900);
  // The lowest and highest cell take the colormap's two ends; the 9 cells many colours between.
  EXPECT_GE(test::count_colour(im, palette::colormap(0.0f), 6), 2000);
  EXPECT_GE(test::count_colour(im, palette::colormap(1.0f), 6), 2000);
  EXPECT_GE(distinct_colours(im, 60, 150, 800, 560), 8);
  // The numbers: dark text on light cells and light text on dark ones (panel_sweep.cpp's text_on).
  const int dark = test::count_colour(im, IM_COL32(15, 15, 25, 255), 40);
  const int light = test::count_colour(im, IM_COL32(248, 248, 252, 255), 12);
  EXPECT_GE(dark + light, 9 * 40) << "dark " << dark << ", light " << light;
}

TEST(SweepView, OneSettingDrawsALineWithASeedBand) {
  const std::string out = test::temp_path("sweep_line.png");
  const auto r = shot(
      "--preset balanced --grid k=1,2,4 --seeds 3 --steps 60 --metric max_vio --panel sweep "
      "--size 900x600 --out " +
      out);
  ASSERT_EQ(r.status, 0) << r.out;
  const test::Image im = test::load_png(out);
  const ImU32 line = palette::categorical(0, palette::Theme::dark);
  EXPECT_GE(test::count_colour(im, line, 10), 300);  // the mean line and its dots
}

TEST(SweepView, BadGridAndMetricAreRefused) {
  auto r = shot("--preset balanced --grid k=1,0 --panel sweep --out " + test::temp_path("x.png"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("setting 'top_k'"), std::string::npos) << r.out;
  r = shot("--preset balanced --grid k=1,2 --metric load --panel sweep --out " + test::temp_path("x.png"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--metric 'load' is not a final metric; allowed: loss_total"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace moe

namespace moe {
namespace {

TEST(SweepView, ShardCsvsOpenTogetherAndAMissingShardIsNamed) {
  const std::string dir = test::temp_path("shards");
  std::filesystem::create_directories(dir);
  const std::string grid = "--preset balanced --grid k=1,2 --grid alpha=0,1e-2 --steps 20 --seeds 2";
  for (int i = 0; i < 2; ++i) {
    const auto r = test::run_process(std::string(MOESCOPE_BINARY) + " sweep " + grid + " --shard " + std::to_string(i) +
                                     "/2 --out " + dir + "/sv_shard" + std::to_string(i) + ".csv 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
  }
  const std::string out = test::temp_path("sweep_opened.png");
  auto r = shot("--preset balanced --steps 1 --results " + dir + "/sv_shard0.csv --results " + dir +
                "/sv_shard1.csv --panel sweep --size 900x600 --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  const test::Image im = test::load_png(out);
  EXPECT_GE(test::count_colour(im, palette::colormap(0.0f), 6), 2000);
  EXPECT_GE(test::count_colour(im, palette::colormap(1.0f), 6), 2000);
  r = shot("--preset balanced --steps 1 --results " + dir + "/sv_shard1.csv --panel sweep --out " + out);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("shard 0/2 missing: the files hold shard 1/2"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace moe

// gui_test_sweep_window.cpp: the sweep panel inside the window, in process: the grid it
// trains is, run for run, the CSV `moescope sweep` writes; clicking a heatmap cell hands
// that cell's runs (every seed, with the cell's settings) to the window's open_cell.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <filesystem>
#include <memory>
#include <string>

#include "config_io.h"
#include "gui_test_fixture.h"
#include "run_process.h"
#include "sweep_view.h"
#include "test_support.h"
#include "window.h"

namespace moe {
namespace {

using SweepWindow = test::WindowTest;  // 1000 x 700

TEST_F(SweepWindow, ItsCellsAreTheCommandLinesAndAClickOpensACellsRuns) {
  Config cfg;
  ASSERT_EQ(load_preset("balanced", cfg), "");
  SweepView& v = open_on_sweep(cfg, "balanced");
  std::vector<SweepRun> opened;
  std::string opened_label;
  v.open_cell = [&](const std::vector<SweepRun>& runs, const std::string& label) {
    opened = runs;
    opened_label = label;
    return std::string();
  };
  ASSERT_EQ(v.runner.start(win_->session().snapshot()->cfg, {"k=1,2", "alpha=0,1e-2"}, 2, 20), "");
  v.runner.wait();

  // The same grid from the command line: every row equal, byte for byte.
  const std::string csv = test::temp_path("sweep_window.csv");
  const auto r = test::run_process(std::string(MOESCOPE_BINARY) +
                                   " sweep --preset balanced --grid k=1,2 --grid alpha=0,1e-2 --seeds 2 --steps 20 "
                                   "--out " +
                                   csv + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  SweepTable cli;
  ASSERT_EQ(read_sweep_csv({csv}, &cli), "");
  EXPECT_EQ(v.runner.table()->csv(), cli.csv());

  for (int i = 0; i < 3; ++i) frame();
  const auto& placed = win_->panel_placements();
  ASSERT_EQ(placed.size(), 1u);
  const ImVec2 lo = placed[0].min, hi = placed[0].max;
  // Bottom-right cell (k=2, alpha=1e-2): a little inside the panel's lower right, left of the colour bar.
  const ImVec2 at(lo.x + (hi.x - lo.x) * 0.7f, hi.y - (hi.y - lo.y) * 0.18f);
  frame(at);
  frame(at, true);
  frame(at, false);
  ASSERT_EQ(opened.size(), 2u) << "a click opens the cell's seeds";
  EXPECT_EQ(opened_label, "top_k=2, alpha=1e-2");
  EXPECT_EQ(opened[0].index, 6);
  EXPECT_EQ(opened[1].seed, cfg.seed + 1);
  EXPECT_EQ(opened[1].cfg.top_k, 2);
  EXPECT_DOUBLE_EQ(opened[1].cfg.alpha, 1e-2);
  EXPECT_NE(v.notice.find("opened top_k=2, alpha=1e-2 (2 seeds)"), std::string::npos) << v.notice;
}

}  // namespace
}  // namespace moe

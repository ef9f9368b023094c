// gui_test_layout.cpp: the window's layout at projector sizes (issue 10, items 4 and 5).
//
// In process (EGL, no display): the real MainWindow draws frames at 1280×720 and
// 1024×768 and the test reads where it put each panel (panel_placements): more
// than two readable panels in the default layout, the "four" and "one" layouts,
// the controls folded to a strip giving the panels its width, and panels that do
// not apply hidden. Through `moescope shot`: the layouts render, and the routing
// map of a task without a plane (collapse) shows points in the expert colours.
// Under Xvfb at 1280×720: the window opens at the screen's size, not 1600×1000, a
// remembered size only if it fits, and the layout and folded controls are kept.
#include <epoxy/gl.h>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <stb_image.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <cfloat>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config_io.h"
#include "gui_test_fixture.h"
#include "gui_test_image.h"
#include "palette.h"
#include "panels/panels.h"
#include "plot.h"
#include "run_process.h"
#include "test_support.h"
#include "window.h"

namespace moe {
namespace {

// A tile a lecturer can read from the back: at least this many pixels (scale 1).
constexpr float kReadableW = 320, kReadableH = 240;

class Layout : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!gui_.create_gl(1600, 1000, &why)) GTEST_SKIP() << why;
    ASSERT_TRUE(gui_.start([](ImGuiIO& io) {
      io.DeltaTime = 1.0f / 60.0f;
      gui::load_fonts(1.0f);
    }));
  }

  void TearDown() override {
    win_.reset();
    gui_.stop();
  }

  // The window on a preset, trained a few steps (so every plot has data), not interactive like a shot.
  void open(const std::string& preset) {
    Config cfg;
    ASSERT_EQ(load_preset(preset, cfg), "");
    win_ = std::make_unique<gui::MainWindow>(cfg, preset);
    win_->interactive = false;
    win_->session().run_to(20);
    for (int i = 0; i < 2000 && win_->session().snapshot()->steps_done < 20; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(win_->session().snapshot()->steps_done, 20);
  }

  // A few frames at w×h (auto-fits and the layout settle), as `shot` draws them.
  void frames(int w, int h) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(w), float(h));
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    for (int i = 0; i < 3; ++i) {
      ImGui_ImplOpenGL3_NewFrame();
      ImGui::NewFrame();
      win_->draw();
      ImGui::Render();
    }
  }

  // Panels wholly on screen and at least the readable size.
  int readable() const {
    int n = 0;
    for (const gui::PanelPlacement& p : win_->panel_placements())
      n += p.visible && p.max.x - p.min.x >= kReadableW && p.max.y - p.min.y >= kReadableH;
    return n;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> v;
    for (const gui::PanelPlacement& p : win_->panel_placements()) v.emplace_back(kPanels[p.index].name);
    return v;
  }

  test::OffscreenGui gui_;
  std::unique_ptr<gui::MainWindow> win_;
};

TEST_F(Layout, ProjectorSizesShowMoreThanTwoReadablePanelsInTheDefaultLayout) {
  open("collapse");
  for (const auto& [w, h] : {std::pair{1280, 720}, std::pair{1024, 768}}) {
    frames(w, h);
    EXPECT_GT(readable(), 2) << w << "x" << h << ": the default layout must show more than two readable panels";
    for (const gui::PanelPlacement& p : win_->panel_placements()) {
      EXPECT_LE(p.max.x, float(w) + 0.5f) << kPanels[p.index].name << " runs off the right edge at " << w << "x" << h;
      EXPECT_GE(p.min.x, win_->controls_width() - 0.5f) << kPanels[p.index].name << " under the controls";
    }
  }
  frames(1600, 1000);
  EXPECT_GE(readable(), 6) << "at 1600x1000 two rows of three";
}

TEST_F(Layout, FoldingTheControlsToAStripGivesThePanelsTheWidth) {
  open("balanced");
  frames(1024, 768);
  const float column = win_->controls_width();
  const float first_left = win_->panel_placements().at(0).min.x;
  EXPECT_GT(column, 250.0f);
  win_->ui().controls_collapsed = true;
  frames(1024, 768);
  EXPECT_LT(win_->controls_width(), 50.0f) << "a thin strip";
  ASSERT_FALSE(win_->panel_placements().empty());
  EXPECT_LT(win_->panel_placements()[0].min.x, 50.0f) << "the first panel starts beside the strip";
  EXPECT_LT(win_->panel_placements()[0].min.x, first_left - 200.0f);
  float right = 0;
  for (const gui::PanelPlacement& p : win_->panel_placements()) right = std::max(right, p.max.x);
  // The whole width beside the strip, less the scrollbar of the rows that do not fit.
  EXPECT_GE(right - win_->panel_placements()[0].min.x,
            1024.0f - win_->controls_width() - ImGui::GetStyle().ScrollbarSize - 1.0f)
      << "the panels take the whole width";
  EXPECT_GE(readable(), 4);
  win_->ui().controls_collapsed = false;
  frames(1024, 768);
  EXPECT_FLOAT_EQ(win_->controls_width(), column) << "and it unfolds again";
}

TEST_F(Layout, TheFourLayoutTilesLoadEntropyCollapseLossesTwoByTwo) {
  open("balanced");
  ASSERT_EQ(gui::parse_layout("four", win_->ui()), "");
  frames(1280, 720);
  EXPECT_EQ(names(), (std::vector<std::string>{"load", "entropy", "collapse", "losses"}));
  EXPECT_EQ(readable(), 4);
  const auto& p = win_->panel_placements();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_FLOAT_EQ(p[0].min.y, p[1].min.y) << "two in a row";
  EXPECT_FLOAT_EQ(p[0].min.x, p[2].min.x) << "two in a column";
  EXPECT_GT(p[2].min.y, p[0].min.y);
}

TEST_F(Layout, TheOneLayoutShowsThePickedPanelOverTheWholeArea) {
  open("collapse");
  ASSERT_EQ(gui::parse_layout("one:routing-map", win_->ui()), "");
  frames(1024, 768);
  ASSERT_EQ(names(), std::vector<std::string>{"routing-map"});
  const gui::PanelPlacement& p = win_->panel_placements()[0];
  EXPECT_TRUE(p.visible);
  EXPECT_NEAR(p.max.x - p.min.x, 1024.0f - win_->controls_width(), 2.0f);
  EXPECT_GT(p.max.y - p.min.y, 768.0f * 0.8f);
}

TEST_F(Layout, APanelThatDoesNotApplyIsHiddenAndComesBackWhenItDoes) {
  open("collapse");  // teacher_experts = 1: one label, nothing to specialise on
  frames(1600, 1000);
  std::vector<std::string> shown = names();
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "specialisation"), 0) << "one label: hidden";
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "routing-map"), 1) << "the PC plane applies to every task";
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "sweep"), 0) << "no sweep defined or opened yet";
  EXPECT_EQ(shown.size(), size_t(kPanelCount - 5)) << "specialisation, the three lm panels and the sweep";
  win_->show_sweep();  // Run > Sweep...
  frames(1600, 1000);
  shown = names();
  EXPECT_EQ(std::count(shown.begin(), shown.end(), "sweep"), 1) << "tiled once a sweep exists";
  Config cfg = win_->snapshot().cfg;
  EXPECT_FALSE(find_panel("specialisation")->applies(cfg));
  EXPECT_STRNE(find_panel("specialisation")->needs, "") << "the View menu says what it needs";
  cfg.teacher_experts = 4;
  EXPECT_TRUE(find_panel("specialisation")->applies(cfg));
}

TEST_F(Layout, TheViewsPaletteOptionSwitchesTheExpertColoursTheWindowDraws) {
  open("collapse");
  frames(1280, 720);
  EXPECT_EQ(palette::current_scheme(), palette::Scheme::colour_blind_safe) << "the default";
  const ImU32 safe4 = palette::categorical(4);
  win_->ui().palette = Palette_Classic;
  frames(1280, 720);
  EXPECT_EQ(palette::current_scheme(), palette::Scheme::classic);
  EXPECT_NE(palette::categorical(4), safe4) << "expert 4 is drawn in another colour";
  win_->ui().palette = Palette_ColourBlindSafe;
  frames(1280, 720);
  EXPECT_EQ(palette::categorical(4), safe4);
}

TEST(LayoutNames, ParseLayoutTakesAllFourOrOneNameAndNamesWhatIsAllowed) {
  UiState ui;
  EXPECT_EQ(gui::parse_layout("four", ui), "");
  EXPECT_EQ(ui.layout, PanelLayout_Four);
  EXPECT_EQ(gui::parse_layout("one:gates", ui), "");
  EXPECT_EQ(ui.layout, PanelLayout_One);
  EXPECT_EQ(ui.single_panel, panel_index("gates"));
  EXPECT_EQ(gui::parse_layout("all", ui), "");
  EXPECT_EQ(ui.layout, PanelLayout_All);
  const std::string err = gui::parse_layout("one:nosuch", ui);
  EXPECT_NE(err.find("'one:nosuch'"), std::string::npos) << err;
  EXPECT_NE(err.find("routing-map"), std::string::npos) << "lists the panels: " << err;
  EXPECT_EQ(ui.layout, PanelLayout_All) << "a bad layout changes nothing";
  EXPECT_NE(gui::parse_layout("two", ui), "");
}

// Through the command line: the layouts and the strip render; the routing map of the
// collapse preset (teacher task, no input plane) shows its tokens in the expert colours.
using test::count_colour;
using test::Image;
using test::load_png;

test::ProcessResult shot(const std::string& args) {
  return test::run_process(std::string(MOESCOPE_BINARY) + " shot " + args + " 2>&1");
}

TEST(LayoutShots, RoutingMapOfTheCollapsePresetShowsTokensColouredByTopOneExpert) {
  const std::string png = test::temp_path("moescope_layout_map_collapse.png");
  // Step 60: the router still spreads tokens over several experts before it collapses.
  const auto r = shot("--preset collapse --steps 60 --panel routing-map --size 900x560 --out " + png);
  ASSERT_EQ(r.status, 0) << r.out;
  const Image im = load_png(png);
  ASSERT_EQ(im.w, 900);
  int colours = 0, pixels = 0;
  for (int e = 0; e < 8; ++e) {
    const int n = count_colour(im, palette::categorical(e), 12);
    colours += n >= 20;  // a point is ~30 pixels; the key's swatch alone is ~40
    pixels += n;
  }
  EXPECT_GE(colours, 3) << "points in several expert colours";
  EXPECT_GT(pixels, 256 * 10) << "a dot per probe token (256), in expert colours";
}

TEST(LayoutShots, FourOneAndTheStripRenderAtProjectorSizes) {
  for (const std::string args : {"--layout four --size 1280x720", "--layout one:load --size 1024x768",
                                 "--controls-strip --size 1024x768", "--size 1280x720"}) {
    const std::string png = test::temp_path("moescope_layout.png");
    const auto r = shot("--preset balanced --steps 100 " + args + " --out " + png);
    ASSERT_EQ(r.status, 0) << args << ": " << r.out;
    const Image im = load_png(png);
    ASSERT_GT(im.w, 0) << args;
    int colours = 0;
    for (int e = 0; e < 8; ++e) colours += count_colour(im, palette::categorical(e), 12) >= 12;
    EXPECT_GE(colours, 6) << args << ": the load curves in their expert colours";
  }
  const auto bad = shot("--preset balanced --steps 5 --layout one:nosuch --out " + test::temp_path("x.png"));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("--layout"), std::string::npos) << bad.out;
}

namespace fs = std::filesystem;

using test::slurp;

TEST(LayoutWindow, OpensAtTheScreenSizeKeepsARememberedSizeOnlyIfItFitsAndKeepsTheLayout) {
  if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "xvfb-run is not installed (package xvfb)";
  const fs::path dir = fs::path(test::temp_path("moescope_layout_window"));
  fs::remove_all(dir);
  fs::create_directories(dir / "moescope");
  const fs::path settings = dir / "moescope" / "settings.json";
  const std::string png = (dir / "window.png").string();
  auto open_window = [&](const std::string& args) {
    return test::run_process("XDG_CONFIG_HOME='" + dir.string() + "' xvfb-run -a -s '-screen 0 1280x720x24' " +
                             std::string(MOESCOPE_BINARY) + " " + args + " --frames 4 --screenshot " + png +
                             " 2>&1 < /dev/null");
  };
  auto shot_size = [&](int* w, int* h) {
    int n = 0;
    unsigned char* px = stbi_load(png.c_str(), w, h, &n, 4);
    if (px) stbi_image_free(px);
    return px != nullptr;
  };
  int w = 0, h = 0;
  // A remembered 1600×1000 does not fit a 1280×720 screen: the screen's size instead.
  {
    std::ofstream f(settings);
    f << R"({"window": [1600, 1000], "preset": "balanced",
             "ui": {"layout": 1, "controls_collapsed": true, "single_panel": "gates"}})";
  }
  auto r = open_window("--preset balanced");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(shot_size(&w, &h)) << r.out;
  EXPECT_LE(w, 1280);
  EXPECT_LE(h, 720);
  EXPECT_GE(w, 1000) << "the work area, not a small default";
  const std::string saved = slurp(settings);
  EXPECT_NE(saved.find("\"layout\": 1"), std::string::npos) << "the four layout is kept: " << saved;
  EXPECT_NE(saved.find("\"controls_collapsed\": true"), std::string::npos) << saved;
  EXPECT_NE(saved.find("\"single_panel\": \"gates\""), std::string::npos) << saved;
  // A remembered size that fits is used.
  {
    std::ofstream f(settings);
    f << R"({"window": [900, 600], "preset": "balanced"})";
  }
  r = open_window("--preset balanced");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(shot_size(&w, &h)) << r.out;
  EXPECT_EQ(w, 900);
  EXPECT_EQ(h, 600);
}

}  // namespace
}  // namespace moe

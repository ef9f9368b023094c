// gui_test_window.cpp: the real window (GLFW + OpenGL 3.3 core + ImGui) under Xvfb.
// Proves: `moescope --preset P --play --frames N --screenshot F` opens the window,
// trains, draws every panel and saves what is on screen; the settings file
// remembers the config, and a start without arguments reopens it. Skipped (with
// the reason) where xvfb-run is not installed.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "run_process.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;

using Result = moe::test::ProcessResult;

Result run_in_xvfb(const std::string& xdg, const std::string& args) {
  return moe::test::run_process("XDG_CONFIG_HOME='" + xdg + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                                std::string(MOESCOPE_BINARY) + " " + args + " 2>&1 < /dev/null");
}

using moe::test::slurp;

TEST(Window, OpensTrainsDrawsAndRemembersTheConfigUnderXvfb) {
  if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "xvfb-run is not installed (package xvfb)";
  const fs::path dir = fs::path(moe::test::temp_path("moescope_window_test"));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string png = (dir / "window.png").string();

  Result r = run_in_xvfb(dir.string(), "--preset collapse --set top_k=1 --play --frames 45 --screenshot " + png);
  ASSERT_EQ(r.status, 0) << r.out;
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 4);
  ASSERT_NE(px, nullptr) << "no screenshot: " << r.out;
  EXPECT_GE(w, 1200);
  EXPECT_GE(h, 700);
  // Not blank: many distinct colours across the frame (text, lines in eight expert colours, heatmaps).
  std::vector<bool> seen(1 << 15, false);
  int distinct = 0;
  for (int i = 0; i < w * h; ++i) {
    const unsigned char* p = px + size_t(i) * 4;
    const int q = (p[0] >> 3) | (p[1] >> 3) << 5 | (p[2] >> 3) << 10;
    if (!seen[size_t(q)]) seen[size_t(q)] = true, ++distinct;
  }
  stbi_image_free(px);
  EXPECT_GT(distinct, 300);

  const fs::path settings = dir / "moescope" / "settings.json";
  ASSERT_TRUE(fs::exists(settings)) << "settings saved on exit";
  const std::string saved = slurp(settings);
  EXPECT_NE(saved.find("\"preset\": \"collapse\""), std::string::npos) << saved;
  EXPECT_TRUE(fs::exists(dir / "moescope" / "imgui.ini"));

  // No arguments: the last session's config comes back (and is saved again on exit).
  fs::remove(png);
  r = run_in_xvfb(dir.string(), "--frames 5");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(slurp(settings).find("\"preset\": \"collapse\""), std::string::npos);
}

TEST(Window, ABadConfigFileOnTheCommandLineExitsTwoNamingIt) {
  if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "xvfb-run is not installed (package xvfb)";
  const fs::path dir = fs::path(moe::test::temp_path("moescope_window_bad"));
  fs::create_directories(dir);
  std::ofstream(dir / "bad.json") << "{\"top_k\": \"two\"}";
  const Result r = run_in_xvfb(dir.string(), "--config " + (dir / "bad.json").string() + " --frames 3");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("top_k"), std::string::npos) << r.out;
}

}  // namespace

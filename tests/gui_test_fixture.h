// gui_test_fixture.h: what an in-process GUI test stands on. OffscreenGui makes an
// offscreen OpenGL context (EGL, no display), then the ImGui context, the OpenGL3
// backend and the plot context; stop() ends them in reverse order. WindowTest is the fixture
// of the tests that drive the whole window (gui::MainWindow) in process; PlotLog and
// record_panel catch what a panel's plots draw.
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cfloat>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gl_context.h"
#include "plot.h"
#include "session_test_support.h"
#include "sweep_view.h"
#include "window.h"

namespace moe::test {

class OffscreenGui {
 public:
  // A width×height OpenGL 3.3 context drawing into an offscreen framebuffer. False, with
  // why in *skip_reason, when this machine cannot make one (the test then skips).
  bool create_gl(int width, int height, std::string* skip_reason) {
    std::string error;
    if (gl_.create(width, height, &error)) return true;
    *skip_reason = "no EGL surfaceless OpenGL 3.3 context: " + error;
    return false;
  }
  bool has_gl() const { return gl_.valid(); }

  // An ImGui context that writes no ini or log file; `configure` then sets the test's own
  // fonts, keys, display size and frame time before the backend starts. False if the
  // OpenGL3 backend could not start (the plot context is then not made).
  bool start(const std::function<void(ImGuiIO&)>& configure) {
    ImGui::CreateContext();
    context_ = true;
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    configure(io);
    if (!ImGui_ImplOpenGL3_Init("#version 330 core")) return false;
    backend_ = true;
    plot::CreateContext();
    plot_ = true;
    return true;
  }

  // Ends what create_gl() and start() made, newest first; safe after either failed.
  void stop() {
    if (!gl_.valid()) return;
    if (plot_) plot::DestroyContext();
    if (backend_) ImGui_ImplOpenGL3_Shutdown();
    if (context_) ImGui::DestroyContext();
    plot_ = backend_ = context_ = false;
    gl_.destroy();
  }

 private:
  gui::OffscreenGL gl_;
  bool context_ = false, backend_ = false, plot_ = false;
};

// A width×height offscreen window with the window's fonts (skipped where no GL context can be
// made). A test opens its window in win_; frame() draws one frame of it, the mouse at `mouse`
// with its left button down or up; settle() waits for a window's live runs. A fixture of a
// size of its own derives and passes the size: `Mine() : WindowTest(1600, 1000) {}`.
class WindowTest : public ::testing::Test {
 protected:
  explicit WindowTest(int width = 1000, int height = 700) : width_(width), height_(height) {}
  void SetUp() override {
    std::string why;
    if (!gui_.create_gl(width_, height_, &why)) GTEST_SKIP() << why;
    ASSERT_TRUE(gui_.start([](ImGuiIO&) { gui::load_fonts(1.0f); }));
  }
  void TearDown() override {
    win_.reset();
    gui_.stop();
  }
  void frame(gui::MainWindow& w, ImVec2 mouse = ImVec2(-FLT_MAX, -FLT_MAX), bool down = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(width_), float(height_));
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = mouse;
    io.MouseDown[0] = down;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    w.draw();
    ImGui::Render();
  }
  void frame(ImVec2 mouse = ImVec2(-FLT_MAX, -FLT_MAX), bool down = false) { frame(*win_, mouse, down); }
  // Every live run of w trained to `steps` and idle there (each at its own target when steps < 0).
  static void settle(gui::MainWindow& w, int64_t steps) { train_all(w.runs(), steps); }
  // A window of cfg (from `preset`) in win_ showing the sweep panel alone, the controls
  // folded; its sweep view.
  SweepView& open_on_sweep(const Config& cfg, const std::string& preset) {
    win_ = std::make_unique<gui::MainWindow>(cfg, preset);
    win_->ui().layout = PanelLayout_One;
    win_->ui().single_panel = panel_index("sweep");
    win_->ui().controls_collapsed = true;
    return win_->show_sweep();
  }

  OffscreenGui gui_;
  std::unique_ptr<gui::MainWindow> win_;
  const int width_, height_;
};

// Every polyline and line segment the plots drew while it was the plot recorder, with its
// colour; it draws them too.
class PlotLog : public plot::DrawListRecorder {
 public:
  struct Line {
    ImU32 colour;
    std::vector<ImVec2> points;
  };
  std::vector<Line> lines, segments;
  void Polyline(const ImVec2* points, int count, const plot::Stroke& s) override {
    lines.push_back({s.colour, std::vector<ImVec2>(points, points + count)});
    plot::DrawListRecorder::Polyline(points, count, s);
  }
  void Line(ImVec2 a, ImVec2 b, const plot::Stroke& s) override {
    segments.push_back({s.colour, {a, b}});
    plot::DrawListRecorder::Line(a, b, s);
  }
  // The points of those of `from` (lines or segments) in colour c (alpha aside).
  static std::vector<std::vector<ImVec2>> of(const std::vector<struct Line>& from, ImU32 colour) {
    std::vector<std::vector<ImVec2>> out;
    for (const auto& l : from)
      if ((l.colour & 0x00FFFFFF) == (colour & 0x00FFFFFF)) out.push_back(l.points);
    return out;
  }
};

// `frames` frames (fits and alignment settle over a few) of a size-filling ImGui window in
// which `draw_panel` draws, the mouse away; what its plots drew in the last frame.
inline PlotLog record_panel(ImVec2 size, const std::function<void()>& draw_panel, int frames = 4) {
  PlotLog log;
  for (int f = 0; f < frames; ++f) {
    log.lines.clear(), log.segments.clear();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = size;
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(size);
    ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    log.SetDrawList(ImGui::GetWindowDrawList());
    plot::SetRecorder(&log);
    draw_panel();
    plot::SetRecorder(nullptr);
    ImGui::End();
    ImGui::Render();
  }
  return log;
}

}  // namespace moe::test

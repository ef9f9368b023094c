// gui_test_plot.cpp: the plot layer, the GPU heatmap and the palettes, rendered
// headless through EGL (no X server; skipped with the reason if EGL cannot make
// a context). Proves: a frame with 8 coloured lines, a dashed reference line,
// event markers, a GPU heatmap, a colour bar and a legend has real content
// (every line colour is on screen outside the legend; the heatmap shows the
// colormap's colours from both ends); hovering shows the crosshair tooltip; a
// legend click hides its series; wheel and box zoom, double-click fit and
// linked x axes work; every item kind draws from History data and a 1M-point
// line reaches the draw list as at most 2 points per pixel column; the GPU
// routing map colours cells palette[winner] x brightness(confidence); the light
// theme shows all 64 expert colours; the palettes keep 64 experts perceptually
// apart; tick labels and EMA smoothing are right; every primitive of a plot goes
// through the recorder, and replaying them gives the screen's very vertices; the
// plain wheel scrolls the page while Ctrl+wheel or a clicked plot zooms, and zoom and
// pan stay inside the data (linked and log axes too); grayscale-safe series styles
// tell same-coloured series apart by dash pattern and marker.
// PNGs (moescope_gui_plot.png, _hover, _gallery, _light64) go to the test temp dir.
#include <epoxy/gl.h>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <set>
#include <tuple>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gl_context.h"
#include "gui_test_fixture.h"
#include "heatmap_gl.h"
#include "history.h"
#include "palette.h"
#include "plot.h"
#include "test_support.h"

namespace {

using moe::gui::HeatmapGL;
namespace plot = moe::plot;
namespace palette = moe::palette;

constexpr int kW = 800, kH = 500;
constexpr int kLines = 8;
constexpr int kPoints = 400;
constexpr int kTokens = 32, kExperts = 16;

struct Rgba {
  int r, g, b, a;
};

Rgba unpack(ImU32 c) { return {int(c & 255), int((c >> 8) & 255), int((c >> 16) & 255), int(c >> 24)}; }

int channel_distance(const uint8_t* p, Rgba c) {
  return std::max({std::abs(p[0] - c.r), std::abs(p[1] - c.g), std::abs(p[2] - c.b)});
}

struct Rect {
  float x0, y0, x1, y1;
  bool contains(int x, int y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

// EGL context + ImGui + the OpenGL3 backend + the plot context, torn down in reverse.
class PlotRender : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    if (!gui_.create_gl(kW, kH, &error)) GTEST_SKIP() << error;
    ASSERT_TRUE(gui_.start([](ImGuiIO& io) {
      io.DisplaySize = ImVec2(kW, kH);
      io.DeltaTime = 1.0f / 60.0f;
      static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2190, 0x2193, 0x2212, 0x2212, 0};  // Latin-1, arrows, minus
      const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
      if (std::filesystem::exists(font)) io.Fonts->AddFontFromFileTTF(font, 14.0f, nullptr, ranges);
      ImGui::StyleColorsDark();
      ImGui::GetStyle().WindowRounding = 0;
    }));
    ASSERT_TRUE(heatmap_.init(&error)) << error;
    // Eight curves around the ideal load 1/8; curve 5 has a NaN gap.
    xs_.resize(kPoints);
    ys_.assign(kLines, std::vector<float>(kPoints));
    for (int i = 0; i < kPoints; ++i) xs_[size_t(i)] = 5.0f * float(i);
    for (int e = 0; e < kLines; ++e)
      for (int i = 0; i < kPoints; ++i) {
        const double x = xs_[size_t(i)];
        ys_[size_t(e)][size_t(i)] = float(0.125 + 0.07 * std::sin(2 * M_PI * x / (900.0 + 110.0 * e) + 0.8 * e) +
                                          0.004 * (e - 3.5));
      }
    for (int i = 180; i < 200; ++i) ys_[5][size_t(i)] = std::numeric_limits<float>::quiet_NaN();
    // Gate probabilities: each token prefers one expert, softly.
    gates_.resize(size_t(kTokens) * kExperts);
    for (int t = 0; t < kTokens; ++t) {
      const int pref = (t * 5) % kExperts;
      for (int e = 0; e < kExperts; ++e) {
        const double d = std::min(std::abs(e - pref), kExperts - std::abs(e - pref));
        gates_[size_t(t) * kExperts + size_t(e)] = float(std::exp(-d * d / (2.0 + 0.15 * t)));
      }
    }
  }

  void TearDown() override {
    if (gui_.has_gl()) heatmap_.shutdown();
    gui_.stop();
  }

  // One frame: UI, render into the FBO, return nothing (read back with pixels()).
  void frame(const std::function<void()>& ui) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    ui();
    ImGui::Render();
    glViewport(0, 0, kW, kH);
    glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ASSERT_EQ(glGetError(), GLenum(GL_NO_ERROR));
  }

  std::vector<uint8_t> pixels() { return moe::gui::read_pixels_rgba(0, 0, kW, kH); }

  std::string save(const std::string& name, const std::vector<uint8_t>& rgba) {
    const std::string path = moe::test::temp_path(name);
    const std::string error = moe::gui::write_png(path, rgba.data(), kW, kH);
    EXPECT_EQ(error, "");
    std::printf("[ png      ] %s\n", path.c_str());
    return path;
  }

  // The lab scene: loads (8 lines + ideal + events), the GPU gate heatmap and its colour bar.
  void scene() {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("lab", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    if (plot::BeginPlot("Expert load", ImVec2(500, -1))) {
      plot::SetupAxes("step", "load fraction", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      for (int e = 0; e < kLines; ++e) {
        char name[24];
        std::snprintf(name, sizeof name, "expert %d", e);
        plot::SetNextLineStyle(palette::categorical(e), 2.0f);
        plot::PlotLine(name, xs_.data(), ys_[size_t(e)].data(), kPoints);
      }
      plot::SetNextLineStyle(IM_COL32(210, 210, 215, 255), 1.5f);
      plot::PlotHLine("ideal 1/E", 1.0 / kLines, plot::ItemFlags_Dashed);
      static const double events[] = {600, 1400};
      static const char* const texts[] = {"k 2\u21921", "lr \u00d70.5"};
      plot::SetNextLineStyle(IM_COL32(255, 255, 255, 140), 1.0f);
      plot::PlotVLines("##events", events, 2, texts);
      load_area_ = {plot::GetPlotPos().x, plot::GetPlotPos().y, plot::GetPlotPos().x + plot::GetPlotSize().x,
                    plot::GetPlotPos().y + plot::GetPlotSize().y};
      plot::EndPlot();
    }
    if (plot::PlotState* st = plot::GetPlotState("Expert load"))
      legend_ = {st->legend_min.x, st->legend_min.y, st->legend_max.x, st->legend_max.y};
    ImGui::SameLine();
    if (plot::BeginPlot("Gate probabilities", ImVec2(205, -1), plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("expert", "token");
      plot::SetupAxisLimits(plot::Axis_X, 0, kExperts, ImGuiCond_Always);
      plot::SetupAxisLimits(plot::Axis_Y, 0, kTokens, ImGuiCond_Always);
      const ImVec2 a = plot::PlotToPixels({0, double(kTokens)}), b = plot::PlotToPixels({double(kExperts), 0});
      const ImTextureID tex = heatmap_.render_values(gates_.data(), kTokens, kExperts, 0.0f, 1.0f,
                                                     int(std::lround(b.x - a.x)), int(std::lround(b.y - a.y)));
      plot::PlotImage("gates", tex, {0, 0}, {double(kExperts), double(kTokens)});
      heat_area_ = {a.x, a.y, b.x, b.y};
      plot::EndPlot();
    }
    ImGui::SameLine();
    plot::ColorBar("gate probability", 0.0, 1.0, ImVec2(64, -1));
    ImGui::End();
  }

  moe::test::OffscreenGui gui_;
  HeatmapGL heatmap_;
  std::vector<float> xs_;
  std::vector<std::vector<float>> ys_;
  std::vector<float> gates_;
  Rect load_area_{}, heat_area_{}, legend_{};
};

// Pixels of `colour` (within tol per channel) inside `area` but outside `except`.
int count_colour(const std::vector<uint8_t>& px, const Rect& area, const Rect& except, ImU32 colour, int tol) {
  const Rgba c = unpack(colour);
  int n = 0;
  for (int y = int(area.y0); y < int(area.y1); ++y)
    for (int x = int(area.x0); x < int(area.x1); ++x)
      if (!except.contains(x, y) && channel_distance(&px[(size_t(y) * kW + size_t(x)) * 4], c) <= tol) ++n;
  return n;
}

}  // namespace

TEST_F(PlotRender, EightLinesHeatmapAndLegendDrawRealContent) {
  for (int i = 0; i < 3; ++i) frame([&] { scene(); });  // first frames settle the fit
  const std::vector<uint8_t> px = pixels();
  save("moescope_gui_plot.png", px);

  ASSERT_GT(load_area_.x1 - load_area_.x0, 300);
  ASSERT_GT(load_area_.y1 - load_area_.y0, 300);
  ASSERT_GT(legend_.x1, legend_.x0) << "the legend was drawn";

  // Not blank: many distinct colours in the data area.
  std::vector<uint32_t> seen;
  for (int y = int(load_area_.y0); y < int(load_area_.y1); y += 2)
    for (int x = int(load_area_.x0); x < int(load_area_.x1); x += 2) {
      const uint8_t* p = &px[(size_t(y) * kW + size_t(x)) * 4];
      seen.push_back(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16);
    }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_GT(seen.size(), 100u) << "the load plot looks blank";

  // Every line's colour is on screen outside the legend (so the lines, not the swatches, are there).
  for (int e = 0; e < kLines; ++e) {
    const int n = count_colour(px, load_area_, legend_, palette::categorical(e), 12);
    EXPECT_GT(n, 60) << "expert " << e << " colour barely visible: " << n << " pixels";
  }

  // The heatmap area shows the colormap: most pixels match a colormap texel, from both ends of it.
  const ImU32* lut = palette::colormap_texels();
  int total = 0, matched = 0, low = 0, high = 0;
  for (int y = int(heat_area_.y0) + 2; y < int(heat_area_.y1) - 2; ++y)
    for (int x = int(heat_area_.x0) + 2; x < int(heat_area_.x1) - 2; ++x) {
      const uint8_t* p = &px[(size_t(y) * kW + size_t(x)) * 4];
      int best = 1 << 30, best_i = -1;
      for (int i = 0; i < palette::kColormapTexels; ++i) {
        const int d = channel_distance(p, unpack(lut[i]));
        if (d < best) best = d, best_i = i;
      }
      ++total;
      if (best <= 4) {
        ++matched;
        if (best_i < 40) ++low;
        if (best_i > 215) ++high;
      }
    }
  ASSERT_GT(total, 10000);
  EXPECT_GT(double(matched) / total, 0.7) << matched << " of " << total << " heatmap pixels are colormap colours";
  EXPECT_GT(double(low) / total, 0.05) << "the low end of the colormap is missing";
  EXPECT_GT(double(high) / total, 0.01) << "the high end of the colormap is missing";
}

TEST_F(PlotRender, HoveringShowsCrosshairAndTooltip) {
  for (int i = 0; i < 2; ++i) frame([&] { scene(); });
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(load_area_.x0 + 150, load_area_.y0 + 200);
  for (int i = 0; i < 2; ++i) frame([&] { scene(); });
  ImGuiWindow* tooltip = ImGui::FindWindowByName("##Tooltip_00");
  ASSERT_NE(tooltip, nullptr);
  EXPECT_TRUE(tooltip->Active) << "the value tooltip is shown";
  EXPECT_GT(tooltip->Size.y, 8 * ImGui::GetTextLineHeight()) << "one row per visible series";
  save("moescope_gui_plot_hover.png", pixels());
}

TEST_F(PlotRender, ClickingALegendEntryHidesItsSeries) {
  for (int i = 0; i < 3; ++i) frame([&] { scene(); });
  const ImU32 first = palette::categorical(0);
  ASSERT_GT(count_colour(pixels(), load_area_, legend_, first, 12), 60);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(legend_.x0 + 20, legend_.y0 + 10);  // first entry
  frame([&] { scene(); });
  io.MouseDown[0] = true;
  frame([&] { scene(); });
  io.MouseDown[0] = false;
  frame([&] { scene(); });
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  for (int i = 0; i < 2; ++i) frame([&] { scene(); });
  EXPECT_LT(count_colour(pixels(), load_area_, legend_, first, 12), 5) << "expert 0 should be hidden";
  EXPECT_GT(count_colour(pixels(), load_area_, legend_, palette::categorical(1), 12), 60) << "the others stay";
}

TEST_F(PlotRender, WheelAndBoxZoomDoubleClickFitsAndLinkedAxesPanTogether) {
  plot::AxisLink link;
  Rect top{}, bottom{};
  const plot::PlotState* top_state = nullptr;
  auto ui = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("linked", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    for (int k = 0; k < 2; ++k) {
      if (plot::BeginPlot(k == 0 ? "top" : "bottom", ImVec2(-1, 230))) {
        plot::SetupAxes("step", "value", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
        plot::SetupAxisLinks(plot::Axis_X, &link);
        plot::PlotLine("a", xs_.data(), ys_[size_t(k)].data(), kPoints);
        const ImVec2 p = plot::GetPlotPos(), s = plot::GetPlotSize();
        (k == 0 ? top : bottom) = {p.x, p.y, p.x + s.x, p.y + s.y};
        plot::EndPlot();
      }
    }
    top_state = plot::GetPlotState("top");
    ImGui::End();
  };
  for (int i = 0; i < 3; ++i) frame(ui);
  EXPECT_DOUBLE_EQ(link.range.min, 0.0);
  EXPECT_DOUBLE_EQ(link.range.max, 5.0 * (kPoints - 1));
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2((top.x0 + top.x1) * 0.5f, (top.y0 + top.y1) * 0.5f);
  io.KeyCtrl = true;  // Ctrl+wheel zooms (the plain wheel scrolls the page)
  frame(ui);
  io.MouseWheel = 3;  // zoom in about the centre
  frame(ui);
  io.MouseWheel = 0;
  io.KeyCtrl = false;
  frame(ui);
  const double zoomed = link.range.size();
  EXPECT_LT(zoomed, 0.7 * 5.0 * (kPoints - 1));
  EXPECT_FALSE(link.follow) << "a user zoom stops following the data";
  // Drag the bottom plot right by 100 px: both x ranges move left by 100 px worth of steps.
  const double before = link.range.min;
  io.MousePos = ImVec2((bottom.x0 + bottom.x1) * 0.5f, (bottom.y0 + bottom.y1) * 0.5f);
  frame(ui);
  io.MouseDown[0] = true;
  frame(ui);
  io.MousePos.x += 100;
  frame(ui);
  io.MouseDown[0] = false;
  frame(ui);
  const double per_px = zoomed / (bottom.x1 - bottom.x0);
  EXPECT_NEAR(link.range.min, before - 100 * per_px, 2 * per_px);
  ASSERT_NE(top_state, nullptr);
  EXPECT_NEAR(top_state->x.min, link.range.min, 1e-9) << "the other plot follows the link";
  // Double-click fits the whole range again and resumes following.
  frame(ui);
  for (int click = 0; click < 2; ++click) {
    io.MouseDown[0] = true;
    frame(ui);
    io.MouseDown[0] = false;
    frame(ui);
  }
  frame(ui);
  EXPECT_NEAR(link.range.min, 0.0, 1e-9);
  EXPECT_NEAR(link.range.max, 5.0 * (kPoints - 1), 1e-9);
  EXPECT_TRUE(link.follow);
  // Right-drag a box over the middle half of the top plot: x zooms to it.
  const float w = top.x1 - top.x0;
  io.MousePos = ImVec2(top.x0 + 0.25f * w, top.y0 + 20);
  frame(ui);
  io.MouseDown[1] = true;
  frame(ui);
  io.MousePos = ImVec2(top.x0 + 0.75f * w, top.y1 - 20);
  frame(ui);
  io.MouseDown[1] = false;
  frame(ui);
  const double full = 5.0 * (kPoints - 1);
  EXPECT_NEAR(link.range.min, 0.25 * full, full / w);
  EXPECT_NEAR(link.range.max, 0.75 * full, full / w);
  EXPECT_FALSE(link.follow);
}

TEST_F(PlotRender, EveryItemKindDrawsAndA1MPointLineIsDecimatedToTwoPointsPerColumn) {
  // History-fed curves: a noisy loss over 200k steps (with a diverged stretch) and 64 expert loads.
  moe::History history;
  const moe::SeriesId loss = history.add_series("loss");
  const moe::SeriesId load0 = history.add_series_group("load", 64);
  std::vector<float> row(65);
  uint32_t rng = 12345;
  auto noise = [&] {
    rng = rng * 1664525u + 1013904223u;
    return float(rng >> 8) / float(1 << 24) - 0.5f;
  };
  for (int step = 0; step < 200'000; ++step) {
    row[0] = float(3.0 * std::exp(-step / 30000.0) + 0.05) * (1.0f + 0.3f * noise());
    if (step >= 120'000 && step < 126'000) row[0] = std::numeric_limits<float>::quiet_NaN();
    float sum = 0;
    for (int e = 0; e < 64; ++e)
      sum += row[size_t(e) + 1] = 1.0f + 0.6f * std::sin(step / (4000.0f + 300.0f * e) + e) + 0.2f * noise();
    for (int e = 0; e < 64; ++e) row[size_t(e) + 1] /= sum;
    history.append(row);
  }
  std::vector<moe::SeriesId> load_ids(64);
  for (int e = 0; e < 64; ++e) load_ids[size_t(e)] = load0 + e;
  std::vector<moe::HistorySample> loss_pts;
  std::vector<std::vector<moe::HistorySample>> load_pts;
  // A ring buffer of 1M raw points that wrapped at 300k.
  const int kRaw = 1'000'000, kWrap = 300'000;
  std::vector<float> ring(kRaw);
  for (int i = 0; i < kRaw; ++i)
    ring[size_t((i + kWrap) % kRaw)] = float(std::sin(i * 2e-5) + 0.3 * std::sin(i * 0.37));
  // Routing map: winner by region, confidence rising to the right.
  const int kR = 24, kC = 36;
  std::vector<float> winner(kR * kC), confidence(kR * kC);
  for (int r = 0; r < kR; ++r)
    for (int c = 0; c < kC; ++c) {
      winner[size_t(r * kC + c)] = float((r / 6) * 6 + c / 6);
      confidence[size_t(r * kC + c)] = float(c) / (kC - 1);
    }
  float cpu_heat[8 * 8];
  for (int i = 0; i < 64; ++i) cpu_heat[i] = float(i % 8 + i / 8) / 14.0f;
  cpu_heat[9] = std::numeric_limits<float>::quiet_NaN();
  int line_vertices = 0;
  float raw_width = 0;
  Rect routing{};
  std::vector<std::string> names(64);
  std::vector<const char*> name_ptrs(64);
  for (int e = 0; e < 64; ++e) name_ptrs[size_t(e)] = (names[size_t(e)] = "expert " + std::to_string(e)).c_str();

  auto ui = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("gallery", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    const ImVec2 cell(258, 238);
    if (plot::BeginPlot("Loss (log y)", cell)) {
      plot::SetupAxes("step", "loss", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit | plot::AxisFlags_Log);
      const plot::Range r = plot::GetPlotQueryRange(plot::Axis_X);
      history.fetch(loss, r.min, r.max, plot::GetPlotPointBudget() / 4, loss_pts);
      const auto* p = loss_pts.data();
      const int n = int(loss_pts.size());
      plot::SetNextFillStyle(palette::categorical(0), 0.3f);
      plot::PlotShaded("min..max", &p->x, &p->min, &p->max, n, 0, 0, sizeof(*p));
      plot::SetNextLineStyle(palette::categorical(0));
      plot::PlotLine("mean", &p->x, &p->mean, n, 0, 0, sizeof(*p));
      std::vector<double> smooth(static_cast<size_t>(n));
      plot::SmoothEma(&p->mean, smooth.data(), n, 0.9, sizeof(*p), sizeof(double));
      struct Smoothed {
        const moe::HistorySample* pts;
        const double* ema;
      } sm{p, smooth.data()};
      plot::SetNextLineStyle(palette::categorical(1));
      plot::PlotLineG(
          "EMA 0.9",
          [](const void* d, int i) {
            const auto* a = static_cast<const Smoothed*>(d);
            return plot::Point{a->pts[i].x, a->ema[i]};
          },
          &sm, n);
      plot::EndPlot();
    }
    ImGui::SameLine();
    if (plot::BeginPlot("Load (stacked, 64 experts)", cell, plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("step", "load fraction", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      const plot::Range r = plot::GetPlotQueryRange(plot::Axis_X);
      history.fetch_many(load_ids, r.min, r.max, plot::GetPlotPointBudget(), load_pts);
      plot::PlotStackedG(
          name_ptrs.data(), 64,
          [](const void* d, int s, int i) {
            const auto& pts = *static_cast<const std::vector<std::vector<moe::HistorySample>>*>(d);
            return plot::Point{pts[size_t(s)][size_t(i)].x, pts[size_t(s)][size_t(i)].mean};
          },
          &load_pts, int(load_pts[0].size()), palette::categorical_table(palette::Theme::dark));
      plot::EndPlot();
    }
    ImGui::SameLine();
    if (plot::BeginPlot("Tokens per expert", cell)) {
      plot::SetupAxes("expert", "tokens", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit | plot::AxisFlags_FitZero);
      static const float tokens[8] = {310, 250, 180, 420, 90, 260, 230, 308};
      for (int e = 0; e < 8; ++e) {
        plot::SetNextFillStyle(palette::categorical(e), 0.8f);
        plot::PlotBars(name_ptrs[size_t(e)], &tokens[e], 1, 0.7, double(e), plot::ItemFlags_NoLegend);
      }
      plot::SetNextLineStyle(IM_COL32(210, 210, 215, 255));
      plot::PlotHLine("capacity", 256.0, plot::ItemFlags_Dashed);
      plot::EndPlot();
    }
    if (plot::BeginPlot("Routing map (GPU)", cell, plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("x1", "x2");
      plot::SetupAxisLimits(plot::Axis_X, 0, kC, ImGuiCond_Always);
      plot::SetupAxisLimits(plot::Axis_Y, 0, kR, ImGuiCond_Always);
      const ImVec2 a = plot::PlotToPixels({0, double(kR)}), b = plot::PlotToPixels({double(kC), 0});
      heatmap_.grid = 0;
      const ImTextureID tex = heatmap_.render_routing(winner.data(), confidence.data(), kR, kC, palette::Theme::dark,
                                                      int(std::lround(b.x - a.x)), int(std::lround(b.y - a.y)));
      plot::PlotImage("routing", tex, {0, 0}, {double(kC), double(kR)});
      routing = {a.x, a.y, b.x, b.y};
      plot::EndPlot();
    }
    ImGui::SameLine();
    if (plot::BeginPlot("CPU heatmap", cell, plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("col", "row", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      plot::PlotHeatmap("values", cpu_heat, 8, 8, 0.0, 1.0);
      plot::EndPlot();
    }
    ImGui::SameLine();
    if (plot::BeginPlot("1M raw points (ring)", cell, plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("index", "value", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      ImDrawList* dl = plot::GetPlotDrawList();
      raw_width = plot::GetPlotSize().x;
      const int before = dl->VtxBuffer.Size;
      plot::SetNextLineStyle(palette::categorical(6));
      plot::PlotLine("raw", ring.data(), kRaw, 1.0, 0.0, 0, kWrap);
      line_vertices = dl->VtxBuffer.Size - before;
      plot::EndPlot();
    }
    ImGui::End();
  };
  for (int i = 0; i < 3; ++i) frame(ui);
  const std::vector<uint8_t> px = pixels();
  save("moescope_gui_gallery.png", px);

  // Decimation: an anti-aliased thick polyline costs 4 vertices per point; at most 2 points per pixel column.
  EXPECT_GT(line_vertices, 0);
  EXPECT_LE(line_vertices, 4 * (2 * int(raw_width) + 16)) << "1M points must not reach the draw list";

  // Routing map: a cell's colour is the winner's palette colour times mix(0.25, 1, confidence).
  const float cw = (routing.x1 - routing.x0) / kC, ch = (routing.y1 - routing.y0) / kR;
  for (int r : {1, 9, 20})
    for (int c : {2, 17, 33}) {
      const int x = int(routing.x0 + (c + 0.5f) * cw), y = int(routing.y0 + (r + 0.5f) * ch);
      const Rgba want = unpack(palette::categorical(int(winner[size_t(r * kC + c)])));
      const float k = 0.25f + 0.75f * confidence[size_t(r * kC + c)];
      const uint8_t* p = &px[(size_t(y) * kW + size_t(x)) * 4];
      EXPECT_NEAR(p[0], want.r * k, 3) << "cell " << r << "," << c;
      EXPECT_NEAR(p[1], want.g * k, 3) << "cell " << r << "," << c;
      EXPECT_NEAR(p[2], want.b * k, 3) << "cell " << r << "," << c;
    }
}

namespace {

// A back end that keeps a copy of every primitive, to inspect them and to replay
// them onto another back end later (as a file back end would draw them).
class LogRecorder : public plot::Recorder {
 public:
  void PushClip(ImVec2 min, ImVec2 max) override {
    ++depth;
    max_depth = std::max(max_depth, depth);
    ops.push_back([=](plot::Recorder& r) { r.PushClip(min, max); });
  }
  void PopClip() override {
    --depth;
    ops.push_back([](plot::Recorder& r) { r.PopClip(); });
  }
  void Line(ImVec2 a, ImVec2 b, const plot::Stroke& s) override {
    ++lines;
    line_strokes.push_back(s);
    if (s.dash > 0) ++dashed_lines;
    ops.push_back([=](plot::Recorder& r) { r.Line(a, b, s); });
  }
  void Polyline(const ImVec2* points, int count, const plot::Stroke& s) override {
    ++polylines;
    polyline_strokes.push_back(s);
    std::vector<ImVec2> copy(points, points + count);
    ops.push_back([=](plot::Recorder& r) { r.Polyline(copy.data(), int(copy.size()), s); });
  }
  void RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding) override {
    ++rects;
    ops.push_back([=](plot::Recorder& r) { r.RectFilled(min, max, colour, rounding); });
  }
  void Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding, float weight) override {
    ++rects;
    ops.push_back([=](plot::Recorder& r) { r.Rect(min, max, colour, rounding, weight); });
  }
  void RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) override {
    ++gradients;
    ops.push_back([=](plot::Recorder& r) { r.RectGradient(min, max, top, bottom); });
  }
  void Quad(const ImVec2* corners, ImU32 colour) override {
    ++quads;
    const std::array<ImVec2, 4> c{corners[0], corners[1], corners[2], corners[3]};
    ops.push_back([=](plot::Recorder& r) { r.Quad(c.data(), colour); });
  }
  void Dot(ImVec2 centre, float radius, ImU32 colour, int segments) override {
    dot_colours.push_back(colour);
    ops.push_back([=](plot::Recorder& r) { r.Dot(centre, radius, colour, segments); });
  }
  void Circle(ImVec2 centre, float radius, const plot::Stroke& s, int segments) override {
    ops.push_back([=](plot::Recorder& r) { r.Circle(centre, radius, s, segments); });
  }
  void ConvexPolygon(const ImVec2* points, int count, ImU32 fill, const plot::Stroke& s) override {
    polygon_fills.push_back(fill);
    std::vector<ImVec2> copy(points, points + count);
    ops.push_back([=](plot::Recorder& r) { r.ConvexPolygon(copy.data(), int(copy.size()), fill, s); });
  }
  void Text(const plot::TextPrim& t) override {
    const std::string s = t.text_end ? std::string(t.text, t.text_end) : std::string(t.text);
    texts.push_back(s);
    text_pos.push_back(t.pos);
    if (t.flags & plot::TextFlags_Vertical) vertical_texts.push_back(s);
    ops.push_back([=](plot::Recorder& r) {
      plot::TextPrim copy = t;
      copy.text = s.c_str();
      copy.text_end = s.c_str() + s.size();
      r.Text(copy);
    });
  }
  void Image(const plot::ImagePrim& im) override {
    images.push_back(im);
    if (!im.pixels) {
      ops.push_back([=](plot::Recorder& r) { r.Image(im); });
      return;
    }
    const std::vector<ImU32> pixels(im.pixels, im.pixels + size_t(im.rows) * size_t(im.cols));
    const std::vector<float> cols(im.col_edges, im.col_edges + im.cols + 1),
        rows(im.row_edges, im.row_edges + im.rows + 1);
    ops.push_back([=](plot::Recorder& r) {
      plot::ImagePrim copy = im;
      copy.pixels = pixels.data();
      copy.col_edges = cols.data();
      copy.row_edges = rows.data();
      r.Image(copy);
    });
  }
  void replay(plot::Recorder& r) const {
    for (const auto& op : ops) op(r);
  }
  bool has_text(const std::string& s) const { return std::find(texts.begin(), texts.end(), s) != texts.end(); }

  std::vector<std::function<void(plot::Recorder&)>> ops;
  std::vector<std::string> texts, vertical_texts;
  std::vector<ImVec2> text_pos;  // where each of `texts` was drawn (TextPrim::pos)
  std::vector<plot::ImagePrim> images;
  std::vector<plot::Stroke> line_strokes, polyline_strokes;  // every Line / Polyline's stroke, in order
  std::vector<ImU32> dot_colours, polygon_fills;             // every Dot's colour, every ConvexPolygon's fill
  int depth = 0, max_depth = 0, lines = 0, dashed_lines = 0, polylines = 0, rects = 0, gradients = 0, quads = 0;
};

}  // namespace

// Every pixel a plot draws goes through the recorder: while a LogRecorder is the
// target the window's draw list gets nothing, the primitives say what was drawn
// (text as text with its anchor, the CPU heatmap as one image with its matrix),
// and replaying them onto the screen's back end gives the very vertices that
// drawing straight to the screen gives.
TEST_F(PlotRender, RecorderTakesEveryPrimitiveAndReplaysToTheSameDrawList) {
  const float heat[4 * 6] = {0.0f, 0.2f, 0.4f, 0.6f, 0.8f, 1.0f, 1.0f, 0.8f, 0.6f, 0.4f, 0.2f, 0.0f,
                             0.5f, NAN,  0.5f, 0.5f, 0.5f, 0.5f, 0.1f, 0.9f, 0.1f, 0.9f, 0.1f, 0.9f};
  const double events[] = {300, 1500};
  const char* const event_texts[] = {"k 2\u21921", "reset"};
  std::vector<float> lo(kPoints), hi(kPoints);
  for (int i = 0; i < kPoints; ++i)
    lo[size_t(i)] = ys_[0][size_t(i)] - 0.02f, hi[size_t(i)] = ys_[0][size_t(i)] + 0.02f;
  const float bars[] = {0.3f, 0.1f, 0.25f, 0.35f};
  int drawn_outside = -1;
  auto ui = [&](LogRecorder* log) {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("recorded", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int before = dl->VtxBuffer.Size;
    plot::SetRecorder(log);
    if (plot::BeginPlot("Recorded", ImVec2(360, 240))) {
      plot::SetupAxes("step", "value", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      plot::PlotShaded("band", xs_.data(), lo.data(), hi.data(), kPoints);
      plot::PlotLine("line", xs_.data(), ys_[0].data(), kPoints);
      plot::PlotLine("gappy", xs_.data(), ys_[5].data(), kPoints);
      plot::PlotHLine("ideal", 0.125, plot::ItemFlags_Dashed);
      plot::PlotVLines("events", events, 2, event_texts);
      plot::EndPlot();
    }
    ImGui::SameLine();
    if (plot::BeginPlot("Bars and heatmap", ImVec2(300, 240), plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("col", "row", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      plot::PlotHeatmap("heat", heat, 4, 6, 0.0, 1.0);
      plot::PlotBars("bars", bars, 4, 0.5, 1.0);
      plot::EndPlot();
    }
    ImGui::SameLine();
    plot::ColorBar("scale", 0.0, 1.0, ImVec2(70, 240));
    plot::SetRecorder(nullptr);
    drawn_outside = dl->VtxBuffer.Size - before;
    if (log) {
      plot::DrawListRecorder screen(dl);
      log->replay(screen);
    }
    ImGui::End();
  };
  auto vertices = [] {
    const ImDrawList* dl = ImGui::FindWindowByName("recorded")->DrawList;
    return std::vector<ImDrawVert>(dl->VtxBuffer.Data, dl->VtxBuffer.Data + dl->VtxBuffer.Size);
  };
  for (int i = 0; i < 3; ++i) frame([&] { ui(nullptr); });  // settle the fit
  const std::vector<ImDrawVert> direct = vertices();
  const std::vector<uint8_t> direct_px = pixels();
  ASSERT_GT(drawn_outside, 1000) << "drawing to the screen puts the plots on the window's draw list";

  LogRecorder log;
  frame([&] { ui(&log); });
  EXPECT_EQ(drawn_outside, 0) << "a plot drew on the window's draw list around the recorder";
  EXPECT_EQ(log.depth, 0) << "PushClip and PopClip balance";
  EXPECT_GE(log.max_depth, 1);
  // Text stays text, with what it says: titles, axis labels (y turned), legend, marker labels, ticks.
  for (const char* s : {"Recorded", "step", "value", "band", "line", "gappy", "ideal", "k 2\u21921", "reset",
                        "Bars and heatmap", "scale"})
    EXPECT_TRUE(log.has_text(s)) << "no text \"" << s << "\"";
  EXPECT_NE(std::find(log.vertical_texts.begin(), log.vertical_texts.end(), "value"), log.vertical_texts.end());
  EXPECT_NE(std::find(log.vertical_texts.begin(), log.vertical_texts.end(), "scale"), log.vertical_texts.end());
  EXPECT_TRUE(log.has_text("0.2")) << "tick labels";
  // The CPU heatmap is one image carrying its matrix; the NaN cell is transparent.
  ASSERT_EQ(log.images.size(), 1u);
  const plot::ImagePrim& im = log.images[0];
  EXPECT_EQ(im.rows, 4);
  EXPECT_EQ(im.cols, 6);
  EXPECT_EQ(im.values, heat);
  EXPECT_EQ(im.texture, nullptr);
  EXPECT_EQ(im.pixels[0] >> 24, 0xFFu);
  EXPECT_EQ(im.pixels[2 * 6 + 1], 0u);
  EXPECT_EQ(im.pixels[0] | 0xFF000000u, palette::colormap(0.0f) | 0xFF000000u);
  EXPECT_EQ(im.pixels[5] | 0xFF000000u, palette::colormap(1.0f) | 0xFF000000u);
  EXPECT_LT(im.col_edges[0], im.col_edges[6]);
  EXPECT_LT(im.row_edges[0], im.row_edges[4]) << "row 0 at the top";
  EXPECT_GE(log.polylines, 2);
  EXPECT_GE(log.quads, 10) << "the band is drawn as quads";
  EXPECT_GE(log.dashed_lines, 1) << "the dashed reference line keeps its dash pattern";
  EXPECT_GE(log.gradients, 16) << "the colour bar's gradient";
  // Replayed onto the screen: the same vertices, so the same pixels.
  const std::vector<ImDrawVert> replayed = vertices();
  ASSERT_EQ(replayed.size(), direct.size());
  int differing = 0;
  for (size_t i = 0; i < direct.size(); ++i)
    if (std::memcmp(&direct[i], &replayed[i], sizeof(ImDrawVert)) != 0) ++differing;
  EXPECT_EQ(differing, 0) << "of " << direct.size() << " vertices";
  EXPECT_TRUE(pixels() == direct_px) << "the replayed frame's pixels differ";
}

// Issue 10, item 4: the wheel over a plot zoomed the shared step axis to -2k..6k and a
// log loss axis to "100000000T" while the user meant to scroll the page. The plain
// wheel must scroll the page and leave the plot alone; Ctrl+wheel zooms; a click into
// the plot lets the plain wheel zoom it until a click elsewhere or Escape.
TEST_F(PlotRender, PlainWheelScrollsThePageCtrlWheelOrAClickedPlotZooms) {
  const plot::PlotState* st = nullptr;
  Rect area{};
  auto ui = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("page", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);  // scrolls with the wheel
    if (plot::BeginPlot("wheel", ImVec2(-1, 300))) {
      plot::SetupAxes("step", "value", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      plot::PlotLine("a", xs_.data(), ys_[0].data(), kPoints);
      const ImVec2 p = plot::GetPlotPos(), s = plot::GetPlotSize();
      area = {p.x, p.y, p.x + s.x, p.y + s.y};
      plot::EndPlot();
    }
    st = plot::GetPlotState("wheel");
    ImGui::Dummy(ImVec2(10, 900));  // a page taller than the window
    ImGui::End();
  };
  auto scroll_y = [] { return ImGui::FindWindowByName("page")->Scroll.y; };
  ImGuiIO& io = ImGui::GetIO();
  io.KeyMap[ImGuiKey_Escape] = 27;
  auto wheel = [&](float w) {
    io.MouseWheel = w;
    frame(ui);
    io.MouseWheel = 0;
    frame(ui);
  };
  for (int i = 0; i < 3; ++i) frame(ui);
  ASSERT_NE(st, nullptr);
  const plot::Range x0 = st->x, y0 = st->y;
  io.MousePos = ImVec2((area.x0 + area.x1) * 0.5f, (area.y0 + area.y1) * 0.5f);
  frame(ui);
  frame(ui);

  // Plain wheel down over the plot: the page scrolls, the limits stay exactly as they were.
  wheel(-2);
  EXPECT_GT(scroll_y(), 0.0f) << "the plain wheel over a plot scrolls the page";
  EXPECT_EQ(st->x.min, x0.min);
  EXPECT_EQ(st->x.max, x0.max);
  EXPECT_EQ(st->y.min, y0.min);
  EXPECT_EQ(st->y.max, y0.max);
  EXPECT_TRUE(st->fit_x) << "still following the data";
  ImGui::SetScrollY(ImGui::FindWindowByName("page"), 0.0f);
  frame(ui);
  frame(ui);
  ASSERT_EQ(scroll_y(), 0.0f);

  // Ctrl+wheel up: zooms in, and the page stays put.
  io.KeyCtrl = true;
  frame(ui);
  wheel(2);
  io.KeyCtrl = false;
  frame(ui);
  EXPECT_EQ(scroll_y(), 0.0f) << "Ctrl+wheel does not scroll the page";
  EXPECT_LT(st->x.size(), 0.8 * x0.size()) << "Ctrl+wheel zooms x";
  EXPECT_LT(st->y.size(), 0.8 * y0.size()) << "Ctrl+wheel zooms y";
  EXPECT_FALSE(st->fit_x);

  // A click into the plot focuses it: the plain wheel now zooms it (out, here) instead of scrolling.
  const double zoomed = st->x.size();
  io.MouseDown[0] = true;
  frame(ui);
  io.MouseDown[0] = false;
  frame(ui);
  frame(ui);
  wheel(-1);
  EXPECT_EQ(scroll_y(), 0.0f) << "a focused plot keeps the wheel";
  EXPECT_GT(st->x.size(), 1.1 * zoomed) << "the plain wheel zooms a clicked plot";

  // Escape releases it: the plain wheel scrolls the page again and the limits stay.
  io.KeysDown[27] = true;
  frame(ui);
  io.KeysDown[27] = false;
  frame(ui);
  const plot::Range x1 = st->x;
  wheel(-2);
  EXPECT_GT(scroll_y(), 0.0f) << "after Escape the wheel scrolls the page";
  EXPECT_EQ(st->x.min, x1.min);
  EXPECT_EQ(st->x.max, x1.max);
  ImGui::SetScrollY(ImGui::FindWindowByName("page"), 0.0f);
  frame(ui);
  frame(ui);

  // Focus again, then a click outside the plot releases it too.
  io.MouseDown[0] = true;
  frame(ui);
  io.MouseDown[0] = false;
  frame(ui);
  io.MousePos = ImVec2(area.x0 + 20, area.y1 + 200);  // below the plot, on the page
  frame(ui);
  io.MouseDown[0] = true;
  frame(ui);
  io.MouseDown[0] = false;
  frame(ui);
  io.MousePos = ImVec2((area.x0 + area.x1) * 0.5f, (area.y0 + area.y1) * 0.5f);
  frame(ui);
  frame(ui);
  const plot::Range x2 = st->x;
  wheel(-2);
  EXPECT_GT(scroll_y(), 0.0f) << "a click elsewhere releases the wheel";
  EXPECT_EQ(st->x.min, x2.min);
  EXPECT_EQ(st->x.max, x2.max);
}

// Zoom and pan stay inside the data: 50 Ctrl+wheel steps out leave the shared step axis
// (and the other linked plot) and y inside the data's extent as a fit pads it; 200 steps
// in stop at the least span; dragging far past the end stops at the data's edge.
TEST_F(PlotRender, ZoomAndPanStayInsideTheDataOnLinkedAxes) {
  plot::AxisLink link;
  Rect top{};
  const plot::PlotState* top_state = nullptr;
  const plot::PlotState* bottom_state = nullptr;
  auto ui = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("clamped", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    for (int k = 0; k < 2; ++k) {
      if (plot::BeginPlot(k == 0 ? "top" : "bottom", ImVec2(-1, 230))) {
        plot::SetupAxes("step", "value", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
        plot::SetupAxisLinks(plot::Axis_X, &link);
        // Like the panels: fetch only the visible steps once the user has zoomed.
        const plot::Range q = plot::GetPlotQueryRange(plot::Axis_X);
        int first = 0, last = kPoints - 1;
        while (first < kPoints - 1 && xs_[size_t(first + 1)] < q.min) ++first;
        while (last > 0 && xs_[size_t(last - 1)] > q.max) --last;
        plot::PlotLine("a", &xs_[size_t(first)], &ys_[size_t(k)][size_t(first)], last - first + 1);
        if (k == 0) {
          const ImVec2 p = plot::GetPlotPos(), s = plot::GetPlotSize();
          top = {p.x, p.y, p.x + s.x, p.y + s.y};
        }
        plot::EndPlot();
      }
    }
    top_state = plot::GetPlotState("top");
    bottom_state = plot::GetPlotState("bottom");
    ImGui::End();
  };
  for (int i = 0; i < 3; ++i) frame(ui);
  ASSERT_NE(top_state, nullptr);
  ASSERT_NE(bottom_state, nullptr);
  const double x_max = 5.0 * (kPoints - 1);
  const plot::Range fitted_y = top_state->y;  // the data's y extent plus the fit's padding
  EXPECT_NEAR(link.range.min, 0.0, 1e-9);
  EXPECT_NEAR(link.range.max, x_max, 1e-9);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(top.x0 + 0.3f * (top.x1 - top.x0), top.y0 + 0.4f * (top.y1 - top.y0));
  io.KeyCtrl = true;
  frame(ui);
  // Zoom in a little first, off-centre, so zooming out has to push against both edges.
  for (int i = 0; i < 4; ++i) {
    io.MouseWheel = 1;
    frame(ui);
  }
  io.MouseWheel = 0;
  frame(ui);
  ASSERT_LT(link.range.size(), 0.7 * x_max);
  for (int i = 0; i < 50; ++i) {
    io.MouseWheel = -1;
    frame(ui);
    ASSERT_GE(link.range.min, 0.0) << "step " << i;
    ASSERT_LE(link.range.max, x_max) << "step " << i;
  }
  io.MouseWheel = 0;
  frame(ui);
  for (const plot::PlotState* st : {top_state, bottom_state}) {
    EXPECT_GE(st->x.min, 0.0);
    EXPECT_LE(st->x.max, x_max);
  }
  EXPECT_NEAR(link.range.size(), x_max, 1e-6) << "fully zoomed out shows exactly the data";
  EXPECT_GE(top_state->y.min, fitted_y.min - 1e-12);
  EXPECT_LE(top_state->y.max, fitted_y.max + 1e-12);
  EXPECT_FALSE(link.follow);

  // 200 steps in: never below the least span (Style::min_span_fraction of the extent).
  for (int i = 0; i < 200; ++i) {
    io.MouseWheel = 1;
    frame(ui);
  }
  io.MouseWheel = 0;
  frame(ui);
  const double least = x_max * double(plot::GetStyle().min_span_fraction);
  EXPECT_GE(link.range.size(), least * (1 - 1e-6));
  EXPECT_LT(link.range.size(), 2 * least) << "it did zoom in that far";
  EXPECT_GE(top_state->y.size(), fitted_y.size() * double(plot::GetStyle().min_span_fraction) * (1 - 1e-6));
  io.KeyCtrl = false;

  // Back to a tenth of the data, then drag far to the left (towards later steps): it stops at the last step.
  for (int i = 0; i < 2; ++i) {  // double-click: fit
    io.MouseDown[0] = true;
    frame(ui);
    io.MouseDown[0] = false;
    frame(ui);
  }
  frame(ui);
  io.KeyCtrl = true;
  frame(ui);
  for (int i = 0; i < 15; ++i) {
    io.MouseWheel = 1;
    frame(ui);
  }
  io.MouseWheel = 0;
  io.KeyCtrl = false;
  frame(ui);
  const double span = link.range.size();
  ASSERT_LT(span, 0.2 * x_max);
  io.MouseDown[0] = true;
  frame(ui);
  for (int i = 0; i < 60; ++i) {  // 12000 px: some 2800 steps at this zoom
    io.MousePos.x -= 200;         // far past the plot's edge: a drag keeps going
    frame(ui);
  }
  io.MouseDown[0] = false;
  frame(ui);
  EXPECT_NEAR(link.range.max, x_max, 1e-6) << "panned to the end of the data, not past it";
  EXPECT_NEAR(link.range.size(), span, 1e-6 * x_max) << "panning keeps the zoom";
  EXPECT_NEAR(bottom_state->x.max, x_max, 1e-6) << "the linked plot shows the same";
}

// Issue: short plots (the collapse panel's stack, 45 px) got two y labels, "0 5". A short
// plot keeps three labels where they fit a line of text apart, on a 1-2-5 step; a tall one
// keeps them two lines apart. A y label longer than its axis is drawn in its short form
// ("normalised entropy|entropy"), or without its "(...)", not across the text above it.
TEST_F(PlotRender, AShortPlotKeepsThreeYLabelsALineApartAndAYLabelThatFits) {
  const float xs[] = {0, 100, 200, 300, 400, 500, 600};
  const float ys[] = {0, 0.5f, 1, 2, 4, 6, 7};
  struct Case {
    float height;
    const char* y_label;
    const char* drawn_label;
    size_t least, most;  // labelled y ticks
  } cases[] = {{90, "normalised entropy|entropy", "entropy", 3, 4},
               {80, "loss (log scale)", "loss", 3, 4},
               {320, "normalised entropy|entropy", "normalised entropy", 4, 8}};
  for (const Case& c : cases) {
    LogRecorder log;
    auto ui = [&](LogRecorder* rec) {
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImVec2(kW, kH));
      ImGui::Begin("short", nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
      plot::SetRecorder(rec);
      if (plot::BeginPlot("##short", ImVec2(400, c.height), plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
        plot::SetupAxes(nullptr, c.y_label, plot::AxisFlags_AutoFit | plot::AxisFlags_NoTickLabels,
                        plot::AxisFlags_AutoFit);
        plot::PlotLine("load", xs, ys, 7);
        plot::EndPlot();
      }
      plot::SetRecorder(nullptr);
      ImGui::End();
    };
    for (int i = 0; i < 3; ++i) frame([&] { ui(nullptr); });  // settle the fit
    frame([&] { ui(&log); });
    std::vector<double> values;
    std::vector<float> tops;
    std::string vertical;
    for (size_t i = 0; i < log.texts.size(); ++i) {
      if (std::find(log.vertical_texts.begin(), log.vertical_texts.end(), log.texts[i]) != log.vertical_texts.end()) {
        vertical = log.texts[i];
        continue;
      }
      values.push_back(std::stod(log.texts[i]));  // the only other texts: y tick labels
      tops.push_back(log.text_pos[i].y);
    }
    EXPECT_EQ(vertical, c.drawn_label) << c.height << " px";
    EXPECT_GE(values.size(), c.least) << c.height << " px";
    EXPECT_LE(values.size(), c.most) << c.height << " px";
    const float F = ImGui::GetFontSize();
    for (size_t i = 1; i < values.size(); ++i) {
      EXPECT_GE(std::abs(tops[i] - tops[i - 1]), F) << "labels " << values[i - 1] << " and " << values[i] << " touch";
      const double step = std::abs(values[i] - values[i - 1]);
      const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
      EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6)
          << "step " << step;
    }
  }
}

// A log axis (the losses panel's) zoomed out 50 wheel steps, over the data and over the
// y axis alone, and dragged far up, stays within the data's decades (as a fit pads them).
TEST_F(PlotRender, LogAxisNeverReachesAbsurdMagnitudes) {
  std::vector<float> loss(kPoints);
  for (int i = 0; i < kPoints; ++i) loss[size_t(i)] = float(3.0 * std::exp(-i / 60.0) + 0.05);  // 3.05 .. 0.05
  const plot::PlotState* st = nullptr;
  Rect area{};
  LogRecorder* log_target = nullptr;
  auto ui = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("logwin", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    plot::SetRecorder(log_target);
    if (plot::BeginPlot("Loss", ImVec2(-1, -1))) {
      plot::SetupAxes("step", "loss", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit | plot::AxisFlags_Log);
      plot::PlotLine("loss", loss.data(), kPoints);  // x = 0..399: no SI suffix on the step ticks
      const ImVec2 p = plot::GetPlotPos(), s = plot::GetPlotSize();
      area = {p.x, p.y, p.x + s.x, p.y + s.y};
      plot::EndPlot();
    }
    plot::SetRecorder(nullptr);
    st = plot::GetPlotState("Loss");
    ImGui::End();
  };
  for (int i = 0; i < 3; ++i) frame(ui);
  ASSERT_NE(st, nullptr);
  const plot::Range fitted = st->y;
  ASSERT_LT(fitted.min, 0.05);
  ASSERT_GT(fitted.max, 3.0);
  ImGuiIO& io = ImGui::GetIO();
  io.KeyCtrl = true;
  // Over the data area, then over the y axis strip (y only).
  for (ImVec2 at : {ImVec2((area.x0 + area.x1) * 0.5f, area.y0 + 0.2f * (area.y1 - area.y0)),
                    ImVec2(area.x0 - 8, (area.y0 + area.y1) * 0.5f)}) {
    io.MousePos = at;
    frame(ui);
    for (int i = 0; i < 50; ++i) {
      io.MouseWheel = -1;
      frame(ui);
      ASSERT_GE(st->y.min, fitted.min * (1 - 1e-9)) << "step " << i;
      ASSERT_LE(st->y.max, fitted.max * (1 + 1e-9)) << "step " << i;
    }
    io.MouseWheel = 0;
    frame(ui);
  }
  io.KeyCtrl = false;
  // Drag up and down far past the plot: still inside the data's decades.
  io.MousePos = ImVec2((area.x0 + area.x1) * 0.5f, (area.y0 + area.y1) * 0.5f);
  frame(ui);
  io.MouseDown[0] = true;
  frame(ui);
  for (int i = 0; i < 10; ++i) {
    io.MousePos.y += 400;
    frame(ui);
    io.MousePos.y -= 390;
    frame(ui);
  }
  io.MouseDown[0] = false;
  frame(ui);
  EXPECT_GE(st->y.min, fitted.min * (1 - 1e-9));
  EXPECT_LE(st->y.max, fitted.max * (1 + 1e-9));
  // The tick labels say so too: nothing in the thousands, let alone "100000000T".
  LogRecorder log;
  log_target = &log;
  frame(ui);
  log_target = nullptr;
  for (const std::string& t : log.texts)
    EXPECT_EQ(t.find_first_of("kMGT"), std::string::npos) << "absurd tick label \"" << t << "\"";
}

// Issue 10, item 3: colour alone told series apart. With the grayscale-safe flag
// (Style::style_every_series, UiState::line_styles_every_series) two series of the same
// colour are drawn with different dash patterns, in the plot and in the legend, and a
// series with a marker gets markers along its line; with the flag off the first 8
// series stay solid (the default view unchanged) and series 8 on are dashed.
TEST_F(PlotRender, GrayscaleSafeSeriesOfOneColourDifferByDashPatternAndMarkers) {
  const ImU32 grey = IM_COL32(128, 128, 128, 255);
  auto ui = [&](LogRecorder* log, int third_series) {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("styled", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    plot::SetRecorder(log);
    if (plot::BeginPlot("Styled", ImVec2(-1, -1))) {
      plot::SetupAxes("step", "value", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      const int series[3] = {0, 1, third_series};
      for (int k = 0; k < 3; ++k) {
        char name[16];
        std::snprintf(name, sizeof name, "s%d", series[k]);
        plot::SetNextLineStyle(grey, 2.0f);  // one colour for all: only the style tells them apart
        plot::SetNextSeries(series[k]);
        plot::PlotLine(name, xs_.data(), ys_[size_t(k)].data(), kPoints);
      }
      plot::EndPlot();
    }
    plot::SetRecorder(nullptr);
    ImGui::End();
  };
  auto pattern = [](const plot::Stroke& s) { return std::array<float, 4>{s.dash, s.gap, s.dash2, s.gap2}; };
  auto grey_patterns = [&](const std::vector<plot::Stroke>& strokes) {
    std::vector<std::array<float, 4>> out;
    for (const plot::Stroke& s : strokes)
      if ((s.colour | IM_COL32_A_MASK) == grey && std::find(out.begin(), out.end(), pattern(s)) == out.end())
        out.push_back(pattern(s));
    return out;
  };

  // Flag on: series 0 solid, 1 dashed, 5 solid with circle markers.
  plot::GetStyle().style_every_series = true;
  for (int i = 0; i < 3; ++i) frame([&] { ui(nullptr, 5); });
  LogRecorder on;
  frame([&] { ui(&on, 5); });
  EXPECT_EQ(plot::SeriesLineStyle(0).dash, plot::Dash_Solid);
  EXPECT_EQ(plot::SeriesLineStyle(1).dash, plot::Dash_Dashed);
  EXPECT_EQ(plot::SeriesLineStyle(5).marker, plot::Marker_Circle);
  const auto lines_on = grey_patterns(on.polyline_strokes);
  ASSERT_EQ(lines_on.size(), 2u) << "series 0 and 5 solid, series 1 dashed: two patterns among the grey polylines";
  EXPECT_NE(std::find(lines_on.begin(), lines_on.end(), std::array<float, 4>{0, 0, 0, 0}), lines_on.end())
      << "a solid one";
  const plot::Stroke dashed = plot::Stroke{grey, 2.0f, 10.0f, 6.0f};  // Dash_Dashed at weight 2: 6 + 2w on, 4 + w off
  EXPECT_NE(std::find(lines_on.begin(), lines_on.end(), pattern(dashed)), lines_on.end())
      << "a dashed one (10 on, 6 off)";
  const int grey_dots = int(std::count_if(on.dot_colours.begin(), on.dot_colours.end(),
                                          [&](ImU32 c) { return (c | IM_COL32_A_MASK) == grey; }));
  EXPECT_GE(grey_dots, 5) << "series 5 carries circle markers along its line (one every ~56 px of path)";
  // The legend shows the patterns too: its swatches are grey Line primitives with both patterns.
  const auto swatches_on = grey_patterns(on.line_strokes);
  EXPECT_EQ(swatches_on.size(), 2u) << "legend swatches: solid and dashed";

  // Every look of the first 25 series differs from every other.
  for (int i = 0; i < 25; ++i)
    for (int j = i + 1; j < 25; ++j) {
      const plot::LineStyle a = plot::SeriesLineStyle(i), b = plot::SeriesLineStyle(j);
      EXPECT_FALSE(a.dash == b.dash && a.marker == b.marker) << "series " << i << " and " << j << " look alike";
    }

  // Flag off: series 0 and 1 both solid (the default view is unchanged); series 9, past the first 8 colours, is dashed.
  plot::GetStyle().style_every_series = false;
  LogRecorder off;
  frame([&] { ui(&off, 9); });
  const auto lines_off = grey_patterns(off.polyline_strokes);
  ASSERT_EQ(lines_off.size(), 2u);
  EXPECT_EQ(plot::SeriesLineStyle(1).dash, plot::Dash_Solid);
  EXPECT_EQ(plot::SeriesLineStyle(7).dash, plot::Dash_Solid);
  EXPECT_EQ(plot::SeriesLineStyle(9).dash, plot::Dash_Dashed);
  EXPECT_EQ(plot::SeriesLineStyle(17).dash, plot::Dash_Dotted);
  EXPECT_EQ(plot::SeriesLineStyle(9).marker, plot::Marker_None);
  int solid_polylines = 0;
  for (const plot::Stroke& s : off.polyline_strokes)
    if ((s.colour | IM_COL32_A_MASK) == grey && s.dash == 0) ++solid_polylines;
  EXPECT_GE(solid_polylines, 2) << "series 0 and 1 solid";
  plot::GetStyle().style_every_series = true;
  frame([&] { ui(nullptr, 5); });
  save("moescope_gui_styles.png", pixels());
}

TEST_F(PlotRender, LightThemeWith64SeriesKeepsEveryColourVisibleAndTheTooltipInColumns) {
  ImGui::StyleColorsLight();
  plot::StyleColorsLight();
  std::vector<std::vector<float>> ys(64, std::vector<float>(kPoints));
  for (int e = 0; e < 64; ++e)
    for (int i = 0; i < kPoints; ++i) ys[size_t(e)][size_t(i)] = float(e + 0.35 * std::sin(xs_[size_t(i)] / 150.0 + e));
  Rect area{}, legend{};
  auto ui = [&] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kW, kH));
    ImGui::Begin("light", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    if (plot::BeginPlot("64 experts (light theme)", ImVec2(-1, -1), plot::PlotFlags_LegendLeft)) {
      plot::SetupAxes("step", "expert + load", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
      for (int e = 0; e < 64; ++e) {
        char name[24];
        std::snprintf(name, sizeof name, "e%d", e);
        plot::SetNextLineStyle(palette::categorical(e, palette::Theme::light), 2.0f);
        plot::PlotLine(name, xs_.data(), ys[size_t(e)].data(), kPoints);
      }
      area = {plot::GetPlotPos().x, plot::GetPlotPos().y, plot::GetPlotPos().x + plot::GetPlotSize().x,
              plot::GetPlotPos().y + plot::GetPlotSize().y};
      plot::EndPlot();
    }
    if (plot::PlotState* st = plot::GetPlotState("64 experts (light theme)"))
      legend = {st->legend_min.x, st->legend_min.y, st->legend_max.x, st->legend_max.y};
    ImGui::End();
  };
  for (int i = 0; i < 3; ++i) frame(ui);
  const std::vector<uint8_t> px = pixels();
  ASSERT_GT(legend.x1, legend.x0);
  EXPECT_LT(legend.x1 - legend.x0, 0.6f * (area.x1 - area.x0)) << "64 entries fit in a few columns";
  EXPECT_GT(count_colour(px, area, legend, IM_COL32(255, 255, 255, 255), 2),
            int(0.2f * (area.x1 - area.x0) * (area.y1 - area.y0)))
      << "white plot background";
  int visible = 0;
  for (int e = 0; e < 64; ++e)
    visible += count_colour(px, area, legend, palette::categorical(e, palette::Theme::light), 10) > 40;
  EXPECT_EQ(visible, 64) << "every expert's colour shows outside the legend";
  ImGui::GetIO().MousePos = ImVec2(area.x1 - 60, (area.y0 + area.y1) * 0.5f);
  for (int i = 0; i < 2; ++i) frame(ui);
  ImGuiWindow* tooltip = ImGui::FindWindowByName("##Tooltip_00");
  ASSERT_NE(tooltip, nullptr);
  EXPECT_TRUE(tooltip->Active);
  EXPECT_LT(tooltip->Size.y, 20 * ImGui::GetTextLineHeightWithSpacing()) << "64 rows are split into column groups";
  save("moescope_gui_light64.png", pixels());
}

TEST(Palette, ClassicSixtyFourExpertColoursStayPerceptuallyApartInBothThemes) {
  for (palette::Theme theme : {palette::Theme::dark, palette::Theme::light}) {
    const ImU32* c = palette::categorical_table(theme, palette::Scheme::classic);
    const ImU32 bg = theme == palette::Theme::dark ? IM_COL32(24, 25, 31, 255) : IM_COL32(255, 255, 255, 255);
    float worst = 1e9f, worst_neighbour = 1e9f, worst_first8 = 1e9f;
    for (int i = 0; i < palette::kCategorical; ++i) {
      EXPECT_GT(palette::delta_e(c[i], bg), 0.25f) << "colour " << i << " too close to the plot background";
      for (int j = i + 1; j < palette::kCategorical; ++j) {
        const float d = palette::delta_e(c[i], c[j]);
        worst = std::min(worst, d);
        if (j == i + 1) worst_neighbour = std::min(worst_neighbour, d);
        if (j < 8) worst_first8 = std::min(worst_first8, d);
      }
    }
    const char* name = theme == palette::Theme::dark ? "dark" : "light";
    std::printf("[ palette  ] classic %s: min delta_e %.3f (all pairs), %.3f (neighbours), %.3f (first 8)\n", name,
                worst, worst_neighbour, worst_first8);
    EXPECT_GE(worst, 0.06f) << name << ": every pair of the 64 colours at least ~3 just-noticeable differences apart";
    EXPECT_GE(worst_neighbour, 0.15f) << name << ": neighbouring expert indices clearly different";
    EXPECT_GE(worst_first8, 0.12f) << name << ": the first eight far apart";
    EXPECT_EQ(palette::categorical(64 + 3, theme, palette::Scheme::classic), c[3]) << "indices wrap";
  }
}

// Smallest OKLab distance between any two of colours[0..n) as a viewer with `vision` sees them.
float closest_pair(const ImU32* colours, int n, palette::Vision vision, int* a = nullptr, int* b = nullptr) {
  float worst = 1e9f;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      const float d = palette::delta_e(palette::simulate(colours[i], vision), palette::simulate(colours[j], vision));
      if (d < worst) {
        worst = d;
        if (a) *a = i, *b = j;
      }
    }
  return worst;
}

TEST(Palette, SimulationMatchesMachado2009OnKnownColours) {
  // Pure red seen by a protanope / deuteranope: the matrices' first column, linear → sRGB.
  const ImU32 red = IM_COL32(255, 0, 0, 255);
  const ImU32 p = palette::simulate(red, palette::Vision::protanopia);
  const ImU32 d = palette::simulate(red, palette::Vision::deuteranopia);
  // linear (0.152286, 0.114503, 0) -> sRGB bytes (109, 95, 0); deutan (0.367322, 0.280085, 0) -> (163, 144, 0)
  EXPECT_NEAR(int(p & 255), 109, 1);
  EXPECT_NEAR(int((p >> 8) & 255), 95, 1);
  EXPECT_EQ(int((p >> 16) & 255), 0);
  EXPECT_NEAR(int(d & 255), 163, 1);
  EXPECT_NEAR(int((d >> 8) & 255), 144, 1);
  EXPECT_EQ(palette::simulate(IM_COL32(128, 128, 128, 255), palette::Vision::deuteranopia) & 0xFFFFFFu,
            0x808080u & 0xFFFFFFu)
      << "greys stay grey (each matrix row sums to 1)";
  EXPECT_EQ(palette::simulate(red, palette::Vision::normal), red);
}

TEST(Palette, FirstEightExpertColoursStayApartForColourBlindViewersInBothThemes) {
  for (palette::Theme theme : {palette::Theme::dark, palette::Theme::light}) {
    const char* name = theme == palette::Theme::dark ? "dark" : "light";
    const ImU32* safe = palette::categorical_table(theme, palette::Scheme::colour_blind_safe);
    const ImU32* classic = palette::categorical_table(theme, palette::Scheme::classic);
    const ImU32 bg = theme == palette::Theme::dark ? IM_COL32(24, 25, 31, 255) : IM_COL32(255, 255, 255, 255);
    for (auto [vision, vname, floor] : {std::tuple{palette::Vision::normal, "normal", 0.15f},
                                        std::tuple{palette::Vision::deuteranopia, "deutan", 0.07f},
                                        std::tuple{palette::Vision::protanopia, "protan", 0.07f},
                                        std::tuple{palette::Vision::tritanopia, "tritan", 0.07f}}) {
      int a = 0, b = 0;
      const float d = closest_pair(safe, palette::kOkabeIto, vision, &a, &b);
      std::printf("[ palette  ] %s, %s: closest of the first 8: %d and %d, delta_e %.3f (classic: %.3f)\n", name, vname,
                  a, b, d, closest_pair(classic, 8, vision));
      EXPECT_GE(d, floor) << name << ", " << vname << ": experts " << a << " and " << b << " collapse";
      // Okabe-Ito's yellow is the one weak colour on white: 0.11 from it for a tritanope.
      const float bg_floor = vision == palette::Vision::tritanopia ? 0.10f : 0.18f;
      for (int i = 0; i < palette::kOkabeIto; ++i)
        EXPECT_GT(palette::delta_e(palette::simulate(safe[i], vision), palette::simulate(bg, vision)), bg_floor)
            << name << ", " << vname << ": expert " << i << " too close to the plot background";
    }
    // The defect this replaces: the classic 0 (blue) and 4 (violet) are one blue to a deuteranope.
    EXPECT_LT(palette::delta_e(palette::simulate(classic[0], palette::Vision::deuteranopia),
                               palette::simulate(classic[4], palette::Vision::deuteranopia)),
              0.03f);
    // Every prefix (E = 2..8) is as far apart as the whole eight, or further.
    for (int n = 2; n <= palette::kOkabeIto; ++n)
      EXPECT_GE(closest_pair(safe, n, palette::Vision::deuteranopia),
                closest_pair(safe, palette::kOkabeIto, palette::Vision::deuteranopia));
    EXPECT_EQ(safe[0], IM_COL32(0xE6, 0x9F, 0x00, 255)) << "Okabe-Ito orange first";
  }
}

TEST(Palette, SixtyFourColourBlindSafeColoursStayApartInEveryVisionAndTheme) {
  for (palette::Theme theme : {palette::Theme::dark, palette::Theme::light}) {
    const char* name = theme == palette::Theme::dark ? "dark" : "light";
    const ImU32* c = palette::categorical_table(theme, palette::Scheme::colour_blind_safe);
    std::set<ImU32> distinct(c, c + palette::kCategorical);
    EXPECT_EQ(distinct.size(), size_t(palette::kCategorical)) << name << ": 64 different colours";
    for (auto [vision, vname] :
         {std::pair{palette::Vision::normal, "normal"}, std::pair{palette::Vision::deuteranopia, "deutan"},
          std::pair{palette::Vision::protanopia, "protan"}}) {
      int a = 0, b = 0;
      const float d = closest_pair(c, palette::kCategorical, vision, &a, &b);
      const float d16 = closest_pair(c, 16, vision), d32 = closest_pair(c, 32, vision);
      std::printf("[ palette  ] %s, %s: closest of the first 16 %.3f, 32 %.3f, all 64 %.3f (%d and %d)\n", name, vname,
                  d16, d32, d, a, b);
      EXPECT_GE(d16, 0.06f) << name << ", " << vname << ": 16 experts at least ~3 just-noticeable differences apart";
      EXPECT_GE(d32, 0.035f) << name << ", " << vname;
      // 64 hues cannot all be far apart for a dichromat (their colours span two dimensions, not three).
      EXPECT_GE(d, 0.025f) << name << ", " << vname << ": experts " << a << " and " << b
                           << " closer than ~1.2 just-noticeable differences";
    }
    EXPECT_EQ(palette::categorical(64 + 3, theme, palette::Scheme::colour_blind_safe), c[3]) << "indices wrap";
  }
  palette::set_scheme(palette::Scheme::classic);
  EXPECT_EQ(palette::categorical(2), palette::categorical_table(palette::Theme::dark, palette::Scheme::classic)[2])
      << "the default follows set_scheme";
  palette::set_scheme(palette::Scheme::colour_blind_safe);
  EXPECT_EQ(palette::categorical(2), IM_COL32(0x56, 0xB4, 0xE9, 255));
}

TEST(Palette, LossSeriesColoursStayApartForColourBlindViewers) {
  using palette::Series;
  for (palette::Theme theme : {palette::Theme::dark, palette::Theme::light}) {
    const ImU32 c[6] = {
        palette::series_colour(Series::task_loss, theme),  palette::series_colour(Series::balance_loss, theme),
        palette::series_colour(Series::z_loss, theme),     palette::series_colour(Series::importance_loss, theme),
        palette::series_colour(Series::total_loss, theme), palette::series_colour(Series::accuracy, theme)};
    for (palette::Vision v : {palette::Vision::normal, palette::Vision::deuteranopia, palette::Vision::protanopia,
                              palette::Vision::tritanopia})
      EXPECT_GE(closest_pair(c, 6, v), 0.07f) << "vision " << int(v);
    EXPECT_GE(palette::delta_e(palette::simulate(c[0], palette::Vision::deuteranopia),
                               palette::simulate(c[2], palette::Vision::deuteranopia)),
              0.2f)
        << "task and L_z: no longer one blue";
  }
}

TEST(Palette, ColormapLightnessRisesSteadilyFromDarkVioletToYellow) {
  const ImU32* lut = palette::colormap_texels();
  float prev_l = -1, min_step = 1e9f, max_step = 0;
  for (int i = 0; i < palette::kColormapTexels; ++i) {
    const float l = palette::to_oklab(lut[i]).L;
    EXPECT_GT(l, prev_l) << "lightness must rise at texel " << i;
    prev_l = l;
    if (i >= 16) {
      const float step = palette::delta_e(lut[i], lut[i - 16]);
      min_step = std::min(min_step, step);
      max_step = std::max(max_step, step);
    }
  }
  EXPECT_LT(palette::to_oklab(lut[0]).L, 0.32f);
  EXPECT_GT(palette::to_oklab(lut[255]).L, 0.88f);
  EXPECT_LT(max_step / min_step, 1.6f) << "perceptual steps of equal t should look alike: " << min_step << " .. "
                                       << max_step;
  EXPECT_EQ(palette::colormap(0.0f), lut[0]);
  EXPECT_EQ(palette::colormap(1.0f), lut[255]);
  EXPECT_EQ(palette::colormap(std::numeric_limits<float>::quiet_NaN()) >> 24, 0u) << "NaN is transparent";
}

TEST(PlotFormat, TickLabelsUseSiSuffixesAndNoTrailingZeros) {
  char buf[32];
  auto f = [&](double v, double step) {
    plot::FormatTick(v, step, buf, sizeof buf);
    return std::string(buf);
  };
  EXPECT_EQ(f(0, 500), "0");
  EXPECT_EQ(f(500, 500), "500");
  EXPECT_EQ(f(1500, 500), "1.5k");
  EXPECT_EQ(f(10000, 10000), "10k");
  EXPECT_EQ(f(1.5e6, 5e5), "1.5M");
  EXPECT_EQ(f(2e6, 5e5), "2M");
  EXPECT_EQ(f(-200000, 100000), "-200k");
  EXPECT_EQ(f(0.04, 0.02), "0.04");
  EXPECT_EQ(f(1.0, 0.2), "1");
  EXPECT_EQ(f(2e-5, 1e-5), "2e-5");
  EXPECT_EQ(f(1e-12, 0.2), "0");
}

TEST(PlotHelpers, EmaIsDebiasedAndSkipsNonFiniteValues) {
  std::vector<double> in = {2, 2, 2, NAN, 2, 4};
  std::vector<double> out(in.size());
  plot::SmoothEma(in.data(), out.data(), int(in.size()), 0.9);
  EXPECT_DOUBLE_EQ(out[0], 2.0) << "debiased: the first output is the first input";
  EXPECT_NEAR(out[2], 2.0, 1e-12);
  EXPECT_TRUE(std::isnan(out[3]));
  EXPECT_NEAR(out[4], 2.0, 1e-12);
  EXPECT_GT(out[5], 2.0);
  EXPECT_LT(out[5], 3.0);
  // Strided, in place: the mean field of a struct array.
  struct S {
    double x, mean;
  } s[3] = {{0, 1}, {1, 3}, {2, 5}};
  plot::SmoothEma(&s[0].mean, &s[0].mean, 3, 0.0, sizeof(S), sizeof(S));
  EXPECT_EQ(s[2].mean, 5.0) << "smoothing 0 leaves values alone";
}

// heatmap_gl.h: a float matrix coloured on the GPU, for plots too big for CPU rectangles.
//
// Uploads the matrix (rows x cols, row-major, e.g. 256 probe tokens x 64 experts
// of gate probabilities) as an R32F texture, renders it with shaders/heatmap.*
// into an offscreen RGBA8 texture (an FBO) of the size the plot shows it at, and
// returns that texture as an ImTextureID for plot::PlotImage / ImGui::Image:
//
//   if (plot::BeginPlot("Gates")) {
//     plot::SetupAxes("expert", "token");
//     const ImVec2 px = plot::GetPlotSize();
//     ImTextureID tex = heatmap.render_values(gates, T, E, 0.0f, 1.0f, int(px.x), int(px.y));
//     plot::PlotImage("##gates", tex, {0, 0}, {double(E), double(T)});  // row 0 drawn at the top
//     plot::EndPlot();
//   }
//
// Two modes: values through the sequential colormap (palette::colormap), and a
// routing map where each cell shows palette::categorical(winner) darkened by
// low confidence. render_* may be called in the middle of an ImGui frame: it
// saves and restores the GL state it touches (framebuffer, viewport, program,
// VAO, textures, blend/scissor, unpack alignment). Needs a current GL 3.3 core
// context; one HeatmapGL per plot (each owns its output texture).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "palette.h"

namespace moe::gui {

class HeatmapGL {
 public:
  HeatmapGL() = default;
  ~HeatmapGL();  // shutdown() (the context must still be current)
  HeatmapGL(const HeatmapGL&) = delete;
  HeatmapGL& operator=(const HeatmapGL&) = delete;

  bool init(
      std::string* error);  // compiles the embedded shaders and makes the lookup textures; false + reason on failure
  void shutdown();          // frees every GL object

  // values[r * cols + c]; colour = colormap((v - vmin) / (vmax - vmin)), NaN/Inf -> nan_colour. Returns the output
  // texture.
  ImTextureID render_values(const float* values, int rows, int cols, float vmin, float vmax, int width, int height);
  // winner[r * cols + c] = expert index (as a float; < 0 or NaN = none), confidence in [0,1] -> brightness.
  ImTextureID render_routing(const float* winner, const float* confidence, int rows, int cols, palette::Theme theme,
                             int width, int height);

  ImTextureID texture() const;          // the last output (nullptr before the first render)
  int width() const { return out_w_; }  // output size in pixels
  int height() const { return out_h_; }

  float grid = 0.3f;                               // darkening of cell borders when cells are >= 6 px (0 = none)
  float min_brightness = 0.25f;                    // routing map: brightness at confidence 0
  ImU32 nan_colour = IM_COL32(128, 128, 128, 80);  // cells with no value

 private:
  void upload(unsigned& tex, int& tex_rows, int& tex_cols, const float* data, int rows, int cols);
  bool ensure_target(int width, int height);
  void draw(int mode, unsigned lut, float range_min, float range_max);
  bool same_as_last(int mode, unsigned lut, const float* a, const float* b, int rows, int cols, float lo, float hi,
                    int width, int height);

  struct Settings {  // everything besides the matrices that decides the output
    int mode = -1;
    unsigned lut = 0;
    int rows = 0, cols = 0, width = 0, height = 0;
    float lo = 0, hi = 0, grid = 0, min_brightness = 0;
    ImU32 nan_colour = 0;
    bool operator==(const Settings&) const = default;
  };
  Settings last_;
  std::vector<float> last_a_, last_b_;  // the matrices of the last render

  unsigned program_ = 0, vao_ = 0, fbo_ = 0, target_ = 0;
  unsigned cells_ = 0, confidence_ = 0, colormap_ = 0, categorical_[2][2] = {};  // [scheme][theme]
  int cells_rows_ = 0, cells_cols_ = 0, conf_rows_ = 0, conf_cols_ = 0;
  int out_w_ = 0, out_h_ = 0;
  int loc_mode_ = -1, loc_cells_ = -1, loc_confidence_ = -1, loc_lut_ = -1, loc_range_ = -1, loc_min_brightness_ = -1,
      loc_nan_colour_ = -1, loc_grid_ = -1;
};

}  // namespace moe::gui

// figure_export.cpp: export_figure (figure_export.h): the figure frames, the
// cairo file, its CSV and provenance.
#include "figure_export.h"

#include <imgui.h>

#include <fstream>

#include "gl_context.h"
#include "plot_cairo.h"
#include "plot_data.h"

namespace moe::gui {

std::string csv_path_for(const std::string& figure_path) {
  const size_t dot = figure_path.rfind('.');
  const size_t slash = figure_path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return figure_path + ".csv";
  return figure_path.substr(0, dot) + ".csv";
}

std::string export_figure(MainWindow& win, const FigureRequest& req, const std::function<void()>& after_render,
                          std::vector<std::string>* written, int frames) {
  const plot::FigureFormat format = plot::FigureFormatOf(req.path);
  if (format == plot::FigureFormat_None) return "'" + req.path + "' must end in .svg, .pdf or .png";
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 saved_size = io.DisplaySize, saved_mouse = io.MousePos;
  const float saved_font_scale = io.FontGlobalScale;
  const float atlas_scale = io.Fonts->Fonts.Size > 0 ? io.Fonts->Fonts[0]->FontSize / 15.0f : 1.0f;
  io.FontGlobalScale = req.layout.ui_scale / atlas_scale;  // the atlas may be the window's: scale its metrics
  const bool light = win.ui().light_theme;
  const ImVec4 bg = clear_colour(light);
  const ImU32 bg32 = ImGui::ColorConvertFloat4ToU32(bg);
  plot::FigureFile file;
  plot::FigureData data;
  std::string err;
  const bool cairo_file = !(format == plot::FigureFormat_Png && req.png_from_gl);
  for (int f = 0; f < frames && err.empty(); ++f) {
    const bool last = f == frames - 1;
    io.DisplaySize = ImVec2(float(req.layout.width), float(req.layout.height));
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    io.DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    std::unique_ptr<plot::TeeRecorder> tee;
    if (last) {
      if (cairo_file) {
        err = file.open(req.path, req.layout.width, req.layout.height,
                        format == plot::FigureFormat_Png ? 1.0 : req.layout.unit_pt(), req.provenance,
                        win.figure_title(req.panel), bg32);
        if (err.empty()) {
          tee = std::make_unique<plot::TeeRecorder>(&plot::ScreenRecorder(), &file.recorder());
          plot::SetRecorder(tee.get());
        }
      }
      plot::SetDataSink(&data);
    }
    win.draw_figure(req.panel, req.layout.ui_scale);
    ImGui::Render();
    plot::SetRecorder(nullptr);
    plot::SetDataSink(nullptr);
    if (after_render) after_render();
  }
  io.DisplaySize = saved_size;
  io.MousePos = saved_mouse;
  io.FontGlobalScale = saved_font_scale;
  if (!err.empty()) return err;
  if (cairo_file) {
    err = file.close();
  } else {
    err = save_framebuffer_png(req.path, req.layout.width, req.layout.height);
    if (err.empty()) err = plot::AddPngText(req.path, "moescope-command", req.provenance);
  }
  if (!err.empty()) return err;
  if (written) written->push_back(req.path);
  if (req.csv) {
    const std::string csv = csv_path_for(req.path);
    std::ofstream f(csv, std::ios::binary | std::ios::trunc);
    f << "# " << req.provenance << "\n" << data.ToCsv();
    if (!f) return "cannot write " + csv;
    if (written) written->push_back(csv);
  }
  return "";
}

}  // namespace moe::gui

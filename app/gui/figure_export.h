// figure_export.h: drawing a figure and writing its files (issue 12), shared by
// `moescope shot` and the window's "Export figure…" / "Export all panels".
//
// export_figure draws `frames` figure frames in the current ImGui context at the
// layout's size (axes fit and text sizes settle over the first ones); the last
// one also goes, primitive by primitive, to a cairo SVG/PDF/PNG (plot::TeeRecorder)
// and its data to F.csv. Between frames `after_render` runs (shot: the GL draw,
// so a PNG can be read back; the window: nothing, its own frames are untouched).
#pragma once

#include <functional>
#include <string>

#include "figure.h"
#include "window.h"

namespace moe::gui {

struct FigureRequest {
  const PanelInfo* panel = nullptr;  // nullptr: every panel of the layout
  FigureLayout layout;
  std::string path;          // .svg, .pdf or .png
  std::string provenance;    // the shot command (figure.h shot_command)
  bool csv = true;           // F.csv beside it
  bool png_from_gl = false;  // .png: `after_render` leaves the frame in the bound framebuffer; read it from there
  bool figure_file = true;   // false: only the data (F.csv beside `path`)
};

// "" or what is wrong. `written` gets the files written (the figure, then its CSV).
std::string export_figure(MainWindow& win, const FigureRequest& req, const std::function<void()>& after_render,
                          std::vector<std::string>* written = nullptr, int frames = 4);

std::string csv_path_for(const std::string& figure_path);  // "dir/F.svg" -> "dir/F.csv"

}  // namespace moe::gui

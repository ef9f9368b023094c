// figure_export.cpp: export_figure (figure_export.h): the figure frames, the
// cairo file, its CSV and provenance.
#include "figure_export.h"

#include <imgui.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gl_context.h"
#include "plot_cairo.h"
#include "plot_data.h"
#include "gui_main.h"
#include "safe_io.h"
#include "ui_state.h"

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
  const bool cairo_file = req.figure_file && !(format == plot::FigureFormat_Png && req.png_from_gl);
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
  std::string bytes;
  if (cairo_file) {
    err = file.finish(bytes);
  } else if (req.figure_file) {  // the GL frame `after_render` left in the framebuffer
    const std::vector<uint8_t> rgba = read_pixels_rgba(0, 0, req.layout.width, req.layout.height);
    const auto append = [](void* context, void* data, int size) {
      static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
    };
    if (!stbi_write_png_to_func(append, &bytes, req.layout.width, req.layout.height, 4, rgba.data(),
                                req.layout.width * 4))
      err = "cannot encode " + req.path + " as PNG";
    if (err.empty()) err = plot::AddPngText(bytes, "moescope-command", req.provenance);
  }
  if (err.empty() && req.figure_file) err = write_file_atomic(req.path, bytes);
  if (!err.empty()) return err;
  if (written && req.figure_file) written->push_back(req.path);
  if (req.csv) {
    const std::string csv = csv_path_for(req.path);
    if (std::string e = write_file_atomic(csv, "# " + req.provenance + "\n" + data.ToCsv()); !e.empty()) return e;
    if (written) written->push_back(csv);
  }
  return "";
}

}  // namespace moe::gui

// [SECTION] The window's export menu and dialogs

namespace moe::gui {

namespace {
const char* const kFormats[] = {"svg", "pdf", "png"};

// The window's view options as `shot --view key=value` items.
std::vector<std::string> view_args(const UiState& ui) {
  static const char* const kLoad[] = {"lines", "stacked", "heatmap"};
  std::vector<std::string> v;
  char buf[64];
  v.push_back(std::string("load=") + kLoad[std::clamp(ui.load_view, 0, 2)]);
  std::snprintf(buf, sizeof buf, "smoothing=%g", double(ui.ema));
  v.push_back(buf);
  v.push_back(std::string("log-y=") + (ui.log_y_losses ? "on" : "off"));
  v.push_back(std::string("sort-gates=") + (ui.sort_gates_by_top1 ? "on" : "off"));
  std::snprintf(buf, sizeof buf, "alert=%g", double(ui.collapse_alert));
  v.push_back(buf);
  v.push_back("layer=" + std::to_string(ui.layer));
  v.push_back(std::string("shares=") + (ui.specialisation_by_expert ? "expert" : "label"));
  if (ui.palette == Palette_Classic) v.push_back("palette=classic");
  if (ui.band_std) v.push_back("band=std");
  if (ui.difference_view) v.push_back("difference=on");
  if (ui.load_ab) v.push_back("load-ab=on");
  if (ui.attention_head != 0) v.push_back("head=" + std::to_string(ui.attention_head));
  static const char* const kTerms[] = {"task", "balance", "z", "importance", "total"};
  if (ui.loss_compare_term > 0 && ui.loss_compare_term < 5)
    v.push_back(std::string("loss-term=") + kTerms[ui.loss_compare_term]);
  if (!ui.steps_link.follow && ui.steps_link.set) {
    std::snprintf(buf, sizeof buf, "x-range=%.17g:%.17g", ui.steps_link.range.min, ui.steps_link.range.max);
    v.push_back(buf);
  }
  return v;
}

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
}  // namespace

// The shot command, as shot_command writes it (so `shot --from` records the same text again):
// every run of the window (runs_as_options), the figure's options, the view. What the options
// cannot say follows as a shell comment, "# not in this command: ...", which --from skips.
std::string MainWindow::figure_command(const PanelInfo* panel, const std::string& out, const std::string& size,
                                       float font_pt, bool figure) const {
  const RunsAsOptions runs = runs_as_options();
  ShotOptions o;
  o.source = runs.source;
  o.steps = runs.steps;
  o.compare = runs.compare;
  o.seeds = runs.seeds;
  o.results = runs.results;
  o.out = file_name(out);
  if (panel) o.panel = panel->name;
  if (ui_.light_theme) o.theme = "light";
  o.grayscale_safe = ui_.line_styles_every_series;
  o.fig.figure = figure;
  o.fig.size_text = size;
  o.fig.font_pt = font_pt;
  o.fig.views = view_args(ui_);
  std::string c = shot_command(o);
  if (!runs.notes.empty()) {
    c += " # not in this command:";
    for (size_t i = 0; i < runs.notes.size(); ++i) c += (i ? "; " : " ") + runs.notes[i];
  }
  return c;
}

void MainWindow::figure_context_menu(int panel_index) {
  if (!interactive) return;
  ImGuiIO& io = ImGui::GetIO();
  // A right click, not a right drag (that zooms a plot to a box).
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseReleased(ImGuiMouseButton_Right) &&
      io.MouseDragMaxDistanceSqr[ImGuiMouseButton_Right] < 16.0f) {
    export_.menu_panel = panel_index;
    ImGui::OpenPopup("##figure_menu");
  }
  if (export_.menu_panel != panel_index || !ImGui::BeginPopup("##figure_menu")) return;
  const PanelInfo& p = panel_list(nullptr)[panel_index];
  ImGui::TextDisabled("%s", p.title);
  auto start = [&](int dialog, const char* ext) {
    export_.dialog = dialog;
    export_.open_dialog = true;
    export_.error.clear();
    std::snprintf(export_.path, sizeof export_.path, "%s-step%lld.%s", p.name,
                  static_cast<long long>(snap_->steps_done), ext);
  };
  if (ImGui::MenuItem("Export figure...")) start(1, kFormats[export_.format]);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("This panel as an SVG, PDF or PNG figure, with its data as CSV");
  if (ImGui::MenuItem("Export data (CSV)")) start(2, "csv");
  ImGui::EndPopup();
}

void MainWindow::open_export_all() {
  export_.dialog = 3;
  export_.open_dialog = true;
  export_.menu_panel = -1;
  export_.error.clear();
  std::snprintf(export_.path, sizeof export_.path, "moescope-figures-step%lld",
                static_cast<long long>(snap_->steps_done));
}

void MainWindow::draw_export_popups() {
  static const char* const kTitles[] = {"", "Export figure", "Export data (CSV)", "Export all panels"};
  if (export_.dialog == 0) return;
  const char* title = kTitles[export_.dialog];
  if (export_.open_dialog) {
    ImGui::OpenPopup(title);
    export_.open_dialog = false;
  }
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const float F = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(F * 28);
  ImGui::InputText(export_.dialog == 3 ? "folder" : "file", export_.path, sizeof export_.path);
  if (export_.dialog != 2) {
    ImGui::TextUnformatted("format");
    for (int f = 0; f < 3; ++f) {
      ImGui::SameLine();
      if (ImGui::RadioButton(kFormats[f], export_.format == f) && export_.format != f) {
        export_.format = f;
        if (export_.dialog == 1) {  // keep the file's extension in step
          std::string p = export_.path;
          const size_t dot = p.rfind('.');
          if (dot != std::string::npos) p = p.substr(0, dot);
          std::snprintf(export_.path, sizeof export_.path, "%s.%s", p.c_str(), kFormats[f]);
        }
      }
    }
    ImGui::Checkbox("figure mode (no buttons or sliders, a title and keys for print)", &export_.figure);
    ImGui::SetNextItemWidth(F * 8);
    ImGui::InputText("size (3.5x2.4in, 89x60mm or 1600x1000)", export_.size, sizeof export_.size);
    ImGui::SetNextItemWidth(F * 8);
    ImGui::InputFloat("font size (pt)", &export_.font_pt, 0.5f, 1.0f, "%.1f");
    export_.font_pt = std::clamp(export_.font_pt, 4.0f, 48.0f);
  }
  if (!export_.error.empty()) ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "%s", export_.error.c_str());
  if (ImGui::Button("Export")) {
    FigureOptions fo;
    fo.size_text = export_.size;
    fo.font_pt = export_.font_pt;
    FigureLayout lay;
    export_.error = export_.dialog == 2 ? "" : figure_layout(fo, ui_.ui_scale, lay);
    if (export_.path[0] == '\0') export_.error = "give a file or folder name";
    if (export_.error.empty() && export_.dialog == 1 && plot::FigureFormatOf(export_.path) == plot::FigureFormat_None)
      export_.error = "the file must end in .svg, .pdf or .png";
    if (export_.error.empty()) {
      export_.pending = true;
      ImGui::CloseCurrentPopup();
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) {
    export_.dialog = 0;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

void MainWindow::request_export(int what, const std::string& path, int format, int panel) {
  export_.dialog = what;
  export_.menu_panel = panel;
  export_.format = std::clamp(format, 0, 2);
  std::snprintf(export_.path, sizeof export_.path, "%s", path.c_str());
  export_.pending = true;
}

void MainWindow::run_pending_exports() {
  if (!export_.pending) return;
  export_.pending = false;
  const int dialog = export_.dialog;
  export_.dialog = 0;
  FigureOptions fo;
  fo.size_text = export_.size;
  fo.font_pt = export_.font_pt;
  FigureLayout lay;
  if (dialog == 2) fo.size_text = "1600x1000";  // data only: the screen's budget of points per line
  if (std::string e = figure_layout(fo, ui_.ui_scale, lay); !e.empty()) {
    set_status("export: " + e, true);
    return;
  }
  std::vector<const PanelInfo*> panels;
  if (dialog == 3) {
    for (int i : panels_in_layout(ui_, snap_->cfg)) panels.push_back(&panel_list(nullptr)[i]);
  } else if (export_.menu_panel >= 0) {
    panels.push_back(&panel_list(nullptr)[export_.menu_panel]);
  }
  std::vector<std::string> written;
  std::string err;
  if (dialog == 3) {
    std::error_code ec;
    std::filesystem::create_directories(export_.path, ec);
    if (ec) err = "cannot make the folder " + std::string(export_.path) + ": " + ec.message();
  }
  for (const PanelInfo* p : panels) {
    if (!err.empty()) break;
    FigureRequest req;
    req.panel = p;
    req.layout = lay;
    if (dialog == 3)
      req.path = std::string(export_.path) + "/" + p->name + "." + kFormats[export_.format];
    else
      // Data only: a figure path whose CSV is the file asked for (the figure itself is not written).
      req.path = dialog == 2 ? csv_path_for(export_.path).substr(0, csv_path_for(export_.path).size() - 4) + ".svg"
                             : std::string(export_.path);
    req.figure_file = dialog != 2;
    req.provenance = figure_command(p, req.path, export_.size, export_.font_pt, export_.figure);
    err = export_figure(*this, req, nullptr, &written);
  }
  if (!err.empty()) {
    set_status("export failed: " + err, true);
    return;
  }
  std::string files = written.size() <= 2 ? "" : std::to_string(written.size()) + " files into " + export_.path;
  if (files.empty())
    for (const std::string& w : written) files += (files.empty() ? "" : " and ") + w;
  set_status("exported " + files);
}

}  // namespace moe::gui

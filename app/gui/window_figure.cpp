// window_figure.cpp: the window drawn as a figure (issue 12): one panel, or the
// layout's panels in a grid, with no window chrome (title bars, radio rows,
// checkboxes, sliders, "now:" readouts: the panels leave them out while
// UiState::figure is set), each under a title drawn through the plot layer's
// recorder, so the title reaches an SVG or PDF as text.
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "plot.h"
#include "ui_state.h"
#include "window.h"

namespace moe::gui {

std::string MainWindow::figure_title(const PanelInfo* panel) const {
  std::string t = panel ? panel->title : "moescope";
  t += " \u2014 ";
  t += origin_name(*snap_);
  t += ", step " + std::to_string(snap_->steps_done);
  // Runs side by side: a per-expert view shows the selected run; its title says which.
  if (panel && compare_.lines.size() >= 2) {
    const std::string_view n = panel->name;
    const bool every_run = n == "entropy" || n == "collapse" || n == "losses" || n == "sweep" ||
                           (n == "load" && ui_.load_ab && ui_.load_view == LoadView_Heatmap);
    if (!every_run)
      for (const RunLine& l : compare_.lines)
        if (l.selected) t += ", run " + (l.label.empty() ? "run " + std::to_string(l.id) : l.label);
  }
  return t;
}

void MainWindow::draw_figure_cell(const PanelInfo& panel, ImVec2 size, bool titled) {
  ImGui::BeginChild(panel.name, size, false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground);
  if (titled) {
    const std::string title = figure_title(&panel);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const ImVec2 ts = ImGui::CalcTextSize(title.c_str());
    plot::GetWindowRecorder();  // aims the screen back end at this window
    plot::AddPlotText(ImVec2(std::round(pos.x + std::max(0.0f, (w - ts.x) * 0.5f)), pos.y), plot::GetStyle().text,
                      title.c_str(), ImVec2(0.5f, 0));
    ImGui::Dummy(ImVec2(w, ts.y));
  }
  // Heatmaps on the CPU (a file cannot read a GL texture); the runs side by side as on screen.
  PanelContext ctx{*snap_, ui_, nullptr, &compare_};
  panel.draw(ctx);
  ImGui::EndChild();
}

void MainWindow::draw_figure(const PanelInfo* panel, float scale) {
  take_snapshot();
  plot::GetStyle().style_every_series = ui_.line_styles_every_series;
  palette::set_scheme(palette::Scheme(ui_.palette));
  apply_theme(ui_.light_theme, scale);
  theme_applied_ = -1;  // the window's own frames set their theme again
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::Begin("##figure", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ui_.figure = true;
  std::vector<const PanelInfo*> cells;
  if (panel) {
    cells.push_back(panel);
  } else {
    for (int i : panels_in_layout(ui_, snap_->cfg)) cells.push_back(&panel_list(nullptr)[i]);
  }
  const int n = int(cells.size());
  const int cols = n <= 1 ? 1 : n <= 4 ? 2 : 3;
  const int rows = (n + cols - 1) / cols;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 gap = ImGui::GetStyle().ItemSpacing;
  const ImVec2 cell(std::floor((avail.x - gap.x * float(cols - 1)) / float(cols)),
                    std::floor((avail.y - gap.y * float(rows - 1)) / float(rows)));
  for (int i = 0; i < n; ++i) {
    if (i % cols != 0) ImGui::SameLine();
    draw_figure_cell(*cells[size_t(i)], cell, true);
  }
  ui_.figure = false;
  ImGui::End();
  ImGui::PopStyleVar();
}

}  // namespace moe::gui

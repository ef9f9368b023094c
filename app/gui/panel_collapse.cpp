// panel_collapse.cpp: 4. the signs of routing collapse over steps, and an alarm.
//
// Collapse: the router sends most tokens to a few experts, they improve
// fastest, the router prefers them more. Its signs, each on its own small plot
// (their scales differ) with the x axis shared:
//   dead experts  experts that took no token in the last W steps (0..E)
//   MaxVio        max_i n_i / mean_j n_j − 1: 0 balanced, E/k − 1 all tokens on the same k
//   load CV       std(f) / mean(f): 0 balanced, sqrt(E/k − 1) all tokens on the same k
// The dashed line in each is that total collapse (drawn only when the view reaches it).
// A red banner names the collapse while the latest load entropy is below
// ui.collapse_alert (slider), in the shown layer or any other.
//
// [SECTION] Banner
// [SECTION] Plots
// [SECTION] draw_collapse
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "panel_common.h"
#include "panels.h"

namespace moe {

namespace {

ImU32 series_colour(int k) {
  static const ImU32 dark[3] = {IM_COL32(255, 110, 110, 255), IM_COL32(255, 180, 70, 255), IM_COL32(120, 200, 255, 255)};
  static const ImU32 light[3] = {IM_COL32(200, 30, 40, 255), IM_COL32(200, 110, 0, 255), IM_COL32(20, 100, 190, 255)};
  return (panel::theme() == palette::Theme::light ? light : dark)[k];
}

// [SECTION] Banner

// Full-width strip: red with white text while collapsed, quiet text otherwise (same height, so nothing jumps).
void banner(const char* text, bool alarm) {
  const float F = ImGui::GetFontSize();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = std::round(F * 1.7f);
  ImGui::Dummy(ImVec2(w, h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const ImVec2 at(std::round(p.x + F * 0.6f), std::round(p.y + (h - ts.y) * 0.5f));
  dl->PushClipRect(p, ImVec2(p.x + w, p.y + h), true);
  if (alarm) {
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(196, 32, 38, 255), 3.0f);
    dl->AddText(at, IM_COL32(255, 255, 255, 255), text);
  } else {
    const bool light = panel::theme() == palette::Theme::light;
    dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), light ? IM_COL32(0, 0, 0, 14) : IM_COL32(255, 255, 255, 14), 3.0f);
    dl->AddText(at, light ? IM_COL32(30, 120, 60, 255) : IM_COL32(130, 215, 150, 255), text);
  }
  dl->PopClipRect();
  if (ts.x > w - F && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);  // clipped: the whole line on hover
}

// The banner for the latest step: the shown layer first, other collapsed layers named after it.
void collapse_banner(const PanelContext& ctx, int layer) {
  const RunSnapshot& snap = ctx.snap;
  const int E = snap.cfg.routed_experts();
  const int n = int(snap.last.layers.size());
  char text[256];
  if (snap.steps_done <= 0 || layer >= n) {
    std::snprintf(text, sizeof text, "No steps yet: the alarm watches the load entropy of each layer.");
    banner(text, false);
    return;
  }
  const double threshold = ctx.ui.collapse_alert;
  std::string others;
  int worst = -1;  // most collapsed layer, if the shown one is fine
  for (int l = 0; l < n; ++l) {
    if (l == layer || !(snap.last.layers[size_t(l)].load_entropy < threshold)) continue;
    others += others.empty() ? std::to_string(l) : ", " + std::to_string(l);
    if (worst < 0 || snap.last.layers[size_t(l)].load_entropy < snap.last.layers[size_t(worst)].load_entropy) worst = l;
  }
  const LayerMetrics& m = snap.last.layers[size_t(layer)];
  if (m.load_entropy < threshold) {
    int len = std::snprintf(text, sizeof text, "Collapse%s: load entropy %.2f < %.2f \xE2\x80\x94 %d of %d experts dead",
                            n > 1 ? (" in layer " + std::to_string(layer)).c_str() : "", m.load_entropy, threshold, m.dead_experts, E);
    if (!others.empty() && len > 0 && len < int(sizeof text))
      std::snprintf(text + len, sizeof text - size_t(len), " (also layer%s %s)", others.find(',') != std::string::npos ? "s" : "",
                    others.c_str());
    banner(text, true);
  } else if (worst >= 0) {
    const LayerMetrics& w = snap.last.layers[size_t(worst)];
    std::snprintf(text, sizeof text, "Collapse in layer %d: load entropy %.2f < %.2f \xE2\x80\x94 %d of %d experts dead (shown: layer %d)",
                  worst, w.load_entropy, threshold, w.dead_experts, E, layer);
    banner(text, true);
  } else {
    std::snprintf(text, sizeof text, "No collapse: load entropy %.2f \xE2\x89\xA5 %.2f, %d of %d experts dead", m.load_entropy, threshold,
                  m.dead_experts, E);
    banner(text, false);
  }
}

// [SECTION] Plots

// A name and definition in a corner of the plot (the plots are too small for titles
// above them): the longest of `variants` that takes at most 3/4 of the width, none if even
// the shortest does not fit (the y label still names the plot). Top-left, unless an
// event's label sits there; then top-right, then bottom-left.
void corner_note(const char* const* variants, int count, const std::vector<Event>& events) {
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  if (size.y < ImGui::GetFontSize() * 2.5f) return;
  const char* text = nullptr;
  for (int i = 0; i < count && !text; ++i)
    if (variants[i][0] && ImGui::CalcTextSize(variants[i]).x <= size.x * 0.75f) text = variants[i];
  if (!text) return;
  const ImVec2 ts = ImGui::CalcTextSize(text);
  // Pixel spans of the event labels along the top edge (as plot::PlotVLines places them).
  std::vector<std::pair<float, float>> spans;
  for (const Event& e : events) {
    const float x = plot::PlotToPixels({double(e.step), 0.0}).x;
    if (x < pos.x - 1 || x > pos.x + size.x + 1) continue;
    const float w = ImGui::CalcTextSize(e.label().c_str()).x;
    const float tx = plot::GetMarkerLabelX(double(e.step), w);
    spans.push_back({tx - 4, tx + w + 4});
  }
  auto clear_of_labels = [&](float x0, float x1) {
    for (const auto& [a, b] : spans)
      if (a < x1 && b > x0) return false;
    return true;
  };
  ImVec2 at(pos.x + 6, pos.y + 4);
  if (!clear_of_labels(at.x - 3, at.x + ts.x + 3)) {
    const float right = pos.x + size.x - 6 - ts.x;
    if (clear_of_labels(right - 3, right + ts.x + 3))
      at.x = right;
    else
      at.y = pos.y + size.y - ts.y - 4;  // the bottom edge has no labels
  }
  ImDrawList* dl = plot::GetPlotDrawList();
  dl->PushClipRect(pos, ImVec2(pos.x + size.x, pos.y + size.y), true);
  dl->AddRectFilled(ImVec2(at.x - 3, at.y - 1), ImVec2(at.x + ts.x + 3, at.y + ts.y + 1), plot::GetStyle().marker_text_bg, 2.0f);
  dl->AddText(at, plot::GetStyle().text, text);
  dl->PopClipRect();
}

// The worst case as a faint dashed line, only when the view reaches it (it never drives the fit).
void worst_case_line(const char* item, double y) {
  plot::SetNextLineStyle(palette::with_alpha(panel::reference_colour(), 0.7f), 1.0f);
  plot::PlotHLine(item, y, plot::ItemFlags_Dashed | plot::ItemFlags_NoLegend | plot::ItemFlags_NoFit);
}

enum Metric { Dead = 0, MaxVio, LoadCv };

// L: the shown layer's series ids, indexed by the metric table (HistoryIds::layers).
void metric_plot(PanelContext& ctx, Metric metric, const std::vector<SeriesId>* L, int E, ImVec2 size, bool bottom) {
  static panel::ColumnAlign align;  // the three data areas start at the same x
  size.x = align.begin(metric, size.x);
  static const char* const kIds[3] = {"##dead", "##maxvio", "##loadcv"};
  static const char* const kYLabels[3] = {"experts", "MaxVio", "load CV"};
  static constexpr int kMetrics[3] = {metric_index("dead_experts"), metric_index("max_vio"), metric_index("load_cv")};
  const plot::AxisFlags y_flags = metric == Dead ? plot::AxisFlags_Lock : plot::AxisFlags_AutoFit;
  if (!panel::begin_time_plot(ctx, kIds[metric], size, kYLabels[metric], y_flags, plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle))
    return;
  if (!bottom) plot::SetupAxis(plot::Axis_X, nullptr, plot::AxisFlags_AutoFit | plot::AxisFlags_NoTickLabels);  // shares the bottom plot's axis
  if (metric == Dead) {
    const double pad = 0.04 * E + 0.2;  // keeps 0 and E off the frame
    plot::SetupAxisLimits(plot::Axis_Y, -pad, double(E) + pad, ImGuiCond_Always);
  }
  align.record(metric);
  char notes[3][128] = {"", "", ""};  // longest first
  int drawn = 0;
  if (L) {
    panel::SeriesStyle st;
    st.colour = series_colour(metric);
    st.weight = 2.0f;
    // Total collapse: every token on the same k experts (k distinct per token), so
    // E − k dead, MaxVio = E/k − 1 and CV = sqrt(E/k − 1) (f = 1/k on k experts, 0 elsewhere).
    const int k = std::clamp(ctx.snap.cfg.active_k(), 1, E);
    const double ratio = double(E) / double(k) - 1;
    switch (metric) {
      case Dead:
        std::snprintf(notes[0], sizeof notes[0], "dead experts (no token in %d steps), of %d   (total collapse: %d)", ctx.snap.cfg.dead_window,
                      E, E - k);
        std::snprintf(notes[1], sizeof notes[1], "dead experts (no token in %d steps), of %d", ctx.snap.cfg.dead_window, E);
        std::snprintf(notes[2], sizeof notes[2], "dead experts, of %d", E);
        st.band = false;  // a count that only steps: its bucket range adds nothing
        drawn = panel::plot_series(ctx, kMetricTable[kMetrics[metric]].label, (*L)[size_t(kMetrics[metric])], st);
        worst_case_line("total collapse", double(E - k));
        break;
      case MaxVio:
        std::snprintf(notes[0], sizeof notes[0], "MaxVio = max n / mean n \xE2\x88\x92 1   (total collapse: %.3g)", ratio);
        std::snprintf(notes[1], sizeof notes[1], "MaxVio = max n / mean n \xE2\x88\x92 1");
        std::snprintf(notes[2], sizeof notes[2], "MaxVio");
        drawn = panel::plot_series(ctx, kMetricTable[kMetrics[metric]].label, (*L)[size_t(kMetrics[metric])], st);
        worst_case_line("total collapse", ratio);
        break;
      case LoadCv:
        std::snprintf(notes[0], sizeof notes[0], "load CV = std(f) / mean(f)   (total collapse: %.2g)", std::sqrt(ratio));
        std::snprintf(notes[1], sizeof notes[1], "load CV = std(f) / mean(f)");
        std::snprintf(notes[2], sizeof notes[2], "load CV");
        drawn = panel::plot_series(ctx, kMetricTable[kMetrics[metric]].label, (*L)[size_t(kMetrics[metric])], st);
        worst_case_line("total collapse", std::sqrt(ratio));
        break;
    }
  }
  if (metric != Dead) panel::fit_include(0.0);  // 0 = balanced, always in view
  const char* const variants[3] = {notes[0], notes[1], notes[2]};
  corner_note(variants, 3, ctx.snap.events);
  panel::plot_events(ctx);
  if (drawn == 0 && metric == MaxVio) panel::no_data_note("No steps yet.");
  plot::EndPlot();
}

}  // namespace

// [SECTION] draw_collapse

void draw_collapse(PanelContext& ctx) {
  const RunSnapshot& snap = ctx.snap;
  const int E = snap.cfg.routed_experts();
  const int layer = panel::layer_of(ctx);
  const bool dense = snap.cfg.router == RouterKind::dense || E <= 1;
  const std::vector<SeriesId>* L = !dense && snap.history && layer < int(snap.ids.layers.size()) ? &snap.ids.layers[size_t(layer)] : nullptr;
  const float F = ImGui::GetFontSize();

  // Controls: the alarm threshold and the layer shown.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("alert when load entropy <");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(F * 10, std::max(F * 5, ImGui::GetContentRegionAvail().x - F * 8)));
  ImGui::SliderFloat("##collapse_alert", &ctx.ui.collapse_alert, 0.0f, 1.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Load entropy H(f)/log E: 1 = balanced load, 0 = every token on one expert.\nThe banner turns red below this value.");
  if (snap.cfg.n_layers > 1) {
    ImGui::SameLine();
    ImGui::TextDisabled("  layer %d of %d", layer, snap.cfg.n_layers);
  }
  if (dense)
    banner("Dense baseline: no router, nothing can collapse.", false);
  else
    collapse_banner(ctx, layer);

  // Three plots on one x axis; only the bottom one shows the step ticks and label.
  const ImGuiStyle& gs = ImGui::GetStyle();
  const float avail = ImGui::GetContentRegionAvail().y;
  const float axis_extra = 2 * F + 8;  // x tick labels + "step"
  const float h = std::max(F * 3, std::floor((avail - axis_extra - 2 * gs.ItemSpacing.y) / 3));
  const float w = ImGui::GetContentRegionAvail().x;
  const char* missing = dense ? "Dense baseline: one FFN every token goes through, so there are no dead experts, no MaxVio and no load CV."
                              : "No collapse series for this layer yet.";
  if (!L) {  // nothing to plot: one empty plot that says why
    if (panel::begin_time_plot(ctx, "##collapse_none", ImVec2(w, std::max(F * 6, avail)), "experts", plot::AxisFlags_AutoFit,
                               plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
      panel::no_data_note(missing);
      plot::EndPlot();
    }
    return;
  }
  const float w_upper = w - panel::x_labels_right_inset(ctx);  // data areas end where the bottom plot's does
  metric_plot(ctx, Dead, L, E, ImVec2(w_upper, h), false);
  metric_plot(ctx, MaxVio, L, E, ImVec2(w_upper, h), false);
  metric_plot(ctx, LoadCv, L, E, ImVec2(w, std::max(F * 3 + axis_extra, ImGui::GetContentRegionAvail().y)), true);
}

}  // namespace moe

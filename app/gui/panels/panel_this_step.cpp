// panel_this_step.cpp: 6. the router on the last step, per expert: load f_i (share of
// the k·T assignments, solid bar) and importance P_i (mean gate mass, outlined bar) in
// the expert's own colour beside the dashed ideal 1/E (and the capacity line when
// c > 0); below, the aux-loss-free selection bias b_i (DeepSeek-V3) when γ > 0.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"

namespace moe {

namespace {

const char* fitting(const char* long_text, const char* short_text, float width) {
  return ImGui::CalcTextSize(long_text, nullptr, true).x + 16 <= width ? long_text : short_text;
}

struct OneBar {
  double x, y;
};
plot::Point one_bar(const void* d, int) {
  const auto* b = static_cast<const OneBar*>(d);
  return {b->x, b->y};
}

// Text just above a horizontal line at y, at the right (or left) end of the data area.
void label_hline(double y, const char* text, ImU32 colour, bool right) {
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  const float py = plot::PlotToPixels({0, y}).y;
  if (py < pos.y + ImGui::GetFontSize() || py > pos.y + size.y) return;
  const ImVec2 sz = ImGui::CalcTextSize(text);
  const float x = right ? pos.x + size.x - sz.x - 4 : pos.x + 4;
  plot::Recorder& rec = plot::GetPlotRecorder();
  rec.RectFilled(ImVec2(x - 2, py - sz.y - 2), ImVec2(x + sz.x + 2, py - 1), plot::GetStyle().marker_text_bg, 2.0f);
  plot::AddPlotText(ImVec2(x, py - sz.y - 2), colour, text);
}

void draw_load_importance(PanelContext& ctx, const LayerMetrics* m, int E, ImVec2 size) {
  const Config& cfg = ctx.snap.cfg;
  const bool light = ctx.ui.light_theme;
  const palette::Theme theme = light ? palette::Theme::light : palette::Theme::dark;
  const char* title = fitting("Load f (solid) and importance P (outlined) per expert###step_load",
                              "Load (solid), importance (outlined)###step_load", size.x);
  if (!plot::BeginPlot(title, size, plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) return;
  panel::setup_expert_axis("expert");
  const double y_max = ctx.ui.this_step_y_max;  // > 0: a scale shared with another run's panel
  plot::SetupAxis(plot::Axis_Y, "fraction of tokens",
                  y_max > 0 ? plot::AxisFlags_Lock : plot::AxisFlags_AutoFit | plot::AxisFlags_FitZero);
  if (y_max > 0) plot::SetupAxisLimits(plot::Axis_Y, 0.0, y_max, ImGuiCond_Always);
  plot::SetupAxisLimits(plot::Axis_X, -0.6, E - 0.4, ImGuiCond_Always);
  panel::draw_expert_ticks(E);
  if (!m || int(m->load.size()) < E) {
    panel::no_data_note("no step yet");
    plot::EndPlot();
    return;
  }
  const double w = E > 1 ? 0.4 : 0.3;
  for (int e = 0; e < E; ++e) {
    char label[40];
    const ImU32 c = palette::categorical(e, theme);
    const OneBar load{e - w * 0.5, m->load[size_t(e)]};
    std::snprintf(label, sizeof label, "load f, expert %d", e);
    plot::SetNextFillStyle(c, 1.0f);
    plot::PlotBarsG(label, &one_bar, &load, 1, w * 0.95);
    if (int(m->importance.size()) > e) {
      const OneBar imp{e + w * 0.5, m->importance[size_t(e)]};
      std::snprintf(label, sizeof label, "importance P, expert %d", e);
      plot::SetNextFillStyle(c, 0.35f);
      plot::PlotBarsG(label, &one_bar, &imp, 1, w * 0.95);
    }
  }
  const ImU32 ref = panel::reference_colour();
  const double ideal = 1.0 / std::max(1, E);
  plot::SetNextLineStyle(ref, 1.5f);
  plot::PlotHLine("ideal 1/E", ideal, plot::ItemFlags_Dashed);
  label_hline(ideal, "ideal 1/E", ref, true);
  // Capacity C = ceil(c k T / E) assignments, as a share of the k T assignments: above it, tokens are dropped.
  if (cfg.router == RouterKind::topk && cfg.capacity_factor > 0 && E > 1) {
    const double kT = double(cfg.active_k()) * cfg.batch_size;
    const double C = std::ceil(cfg.capacity_factor * kT / E - 1e-9);
    const ImU32 cap = light ? IM_COL32(190, 60, 40, 230) : IM_COL32(255, 140, 110, 230);
    char text[48];
    std::snprintf(text, sizeof text, "capacity (%.0f%% dropped)", 100.0 * m->drop_rate);
    plot::SetNextLineStyle(cap, 1.5f);
    plot::PlotHLine("capacity C/(kT)", C / kT, plot::ItemFlags_Dashed);
    label_hline(C / kT, text, cap, false);
  }
  plot::EndPlot();
}

void draw_bias(PanelContext& ctx, const LayerMetrics* m, int E, ImVec2 size) {
  const bool light = ctx.ui.light_theme;
  const palette::Theme theme = light ? palette::Theme::light : palette::Theme::dark;
  char title[96];
  std::snprintf(title, sizeof title, "%s, \u03b3 = %g###step_bias",
                fitting("Aux-free bias b (changes selection, never a gate)", "Aux-free bias b",
                        size.x - 8 * ImGui::GetFontSize()),
                ctx.snap.cfg.aux_free_gamma);
  if (!plot::BeginPlot(title, size, plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) return;
  panel::setup_expert_axis("expert");
  plot::SetupAxis(plot::Axis_Y, "bias b", plot::AxisFlags_AutoFit | plot::AxisFlags_FitZero);
  plot::SetupAxisLimits(plot::Axis_X, -0.6, E - 0.4, ImGuiCond_Always);
  panel::draw_expert_ticks(E);
  if (!m || int(m->bias.size()) < E) {
    panel::no_data_note("no step yet");
    plot::EndPlot();
    return;
  }
  for (int e = 0; e < E; ++e) {
    char label[32];
    std::snprintf(label, sizeof label, "bias, expert %d", e);
    const OneBar b{double(e), m->bias[size_t(e)]};
    plot::SetNextFillStyle(palette::categorical(e, theme), 0.9f);
    plot::PlotBarsG(label, &one_bar, &b, 1, 0.7);
  }
  plot::SetNextLineStyle(panel::reference_colour(), 1.0f);
  plot::PlotHLine("##zero", 0.0, plot::ItemFlags_NoTooltip);
  plot::EndPlot();
}

}  // namespace

void draw_this_step(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const Config& cfg = s.cfg;
  const int layer = panel::layer_of(ctx);
  const int E = cfg.routed_experts();
  const LayerMetrics* m = s.steps_done > 0 && layer < int(s.last.layers.size()) ? &s.last.layers[size_t(layer)]
                                                                                : nullptr;

  // The bias plot is worth its room while the bias moves (γ > 0) or still holds values from earlier.
  bool bias_values = false;
  if (m)
    for (double b : m->bias) bias_values = bias_values || b != 0;
  const bool bias_applies = cfg.router == RouterKind::topk;
  const bool show_bias = bias_applies && (cfg.aux_free_gamma > 0 || bias_values);

  // One line of context: which step and layer, and why there is no bias plot.
  if (panel::figure_mode(ctx)) {
    char line[96];
    if (cfg.n_layers > 1)
      std::snprintf(line, sizeof line, "step %lld, layer %d: k = %d of E = %d", (long long)s.steps_done, layer,
                    cfg.active_k(), E);
    else
      std::snprintf(line, sizeof line, "step %lld: k = %d of E = %d", (long long)s.steps_done, cfg.active_k(), E);
    panel::recorded_text(line);
  } else if (cfg.n_layers > 1)
    ImGui::Text("step %lld, layer %d: k = %d of E = %d", (long long)s.steps_done, layer, cfg.active_k(), E);
  else
    ImGui::Text("step %lld: k = %d of E = %d", (long long)s.steps_done, cfg.active_k(), E);
  if (!show_bias && !panel::figure_mode(ctx)) {
    // Beside the step where it fits (closer, then shorter); left out where even that would be clipped.
    const char* note = cfg.router == RouterKind::dense ? "dense baseline: one FFN takes every token"
                       : !bias_applies                 ? "aux-free bias: not used by expert choice"
                                                       : "aux-free bias off (\u03b3 = 0)";
    const char* short_note = cfg.router == RouterKind::dense ? "dense baseline"
                             : !bias_applies                 ? "no aux-free bias"
                                                             : "bias off (\u03b3 = 0)";
    const float F = ImGui::GetFontSize();
    const float room = ImGui::GetWindowPos().x + ImGui::GetContentRegionMax().x - ImGui::GetItemRectMax().x;
    for (const char* text : {note, short_note}) {
      const float w = ImGui::CalcTextSize(text).x;
      if (w + F > room) continue;
      ImGui::SameLine(0, std::min(2 * F, room - w));
      ImGui::TextDisabled("%s", text);
      break;
    }
  }

  const ImGuiStyle& st = ImGui::GetStyle();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bias_h = show_bias ? std::round(std::max(avail.y * 0.36f, 8 * ImGui::GetFontSize())) : 0;
  draw_load_importance(ctx, m, E, ImVec2(avail.x, avail.y - (show_bias ? bias_h + st.ItemSpacing.y : 0)));
  if (show_bias) draw_bias(ctx, m, E, ImVec2(avail.x, bias_h));
}

}  // namespace moe

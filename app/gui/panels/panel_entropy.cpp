// panel_entropy.cpp: 2. router entropy and load entropy over steps, both over log E,
// and routing churn, also a fraction in [0, 1].
//
//   router entropy  mean over tokens of H(p_t) / log E: 1 = every token's gates
//                   uniform, 0 = every token sure of one expert (a confident router)
//   load entropy    H(f) / log E of the step's load: 1 = perfectly balanced, falling
//                   towards 0 as the router collapses onto a few experts
//   routing churn   share of the fixed probe batch whose top-1 expert changed since
//                   the previous step: high while routing is still being decided
// A confident router (router entropy low) is healthy; a collapsed one has low
// load entropy. The dashed red line is the collapse alert (ui.collapse_alert).
#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "panel_common.h"
#include "panel_compare.h"
#include "panels.h"

namespace moe {

namespace {

ImU32 router_colour() { return palette::series_colour(palette::Series::router_entropy, panel::theme()); }
ImU32 load_colour() { return palette::series_colour(palette::Series::load_entropy, panel::theme()); }
ImU32 churn_colour() { return palette::series_colour(palette::Series::routing_churn, panel::theme()); }
ImU32 alert_colour() {
  return panel::theme() == palette::Theme::light ? IM_COL32(200, 30, 30, 220) : IM_COL32(255, 95, 95, 220);
}

// A dashed horizontal line with its name written at the right end, above it.
void labelled_hline(const char* item, const char* text, double y, ImU32 colour) {
  plot::SetNextLineStyle(colour, 1.5f);
  plot::PlotHLine(item, y, plot::ItemFlags_Dashed | plot::ItemFlags_NoLegend);
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  const float py = plot::PlotToPixels({0, y}).y;
  if (py < pos.y + 2 || py > pos.y + size.y - 2) return;
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const ImVec2 at(std::round(pos.x + size.x - ts.x - 6),
                  std::round(py + 3 + ts.y > pos.y + size.y ? py - ts.y - 3 : py + 3));
  plot::Recorder& rec = plot::GetPlotRecorder();
  rec.RectFilled(ImVec2(at.x - 3, at.y), ImVec2(at.x + ts.x + 3, at.y + ts.y), plot::GetStyle().marker_text_bg, 2.0f);
  plot::AddPlotText(at, colour, text);
}

// Runs side by side: load entropy (with the alert) over router entropy, a line per run.
void draw_entropy_compare(PanelContext& ctx, int layer) {
  const float F = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  panel::run_key_row(ctx);
  const float w = ImGui::GetContentRegionAvail().x;
  const float avail = std::max(ImGui::GetContentRegionAvail().y, F * 14);
  const float top_h = std::floor((avail - ImGui::GetStyle().ItemSpacing.y) * 0.5f);
  const bool diff = ctx.compare->reference >= 0;
  static panel::ColumnAlign align;
  constexpr int kLoad = metric_index("load_entropy"), kRouter = metric_index("router_entropy");
  struct Row {
    const char* id;
    const char* y_label;
    int metric;
  };
  // The y labels run along plots half the panel high: "load" and "router" where the full names would not fit.
  const bool fits = ImGui::CalcTextSize("\xCE\x94 router entropy").x < top_h * 0.85f;
  const char* load_label = diff ? (fits ? "\xCE\x94 load entropy" : "\xCE\x94 load") : (fits ? "load entropy" : "load");
  const char* router_label = diff ? (fits ? "\xCE\x94 router entropy" : "\xCE\x94 router")
                                  : (fits ? "router entropy" : "router");
  const Row rows[2] = {{"##entropy_load", load_label, kLoad}, {"##entropy_router", router_label, kRouter}};
  for (int i = 0; i < 2; ++i) {
    const bool bottom = i == 1;
    const float width = align.begin(i, bottom ? w : w - panel::x_labels_right_inset(ctx));
    const ImVec2 size(width, bottom ? std::max(F * 6, ImGui::GetContentRegionAvail().y) : top_h);
    if (!panel::begin_time_plot(ctx, rows[i].id, size, rows[i].y_label,
                                diff ? plot::AxisFlags_AutoFit : plot::AxisFlags_Lock,
                                plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle))
      continue;
    if (!bottom) plot::SetupAxis(plot::Axis_X, nullptr, plot::AxisFlags_AutoFit | plot::AxisFlags_NoTickLabels);
    if (!diff) plot::SetupAxisLimits(plot::Axis_Y, -0.03, 1.05, ImGuiCond_Always);
    align.record(i);
    const int drawn = panel::plot_runs(ctx, {layer, rows[i].metric});
    if (!diff && rows[i].metric == kLoad) {
      char text[64];
      std::snprintf(text, sizeof text, "collapse alert: < %.2f", double(ctx.ui.collapse_alert));
      // Neutral, not the alert's red: red is a run's colour here.
      labelled_hline("collapse alert", text, ctx.ui.collapse_alert, panel::reference_colour());
    }
    if (drawn == 0) panel::no_data_note("No steps yet: each run's entropy appears here as it trains.");
    panel::plot_run_marks(ctx, !bottom);
    plot::EndPlot();
  }
}

}  // namespace

void draw_entropy(PanelContext& ctx) {
  const RunSnapshot& snap = ctx.snap;
  const int layer = panel::layer_of(ctx);
  const bool dense = snap.cfg.router == RouterKind::dense || snap.cfg.routed_experts() <= 1;
  const bool expert_choice = snap.cfg.router == RouterKind::expert_choice;
  const bool ok = !dense && snap.history && layer < int(snap.ids.layers.size());
  constexpr int kRouter = metric_index("router_entropy"), kLoad = metric_index("load_entropy"),
                kChurn = metric_index("routing_churn");
  if (ok && ctx.comparing()) {
    draw_entropy_compare(ctx, layer);
    return;
  }

  // Key and the latest values.
  const char* load_label = expert_choice ? "load entropy (expert choice: 1 by construction)"
                                         : "load entropy H(f)/log E";
  const panel::KeyItem key[] = {
      {"router entropy H(p)/log E", router_colour()},
      {load_label, load_colour()},
      {kMetricTable[kChurn].label, churn_colour()},
      {"collapse alert", alert_colour(), true},
  };
  ImGui::AlignTextToFramePadding();
  const int hovered = panel::key_row(key, 4);
  if (ok && snap.steps_done > 0 && layer < int(snap.last.layers.size()) && !panel::figure_mode(ctx)) {
    const LayerMetrics& m = snap.last.layers[size_t(layer)];
    char now[96];
    std::snprintf(now, sizeof now, "now: router %.2f, load %.2f, churn %.2f", m.router_entropy, m.load_entropy,
                  m.routing_churn);
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(now).x + ImGui::CalcTextSize("  layer 3 of 4").x)
      ImGui::NewLine();
    ImGui::TextUnformatted(now);
    if (snap.cfg.n_layers > 1) {
      ImGui::SameLine();
      ImGui::TextDisabled(" layer %d of %d", layer, snap.cfg.n_layers);
    }
  }

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size(avail.x, std::max(avail.y, ImGui::GetFontSize() * 8));
  if (!panel::begin_time_plot(ctx, "##entropy", size, "normalised entropy|entropy", plot::AxisFlags_Lock,
                              plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle))
    return;
  plot::SetupAxisLimits(plot::Axis_Y, -0.03, 1.05, ImGuiCond_Always);  // 0 (collapsed) stays off the frame
  if (!ok) {
    panel::no_data_note(dense ? "Dense baseline: there is no router, so both entropies read 1 and do not apply."
                              : "No entropy series yet.");
  } else {
    const float dim = hovered >= 0 ? 0.3f : 1.0f;
    panel::SeriesStyle rs, ls, cs;
    rs.colour = palette::with_alpha(router_colour(), hovered == 0 ? 1.0f : dim);
    ls.colour = palette::with_alpha(load_colour(), hovered == 1 ? 1.0f : dim);
    rs.weight = hovered == 0 ? 3.0f : 2.0f;
    ls.weight = hovered == 1 ? 3.0f : 2.0f;
    cs.colour = palette::with_alpha(churn_colour(), hovered == 2 ? 1.0f : dim);
    cs.weight = hovered == 2 ? 3.0f : 1.5f;
    int drawn = panel::plot_series(ctx, kMetricTable[kRouter].label, snap.ids.of(layer, kRouter), rs);
    drawn += panel::plot_series(ctx, kMetricTable[kLoad].label, snap.ids.of(layer, kLoad), ls);
    drawn += panel::plot_series(ctx, kMetricTable[kChurn].label, snap.ids.of(layer, kChurn), cs);
    char text[64];
    std::snprintf(text, sizeof text, "collapse alert: load entropy < %.2f", double(ctx.ui.collapse_alert));
    labelled_hline("collapse alert", text, ctx.ui.collapse_alert,
                   palette::with_alpha(alert_colour(), hovered == 3 || hovered < 0 ? 1.0f : 0.4f));
    if (drawn == 0) panel::no_data_note("No steps yet: router and load entropy appear here as the run trains.");
  }
  panel::plot_events(ctx);
  plot::EndPlot();
}

}  // namespace moe

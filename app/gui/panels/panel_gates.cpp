// panel_gates.cpp: 3. the gate probabilities p_{t,i} of the fixed probe batch as a
// tokens × experts heatmap (GPU shader, perceptual colormap, colour bar), rows
// optionally sorted by top-1 expert, beside the histogram of the top-1 gate
// max_i p_{t,i} of the last training step (10 bins on [0, 1]).
//
// Sorted rows make routing readable at a glance: a balanced router draws a
// staircase of E equal steps, a collapsed one a single bright column, and a
// confident router bright cells on a dark background (uniform gates read 1/E).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"

namespace moe {

// [SECTION] Gates

namespace {

// Probe tokens in display order: order[rank] is the token shown at y = rank (rank 0 at the bottom).
// Sorted: by top-1 expert (tokens no expert took last), then by descending gate of that expert.
void token_order(const ProbeResult& p, bool sort, std::vector<int>& order) {
  order.resize(size_t(p.tokens));
  std::iota(order.begin(), order.end(), 0);
  if (!sort) return;
  const int E = p.experts;
  auto key_expert = [&](int t) { return p.top1[size_t(t)] < 0 ? E : p.top1[size_t(t)]; };
  auto gate = [&](int t) {
    const int e = p.top1[size_t(t)];
    return e < 0 ? 0.0f : p.gates[size_t(t) * size_t(E) + size_t(e)];
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const int ea = key_expert(a), eb = key_expert(b);
    if (ea != eb) return ea < eb;
    return gate(a) > gate(b);
  });
}

// The title that fits `width` pixels: the long one, else the short one.
const char* fitting(const char* long_text, const char* short_text, float width) {
  return ImGui::CalcTextSize(long_text, nullptr, true).x + 16 <= width ? long_text : short_text;
}

void draw_heatmap(PanelContext& ctx, const ProbeResult& p, int layer, ImVec2 size, float colour_bar_w) {
  const int T = p.tokens, E = p.experts;
  const bool sorted = ctx.ui.sort_gates_by_top1;
  thread_local std::vector<int> order;
  thread_local std::vector<float> shown;  // [T * E], display row 0 (top) = order[T - 1]
  token_order(p, sorted, order);
  shown.resize(size_t(T) * size_t(E));
  for (int r = 0; r < T; ++r) {
    const int t = order[size_t(T - 1 - r)];
    std::copy_n(&p.gates[size_t(t) * size_t(E)], E, &shown[size_t(r) * size_t(E)]);
  }

  // The longest title that fits over the data area, with the layer when there are several.
  char title[128];
  for (const char* name : {"Gate probability p(token, expert)", "Gates p(token, expert)", "Gates"}) {
    if (ctx.snap.cfg.n_layers > 1)
      std::snprintf(title, sizeof title, "%s, layer %d###gates_heat", name, layer);
    else
      std::snprintf(title, sizeof title, "%s###gates_heat", name);
    if (ImGui::CalcTextSize(title, nullptr, true).x <= size.x - colour_bar_w - 4 * ImGui::GetFontSize()) break;
  }
  // Colour scale 0..1, or 0..a round value just above the largest gate when every gate is small
  // (many experts, sigmoid scores): otherwise the whole matrix reads one colour.
  float top = 0;
  for (float v : p.gates) top = std::max(top, v);
  float vmax = 1.0f;
  for (float v : {0.05f, 0.1f, 0.2f, 0.3f, 0.5f})
    if (top <= v) {
      vmax = v;
      break;
    }
  const float plot_w = size.x - colour_bar_w;
  const ImVec2 plot_start = ImGui::GetCursorScreenPos();
  if (!plot::BeginPlot(title, ImVec2(plot_w, size.y), plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) return;
  panel::setup_expert_axis("expert");
  plot::SetupAxis(plot::Axis_Y, "probe token");
  plot::SetupAxisLimits(plot::Axis_X, -0.5, E - 0.5, ImGuiCond_Always);
  plot::SetupAxisLimits(plot::Axis_Y, -0.5, T - 0.5, ImGuiCond_Always);
  const plot::Point lo{-0.5, -0.5}, hi{E - 0.5, T - 0.5};
  if (ctx.gpu) {
    const ImVec2 a = plot::PlotToPixels({lo.x, hi.y}), b = plot::PlotToPixels({hi.x, lo.y});
    const int w = std::max(1, int(std::lround(b.x - a.x))), h = std::max(1, int(std::lround(b.y - a.y)));
    const ImTextureID tex = ctx.gpu->gates.render_values(shown.data(), T, E, 0.0f, vmax, w, h);
    plot::PlotImage("##gates", tex, lo, hi);
  } else {
    plot::PlotHeatmap("##gates", shown.data(), T, E, 0.0, double(vmax), lo, hi);
  }
  panel::draw_expert_ticks(E);
  const ImVec2 area_pos = plot::GetPlotPos(), area_size = plot::GetPlotSize();
  if (plot::IsPlotHovered()) {
    const plot::Point m = plot::GetPlotMousePos();
    const int e = int(std::lround(m.x)), rank = int(std::lround(m.y));
    if (e >= 0 && e < E && rank >= 0 && rank < T) {
      const int t = order[size_t(rank)];
      ImGui::BeginTooltip();
      ImGui::Text("token %d, expert %d: p = %.3f", t, e, double(p.gates[size_t(t) * size_t(E) + size_t(e)]));
      if (p.top1[size_t(t)] >= 0)
        ImGui::Text("top-1 expert %d, label %d", p.top1[size_t(t)], p.labels.empty() ? -1 : p.labels[size_t(t)]);
      else
        ImGui::TextUnformatted("no expert took this token");
      ImGui::EndTooltip();
    }
  }
  plot::EndPlot();

  // The colour bar beside it, its scale spanning exactly the data area.
  const ImGuiStyle& st = ImGui::GetStyle();
  // Placed by hand (not SameLine: ImGui 1.86 would add the plot's line height below it).
  const float pad = plot::GetStyle().padding.y, F = ImGui::GetFontSize();
  ImGui::SetCursorScreenPos(ImVec2(plot_start.x + plot_w + st.ItemSpacing.x * 0.5f, area_pos.y - pad - F * 0.5f));
  plot::ColorBar("gate probability", 0.0, double(vmax),
                 ImVec2(colour_bar_w - st.ItemSpacing.x * 0.5f, area_size.y + 2 * pad + F));
}

struct HistData {
  const double* fractions;  // [10]
};
plot::Point hist_bin(const void* d, int i) { return {0.05 + 0.1 * i, static_cast<const HistData*>(d)->fractions[i]}; }

void draw_histogram(PanelContext& ctx, const LayerMetrics* m, int E, ImVec2 size, const char* note) {
  const bool light = ctx.ui.light_theme;
  const char* title = fitting("Top-1 gate max p over tokens, last step###gates_hist", "Top-1 gate###gates_hist",
                              size.x);
  if (!plot::BeginPlot(title, size, plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) return;
  plot::SetupAxes("top-1 gate", "fraction of tokens", 0, plot::AxisFlags_AutoFit | plot::AxisFlags_FitZero);
  plot::SetupAxisLimits(plot::Axis_X, 0.0, 1.0, ImGuiCond_Always);
  if (!m) {
    panel::no_data_note(note);
    plot::EndPlot();
    return;
  }
  const HistData d{m->top1_hist.data()};
  plot::SetNextFillStyle(palette::colormap(0.62f), 0.85f);
  plot::PlotBarsG("tokens", &hist_bin, &d, int(m->top1_hist.size()), 0.09);
  // The floor 1/E (a uniform router) and this step's mean, their labels on two rows so they never collide.
  const double xs[2] = {1.0 / std::max(1, E), m->top1_gate_mean};
  const ImU32 colours[2] = {panel::reference_colour(), light ? palette::colormap(0.12f) : palette::colormap(0.95f)};
  char mean_text[32];
  std::snprintf(mean_text, sizeof mean_text, "mean %.2f", m->top1_gate_mean);
  const char* texts[2] = {"1/E", mean_text};
  plot::SetNextLineStyle(colours[0], 1.5f);
  plot::PlotVLines("uniform 1/E", &xs[0], 1, nullptr, plot::ItemFlags_Dashed | plot::ItemFlags_NoFit);
  plot::SetNextLineStyle(colours[1], 2.0f);
  plot::PlotVLines("mean", &xs[1], 1, nullptr, plot::ItemFlags_NoFit);
  const ImVec2 pos = plot::GetPlotPos(), area = plot::GetPlotSize();
  const float F = ImGui::GetFontSize();
  plot::Recorder& rec = plot::GetPlotRecorder();
  rec.PushClip(pos, ImVec2(pos.x + area.x, pos.y + area.y));
  for (int i = 0; i < 2; ++i) {
    const float x = plot::PlotToPixels({xs[i], 0}).x;
    const ImVec2 sz = ImGui::CalcTextSize(texts[i]);
    float tx = x + 4;
    if (tx + sz.x > pos.x + area.x - 2) tx = x - 4 - sz.x;
    tx = std::max(tx, pos.x + 2);  // a narrow plot: keep the whole label inside, over the bars if need be
    const float ty = pos.y + 3 + float(i) * (F + 3);
    rec.RectFilled(ImVec2(tx - 2, ty), ImVec2(tx + sz.x + 2, ty + F + 1), plot::GetStyle().marker_text_bg, 2.0f);
    plot::AddPlotText(ImVec2(tx, ty), colours[i], texts[i]);
  }
  rec.PopClip();
  plot::EndPlot();
}

}  // namespace

void draw_gates(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const int layer = panel::layer_of(ctx);
  const ProbeResult* p = layer < int(s.probe.size()) && s.probe[size_t(layer)].tokens > 0 ? &s.probe[size_t(layer)]
                                                                                          : nullptr;
  const LayerMetrics* m = s.steps_done > 0 && layer < int(s.last.layers.size()) ? &s.last.layers[size_t(layer)]
                                                                                : nullptr;
  const int E = s.cfg.routed_experts();

  const bool figure = panel::figure_mode(ctx);
  if (!figure) ImGui::Checkbox("sort rows by top-1 expert", &ctx.ui.sort_gates_by_top1);
  if (p && figure) {
    char info[128];
    std::snprintf(info, sizeof info, "%d probe tokens \u00d7 %d experts%s", p->tokens, p->experts,
                  ctx.ui.sort_gates_by_top1 ? ", rows sorted by top-1 expert" : "");
    panel::recorded_text(info, plot::GetStyle().tick_text);
  } else if (p) {
    char info[96];
    std::snprintf(info, sizeof info, "%d probe tokens \u00d7 %d experts, step %lld", p->tokens, p->experts,
                  (long long)s.steps_done);
    ImGui::SameLine();
    if (ImGui::CalcTextSize(info).x <= ImGui::GetContentRegionAvail().x)
      ImGui::TextDisabled("%s", info);
    else
      ImGui::NewLine();
  }

  const ImGuiStyle& st = ImGui::GetStyle();
  const float F = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float colour_bar_w = std::round(4 + 14 + 8 + ImGui::CalcTextSize("0.8").x + F + 8);
  const bool side_by_side = avail.x >= 24 * F || avail.x >= avail.y;
  ImVec2 heat_size, hist_size;
  if (side_by_side) {
    const float hist_w = std::round(std::clamp(avail.x * 0.34f, 10 * F, 26 * F));
    heat_size = ImVec2(avail.x - hist_w - st.ItemSpacing.x, avail.y);
    hist_size = ImVec2(hist_w, avail.y);
  } else {
    const float hist_h = std::round(std::max(avail.y * 0.36f, 8 * F));
    heat_size = ImVec2(avail.x, avail.y - hist_h - st.ItemSpacing.y);
    hist_size = ImVec2(avail.x, hist_h);
  }

  const bool dense = s.cfg.router == RouterKind::dense;
  if (!p || dense) {
    // The heatmap's place keeps its size so the histogram does not jump.
    if (plot::BeginPlot("Gate probability p(token, expert)###gates_heat", heat_size, plot::PlotFlags_NoLegend)) {
      plot::SetupAxes("expert", "probe token");
      panel::no_data_note(dense ? "dense baseline: no router, every token's one FFN has gate 1" : "no probe batch yet");
      plot::EndPlot();
    }
  } else {
    ImGui::BeginGroup();
    draw_heatmap(ctx, *p, layer, heat_size, colour_bar_w);
    ImGui::EndGroup();
  }
  if (side_by_side) ImGui::SameLine();
  draw_histogram(ctx, dense ? nullptr : m, E, hist_size,
                 dense ? "dense baseline: the gate is always 1" : "no step yet");
}

}  // namespace moe

// panel_load.cpp: 1. per-expert load over steps, the first sign of collapse.
//
// load_i = f_i, the fraction of the step's k·T assignments that chose expert i
// (before capacity drops), so the E curves sum to 1 and balance is every curve
// on the dashed ideal 1/E. Three views (ui.load_view):
//   lines     one curve per expert in its palette colour; when E <= 2 each
//             bucket's min..max shows faintly behind the mean
//   stacked   the fractions stacked to 1: a collapsing router squeezes bands to 0
//   heatmap   steps × experts, colour = load × E on a fixed 0..2 scale (1 = its fair
//             share, 2 = twice it or more), so dead experts are dark rows and hot
//             ones bright, at any E
// The key above the plot (never over the newest data) names the colours; hover
// an entry to pick that expert out.
//
// [SECTION] Data
// [SECTION] Key
// [SECTION] Views
// [SECTION] draw_load
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "panel_common.h"
#include "panels.h"

namespace moe {

namespace {

constexpr int kNamedExperts = 16;  // a key entry per expert up to this many, a colour strip beyond
constexpr int kBandExperts = 2;    // min..max bands behind the curves up to this many (more is mush, and fill costs)

// [SECTION] Data

// The E load series of one layer over the plot's query range, sharing x (one lock).
struct LoadData {
  std::vector<SeriesId> ids;                    // [E]
  std::vector<std::vector<HistorySample>> pts;  // [E][n]
  int level = -1;                               // fetch level (bucket = 2^level steps), -1 if empty
  int n = 0;                                    // points per series
};

LoadData& fetch_load(PanelContext& ctx, int layer, int E, int max_points) {
  thread_local LoadData d;  // reused every frame: fetch copies into it
  d.ids.resize(size_t(E));
  std::iota(d.ids.begin(), d.ids.end(), ctx.snap.ids.of(layer, metric_index("load")));
  const plot::Range r = plot::GetPlotQueryRange(plot::Axis_X);
  d.level = ctx.snap.history->fetch_many(d.ids, r.min, r.max, std::max(2, max_points), d.pts);
  d.n = d.level < 0 || d.pts.empty() ? 0 : int(d.pts[0].size());
  const double smoothing = panel::ema_for_level(ctx, d.level);
  if (smoothing > 0)  // the same linear filter on every series keeps the sum at 1
    for (auto& s : d.pts)
      if (!s.empty())
        plot::SmoothEma(&s[0].mean, &s[0].mean, int(s.size()), smoothing, int(sizeof(HistorySample)),
                        int(sizeof(HistorySample)));
  return d;
}

const char* expert_name(int e) {
  thread_local std::vector<std::string> names;
  while (int(names.size()) <= e) names.push_back("expert " + std::to_string(names.size()));
  return names[size_t(e)].c_str();
}

// [SECTION] Key

// E <= 16: "experts ━0 ━1 ...". More: one thin swatch per expert between "0" and "E-1",
// hover for the number. Returns the expert under the mouse, -1 if none.
int expert_key(int E) {
  const palette::Theme th = panel::theme();
  panel::recorded_text("expert");
  ImGui::SameLine();
  int hovered = -1;
  if (E <= kNamedExperts) {
    thread_local std::vector<panel::KeyItem> items;
    thread_local std::vector<std::string> labels;
    labels.resize(size_t(E));
    items.clear();
    for (int e = 0; e < E; ++e) {
      if (labels[size_t(e)].empty()) labels[size_t(e)] = std::to_string(e);
      items.push_back({labels[size_t(e)].c_str(), palette::categorical(e, th), false, plot::SeriesLineStyle(e)});
    }
    const int k = panel::key_row(items.data(), int(items.size()));
    return k < E ? k : -1;
  }
  const float F = ImGui::GetFontSize();
  panel::recorded_text("0");
  ImGui::SameLine(0, 3);
  const float tail = ImGui::CalcTextSize("63").x + 6;
  const float cell = std::clamp(std::floor((ImGui::GetContentRegionAvail().x - tail) / float(E)), 3.0f, F * 0.8f);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetFrameHeight();
  ImGui::InvisibleButton("##expert_strip", ImVec2(cell * float(E), h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float y0 = std::round(p.y + h * 0.2f), y1 = std::round(p.y + h * 0.8f);
  plot::Recorder& rec = plot::GetWindowRecorder();  // the strip reaches a figure file too
  for (int e = 0; e < E; ++e)
    rec.RectFilled(ImVec2(p.x + cell * float(e), y0), ImVec2(p.x + cell * float(e + 1), y1),
                   palette::categorical(e, th));
  if (ImGui::IsItemHovered()) {
    hovered = std::clamp(int((ImGui::GetIO().MousePos.x - p.x) / cell), 0, E - 1);
    dl->AddRect(ImVec2(p.x + cell * float(hovered) - 1, y0 - 2), ImVec2(p.x + cell * float(hovered + 1) + 1, y1 + 2),
                plot::GetStyle().text, 0, 0, 1.5f);
    ImGui::SetTooltip("expert %d", hovered);
  }
  ImGui::SameLine(0, 3);
  panel::recorded_text(std::to_string(E - 1).c_str());
  return hovered;
}

// [SECTION] Views

void plot_ideal(int E) {
  const double ideal = 1.0 / E;
  plot::SetNextLineStyle(panel::reference_colour(), 2.0f);
  plot::PlotHLine("ideal 1/E", ideal, plot::ItemFlags_Dashed);
  // Name the line where it ends, so a projected slide needs no key to read it.
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  const float y = plot::PlotToPixels({0, ideal}).y;
  if (y < pos.y + 2 || y > pos.y + size.y - 2) return;
  char text[48];
  std::snprintf(text, sizeof text, "ideal 1/E = %.3g", ideal);
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const ImVec2 at(std::round(pos.x + size.x - ts.x - 6), std::round(y - ts.y - 3 < pos.y + 2 ? y + 3 : y - ts.y - 3));
  plot::Recorder& rec = plot::GetPlotRecorder();
  rec.RectFilled(ImVec2(at.x - 3, at.y), ImVec2(at.x + ts.x + 3, at.y + ts.y), plot::GetStyle().marker_text_bg, 2.0f);
  plot::AddPlotText(at, panel::reference_colour(), text);
}

void draw_lines(PanelContext& ctx, int layer, int E, int hovered, const ImVec2& size) {
  if (!panel::begin_time_plot(ctx, "##load_lines", size, "load fraction", plot::AxisFlags_AutoFit,
                              plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle))
    return;
  const palette::Theme th = panel::theme();
  const bool few = E <= kBandExperts;
  // Many experts: half a point per pixel column each (64 curves stay cheap to fetch and draw).
  // About 4 points per pixel column in all, whatever E: one per column each for 4 experts,
  // one per 16 columns each for 64 (coarser buckets, so smoother means; drawing cost stays flat).
  const int budget = std::max(16, int(plot::GetPlotSize().x * std::clamp(4.0f / float(E), 0.0625f, 1.0f)));
  LoadData& d = fetch_load(ctx, layer, E, budget);
  if (d.n == 0) panel::no_data_note("No steps yet: the load of each expert appears here as the run trains.");
  const float weight = few ? 1.6f : 1.0f;
  auto draw_expert = [&](int e, float alpha, float w) {
    const HistorySample* p = d.pts[size_t(e)].data();
    const ImU32 c = palette::with_alpha(palette::categorical(e, th), alpha);
    if (few && d.level > 0) {
      plot::SetNextFillStyle(c, 0.13f);
      plot::PlotShaded(expert_name(e), &p->x, &p->min, &p->max, d.n,
                       plot::ItemFlags_NoLegend | plot::ItemFlags_NoTooltip, 0, int(sizeof(HistorySample)));
    }
    plot::SetNextLineStyle(c, w);
    plot::SetNextSeries(
        e);  // expert e's dash pattern / marker (past 8 experts, or every one in the grayscale-safe view)
    plot::PlotLine(expert_name(e), &p->x, &p->mean, d.n, 0, 0, int(sizeof(HistorySample)));
  };
  if (d.n > 0) {
    for (int e = 0; e < E; ++e)
      if (e != hovered) draw_expert(e, hovered >= 0 ? 0.22f : 1.0f, weight);
    if (hovered >= 0) draw_expert(hovered, 1.0f, weight + 1.5f);  // on top
  }
  panel::fit_include(0.0);  // a dead expert's 0 stays visible above the frame
  plot_ideal(E);
  if (E > kNamedExperts && d.n > 0 && hovered < 0) {  // 64 curves are a texture, not a story: say where the story is
    const char* hint = "hover the colour strip to pick out one expert, or see the steps \xC3\x97 experts view";
    const ImVec2 pos = plot::GetPlotPos(), ts = ImGui::CalcTextSize(hint);
    if (ts.x < plot::GetPlotSize().x - 12) {
      plot::Recorder& rec = plot::GetPlotRecorder();
      rec.RectFilled(ImVec2(pos.x + 3, pos.y + 3), ImVec2(pos.x + 9 + ts.x, pos.y + 5 + ts.y),
                     plot::GetStyle().marker_text_bg, 2.0f);
      plot::AddPlotText(ImVec2(pos.x + 6, pos.y + 4), plot::GetStyle().tick_text, hint);
    }
  }
  panel::plot_events(ctx);
  plot::EndPlot();
}

struct StackView {
  const std::vector<std::vector<HistorySample>>* pts;
};
plot::Point stack_getter(const void* data, int s, int i) {
  const HistorySample& h = (*static_cast<const StackView*>(data)->pts)[size_t(s)][size_t(i)];
  return {h.x, h.mean};
}

void draw_stacked(PanelContext& ctx, int layer, int E, int hovered, const ImVec2& size) {
  if (!panel::begin_time_plot(ctx, "##load_stacked", size, "load fraction (stacked)", plot::AxisFlags_Lock,
                              plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle))
    return;
  plot::SetupAxisLimits(plot::Axis_Y, 0.0, 1.0, ImGuiCond_Always);
  const palette::Theme th = panel::theme();
  // The areas tile, so every expert needs every x: about 4 area edges per pixel column in
  // all (one point per column each for 4 experts, one per 16 columns each for 64).
  const int budget = std::max(16, int(plot::GetPlotSize().x * std::clamp(4.0f / float(E), 0.0625f, 1.0f)));
  LoadData& d = fetch_load(ctx, layer, E, budget);
  if (d.n == 0) {
    panel::no_data_note("No steps yet: the shares of the experts stack up to 1 here as the run trains.");
  } else {
    thread_local std::vector<const char*> labels;
    thread_local std::vector<ImU32> colours;
    labels.resize(size_t(E));
    colours.resize(size_t(E));
    for (int e = 0; e < E; ++e) {
      labels[size_t(e)] = expert_name(e);
      colours[size_t(e)] = palette::with_alpha(palette::categorical(e, th), hovered < 0 || hovered == e ? 1.0f : 0.3f);
    }
    const StackView view{&d.pts};
    plot::PlotStackedG(labels.data(), E, &stack_getter, &view, d.n, colours.data());
  }
  panel::plot_events(ctx);
  plot::EndPlot();
}

void draw_heatmap(PanelContext& ctx, int layer, int E, const ImVec2& size, const char* id = "##load_heatmap",
                  const char* y_label = "expert") {
  const float F = ImGui::GetFontSize();
  const float bar_w = std::round(F * 5.0f);
  const ImVec2 plot_size(std::max(F * 8, size.x - bar_w - ImGui::GetStyle().ItemSpacing.x), size.y);
  // Integer ticks only (one per expert at most): the automatic tick step never goes below one
  // cell when the y tick spacing is at least a cell's height (area = frame - padding - x ticks - x label).
  plot::Style& style = plot::GetStyle();
  const float saved_spacing = style.y_tick_spacing;
  const float area_h = plot_size.y - 2 * style.padding.y - (F + 5) - (F + 3);
  style.y_tick_spacing = std::max(saved_spacing, 0.95f * area_h / float(E));
  if (!panel::begin_time_plot(ctx, id, plot_size, y_label, plot::AxisFlags_Lock | plot::AxisFlags_NoGrid,
                              plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
    style.y_tick_spacing = saved_spacing;
    return;
  }
  plot::SetupAxisLimits(plot::Axis_Y, -0.5, double(E) - 0.5, ImGuiCond_Always);  // expert e centred on y = e
  plot::SetupAxisFormat(plot::Axis_Y, "%.0f");
  plot::SetupFinish();
  style.y_tick_spacing = saved_spacing;

  // One column per pixel on the GPU; the CPU fallback draws a rectangle per cell, so it keeps ~20k cells.
  const int width_px = std::max(2, int(plot::GetPlotSize().x));
  const int budget = ctx.gpu ? width_px : std::clamp(20000 / E, 2, width_px);
  LoadData& d = fetch_load(ctx, layer, E, budget);
  // Fixed scale, so a colour means the same at every step and E: 0 = dead (dark), 1 = fair
  // share (mid), 2 and above = at least twice its share (bright; a collapsed expert saturates).
  constexpr double vmax = 2;
  if (d.n == 0) {
    panel::no_data_note("No steps yet: each row will show one expert's load over the steps.");
  } else {
    // values[row * n + i], row 0 at the top = expert E-1, so expert 0 sits at y = 0.
    thread_local std::vector<float> values;
    values.resize(size_t(E) * size_t(d.n));
    for (int e = 0; e < E; ++e) {
      const std::vector<HistorySample>& s = d.pts[size_t(e)];
      float* row = &values[size_t(E - 1 - e) * size_t(d.n)];
      for (int i = 0; i < d.n; ++i) row[i] = float(s[size_t(i)].mean * E);  // NaN stays NaN (no colour)
    }
    const std::vector<HistorySample>& s0 = d.pts[0];
    const double dx = d.n > 1 ? (s0.back().x - s0.front().x) / double(d.n - 1) : 1.0;
    const plot::Point bmin{s0.front().x - 0.5 * dx, -0.5}, bmax{s0.back().x + 0.5 * dx, double(E) - 0.5};
    if (ctx.gpu) {
      const ImVec2 a = plot::PlotToPixels({bmin.x, bmax.y}), b = plot::PlotToPixels({bmax.x, bmin.y});
      const int w = std::clamp(int(std::lround(b.x - a.x)), 1, 4096),
                h = std::clamp(int(std::lround(b.y - a.y)), 1, 4096);
      const ImTextureID tex = ctx.gpu->load.render_values(values.data(), E, d.n, 0.0f, float(vmax), w, h);
      plot::PlotImage("##load", tex, bmin, bmax);
    } else {
      plot::PlotHeatmap("##load", values.data(), E, d.n, 0.0, vmax, bmin, bmax, plot::ItemFlags_NoTooltip);
    }
    // Hover: the expert under the mouse as an invisible line, so the tooltip reads its load at that step.
    if (plot::IsPlotHovered()) {
      const int e = std::clamp(int(std::lround(plot::GetPlotMousePos().y)), 0, E - 1);
      const HistorySample* p = d.pts[size_t(e)].data();
      plot::SetNextLineStyle(palette::with_alpha(palette::categorical(e, panel::theme()), 0.0f));
      plot::PlotLine(expert_name(e), &p->x, &p->mean, d.n, plot::ItemFlags_NoFit, 0, int(sizeof(HistorySample)));
    }
  }
  panel::plot_events(ctx);
  plot::EndPlot();
  ImGui::SameLine();
  // The bar's name runs along it: the short form on a short bar (a half-height A/B heatmap, a small figure).
  const char* bar_label = "load \xC3\x97 E   (1 = fair share)";
  if (ImGui::CalcTextSize(bar_label).x > size.y - 2 * style.padding.y - F) bar_label = "load \xC3\x97 E";
  plot::ColorBar(bar_label, 0.0, vmax, ImVec2(bar_w, size.y));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Colour = load \xC3\x97 E: 0 = dead, 1 = the fair share 1/E,\n2 = twice the fair share or more (the scale "
        "stops there).");
}

// A/B: the selected run's heatmap over another visible run's (the first line that is not the
// selected run), each named by its run label on the y axis. The second draws on the CPU (the
// GPU heatmap has one output texture). False if there is no second run with the same experts.
bool draw_heatmap_ab(PanelContext& ctx, int layer, int E, const ImVec2& size) {
  const Comparison& cmp = *ctx.compare;
  const RunLine *a = nullptr, *b = nullptr;
  for (const RunLine& l : cmp.lines) {
    if (l.selected && !a)
      a = &l;
    else if (!l.selected && !b)
      b = &l;
  }
  if (!a || !b || b->members.empty() || !b->members[0] || !b->members[0]->history) return false;
  const RunSnapshot& sb = *b->members[0];
  if (sb.cfg.routed_experts() != E || layer >= int(sb.ids.layers.size())) return false;
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const float h = std::floor((size.y - gap) * 0.5f);
  // Each y axis names its run ("α=0 · expert"); only the run where that would not fit along the plot.
  auto y_label = [&](const RunLine& l) {
    const std::string full = l.label + "  \xC2\xB7  expert";
    return ImGui::CalcTextSize(full.c_str()).x <= h * 0.8f ? full : l.label;
  };
  const std::string la = y_label(*a), lb = y_label(*b);
  draw_heatmap(ctx, layer, E, ImVec2(size.x, h), "##load_heatmap", la.c_str());
  PanelContext other{sb, ctx.ui, nullptr, ctx.compare};
  draw_heatmap(other, layer, E, ImVec2(size.x, std::max(h, ImGui::GetContentRegionAvail().y)), "##load_heatmap_b",
               lb.c_str());
  return true;
}

}  // namespace

// [SECTION] draw_load

void draw_load(PanelContext& ctx) {
  const RunSnapshot& snap = ctx.snap;
  const int E = snap.cfg.routed_experts();
  const int layer = panel::layer_of(ctx);
  const bool dense = snap.cfg.router == RouterKind::dense || E <= 1;
  const bool ok = !dense && snap.history && layer < int(snap.ids.layers.size()) &&
                  snap.ids.of(layer, metric_index("load")) >= 0;

  // Controls: the view, the layer shown, the colour key (a figure keeps only the key; a
  // handout keeps the layer and the key, the plot's own y label naming the view).
  const bool figure = panel::figure_mode(ctx);
  const bool view_switches = !figure && !ctx.ui.handout;
  const bool can_ab = ctx.comparing() && ctx.compare->lines.size() >= 2;
  bool row_started = false;  // something is on the controls' row: the key follows on it where it fits
  if (view_switches) {
    ImGui::AlignTextToFramePadding();
    ImGui::RadioButton("lines", &ctx.ui.load_view, LoadView_Lines);
    ImGui::SameLine();
    ImGui::RadioButton("stacked", &ctx.ui.load_view, LoadView_Stacked);
    ImGui::SameLine();
    ImGui::RadioButton("steps \xC3\x97 experts", &ctx.ui.load_view, LoadView_Heatmap);
    if (can_ab && ctx.ui.load_view == LoadView_Heatmap) {
      ImGui::SameLine();
      ImGui::Checkbox("A/B", &ctx.ui.load_ab);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Stack the selected run's heatmap over the next visible run's, on the same steps");
    }
    row_started = true;
  }
  if (!figure && snap.cfg.n_layers > 1) {
    if (row_started) ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("  layer %d of %d", layer, snap.cfg.n_layers);
    row_started = true;
  }
  int hovered = -1;
  const int view = std::clamp(ctx.ui.load_view, int(LoadView_Lines), int(LoadView_Heatmap));
  if (ok && view != LoadView_Heatmap) {
    if (row_started) {
      ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
      if (ImGui::GetContentRegionAvail().x < ImGui::GetFontSize() * 12) ImGui::NewLine();
    }
    hovered = expert_key(E);  // the ideal line is named inside the plot (plot_ideal)
  }

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size(avail.x, std::max(avail.y, ImGui::GetFontSize() * 8));
  if (!ok) {
    if (panel::begin_time_plot(ctx, "##load_none", size, "load fraction", plot::AxisFlags_AutoFit,
                               plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
      panel::no_data_note(
          dense ? "Dense baseline: one FFN that every token goes through, no router, so per-expert load does not apply."
                : "No load series for this layer yet.");
      plot::EndPlot();
    }
    return;
  }
  switch (view) {
    case LoadView_Stacked: draw_stacked(ctx, layer, E, hovered, size); break;
    case LoadView_Heatmap:
      if (!(can_ab && ctx.ui.load_ab && draw_heatmap_ab(ctx, layer, E, size))) draw_heatmap(ctx, layer, E, size);
      break;
    default: draw_lines(ctx, layer, E, hovered, size); break;
  }
}

}  // namespace moe

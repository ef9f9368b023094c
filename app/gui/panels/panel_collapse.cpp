// panel_collapse.cpp: 4. the signs of routing collapse over steps, and an alarm.
//
// Collapse: the router sends most tokens to a few experts, they improve
// fastest, the router prefers them more. Its signs, each on its own small plot
// (their scales differ) with the x axis shared:
//   dead experts  experts that took no token in the last W steps (0..E)
//   MaxVio        max_i n_i / mean_j n_j − 1: 0 balanced, E/k − 1 all tokens on the same k
//   load CV       std(f) / mean(f): 0 balanced, sqrt(E/k − 1) all tokens on the same k
//   dropped       where tokens can be dropped (a capacity factor, or expert choice): the
//                 share of assignments over capacity, and for expert choice the share of
//                 tokens no expert took (unrouted), in %
// The dashed line in each is that total collapse (drawn only when the view reaches it).
// The banner also says what share of tokens the last step dropped, so a green
// "No collapse" never hides a capacity that throws tokens away.
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
#include <vector>

#include "panel_common.h"
#include "panel_compare.h"
#include "panels.h"

namespace moe {

namespace {

ImU32 series_colour(int k) {  // Okabe-Ito hues (palette::series_colour), in Metric order
  static constexpr palette::Series kSeries[] = {palette::Series::dead_experts, palette::Series::max_vio,
                                                palette::Series::load_cv, palette::Series::drop_rate};
  return palette::series_colour(kSeries[k], panel::theme());
}

// [SECTION] Banner

// Full-width strip: red with white text while collapsed, quiet text otherwise (same height, so nothing jumps).
// `full`: the whole line, shown on hover, where `text` is its short form.
void banner(const char* text, bool alarm, const char* full = nullptr) {
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
  if ((full || ts.x > w - F) && ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", full ? full : text);  // clipped or shortened: the whole line on hover
}

// The banner for the latest step: the shown layer first, other collapsed layers named after it.
void collapse_banner(const PanelContext& ctx, int layer) {
  const RunSnapshot& snap = ctx.snap;
  // Runs side by side: the banner names the run it is about (the selected one): its label, or
  // where that does not fit, a short name before its colon ("A" of "A: α = 0.01"), else nothing.
  std::vector<std::string> names;
  if (ctx.comparing() && ctx.compare->lines.size() >= 2)
    for (const RunLine& l : ctx.compare->lines)
      if (l.selected) {
        names.push_back(l.label + (l.members.size() > 1 ? ", seed " + std::to_string(snap.cfg.seed) : ""));
        if (const size_t colon = l.label.find(':'); colon != std::string::npos && colon <= 3)
          names.push_back(l.label.substr(0, colon));
      }
  // The line in full, or where a narrow panel would clip it, its short form (the whole line
  // stays in the tooltip of a clipped banner only when even that is too long).
  auto show = [&](const char* text, bool alarm, const char* short_text = nullptr) {
    const float room = ImGui::GetContentRegionAvail().x - ImGui::GetFontSize();
    auto fits = [&](const std::string& t) { return ImGui::CalcTextSize(t.c_str()).x <= room; };
    for (const char* line : {text, short_text}) {
      if (!line) continue;
      const char* full = line == text ? nullptr : text;
      for (const std::string& n : names)
        if (const std::string t = n + "  \xE2\x80\x94  " + line; fits(t)) return banner(t.c_str(), alarm, full);
      if (fits(line)) return banner(line, alarm, full);
    }
    if (short_text)
      banner(short_text, alarm, text);
    else
      banner(text, alarm);
  };
  const int E = snap.cfg.routed_experts();
  const int n = int(snap.last.layers.size());
  char text[256];
  if (snap.steps_done <= 0 || layer >= n) {
    std::snprintf(text, sizeof text, "No steps yet: the alarm watches the load entropy of each layer.");
    show(text, false);
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
    int len = std::snprintf(
        text, sizeof text, "Collapse%s: load entropy %.2f < %.2f \xE2\x80\x94 %d of %d experts dead",
        n > 1 ? (" in layer " + std::to_string(layer)).c_str() : "", m.load_entropy, threshold, m.dead_experts, E);
    if (!others.empty() && len > 0 && len < int(sizeof text))
      std::snprintf(text + len, sizeof text - size_t(len), " (also layer%s %s)",
                    others.find(',') != std::string::npos ? "s" : "", others.c_str());
    char short_text[96];
    std::snprintf(short_text, sizeof short_text, "Collapse%s: %d of %d experts dead",
                  n > 1 ? (" in layer " + std::to_string(layer)).c_str() : "", m.dead_experts, E);
    show(text, true, short_text);
  } else if (worst >= 0) {
    const LayerMetrics& w = snap.last.layers[size_t(worst)];
    std::snprintf(text, sizeof text,
                  "Collapse in layer %d: load entropy %.2f < %.2f \xE2\x80\x94 %d of %d experts dead (shown: layer %d)",
                  worst, w.load_entropy, threshold, w.dead_experts, E, layer);
    char short_text[96];
    std::snprintf(short_text, sizeof short_text, "Collapse in layer %d: %d of %d experts dead", worst, w.dead_experts,
                  E);
    show(text, true, short_text);
  } else {
    // Tokens lost to a capacity lead the line, so a narrow panel still shows them.
    const bool ec = snap.cfg.router == RouterKind::expert_choice;
    const double lost = ec ? m.unrouted : m.drop_rate;
    char lost_text[64] = "";
    if (lost > 0)
      std::snprintf(lost_text, sizeof lost_text, ", but %.1f%% %s", 100 * lost,
                    ec ? "of tokens unrouted" : "of assignments dropped");
    std::snprintf(text, sizeof text, "No collapse%s: load entropy %.2f \xE2\x89\xA5 %.2f, %d of %d experts dead",
                  lost_text, m.load_entropy, threshold, m.dead_experts, E);
    char short_text[96];
    if (lost > 0)
      std::snprintf(short_text, sizeof short_text, "No collapse%s", lost_text);
    else
      std::snprintf(short_text, sizeof short_text, "No collapse: load entropy %.2f", m.load_entropy);
    show(text, false, short_text);
  }
}

// [SECTION] Plots
//
// A stack of small plots on one step axis. Each is named by a horizontal label in a
// column to its left (rotated labels ran into each other on plots this short), with its
// definition as a tooltip; its y axis keeps at least two labelled ticks; the plots draw
// event lines only, and the events' labels sit in a strip above the stack, a row lower
// where they would overlap (they used to pile up on the curves).

enum Metric { Dead = 0, MaxVio, LoadCv, Dropped, kMetrics };

struct Layout {
  float label_w = 0;               // the name column
  float data_x0 = 0, data_x1 = 0;  // data area of the plots this frame (screen x), for the event strip
  plot::Range steps{0, 1};         // their step range
  bool have_mapping = false;
};

// The name column: each metric's name (and, for drops, the key of its two lines) in its colour.
struct NameLine {
  const char* text;
  ImU32 colour;
};

void draw_names(const ImVec2& row_min, float row_h, const NameLine* lines, int n, const char* tooltip) {
  const float F = ImGui::GetFontSize();
  panel::RecordedDrawList rdl;  // through the recorder: names, ticks and events reach a figure file
  panel::RecordedDrawList* dl = &rdl;
  const float total = float(n) * F * 1.15f;
  float y = std::round(row_min.y + (row_h - total) * 0.5f);
  float widest = 0;
  for (int i = 0; i < n; ++i) {
    const float sw = F * 0.8f;
    dl->AddLine(ImVec2(row_min.x, y + F * 0.55f), ImVec2(row_min.x + sw, y + F * 0.55f), lines[i].colour, 3.0f);
    dl->AddText(ImVec2(row_min.x + sw + F * 0.3f, y), plot::GetStyle().text, lines[i].text);
    widest = std::max(widest, sw + F * 0.3f + ImGui::CalcTextSize(lines[i].text).x);
    y += F * 1.15f;
  }
  if (tooltip &&
      ImGui::IsMouseHoveringRect(ImVec2(row_min.x, row_min.y), ImVec2(row_min.x + widest, row_min.y + row_h)))
    ImGui::SetTooltip("%s", tooltip);
}

// The worst case as a faint dashed line, only when the view reaches it (it never drives the fit).
void worst_case_line(const char* item, double y) {
  plot::SetNextLineStyle(palette::with_alpha(panel::reference_colour(), 0.7f), 1.0f);
  plot::PlotHLine(item, y, plot::ItemFlags_Dashed | plot::ItemFlags_NoLegend | plot::ItemFlags_NoFit);
}

// Labelled y ticks left of a data area at pos/size showing `yr`: multiples of a 1-2-5 step,
// two lines of text apart as on the other plots (a tall plot got one every line: 0, 0.5, ...
// 7 in fifteen labels), closer where that leaves fewer than three, down to 1.05 lines; at least two.
// `count_of` > 0: the axis counts 0..count_of (dead experts of E); where 1-2-5 steps leave two
// labels ("0 5" of 8), an even count is labelled none, half and all ("0 4 8") if those fit.
void y_ticks(const plot::Range& yr, const ImVec2& pos, const ImVec2& size, const char* fmt, int count_of = 0) {
  const float F = ImGui::GetFontSize();
  const double R = yr.size();
  if (!(R > 0) || size.y <= 0) return;
  std::vector<double> ticks;
  for (const float lines : {2.0f, 1.6f, 1.3f, 1.05f}) {
    std::vector<double> closer;
    if (!panel::nice_ticks(yr, std::max(2, int(size.y / (F * lines)) + 1), closer)) continue;
    // nice_ticks bounds the count, not the spacing: labels closer than 1.05 lines would touch
    if (closer.size() > 2 && float((closer[1] - closer[0]) / R) * size.y < F * 1.05f) continue;
    if (closer.size() > ticks.size()) ticks.swap(closer);
    if (ticks.size() >= 3) break;
  }
  if (ticks.size() < 3 && count_of >= 4 && count_of % 2 == 0 && yr.min <= 0 && yr.max >= count_of &&
      float(count_of / 2 / R) * size.y >= F * 1.05f)
    ticks = {0.0, double(count_of / 2), double(count_of)};
  if (ticks.size() < 2) return;
  panel::RecordedDrawList rdl;  // through the recorder: names, ticks and events reach a figure file
  panel::RecordedDrawList* dl = &rdl;
  const plot::Style& st = plot::GetStyle();
  for (double v : ticks) {
    const float y = std::round(pos.y + size.y - float((v - yr.min) / R) * size.y);
    char text[32];
    std::snprintf(text, sizeof text, fmt, std::abs(v) < 1e-12 * R ? 0.0 : v);
    const ImVec2 ts = ImGui::CalcTextSize(text);
    dl->AddLine(ImVec2(pos.x - 4, y + 0.5f), ImVec2(pos.x, y + 0.5f), st.plot_border, 1.0f);
    dl->AddText(ImVec2(std::round(pos.x - 6 - ts.x),
                       std::round(std::clamp(y - ts.y * 0.5f, pos.y - ts.y * 0.5f, pos.y + size.y - ts.y * 0.5f))),
                st.tick_text, text);
  }
}

// One small plot and its name. `size` includes the name column.
// L: the shown layer's series ids, indexed by the metric table (HistoryIds::layers).
void metric_plot(PanelContext& ctx, Metric metric, const std::vector<SeriesId>& L, int E, ImVec2 size, bool bottom,
                 Layout& layout) {
  static panel::ColumnAlign align;  // the data areas start at the same x
  const ImVec2 row_min = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(ImVec2(row_min.x + layout.label_w, row_min.y));
  size.x = align.begin(metric, size.x - layout.label_w);
  static const char* const kIds[kMetrics] = {"##dead", "##maxvio", "##loadcv", "##dropped"};
  // The y tick labels are ours (y_ticks): the plot layer keeps ticks 30 px apart, which
  // left only "0" on plots this short.
  // The difference view (runs minus a reference) has its own range: no fixed 0..E, no worst case.
  const bool diff = ctx.comparing() && ctx.compare->reference >= 0;
  const plot::AxisFlags y_flags = (metric == Dead && !diff ? plot::AxisFlags_Lock : plot::AxisFlags_AutoFit) |
                                  plot::AxisFlags_NoTickLabels;
  if (!panel::begin_time_plot(ctx, kIds[metric], size, nullptr, y_flags,
                              plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle))
    return;
  // The stack shares the bottom plot's step ticks; no "step" label under them (the panel's plots are all over steps).
  plot::SetupAxis(plot::Axis_X, nullptr, plot::AxisFlags_AutoFit | (bottom ? 0 : plot::AxisFlags_NoTickLabels));
  if (metric == Dead && !diff) {
    const double pad = 0.04 * E + 0.2;  // keeps 0 and E off the frame
    plot::SetupAxisLimits(plot::Axis_Y, -pad, double(E) + pad, ImGuiCond_Always);
  }
  align.record(metric);
  panel::SeriesStyle st;
  st.colour = series_colour(metric);
  st.weight = 2.0f;
  // Total collapse: every token on the same k experts (k distinct per token), so
  // E − k dead, MaxVio = E/k − 1 and CV = sqrt(E/k − 1) (f = 1/k on k experts, 0 elsewhere).
  const int k = std::clamp(ctx.snap.cfg.active_k(), 1, E);
  const double ratio = double(E) / double(k) - 1;
  char tip[320];
  NameLine names[2] = {};
  int n_names = 1;
  int drawn = 0;
  // One metric: this run's series, or every run's line when runs are side by side.
  const bool cmp = ctx.comparing();
  const int layer = panel::layer_of(ctx);
  auto series = [&](const char* label, int m, const panel::SeriesStyle& style) {
    if (cmp) return panel::plot_runs(ctx, {layer, m}, {style.scale});
    return panel::plot_series(ctx, label, L[size_t(m)], style);
  };
  switch (metric) {
    case Dead:
      names[0] = {"dead experts", st.colour};
      std::snprintf(tip, sizeof tip,
                    "Dead experts: of the %d experts, those that took no token in the last %d steps.\n"
                    "Dashed: total collapse (every token on the same %d), %d dead.",
                    E, ctx.snap.cfg.dead_window, k, E - k);
      st.band = false;  // a count that only steps: its bucket range adds nothing
      drawn = series("dead experts", metric_index("dead_experts"), st);
      if (!diff) worst_case_line("total collapse", double(E - k));
      break;
    case MaxVio:
      names[0] = {"MaxVio", st.colour};
      std::snprintf(tip, sizeof tip,
                    "MaxVio = max n / mean n \xE2\x88\x92 1 (tokens n per expert): 0 balanced.\n"
                    "Dashed: total collapse, %.3g.",
                    ratio);
      drawn = series("MaxVio", metric_index("max_vio"), st);
      if (!diff) worst_case_line("total collapse", ratio);
      break;
    case LoadCv:
      names[0] = {"load CV", st.colour};
      std::snprintf(tip, sizeof tip,
                    "load CV = std(f) / mean(f) of the load fractions f: 0 balanced.\nDashed: total collapse, %.2g.",
                    std::sqrt(ratio));
      drawn = series("load CV", metric_index("load_cv"), st);
      if (!diff) worst_case_line("total collapse", std::sqrt(ratio));
      break;
    case Dropped: {
      const bool ec = ctx.snap.cfg.router == RouterKind::expert_choice;
      panel::SeriesStyle pct = st;
      pct.scale = 100.0;  // shares in %
      if (ec) {
        names[0] = {"unrouted", palette::series_colour(palette::Series::unrouted, panel::theme())};
        names[1] = {"dropped", palette::series_colour(palette::Series::drop_rate, panel::theme())};
        n_names = 2;
        std::snprintf(tip, sizeof tip,
                      "Expert choice: each expert takes its top C tokens, so a token no expert picked is\n"
                      "unrouted (it skips the layer); dropped = expert slots left unused, in %% of all.");
        pct.colour = names[0].colour;
        drawn = series("unrouted", metric_index("unrouted"), pct);
        if (cmp) {
          n_names = 1;  // runs side by side: the unrouted share only (one line per run)
        } else {
          pct.colour = names[1].colour;
          drawn += series("dropped", metric_index("drop_rate"), pct);
        }
      } else {
        names[0] = {"dropped", palette::series_colour(palette::Series::drop_rate, panel::theme())};
        std::snprintf(tip, sizeof tip,
                      "Dropped: token-to-expert assignments over an expert's capacity C = ceil(c\xC2\xB7k\xC2\xB7T/E)\n"
                      "(c = %g), in %% of all assignments; a dropped token skips that expert.",
                      ctx.snap.cfg.capacity_factor);
        pct.colour = names[0].colour;
        drawn = series("dropped", metric_index("drop_rate"), pct);
      }
      panel::fit_include(1.0);  // a range of at least 0..1%: two ticks even while nothing is dropped
      break;
    }
    default: break;
  }
  if (metric != Dead) panel::fit_include(0.0);  // 0 = balanced, always in view
  if (metric == MaxVio || metric == LoadCv)
    panel::fit_include(0.1);  // a flat 0 (expert choice) still gets a positive range
  if (cmp)
    panel::plot_run_marks(ctx, false);
  else
    panel::plot_events(ctx, false);  // lines only: the labels are in the strip above the stack
  if (cmp)                           // the name column's swatch would read as a run: runs have the key row above
    for (NameLine& nl : names) nl.colour = palette::with_alpha(panel::reference_colour(), 0.0f);
  if (drawn == 0 && metric == MaxVio) panel::no_data_note("No steps yet.");
  const ImVec2 pos = plot::GetPlotPos(), psize = plot::GetPlotSize();
  layout.data_x0 = pos.x;
  layout.data_x1 = pos.x + psize.x;
  layout.steps = plot::GetPlotLimits(plot::Axis_X);
  layout.have_mapping = true;
  const plot::Range yr = plot::GetPlotLimits(plot::Axis_Y);
  plot::EndPlot();
  y_ticks(yr, pos, psize, metric == Dropped ? "%g%%" : "%g", metric == Dead && !diff ? E : 0);
  draw_names(ImVec2(row_min.x, pos.y), psize.y, names, n_names, tip);
}

// The events' labels over the stack: each at its step, moved a row down while it would overlap
// a label already placed (up to kRows rows; the rest are left to the lines and their tooltips).
constexpr int kEventRows = 3;

int event_rows_needed(const std::vector<Event>& events, const Layout& layout, float gap, std::vector<int>* rows,
                      std::vector<float>* xs) {
  if (!layout.have_mapping || layout.steps.size() <= 0) return 0;
  std::vector<float> x0, x1;
  for (const Event& e : events) {
    const float px = layout.data_x0 + float((double(e.step) - layout.steps.min) / layout.steps.size()) *
                                          (layout.data_x1 - layout.data_x0);
    const float w = ImGui::CalcTextSize(e.label().c_str()).x;
    float x = px + 3;
    if (x + w > layout.data_x1) x = px - 3 - w;  // no room on the right of the line: on its left
    const bool visible = px >= layout.data_x0 - 1 && px <= layout.data_x1 + 1;
    x0.push_back(visible ? x : NAN);
    x1.push_back(visible ? x + w : NAN);
  }
  std::vector<int> r(events.size());
  const int used = panel::stack_label_rows(x0.data(), x1.data(), int(events.size()), kEventRows, gap, r.data());
  if (rows) *rows = r;
  if (xs) *xs = x0;
  return used;
}

void draw_event_strip(const std::vector<Event>& events, const Layout& layout, const ImVec2& at, float row_h) {
  std::vector<int> rows;
  std::vector<float> xs;
  const float F = ImGui::GetFontSize();
  event_rows_needed(events, layout, F * 0.5f, &rows, &xs);
  panel::RecordedDrawList rdl;  // through the recorder: names, ticks and events reach a figure file
  panel::RecordedDrawList* dl = &rdl;
  for (size_t i = 0; i < events.size(); ++i) {
    if (rows[i] < 0) continue;
    const float px = layout.data_x0 + float((double(events[i].step) - layout.steps.min) / layout.steps.size()) *
                                          (layout.data_x1 - layout.data_x0);
    const float y = at.y + row_h * float(rows[i]);
    const std::string text = events[i].label();
    const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    dl->AddLine(ImVec2(std::round(px) + 0.5f, y + row_h * 0.5f),
                ImVec2(std::round(px) + 0.5f, at.y + row_h * kEventRows + 2),
                palette::with_alpha(panel::event_colour(), 0.5f), 1.0f);
    dl->AddRectFilled(ImVec2(xs[i] - 2, y + 1), ImVec2(xs[i] + ts.x + 2, y + row_h - 1),
                      plot::GetStyle().marker_text_bg, 2.0f);
    dl->AddText(ImVec2(xs[i], y + std::round((row_h - ts.y) * 0.5f)), panel::event_colour(), text.c_str());
  }
}

}  // namespace

// [SECTION] draw_collapse

void draw_collapse(PanelContext& ctx) {
  const RunSnapshot& snap = ctx.snap;
  const int E = snap.cfg.routed_experts();
  const int layer = panel::layer_of(ctx);
  const bool dense = snap.cfg.router == RouterKind::dense || E <= 1;
  const std::vector<SeriesId>* L = !dense && snap.history && layer < int(snap.ids.layers.size())
                                       ? &snap.ids.layers[size_t(layer)]
                                       : nullptr;
  const float F = ImGui::GetFontSize();

  // Controls: the alarm threshold and the layer shown. A figure has neither, nor the banner
  // (a live alarm in ImGui widgets; the plots below show the same threshold as a line).
  if (!panel::figure_mode(ctx)) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("alert when load entropy <");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::min(F * 10, std::max(F * 5, ImGui::GetContentRegionAvail().x - F * 8)));
    ImGui::SliderFloat("##collapse_alert", &ctx.ui.collapse_alert, 0.0f, 1.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Load entropy H(f)/log E: 1 = balanced load, 0 = every token on one expert.\nThe banner turns red below this "
          "value.");
    if (snap.cfg.n_layers > 1) {
      ImGui::SameLine();
      ImGui::TextDisabled("  layer %d of %d", layer, snap.cfg.n_layers);
    }
    if (dense)
      banner("Dense baseline: no router, nothing can collapse.", false);
    else
      collapse_banner(ctx, layer);
  }
  if (!dense && ctx.comparing()) {  // the legend by run (the banner is the selected run's)
    ImGui::AlignTextToFramePadding();
    panel::run_key_row(ctx);
  }

  const float w = ImGui::GetContentRegionAvail().x;
  const char* missing =
      dense
          ? "Dense baseline: one FFN every token goes through, so there are no dead experts, no MaxVio and no load CV."
          : "No collapse series for this layer yet.";
  if (!L) {  // nothing to plot: one empty plot that says why
    if (panel::begin_time_plot(ctx, "##collapse_none", ImVec2(w, std::max(F * 6, ImGui::GetContentRegionAvail().y)),
                               "experts", plot::AxisFlags_AutoFit,
                               plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
      panel::no_data_note(missing);
      plot::EndPlot();
    }
    return;
  }

  // Which plots: the drop rate only where tokens can be dropped (a capacity limit, or expert choice).
  const bool drops = snap.cfg.capacity_factor > 0 || snap.cfg.router == RouterKind::expert_choice;
  const int n_plots = drops ? 4 : 3;
  static Layout layout;  // the plots' step mapping from last frame (the strip is drawn before them)
  layout.label_w = 0;
  for (const char* name : {"dead experts", "MaxVio", "load CV", "unrouted"})
    layout.label_w = std::max(layout.label_w, ImGui::CalcTextSize(name).x);
  layout.label_w += F * 1.6f + ImGui::CalcTextSize("100%").x + 8;  // swatch, gap, then our y tick labels

  // The event strip: as many rows as last frame's labels needed (settles in one frame).
  // Left out when the plots would then be too short for two labelled ticks each (the
  // other time plots label the same events).
  const ImGuiStyle& gs = ImGui::GetStyle();
  const float axis_extra = F + 8;  // x tick labels
  const float row_h = std::round(F * 1.25f);
  int rows = event_rows_needed(snap.events, layout, F * 0.5f, nullptr, nullptr);
  const float plots_h = ImGui::GetContentRegionAvail().y - axis_extra - float(n_plots - 1) * gs.ItemSpacing.y;
  if ((plots_h - row_h * float(rows)) / float(n_plots) < F * 2.6f) rows = 0;
  const ImVec2 strip_at = ImGui::GetCursorScreenPos();
  if (rows > 0) ImGui::Dummy(ImVec2(w, row_h * float(rows)));

  // The plots on one x axis; only the bottom one shows the step ticks.
  const float avail = ImGui::GetContentRegionAvail().y;
  const float h = std::max(F * 2.4f,
                           std::floor((avail - axis_extra - float(n_plots - 1) * gs.ItemSpacing.y) / float(n_plots)));
  const float w_upper = w - panel::x_labels_right_inset(ctx);  // data areas end where the bottom plot's does
  Layout now = layout;
  for (int m = 0; m < n_plots; ++m) {
    const bool bottom = m == n_plots - 1;
    const ImVec2 size = bottom ? ImVec2(w, std::max(F * 2.4f + axis_extra, ImGui::GetContentRegionAvail().y))
                               : ImVec2(w_upper, h);
    metric_plot(ctx, Metric(m), *L, E, size, bottom, now);
  }
  if (rows > 0) draw_event_strip(snap.events, now, strip_at, row_h);
  layout = now;
}

}  // namespace moe

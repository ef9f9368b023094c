// panel_common.cpp: what the time-series panels share (see panel_common.h).
//
// [SECTION] Layer and theme
// [SECTION] Time plots: axes, series, events
// [SECTION] Notes and the key row
#include "panel_common.h"

#include <imgui_internal.h>

#include <imgui.h>

#include <algorithm>
#include <cstdarg>
#include <cmath>
#include <string>
#include <vector>

namespace moe::panel {

// [SECTION] Layer and theme

int layer_of(const PanelContext& ctx) {
  const int n = std::min(ctx.snap.cfg.n_layers, int(ctx.snap.ids.layers.size()));
  return n <= 0 ? 0 : std::clamp(ctx.ui.layer, 0, n - 1);
}

palette::Theme theme() { return plot::GetStyle().theme; }

ImU32 reference_colour() {
  return theme() == palette::Theme::light ? IM_COL32(70, 72, 80, 230) : IM_COL32(215, 217, 225, 220);
}

ImU32 event_colour() {
  return theme() == palette::Theme::light ? IM_COL32(150, 40, 120, 230) : IM_COL32(240, 170, 225, 220);
}

// [SECTION] Time plots: axes, series, events

namespace {
int g_next_colour = 0;  // palette index of the next plot_series without a colour (reset by begin_time_plot)
}  // namespace

bool begin_time_plot(PanelContext& ctx, const char* title_id, const ImVec2& size, const char* y_label,
                     plot::AxisFlags y_flags, plot::PlotFlags flags) {
  if (!plot::BeginPlot(title_id, size, flags)) return false;
  plot::SetupAxes("step", y_label, plot::AxisFlags_AutoFit, y_flags);
  plot::SetupAxisLinks(plot::Axis_X, &ctx.ui.steps_link);
  plot::SetupDataLabels("step", nullptr);  // the x column of F.csv, also under plots without x labels
  if (ctx.ui.view_y_set)                   // shot --view y-range=A:B
    plot::SetupAxisLimits(plot::Axis_Y, ctx.ui.view_y_range.min, ctx.ui.view_y_range.max, ImGuiCond_Always);
  g_next_colour = 0;
  return true;
}

int plot_series(PanelContext& ctx, const char* label, SeriesId id, const SeriesStyle& style) {
  const History* h = ctx.snap.history.get();
  if (!h || id < 0 || id >= h->series_count()) return 0;
  // Reused across frames and plots: fetch copies into it, so it never grows past the largest budget.
  thread_local std::vector<HistorySample> pts;
  const plot::Range r = plot::GetPlotQueryRange(plot::Axis_X);
  // One bucket per pixel column: the band keeps each column's min..max, and a mean line
  // at two points per column would only add a zigzag the eye cannot resolve (and llvmpipe
  // pays for every pixel of it).
  const int level = h->fetch(id, r.min, r.max, std::max(2, plot::GetPlotPointBudget() / 2), pts);
  const int n = int(pts.size());
  if (level < 0 || n == 0) return 0;
  const int series = style.colour ? -1 : g_next_colour++;  // palette index, -1: the caller's colour
  const ImU32 colour = series >= 0 ? palette::categorical(series, theme()) : style.colour;
  HistorySample* p = pts.data();
  if (style.scale != 1.0)
    for (HistorySample& q : pts) q.mean *= style.scale, q.min *= style.scale, q.max *= style.scale;
  // The item keeps its label so a legend click or hover on the line also hides/highlights its band.
  if (style.band && level > 0) {  // a bucket of 2^level steps: its min..max behind the mean
    plot::SetNextFillStyle(colour, 0.16f);
    plot::PlotShaded(label, &p->x, &p->min, &p->max, n,
                     style.flags | plot::ItemFlags_NoLegend | plot::ItemFlags_NoTooltip, 0, int(sizeof(HistorySample)));
  }
  if (ctx.ui.ema > 0) {
    if (style.band && level == 0) {  // raw steps: the unsmoothed values stay visible, faintly
      plot::SetNextLineStyle(palette::with_alpha(colour, 0.28f), 1.0f);
      plot::PlotLine(label, &p->x, &p->mean, n, style.flags | plot::ItemFlags_NoLegend | plot::ItemFlags_NoTooltip, 0,
                     int(sizeof(HistorySample)));
    }
    plot::SmoothEma(&p->mean, &p->mean, n, ema_for_level(ctx, level), int(sizeof(HistorySample)),
                    int(sizeof(HistorySample)));
  }
  plot::SetNextLineStyle(colour, style.weight);
  if (series >= 0) plot::SetNextSeries(series);  // its dash pattern / marker (grayscale-safe view, or past 8 series)
  plot::PlotLine(label, &p->x, &p->mean, n, style.flags, 0, int(sizeof(HistorySample)));
  return n;
}

double ema_for_level(const PanelContext& ctx, int level) {
  if (!(ctx.ui.ema > 0)) return 0;
  // A bucket of 2^level steps stands for 2^level EMA updates: weight ema^(2^level).
  return std::pow(double(std::min(ctx.ui.ema, 0.999f)), std::ldexp(1.0, std::clamp(level, 0, 60)));
}

void plot_events(PanelContext& ctx, bool labels) {
  const std::vector<Event>& ev = ctx.snap.events;
  if (ev.empty()) return;
  // Labels are rebuilt only when the event list changes (a new event, or a new run).
  thread_local std::vector<double> xs;
  thread_local std::vector<std::string> texts;
  thread_local std::vector<const char*> ptrs;
  thread_local std::string last_key;
  thread_local int64_t last_step = -1;
  if (xs.size() != ev.size() || last_step != ev.back().step || last_key != ev.back().key) {
    xs.resize(ev.size());
    texts.resize(ev.size());
    ptrs.resize(ev.size());
    for (size_t i = 0; i < ev.size(); ++i) {
      xs[i] = double(ev[i].step);
      texts[i] = ev[i].label();
    }
    for (size_t i = 0; i < ev.size(); ++i) ptrs[i] = texts[i].c_str();
    last_step = ev.back().step;
    last_key = ev.back().key;
  }
  plot::SetNextLineStyle(event_colour(), 1.0f);
  plot::PlotVLines("event", xs.data(), int(xs.size()), labels ? ptrs.data() : nullptr,
                   plot::ItemFlags_NoLegend | plot::ItemFlags_Dashed);
}

// [SECTION] Notes and the key row

void no_data_note(const char* text) {
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  const float wrap = std::max(40.0f, size.x - 24.0f);
  const ImVec2 ts = ImGui::CalcTextSize(text, nullptr, false, wrap);
  const ImVec2 at(std::round(pos.x + (size.x - ts.x) * 0.5f), std::round(pos.y + (size.y - ts.y) * 0.5f));
  plot::Recorder& rec = plot::GetPlotRecorder();
  rec.PushClip(pos, ImVec2(pos.x + size.x, pos.y + size.y));
  plot::AddPlotText(at, plot::GetStyle().tick_text, text, ImVec2(0.5f, 0.5f), 0, nullptr, wrap);
  rec.PopClip();
}

bool nice_ticks(const plot::Range& range, int max_labels, std::vector<double>& out) {
  out.clear();
  const double R = range.size();
  if (!(R > 0) || !std::isfinite(R)) return false;
  max_labels = std::max(2, max_labels);
  auto count = [&](double step) { return int(std::floor(range.max / step) - std::ceil(range.min / step)) + 1; };
  double step = 0;
  // Steps from R/1000 up: the smallest with 2..max_labels multiples in range. A step of
  // at most R/2 always has two, so one is found before the step passes R.
  for (double decade = std::pow(10.0, std::floor(std::log10(R)) - 3); step == 0 && decade <= R; decade *= 10)
    for (double m : {1.0, 2.0, 5.0}) {
      const int n = count(m * decade);
      if (n >= 2 && n <= max_labels) {
        step = m * decade;
        break;
      }
    }
  if (step == 0) return false;
  const double first = std::ceil(range.min / step);
  for (int i = 0, n = count(step); i < n; ++i) {
    const double v = (first + i) * step;
    out.push_back(std::abs(v) < 1e-9 * R ? 0.0 : v);
  }
  return out.size() >= 2;
}

int stack_label_rows(const float* x0, const float* x1, int n, int max_rows, float gap, int* rows) {
  std::vector<float> row_end(size_t(std::max(0, max_rows)), -INFINITY);
  int used = 0;
  for (int i = 0; i < n; ++i) {
    rows[i] = -1;
    if (std::isnan(x0[i]) || std::isnan(x1[i])) continue;
    for (int r = 0; r < max_rows; ++r)
      if (x0[i] >= row_end[size_t(r)] + gap) {
        rows[i] = r;
        row_end[size_t(r)] = x1[i];
        used = std::max(used, r + 1);
        break;
      }
  }
  return used;
}

void fit_include(double y) {
  plot::SetNextLineStyle(IM_COL32(255, 255, 255, 0), 1.0f);  // explicit (non-zero) colour, fully transparent
  plot::PlotHLine("##fit", y, plot::ItemFlags_NoLegend | plot::ItemFlags_NoTooltip);
}

float ColumnAlign::begin(int i, float width) {
  float target = 0;
  for (float m : margin) target = std::max(target, m);
  const float shift = i >= 0 && i < kMax ? std::max(0.0f, target - margin[i]) : 0.0f;
  if (shift > 0) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + shift);
  frame_x = ImGui::GetCursorScreenPos().x;
  return width - shift;
}

void ColumnAlign::record(int i) {
  if (i >= 0 && i < kMax) margin[i] = plot::GetPlotPos().x - frame_x;
}

float x_labels_right_inset(const PanelContext& ctx) {
  // Mirrors plot_frame.cpp's Layout: right = frame - max(padding, half the label of x.max + 2).
  const plot::Range r = ctx.ui.steps_link.range;
  char buf[32];
  plot::FormatTick(r.max, std::max(std::abs(r.max - r.min) / 8, 1e-12), buf, sizeof buf);
  const float pad = plot::GetStyle().padding.x;
  return std::max(pad, ImGui::CalcTextSize(buf).x * 0.5f + 2) - pad;
}

void recorded_text(const char* text, ImU32 colour) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const float h = ImGui::GetFrameHeight();
  ImGui::Dummy(ImVec2(ts.x, h));
  plot::GetWindowRecorder();
  plot::AddPlotText(ImVec2(p.x, std::round(p.y + (h - ts.y) * 0.5f)), colour ? colour : plot::GetStyle().text, text);
}

void recorded_paragraph(const char* text, bool dim) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float wrap = std::max(ImGui::GetFontSize() * 4, ImGui::GetContentRegionAvail().x);
  const ImVec2 ts = ImGui::CalcTextSize(text, nullptr, false, wrap);
  ImGui::Dummy(ImVec2(wrap, ts.y));
  plot::GetWindowRecorder();
  plot::AddPlotText(p, dim ? plot::GetStyle().tick_text : plot::GetStyle().text, text, ImVec2(0, 0), 0, nullptr, wrap);
}

void key_text(bool dim, const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  // Wrapped where ImGui::Text would wrap it (PushTextWrapPos), else one line.
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  const float wrap_pos = window->DC.TextWrapPos;
  const float wrap_w = wrap_pos >= 0.0f ? ImGui::CalcWrapWidthForPos(window->DC.CursorPos, wrap_pos) : 0.0f;
  const ImVec2 ts = ImGui::CalcTextSize(buf, nullptr, false, wrap_w > 0 ? wrap_w : -1.0f);
  ImGui::Dummy(ts);
  plot::GetWindowRecorder();
  plot::AddPlotText(p, dim ? plot::GetStyle().tick_text : plot::GetStyle().text, buf, ImVec2(0, 0), 0, nullptr, wrap_w);
}

namespace {
std::vector<std::string> g_emphasis;  // set_emphasis: key labels a lesson step points at
}

void set_emphasis(std::vector<std::string> labels) { g_emphasis = std::move(labels); }

bool emphasised(const char* label) {
  const std::string_view l(label);
  for (const std::string& e : g_emphasis)
    if (l == e || (e.size() > 2 && l.substr(0, e.size()) == e)) return true;
  return false;
}

int key_row(const KeyItem* items, int count, bool* shown) {
  const float F = ImGui::GetFontSize();
  const float sw = std::round(F * 0.9f), gap = std::round(F * 0.8f);
  const plot::Style& ps = plot::GetStyle();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  int hovered = -1;
  bool patterned = false;  // some series has a dash pattern or marker: every swatch is a wide line showing its own
  for (int i = 0; i < count; ++i)
    patterned = patterned || items[i].style.dash != plot::Dash_Solid || items[i].style.marker != plot::Marker_None;
  const float sw_w = patterned ? std::round(F * 2.2f) : sw;
  for (int i = 0; i < count; ++i) {
    const KeyItem& it = items[i];
    const float w = sw_w + 4 + ImGui::CalcTextSize(it.label).x;
    if (i > 0) {
      ImGui::SameLine(0, gap);
      if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();  // wrap
    }
    ImGui::PushID(i);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float line_h = ImGui::GetFrameHeight();  // sits on a row of frames (radio buttons, sliders)
    const bool on = !shown || shown[i];
    if (shown) {
      if (ImGui::InvisibleButton("##key", ImVec2(w, line_h))) shown[i] = !shown[i];
    } else {
      ImGui::Dummy(ImVec2(w, line_h));
    }
    if (ImGui::IsItemHovered()) {
      hovered = on ? i : -1;
      dl->AddRectFilled(ImVec2(p.x - 2, p.y), ImVec2(p.x + w + 2, p.y + line_h), ps.legend_hover, 2.0f);
      if (shown) ImGui::SetTooltip(on ? "click to hide" : "click to show");
    }
    const ImU32 col = on ? it.colour : palette::with_alpha(it.colour, 0.35f);
    const float y = std::round(p.y + line_h * 0.5f);
    // Through the plot layer's recorder, so a figure file gets the key too (figure.h).
    plot::Recorder& rec = plot::GetWindowRecorder();
    const float lw = std::max(2.0f, std::round(F * 0.14f));  // scales with the figure's font
    if (patterned) {
      plot::LineStyle look = it.style;
      if (it.dashed && look.dash == plot::Dash_Solid) look.dash = plot::Dash_Dashed;
      plot::DrawLineSwatch(rec, ImVec2(p.x, y - sw * 0.5f), ImVec2(p.x + sw_w, y + sw * 0.5f), col, look, lw);
    } else if (it.dashed) {
      rec.Line(ImVec2(p.x, y), ImVec2(p.x + sw * 0.4f, y), plot::Stroke{col, lw});
      rec.Line(ImVec2(p.x + sw * 0.6f, y), ImVec2(p.x + sw, y), plot::Stroke{col, lw});
    } else {
      rec.RectFilled(ImVec2(p.x, y - lw * 0.75f), ImVec2(p.x + sw, y + lw * 0.75f), col);
      rec.Dot(ImVec2(p.x + sw * 0.5f, y), sw * 0.26f, col, 10);
    }
    plot::AddPlotText(ImVec2(p.x + sw_w + 4, std::round(p.y + (line_h - F) * 0.5f)), on ? ps.text : ps.hidden_text,
                      it.label);
    if (on && emphasised(it.label))  // a lesson points here: a frame round the entry
      plot::GetWindowRecorder().Rect(ImVec2(p.x - 3, p.y), ImVec2(p.x + w + 3, p.y + line_h), ps.text, 3.0f, 1.5f);
    ImGui::PopID();
  }
  for (int i = 0; i < count && hovered < 0; ++i)  // nothing hovered: the emphasised entry stands out as if it were
    if ((!shown || shown[i]) && emphasised(items[i].label)) hovered = i;
  return hovered;
}

// [SECTION] Expert axis (gates, this step, specialisation)

void setup_expert_axis(const char* label) {
  plot::SetupAxis(plot::Axis_X, label, plot::AxisFlags_NoGrid | plot::AxisFlags_Lock);
  plot::SetupAxisFormat(plot::Axis_X, " ");  // blank 1-2-5 labels keep their row; draw_expert_ticks fills it
}

void draw_expert_ticks(int E) {
  if (E <= 0) return;
  const plot::Style& ps = plot::GetStyle();
  const ImVec2 pos = plot::GetPlotPos(), area = plot::GetPlotSize();
  const float step_px = plot::PlotToPixels({1, 0}).x - plot::PlotToPixels({0, 0}).x;
  char widest[16];
  std::snprintf(widest, sizeof widest, "%d", E - 1);
  const float need = ImGui::CalcTextSize(widest).x + 10;
  int stride = 1;
  for (int k = 0; step_px * float(stride) < need && k < 12; ++k)
    stride = k % 3 == 0 ? stride * 2 : k % 3 == 1 ? stride * 5 / 2 : stride * 2;
  plot::Recorder& rec = plot::GetPlotRecorder();
  const ImU32 text = ps.tick_text ? ps.tick_text : ImGui::GetColorU32(ImGuiCol_Text);
  for (int e = 0; e < E; e += stride) {
    const float x = std::round(plot::PlotToPixels({double(e), 0}).x) + 0.5f;
    if (x < pos.x - 1 || x > pos.x + area.x + 1) continue;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%d", e);
    const ImVec2 sz = ImGui::CalcTextSize(buf);
    rec.Line(ImVec2(x, pos.y + area.y), ImVec2(x, pos.y + area.y + 3), plot::Stroke{ps.plot_border});
    plot::AddPlotText(ImVec2(std::round(x - sz.x * 0.5f), pos.y + area.y + 4), text, buf);
  }
}

}  // namespace moe::panel

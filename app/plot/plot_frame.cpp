// plot_frame.cpp: the frame of a plot (plot.h): context and style, number
// formatting and ticks, BeginPlot and Setup*, layout, axes, pan/zoom input,
// EndPlot (fit, legend, crosshair, tooltip), the colour bar and the utilities.
// The items (lines, bands, bars, heatmaps, markers) are in plot_items.cpp.
//
// Index (grep "[SECTION]"):
// [SECTION] Context, style and state
// [SECTION] Number formatting and ticks
// [SECTION] Transforms
// [SECTION] BeginPlot and Setup*
// [SECTION] Layout, axes and input (SetupFinish)
// [SECTION] EndPlot: fit, legend, crosshair, tooltip
// [SECTION] Colour bar
// [SECTION] Utilities
//
// Frame flow: BeginPlot reserves the frame; Setup* record axis options;
// SetupFinish (first item or utility call) applies limits and links, lays
// out the data area, handles pan/zoom input and draws background, grid and
// ticks; each item (plot_items.cpp) draws clipped to the data area and records
// its legend entry, its data extents and the value under the mouse; EndPlot
// fits the view for the next frame, draws the legend, crosshair and tooltip.
#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "plot_internal.h"

namespace moe::plot {

// [SECTION] Context, style and state

Context* g_ctx = nullptr;

void CreateContext() {
  IM_ASSERT(ImGui::GetCurrentContext() && "plot::CreateContext: create the ImGui context first");
  if (!g_ctx) g_ctx = new Context();
  StyleColorsDark();
}

void DestroyContext() {
  delete g_ctx;
  g_ctx = nullptr;
}

Style& GetStyle() { return Ctx().style; }

void StyleColorsDark() {
  Style& s = GetStyle();
  s.theme = palette::Theme::dark;
  s.frame_bg = 0;
  s.plot_bg = IM_COL32(24, 25, 31, 255);
  s.plot_border = IM_COL32(255, 255, 255, 46);
  s.grid = IM_COL32(255, 255, 255, 24);
  s.grid_minor = IM_COL32(255, 255, 255, 11);
  s.text = IM_COL32(232, 233, 238, 255);
  s.tick_text = IM_COL32(178, 181, 192, 255);
  s.crosshair = IM_COL32(255, 255, 255, 96);
  s.legend_bg = IM_COL32(16, 17, 22, 225);
  s.legend_border = IM_COL32(255, 255, 255, 40);
  s.legend_hover = IM_COL32(255, 255, 255, 30);
  s.hidden_text = IM_COL32(120, 122, 132, 255);
  s.selection = IM_COL32(100, 160, 255, 48);
  s.marker_text_bg = IM_COL32(16, 17, 22, 210);
}

void StyleColorsLight() {
  Style& s = GetStyle();
  s.theme = palette::Theme::light;
  s.frame_bg = 0;
  s.plot_bg = IM_COL32(255, 255, 255, 255);
  s.plot_border = IM_COL32(0, 0, 0, 64);
  s.grid = IM_COL32(0, 0, 0, 26);
  s.grid_minor = IM_COL32(0, 0, 0, 12);
  s.text = IM_COL32(24, 25, 30, 255);
  s.tick_text = IM_COL32(72, 75, 86, 255);
  s.crosshair = IM_COL32(0, 0, 0, 96);
  s.legend_bg = IM_COL32(255, 255, 255, 232);
  s.legend_border = IM_COL32(0, 0, 0, 50);
  s.legend_hover = IM_COL32(0, 0, 0, 22);
  s.hidden_text = IM_COL32(150, 152, 160, 255);
  s.selection = IM_COL32(40, 110, 230, 45);
  s.marker_text_bg = IM_COL32(255, 255, 255, 215);
}

PlotState* GetPlotState(const char* title_id) {
  Context& c = Ctx();
  const ImGuiID id = ImGui::GetCurrentWindow()->GetID(title_id);
  auto it = c.states.find(id);
  return it == c.states.end() ? nullptr : &it->second;
}

// [SECTION] Number formatting and ticks

int FormatTick(double value, double step, char* buf, int buf_size) {
  if (!(step > 0) || !std::isfinite(step)) step = value != 0 ? std::abs(value) : 1.0;
  if (std::abs(value) < step * 1e-9) value = 0;
  const double a = std::abs(value);
  static const struct {
    double unit;
    const char* suffix;
  } kSI[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  double unit = 1;
  const char* suffix = "";
  for (const auto& s : kSI)
    if (a >= s.unit) {
      unit = s.unit;
      suffix = s.suffix;
      break;
    }
  const double scaled_step = step / unit;
  int decimals = scaled_step >= 1 ? 0 : int(std::ceil(-std::log10(scaled_step) - 1e-9));
  int n = 0;
  if (decimals > 4 && unit == 1 && a > 0) {  // tiny: mantissa and exponent, e.g. 2e-5
    const int e = int(std::floor(std::log10(a)));
    const double mant = value / std::pow(10.0, e);
    const int md = std::clamp(int(std::ceil(-std::log10(step / std::pow(10.0, e)) - 1e-9)), 0, 3);
    n = std::snprintf(buf, size_t(buf_size), "%.*fe%d", md, mant, e);
  } else {
    decimals = std::min(decimals, 6);
    n = std::snprintf(buf, size_t(buf_size), "%.*f", decimals, value / unit);
    if (decimals > 0 && n > 0 && n < buf_size) {  // drop trailing zeros: 1.50 -> 1.5, 2.0 -> 2
      while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
      if (n > 0 && buf[n - 1] == '.') buf[--n] = '\0';
    }
    if (std::strcmp(buf, "-0") == 0) n = std::snprintf(buf, size_t(buf_size), "0");
    n += std::snprintf(buf + n, size_t(std::max(0, buf_size - n)), "%s", suffix);
  }
  return n;
}

namespace {

// Smallest step of the 1-2-5 series that is >= raw.
double NiceStepAbove(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f <= 1.0 + 1e-9 ? 1.0 : f <= 2.0 + 1e-9 ? 2.0 : f <= 5.0 + 1e-9 ? 5.0 : 10.0) * mag;
}

// The next larger step of the 1-2-5 series.
double NextNiceStep(double step) {
  const double mag = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  const double f = step / mag;
  return (f < 1.5 ? 2.0 : f < 3.5 ? 5.0 : 10.0) * mag;
}

void FormatWith(const AxisSetup& ax, double v, double step, char* buf, int n) {
  if (ax.fmt.empty())
    FormatTick(v, step, buf, n);
  else
    std::snprintf(buf, size_t(n), ax.fmt.c_str(), v);
}

// Ticks at multiples of the smallest 1-2-5 step that leaves `spacing` pixels
// between ticks and, if `label_gap` >= 0, room for the widest label plus that gap.
void LinearTicks(const Range& r, float pixels, float spacing, const AxisSetup& ax, std::vector<Tick>& out,
                 bool positive_only = false, float label_gap = -1) {
  const double span = r.max - r.min;
  if (!(span > 0) || !std::isfinite(span) || pixels < 1) return;
  double step = NiceStepAbove(span * spacing / pixels);
  for (int guard = 0; label_gap >= 0 && guard < 8; ++guard) {
    char a[32], b[32];
    FormatWith(ax, std::ceil(r.min / step) * step, step, a, sizeof a);
    FormatWith(ax, std::floor(r.max / step) * step, step, b, sizeof b);
    const float widest = std::max(ImGui::CalcTextSize(a).x, ImGui::CalcTextSize(b).x);
    if (step / span * pixels >= widest + label_gap) break;
    step = NextNiceStep(step);
  }
  const double first = std::ceil(r.min / step);
  for (int k = 0; k < 1000; ++k) {
    const double v = (first + k) * step;
    if (v > r.max + step * 1e-6) break;
    if (positive_only && v <= 0) continue;
    Tick t;
    t.value = v;
    FormatWith(ax, v, step, t.text, sizeof t.text);
    out.push_back(t);
  }
}

void LogTicks(const Range& r, float pixels, float spacing, const AxisSetup& ax, std::vector<Tick>& out) {
  const double lo = std::log10(r.min), hi = std::log10(r.max);
  const double decades = std::max(hi - lo, 1e-9);
  const double px_per_decade = pixels / decades;
  int stride = 1;
  while (stride * px_per_decade < spacing) stride = stride == 1 ? 2 : stride == 2 ? 5 : stride * 2;
  int labelled = 0;
  for (int k = int(std::floor(lo)); k <= int(std::ceil(hi)); ++k) {
    for (int m = 1; m <= 9; ++m) {
      const double v = m * std::pow(10.0, k);
      if (v < r.min * (1 - 1e-9) || v > r.max * (1 + 1e-9)) continue;
      Tick t;
      t.value = v;
      if (m == 1) {
        t.major = t.labelled = (k % stride) == 0;
      } else {
        if (px_per_decade < 40) continue;  // no room for minor lines
        t.major = false;
        t.labelled = px_per_decade >= 4 * spacing && (m == 2 || m == 5);
      }
      if (t.labelled) {
        FormatWith(ax, v, v, t.text, sizeof t.text);
        ++labelled;
      }
      out.push_back(t);
    }
  }
  if (labelled < 2) {  // less than a decade in view: label linear ticks instead
    for (Tick& t : out) t.labelled = false;
    std::vector<Tick> linear;
    LinearTicks(r, pixels, spacing, ax, linear, true);
    out.insert(out.end(), linear.begin(), linear.end());
  }
}

void ComputeTicks(Axis axis, const Range& r, float pixels, std::vector<Tick>& out) {
  CurrentPlot& p = Ctx().cur;
  const Style& s = Ctx().style;
  const AxisSetup& ax = p.axis[axis];
  out.clear();
  // Spacing from the text height, as plotting libraries do: y ticks at least 2 lines of text
  // apart and at most 8 over the axis (1-2-5 steps then give 4..8), x ticks 3 text heights;
  // a short y axis takes its labels closer, to keep three.
  const float F = ImGui::GetFontSize();
  const float y_spacing = std::max({s.y_tick_spacing, F * 2.0f, pixels / 8.0f});
  const float x_spacing = std::max(s.x_tick_spacing, F * 3.0f);
  if (axis == Axis_Y && (ax.flags & AxisFlags_Log)) {
    LogTicks(r, pixels, std::max(s.y_tick_spacing, F * 2.0f), ax, out);
  } else if (axis == Axis_X) {
    LinearTicks(r, pixels, x_spacing, ax, out, false, F);
  } else {
    LinearTicks(r, pixels, y_spacing, ax, out);
    // A short plot: two lines of text apart left two labels ("0 5"). Move the labels closer,
    // down to 1.1 lines (DrawAxes drops a label less than a line apart), until three fit; the step stays 1-2-5.
    for (const float lines : {1.6f, 1.3f, 1.1f}) {
      if (out.size() >= 3) break;
      std::vector<Tick> closer;
      LinearTicks(r, pixels, F * lines, ax, closer);
      if (closer.size() > out.size()) out.swap(closer);
    }
  }
  for (Tick& t : out)
    if (t.labelled) t.width = ImGui::CalcTextSize(t.text).x;
}

}  // namespace

void FormatValue(double v, char* buf, int n) {
  if (!std::isfinite(v))
    std::snprintf(buf, size_t(n), "%s", std::isnan(v) ? "NaN" : (v > 0 ? "Inf" : "-Inf"));
  else if (std::abs(v) < 1e9 && v == std::floor(v))
    std::snprintf(buf, size_t(n), "%.0f", v);
  else
    std::snprintf(buf, size_t(n), "%.4g", v);
}

namespace {

// [SECTION] Transforms

void UpdateTransform(CurrentPlot& p) {
  Transform& t = p.tf;
  const PlotState& st = *p.state;
  t.log_y = (p.axis[Axis_Y].flags & AxisFlags_Log) != 0;
  t.left = p.area.Min.x;
  t.bottom = p.area.Max.y;
  t.x_min = st.x.min;
  t.x_per_px = (st.x.max - st.x.min) / std::max(1.0f, p.area.GetWidth());
  const double ty0 = t.ty(st.y.min), ty1 = t.ty(st.y.max);
  t.ty_min = ty0;
  t.ty_per_px = (ty1 - ty0) / std::max(1.0f, p.area.GetHeight());
}

double FromTY(const Transform& t, double ty) { return t.log_y ? std::pow(10.0, ty) : ty; }

// Keeps a range usable: ordered, finite, not degenerate, positive on a log axis.
void Sanitize(Range& r, bool log) {
  if (!std::isfinite(r.min) || !std::isfinite(r.max)) r = Range{};
  if (r.min > r.max) std::swap(r.min, r.max);
  if (log) {
    if (r.max <= 0) r = Range{0.1, 1.0};
    if (r.min <= 0) r.min = r.max * 1e-3;
    if (r.max / r.min < 1.0 + 1e-9) r = Range{r.min / 1.5, r.max * 1.5};
  } else if (r.max - r.min < 1e-12 * std::max(1.0, std::abs(r.min))) {
    const double h = std::max(0.5, std::abs(r.min) * 0.1);
    r = Range{r.min - h, r.max + h};
  }
}

}  // namespace

// [SECTION] BeginPlot and Setup*

bool BeginPlot(const char* title_id, const ImVec2& size, PlotFlags flags) {
  Context& c = Ctx();
  IM_ASSERT(!c.in_plot &&
            "plot::BeginPlot: the previous plot was not ended (call EndPlot only when BeginPlot returned true)");
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return false;
  const ImGuiID id = window->GetID(title_id);
  const ImVec2 frame_size = ImGui::CalcItemSize(size, 400.0f, 280.0f);
  const ImRect frame(window->DC.CursorPos,
                     ImVec2(window->DC.CursorPos.x + frame_size.x, window->DC.CursorPos.y + frame_size.y));
  ImGui::ItemSize(frame);
  if (!ImGui::ItemAdd(frame, id)) return false;

  CurrentPlot& p = c.cur;
  p = CurrentPlot{};
  p.id = id;
  p.flags = flags;
  p.state = &c.states[id];
  p.title.assign(title_id, DisplayEnd(title_id));
  p.frame = frame;
  p.items.reserve(16);
  c.screen.SetDrawList(window->DrawList);
  for (int a = 0; a < 2; ++a) {
    p.ext_min[a] = p.all_min[a] = DBL_MAX;
    p.ext_max[a] = p.all_max[a] = -DBL_MAX;
  }
  c.in_plot = true;
  return true;
}

void SetupAxis(Axis axis, const char* label, AxisFlags flags) {
  CurrentPlot& p = Cur();
  IM_ASSERT(!p.setup_done && "plot::SetupAxis: call Setup* before the first Plot* or utility call");
  IM_ASSERT((axis == Axis_Y || !(flags & AxisFlags_Log)) && "plot: AxisFlags_Log is supported on the y axis only");
  p.axis[axis].label = label ? std::string(label, DisplayEnd(label)) : std::string();
  p.axis[axis].short_label.clear();
  if (const size_t bar = p.axis[axis].label.find('|'); bar != std::string::npos) {
    p.axis[axis].short_label = p.axis[axis].label.substr(bar + 1);
    p.axis[axis].label.resize(bar);
  }
  p.axis[axis].flags = flags;
}

void SetupAxes(const char* x_label, const char* y_label, AxisFlags x_flags, AxisFlags y_flags) {
  SetupAxis(Axis_X, x_label, x_flags);
  SetupAxis(Axis_Y, y_label, y_flags);
}

void SetupAxisLimits(Axis axis, double min, double max, ImGuiCond cond) {
  CurrentPlot& p = Cur();
  IM_ASSERT(!p.setup_done && "plot::SetupAxisLimits: call Setup* before the first Plot* or utility call");
  AxisSetup& ax = p.axis[axis];
  ax.has_limits = true;
  ax.limit_min = min;
  ax.limit_max = max;
  ax.limit_cond = cond ? cond : ImGuiCond_Once;
}

void SetupAxisLinks(Axis axis, AxisLink* link) {
  CurrentPlot& p = Cur();
  IM_ASSERT(!p.setup_done && "plot::SetupAxisLinks: call Setup* before the first Plot* or utility call");
  p.axis[axis].link = link;
}

void SetupDataLabels(const char* x_label, const char* y_label) {
  CurrentPlot& p = Cur();
  if (x_label) p.data_label[Axis_X] = x_label;
  if (y_label) p.data_label[Axis_Y] = y_label;
}

void SetupAxisFormat(Axis axis, const char* fmt) {
  CurrentPlot& p = Cur();
  IM_ASSERT(!p.setup_done && "plot::SetupAxisFormat: call Setup* before the first Plot* or utility call");
  p.axis[axis].fmt = fmt ? fmt : "";
}

// [SECTION] Layout, axes and input (SetupFinish)

namespace {

// -1 outside, 0 data area, 1 x-axis strip, 2 y-axis strip.
int RegionAt(const CurrentPlot& p, ImVec2 m) {
  if (!p.frame.Contains(m)) return -1;
  if (p.area.Contains(m)) return 0;
  if (m.y > p.area.Max.y && m.x >= p.area.Min.x && m.x <= p.area.Max.x) return 1;
  if (m.x < p.area.Min.x && m.y >= p.area.Min.y && m.y <= p.area.Max.y) return 2;
  return -1;
}

void Layout(CurrentPlot& p) {
  const Style& s = Ctx().style;
  const PlotState& st = *p.state;
  const float F = ImGui::GetFontSize();
  const bool title = !(p.flags & PlotFlags_NoTitle) && !p.title.empty();
  const bool x_ticks = !(p.axis[Axis_X].flags & AxisFlags_NoTickLabels);
  const bool y_ticks = !(p.axis[Axis_Y].flags & AxisFlags_NoTickLabels);
  const float top = p.frame.Min.y + s.padding.y + (title ? F + 5 : 0);
  const float bottom = p.frame.Max.y - s.padding.y - (x_ticks ? F + 5 : 0) - (p.axis[Axis_X].label.empty() ? 0 : F + 3);
  ComputeTicks(Axis_Y, st.y, std::max(10.0f, bottom - top), p.ticks[Axis_Y]);
  float y_label_w = 0;
  if (y_ticks)
    for (const Tick& t : p.ticks[Axis_Y])
      if (t.labelled) y_label_w = std::max(y_label_w, t.width);
  const float left = p.frame.Min.x + s.padding.x + (p.axis[Axis_Y].label.empty() ? 0 : F + 5) +
                     (y_ticks ? y_label_w + 6 : 0);
  // Leave room for half of the last x label, which is centred on the right edge.
  char buf[32];
  FormatWith(p.axis[Axis_X], st.x.max, std::max(std::abs(st.x.max - st.x.min) / 8, 1e-12), buf, sizeof buf);
  const float right = p.frame.Max.x - std::max(s.padding.x, x_ticks ? ImGui::CalcTextSize(buf).x * 0.5f + 2 : 0.0f);
  p.area = ImRect(left, top, std::max(left + 10, right), std::max(top + 10, bottom));
}

void ApplyLimitsAndLinks(CurrentPlot& p) {
  PlotState& st = *p.state;
  for (int a = 0; a < 2; ++a) {
    const AxisSetup& ax = p.axis[a];
    Range& r = a == Axis_X ? st.x : st.y;
    bool& fit = a == Axis_X ? st.fit_x : st.fit_y;
    if (ax.has_limits && (ax.limit_cond == ImGuiCond_Always || !st.initialised)) {
      r = Range{ax.limit_min, ax.limit_max};
      fit = false;
    } else if (ax.link) {
      if (ax.link->set) r = ax.link->range;
      fit = ax.link->follow && ((ax.flags & AxisFlags_AutoFit) || !ax.link->set);
    } else if (!st.initialised) {
      fit = true;  // first frame: show the data
    }
    Sanitize(r, a == Axis_Y && (ax.flags & AxisFlags_Log));
  }
}

// The user panned/zoomed `axis`: stop following the data there (and in linked plots).
void UserMoved(CurrentPlot& p, int axis) {
  (axis == Axis_X ? p.state->fit_x : p.state->fit_y) = false;
  if (p.axis[axis].link) p.axis[axis].link->follow = false;
}

void WriteLinks(CurrentPlot& p) {
  for (int a = 0; a < 2; ++a)
    if (AxisLink* link = p.axis[a].link) {
      link->range = a == Axis_X ? p.state->x : p.state->y;
      link->set = true;
    }
}

// The range a fit gives for data spanning lo..hi on `axis`: FitZero's 0, y padding
// (in decades on a log axis), sanitised. Used by the fit and as the pan/zoom bounds.
Range FitRange(const CurrentPlot& p, int axis, double lo, double hi) {
  const Style& s = Ctx().style;
  Range r{lo, hi};
  if (axis == Axis_X) {
    if (p.axis[Axis_X].flags & AxisFlags_FitZero) r = Range{std::min(r.min, 0.0), std::max(r.max, 0.0)};
    Sanitize(r, false);
    return r;
  }
  const bool log_y = (p.axis[Axis_Y].flags & AxisFlags_Log) != 0;
  if ((p.axis[Axis_Y].flags & AxisFlags_FitZero) && !log_y) r = Range{std::min(r.min, 0.0), std::max(r.max, 0.0)};
  if (log_y) {
    const double l = std::log10(r.min), h = std::log10(r.max), pad = std::max(h - l, 0.1) * s.fit_padding;
    r = Range{std::pow(10.0, l - pad), std::pow(10.0, h + pad)};
  } else {
    const double pad = (r.max - r.min) * s.fit_padding;
    const bool zero_min = (p.axis[Axis_Y].flags & AxisFlags_FitZero) && r.min == 0;
    r = Range{zero_min ? 0.0 : r.min - pad, r.max + pad};
  }
  Sanitize(r, log_y);
  return r;
}

// Keeps a user's pan/zoom of `axis` inside the data's bounds (and the caller's
// SetupAxisLimits): never wider than them, never narrower than
// Style::min_span_fraction of them, shifted back inside when panned past an edge.
// Works in log10 units on a log axis. An axis with no bounds yet keeps its last range.
void ClampToBounds(CurrentPlot& p, int axis, const Range& before) {
  PlotState& st = *p.state;
  Range& r = axis == Axis_X ? st.x : st.y;
  const bool log = axis == Axis_Y && (p.axis[Axis_Y].flags & AxisFlags_Log);
  bool has = axis == Axis_X ? st.has_bounds_x : st.has_bounds_y;
  Range b = axis == Axis_X ? st.bounds_x : st.bounds_y;
  const AxisSetup& ax = p.axis[axis];
  if (ax.has_limits) {
    const Range lim{std::min(ax.limit_min, ax.limit_max), std::max(ax.limit_min, ax.limit_max)};
    b = has ? Range{std::min(b.min, lim.min), std::max(b.max, lim.max)} : lim;
    has = true;
  }
  if (!has) {
    r = before;
    return;
  }
  Sanitize(b, log);
  auto to = [log](double v) { return log ? std::log10(v) : v; };
  auto from = [log](double v) { return log ? std::pow(10.0, v) : v; };
  const double b0 = to(b.min), b1 = to(b.max);
  double r0 = to(r.min), r1 = to(r.max);
  if (!std::isfinite(r0) || !std::isfinite(r1) || r1 <= r0) r0 = to(before.min), r1 = to(before.max);
  const double extent = b1 - b0;
  const double least = std::max(extent * double(Ctx().style.min_span_fraction),
                                1e-9 * std::max({std::abs(b0), std::abs(b1), 1e-300}));
  if (r1 - r0 >= extent) {
    r0 = b0, r1 = b1;
  } else {
    if (r1 - r0 < least) {
      const double c = 0.5 * (r0 + r1);
      r0 = c - 0.5 * least, r1 = c + 0.5 * least;
    }
    if (r0 < b0) r1 += b0 - r0, r0 = b0;
    if (r1 > b1) r0 -= r1 - b1, r1 = b1;
    r0 = std::max(r0, b0);
  }
  r = Range{from(r0), from(r1)};
}

void Zoom(CurrentPlot& p, int axis, double centre_px, float factor) {
  PlotState& st = *p.state;
  if (p.axis[axis].flags & AxisFlags_Lock) return;
  const Transform& t = p.tf;
  if (axis == Axis_X) {
    const double m = t.x_min + (centre_px - t.left) * t.x_per_px;
    st.x = Range{m - (m - st.x.min) * factor, m + (st.x.max - m) * factor};
    UserMoved(p, Axis_X);
  } else {
    const double m = t.ty_min + (t.bottom - centre_px) * t.ty_per_px;
    const double lo = t.ty(st.y.min), hi = t.ty(st.y.max);
    st.y = Range{FromTY(t, m - (m - lo) * factor), FromTY(t, m + (hi - m) * factor)};
    UserMoved(p, Axis_Y);
  }
}

void HandleInput(CurrentPlot& p) {
  PlotState& st = *p.state;
  ImGuiIO& io = ImGui::GetIO();
  p.mouse = io.MousePos;
  if (p.flags & PlotFlags_NoInputs) {
    p.frame_hovered = ImGui::ItemHoverable(p.frame, p.id);
    p.hovered = p.frame_hovered && p.area.Contains(io.MousePos);
    return;
  }
  // Claim last frame's legend box first, so clicks there neither pan nor move the window.
  bool legend_hovered = false, legend_held = false;
  if (st.legend_max.x > st.legend_min.x)
    ImGui::ButtonBehavior(ImRect(st.legend_min, st.legend_max), ImHashStr("#legend", 0, p.id), &legend_hovered,
                          &legend_held, ImGuiButtonFlags_PressedOnClick);
  bool hovered = false, held = false;
  ImGui::ButtonBehavior(
      p.frame, p.id, &hovered, &held,
      ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight | ImGuiButtonFlags_PressedOnClick);
  // Focus: a click into the plot (legend included) gives it the plain wheel; a click
  // anywhere else, or Escape, takes it back. Until then the wheel scrolls the page.
  Context& ctx = Ctx();
  const bool any_click = io.MouseClicked[0] || io.MouseClicked[1] || io.MouseClicked[2];
  if (any_click && (hovered || legend_hovered))
    ctx.focused = p.id;
  else if (ctx.focused == p.id && (any_click || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)))
    ctx.focused = 0;
  const bool wheel_zooms = hovered && (io.KeyCtrl || ctx.focused == p.id);
  if (wheel_zooms)
    ImGui::SetItemUsingMouseWheel();  // the wheel zooms the plot, not scrolls the window (from the next frame)
  p.legend_hovered = legend_hovered;
  p.frame_hovered = hovered;
  const int region = RegionAt(p, io.MousePos);
  const Range before_x = st.x, before_y = st.y;  // to clamp what the user moves below
  const bool fit_x_before = st.fit_x, fit_y_before = st.fit_y;

  if (hovered && io.MouseClicked[0]) st.drag_region = region;
  if (!io.MouseDown[0]) st.drag_region = -1;
  if (held && st.drag_region >= 0 && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {  // pan
    const Transform& t = p.tf;
    if (st.drag_region != 2 && !(p.axis[Axis_X].flags & AxisFlags_Lock)) {
      const double dx = io.MouseDelta.x * t.x_per_px;
      st.x = Range{st.x.min - dx, st.x.max - dx};
      UserMoved(p, Axis_X);
    }
    if (st.drag_region != 1 && !(p.axis[Axis_Y].flags & AxisFlags_Lock)) {
      const double dy = io.MouseDelta.y * t.ty_per_px;
      st.y = Range{FromTY(t, t.ty(st.y.min) + dy), FromTY(t, t.ty(st.y.max) + dy)};
      UserMoved(p, Axis_Y);
    }
  }
  if (wheel_zooms && io.MouseWheel != 0 && region >= 0) {  // zoom about the cursor
    ctx.wheel_zoom_used = true;
    const float factor = std::pow(0.85f, io.MouseWheel);
    if (region != 2) Zoom(p, Axis_X, io.MousePos.x, factor);
    if (region != 1) Zoom(p, Axis_Y, io.MousePos.y, factor);
  }
  if (hovered && io.MouseDoubleClicked[0]) st.fit_request = true;
  if (hovered && io.MouseClicked[1] && region == 0 && !(p.flags & PlotFlags_NoBoxZoom)) {
    st.box_active = true;
    st.box_start = io.MousePos;
  }
  if (st.box_active && !io.MouseDown[1]) {  // released: zoom to the box
    st.box_active = false;
    const ImVec2 a(ImClamp(st.box_start.x, p.area.Min.x, p.area.Max.x),
                   ImClamp(st.box_start.y, p.area.Min.y, p.area.Max.y));
    const ImVec2 b(ImClamp(io.MousePos.x, p.area.Min.x, p.area.Max.x),
                   ImClamp(io.MousePos.y, p.area.Min.y, p.area.Max.y));
    const Transform& t = p.tf;
    if (std::abs(a.x - b.x) >= 4 && !(p.axis[Axis_X].flags & AxisFlags_Lock)) {
      st.x = Range{t.x_min + (std::min(a.x, b.x) - t.left) * t.x_per_px,
                   t.x_min + (std::max(a.x, b.x) - t.left) * t.x_per_px};
      UserMoved(p, Axis_X);
    }
    if (std::abs(a.y - b.y) >= 4 && !(p.axis[Axis_Y].flags & AxisFlags_Lock)) {
      st.y = Range{FromTY(t, t.ty_min + (t.bottom - std::max(a.y, b.y)) * t.ty_per_px),
                   FromTY(t, t.ty_min + (t.bottom - std::min(a.y, b.y)) * t.ty_per_px)};
      UserMoved(p, Axis_Y);
    }
  }
  // Whatever the user moved (pan, wheel, box) stays inside the data's bounds; linked
  // axes take the clamped range through WriteLinks.
  if (st.x.min != before_x.min || st.x.max != before_x.max || st.fit_x != fit_x_before)
    ClampToBounds(p, Axis_X, before_x);
  if (st.y.min != before_y.min || st.y.max != before_y.max || st.fit_y != fit_y_before)
    ClampToBounds(p, Axis_Y, before_y);
  p.hovered = hovered && region == 0 && st.drag_region < 0 && !st.box_active && !(p.flags & PlotFlags_NoCrosshair);
}

// The label of `ax` in the longest form no longer than `room` pixels: the label, its short form
// (SetupAxis "long|short"), either without a trailing " (...)"; the shortest of them if none fits.
std::string FittingAxisLabel(const AxisSetup& ax, float room) {
  auto drop_parenthesis = [](const std::string& t) {
    const size_t open = t.rfind(" (");
    return open != std::string::npos && open > 0 && t.back() == ')' ? t.substr(0, open) : t;
  };
  const std::string forms[] = {ax.label, drop_parenthesis(ax.label), ax.short_label, drop_parenthesis(ax.short_label)};
  const std::string* shortest = &forms[0];
  for (const std::string& f : forms) {
    if (f.empty()) continue;
    const float w = ImGui::CalcTextSize(f.c_str()).x;
    if (w <= room) return f;
    if (w < ImGui::CalcTextSize(shortest->c_str()).x) shortest = &f;
  }
  return *shortest;
}

void DrawAxes(CurrentPlot& p) {
  const Style& s = Ctx().style;
  Recorder& r = Rec();
  const float F = ImGui::GetFontSize();
  if (s.frame_bg) r.RectFilled(p.frame.Min, p.frame.Max, s.frame_bg, ImGui::GetStyle().FrameRounding);
  if (!(p.flags & PlotFlags_NoFrame)) r.RectFilled(p.area.Min, p.area.Max, s.plot_bg);

  // Grid and tick marks.
  const AxisSetup& ax = p.axis[Axis_X];
  const AxisSetup& ay = p.axis[Axis_Y];
  // A format that prints blanks (SetupAxisFormat(" ")) keeps room for labels the caller draws
  // itself (categories: the sweep's values): its ticks get no marks, which would sit between them.
  auto blank = [](const Tick& t) { return t.text[0] != '\0' && std::strspn(t.text, " ") == std::strlen(t.text); };
  for (Tick& t : p.ticks[Axis_X]) {
    t.pixel = std::round(float(p.tf.px(t.value)));
    if (t.pixel < p.area.Min.x - 0.5f || t.pixel > p.area.Max.x + 0.5f) continue;
    if (!(ax.flags & AxisFlags_NoGrid))  // grid lines as 1-pixel rectangles: no AA fringe to rasterise
      r.RectFilled(ImVec2(t.pixel, p.area.Min.y), ImVec2(t.pixel + 1, p.area.Max.y), t.major ? s.grid : s.grid_minor);
    if (!blank(t))
      r.Line(ImVec2(t.pixel + 0.5f, p.area.Max.y), ImVec2(t.pixel + 0.5f, p.area.Max.y + 3), Stroke{s.plot_border});
  }
  for (Tick& t : p.ticks[Axis_Y]) {
    t.pixel = std::round(float(p.tf.py(t.value)));
    if (t.pixel < p.area.Min.y - 0.5f || t.pixel > p.area.Max.y + 0.5f) continue;
    if (!(ay.flags & AxisFlags_NoGrid))
      r.RectFilled(ImVec2(p.area.Min.x, t.pixel), ImVec2(p.area.Max.x, t.pixel + 1), t.major ? s.grid : s.grid_minor);
    if (t.major && !blank(t))
      r.Line(ImVec2(p.area.Min.x - 3, t.pixel + 0.5f), ImVec2(p.area.Min.x, t.pixel + 0.5f), Stroke{s.plot_border});
  }

  // Tick labels: x centred under the tick (kept inside the frame, never overlapping), y right-aligned.
  if (!(ax.flags & AxisFlags_NoTickLabels)) {
    float last_right = -FLT_MAX;
    for (const Tick& t : p.ticks[Axis_X]) {
      if (!t.labelled || t.pixel < p.area.Min.x - 0.5f || t.pixel > p.area.Max.x + 0.5f) continue;
      float x = std::round(t.pixel - t.width * 0.5f);
      x = ImClamp(x, p.frame.Min.x, p.frame.Max.x - t.width);
      if (x < last_right + 8) continue;
      AddPlotText(ImVec2(x, p.area.Max.y + 4), s.tick_text, t.text, ImVec2(0.5f, 0));
      last_right = x + t.width;
    }
  }
  if (!(ay.flags & AxisFlags_NoTickLabels)) {
    float last_top = FLT_MAX;
    for (const Tick& t : p.ticks[Axis_Y]) {
      if (!t.labelled || t.pixel < p.area.Min.y - 0.5f || t.pixel > p.area.Max.y + 0.5f) continue;
      const float y = ImClamp(std::round(t.pixel - F * 0.5f), p.frame.Min.y, p.frame.Max.y - F);
      if (y + F > last_top - 1) continue;
      AddPlotText(ImVec2(p.area.Min.x - 6 - t.width, y), s.tick_text, t.text, ImVec2(1, 0.5f));
      last_top = y;
    }
  }

  // Axis labels and title.
  if (!ax.label.empty()) {
    const ImVec2 sz = ImGui::CalcTextSize(ax.label.c_str());
    AddPlotText(ImVec2(std::round((p.area.Min.x + p.area.Max.x - sz.x) * 0.5f), p.frame.Max.y - s.padding.y - F),
                s.text, ax.label.c_str(), ImVec2(0.5f, 1));
  }
  if (!ay.label.empty()) {  // centred on the data area, in a form that stays inside the frame
    const float mid = (p.area.Min.y + p.area.Max.y) * 0.5f;
    const float room = 2 * std::min(mid - p.frame.Min.y, p.frame.Max.y - mid);
    const std::string text = FittingAxisLabel(ay, room);
    AddPlotText(ImVec2(p.frame.Min.x + s.padding.x + F * 0.5f + 1, mid), s.text, text.c_str(), ImVec2(0.5f, 0.5f),
                TextFlags_Vertical);
  }
  if (!(p.flags & PlotFlags_NoTitle) && !p.title.empty()) {
    const ImVec2 sz = ImGui::CalcTextSize(p.title.c_str());
    AddPlotText(ImVec2(std::round((p.area.Min.x + p.area.Max.x - sz.x) * 0.5f), p.frame.Min.y + s.padding.y), s.text,
                p.title.c_str(), ImVec2(0.5f, 0));
  }
}

}  // namespace

void SetupFinish() {
  CurrentPlot& p = Cur();
  if (p.setup_done) return;
  p.setup_done = true;
  PlotState& st = *p.state;
  ApplyLimitsAndLinks(p);
  Layout(p);
  UpdateTransform(p);
  HandleInput(p);
  const bool log_y = (p.axis[Axis_Y].flags & AxisFlags_Log) != 0;
  Sanitize(st.x, false);
  Sanitize(st.y, log_y);
  WriteLinks(p);
  UpdateTransform(p);
  ComputeTicks(Axis_X, st.x, p.area.GetWidth(), p.ticks[Axis_X]);
  ComputeTicks(Axis_Y, st.y, p.area.GetHeight(), p.ticks[Axis_Y]);
  p.gather = st.fit_x || st.fit_y || st.fit_request;
  p.complete_data = st.fit_x || st.fit_request;  // GetPlotQueryRange(Axis_X) asks for everything
  DrawAxes(p);
}
// [SECTION] EndPlot: fit, legend, crosshair, tooltip

namespace {

// The pan/zoom bounds from this frame's data: the whole extent (padded as a fit pads
// it) when the caller was asked for every x, else grown by what it drew (a zoomed
// view fetches only its own range, so what lies outside is remembered from before).
void UpdateBounds(CurrentPlot& p) {
  PlotState& st = *p.state;
  for (int a = 0; a < 2; ++a) {
    if (!(p.all_min[a] <= p.all_max[a])) continue;
    const Range r = FitRange(p, a, p.all_min[a], p.all_max[a]);
    Range& b = a == Axis_X ? st.bounds_x : st.bounds_y;
    bool& has = a == Axis_X ? st.has_bounds_x : st.has_bounds_y;
    b = has && !p.complete_data ? Range{std::min(b.min, r.min), std::max(b.max, r.max)} : r;
    has = true;
  }
}

void ApplyFit(CurrentPlot& p) {
  PlotState& st = *p.state;
  const bool request = st.fit_request;
  if ((st.fit_x || request) && p.ext_min[Axis_X] <= p.ext_max[Axis_X])
    st.x = FitRange(p, Axis_X, p.ext_min[Axis_X], p.ext_max[Axis_X]);
  if ((st.fit_y || request) && p.ext_min[Axis_Y] <= p.ext_max[Axis_Y])
    st.y = FitRange(p, Axis_Y, p.ext_min[Axis_Y], p.ext_max[Axis_Y]);
  // AutoFit axes keep following; others fitted once (first frame or double-click).
  if (request) {
    st.fit_x = (p.axis[Axis_X].flags & AxisFlags_AutoFit) != 0;
    st.fit_y = (p.axis[Axis_Y].flags & AxisFlags_AutoFit) != 0;
    st.fit_request = false;
    for (int a = 0; a < 2; ++a)
      if (p.axis[a].link) p.axis[a].link->follow = (p.axis[a].flags & AxisFlags_AutoFit) != 0;
  } else {
    if (!(p.axis[Axis_X].flags & AxisFlags_AutoFit)) st.fit_x = false;
    if (!(p.axis[Axis_Y].flags & AxisFlags_AutoFit)) st.fit_y = false;
  }
  WriteLinks(p);
}

// A line whose series style has a dash pattern or marker (a reference line dashed by
// ItemFlags_Dashed alone keeps the small swatch that already shows its dashes).
bool Patterned(const ItemRecord& it) {
  return !it.filled && (it.line_style.dash != Dash_Solid || it.line_style.marker != Marker_None);
}

// `width` > size: a wide swatch, so a legend whose lines differ by dash pattern shows the patterns.
void DrawSwatch(Recorder& r, ImVec2 pos, float size, float width, const ItemRecord& it, bool hidden) {
  const ImVec2 b(pos.x + width, pos.y + size);
  if (hidden) {
    r.Rect(pos, b, palette::with_alpha(it.colour, 0.6f), 2.0f);
  } else if (it.filled) {
    r.RectFilled(pos, b, it.colour, 2.0f);
  } else if (width > size) {
    LineStyle look = it.line_style;
    if (look.dash == Dash_Solid && it.dashed) look.dash = Dash_Dashed;
    DrawLineSwatch(r, pos, b, it.colour, look, 2.0f);
  } else {
    const float y = std::round(pos.y + size * 0.5f);
    if (it.dashed) {
      r.Line(ImVec2(pos.x, y), ImVec2(pos.x + size * 0.4f, y), Stroke{it.colour, 2.5f});
      r.Line(ImVec2(pos.x + size * 0.65f, y), ImVec2(b.x, y), Stroke{it.colour, 2.5f});
    } else {
      r.RectFilled(ImVec2(pos.x, y - 1.5f), ImVec2(b.x, y + 1.5f), it.colour);
      r.Dot(ImVec2(pos.x + size * 0.5f, y), size * 0.28f, it.colour, 10);
    }
  }
}

void DrawLegend(CurrentPlot& p) {
  PlotState& st = *p.state;
  const Style& s = Ctx().style;
  std::vector<int> entries;
  for (int i = 0; i < int(p.items.size()); ++i)
    if (p.items[size_t(i)].legend) entries.push_back(i);
  if ((p.flags & PlotFlags_NoLegend) || entries.empty()) {
    st.legend_min = st.legend_max = ImVec2(0, 0);
    st.highlighted = 0;
    return;
  }
  Recorder& r = Rec();
  const float F = ImGui::GetFontSize();
  const float row_h = F + 3, sw = std::round(F * 0.8f), pad = 5, margin = 6, col_gap = 12;
  const int n = int(entries.size());
  bool patterned = false;  // some line differs by its dash or marker: wide swatches show them
  for (int k : entries) patterned = patterned || Patterned(p.items[size_t(k)]);
  const float sw_w = patterned ? std::round(F * 2.2f) : sw;
  const int max_rows = std::max(1, int((p.area.GetHeight() - 2 * margin - 2 * pad) / row_h));
  const int n_cols = (n + max_rows - 1) / max_rows;
  const int rows = (n + n_cols - 1) / n_cols;
  std::vector<float> col_w(size_t(n_cols), 0);
  for (int k = 0; k < n; ++k) {
    const float w = sw_w + 5 + ImGui::CalcTextSize(p.items[size_t(entries[size_t(k)])].label.c_str()).x;
    col_w[size_t(k / rows)] = std::max(col_w[size_t(k / rows)], w);
  }
  float width = 2 * pad + col_gap * float(n_cols - 1);
  for (float w : col_w) width += w;
  const float height = 2 * pad + row_h * float(rows) - 3;
  const float x0 = (p.flags & PlotFlags_LegendLeft) ? p.area.Min.x + margin
                                                    : std::max(p.area.Min.x + margin, p.area.Max.x - margin - width);
  const ImRect box(ImVec2(std::round(x0), std::round(p.area.Min.y + margin)),
                   ImVec2(std::round(x0 + width), std::round(p.area.Min.y + margin + height)));
  r.PushClip(p.area.Min, p.area.Max);
  r.RectFilled(box.Min, box.Max, s.legend_bg, 3.0f);
  r.Rect(box.Min, box.Max, s.legend_border, 3.0f);
  ImGuiID highlight = 0;
  const bool can_click = !(p.flags & PlotFlags_NoInputs);
  float col_x = box.Min.x + pad;
  for (int k = 0; k < n; ++k) {
    const int col = k / rows, row = k % rows;
    if (row == 0 && col > 0) col_x += col_w[size_t(col - 1)] + col_gap;
    ItemRecord& it = p.items[size_t(entries[size_t(k)])];
    const ImVec2 pos(col_x, box.Min.y + pad + row_h * float(row));
    const ImRect entry(ImVec2(pos.x - 2, pos.y - 1), ImVec2(pos.x + col_w[size_t(col)] + 2, pos.y + F + 1));
    if (p.legend_hovered && entry.Contains(ImGui::GetIO().MousePos)) {
      r.RectFilled(entry.Min, entry.Max, s.legend_hover, 2.0f);
      if (!it.hidden) highlight = it.id;
      if (can_click && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        it.hidden = !it.hidden;
        st.hidden.SetInt(it.id, it.hidden ? 1 : 0);
      }
    }
    DrawSwatch(r, ImVec2(pos.x, std::round(pos.y + (F - sw) * 0.5f)), sw, sw_w, it, it.hidden);
    AddPlotText(ImVec2(pos.x + sw_w + 5, pos.y), it.hidden ? s.hidden_text : s.text, it.label.c_str());
  }
  r.PopClip();
  st.highlighted = highlight;
  st.legend_min = box.Min;
  st.legend_max = box.Max;
}

void DrawCrosshairAndTooltip(CurrentPlot& p) {
  const Style& s = Ctx().style;
  if (!p.hovered || p.legend_hovered) return;
  Recorder& r = Rec();
  const ImVec2 m(std::round(p.mouse.x) + 0.5f, std::round(p.mouse.y) + 0.5f);
  r.PushClip(p.area.Min, p.area.Max);
  r.Line(ImVec2(m.x, p.area.Min.y), ImVec2(m.x, p.area.Max.y), Stroke{s.crosshair});
  r.Line(ImVec2(p.area.Min.x, m.y), ImVec2(p.area.Max.x, m.y), Stroke{s.crosshair});
  r.PopClip();

  // The tooltip is a window of its own (hover UI, not part of the plot), so it draws with ImGui.

  std::vector<const ItemRecord*> rows;
  for (const ItemRecord& it : p.items)
    if (it.tooltip && !it.hidden && !it.value.empty()) rows.push_back(&it);
  const Point pm = PixelsToPlot(p.mouse);
  double x = pm.x;  // the data's x when a series answered (values are read there), else the mouse's
  for (const ItemRecord* it : rows)
    if (std::isfinite(it->value_x)) {
      x = it->value_x;
      break;
    }
  char x_text[48], y_text[48];
  FormatValue(x, x_text, sizeof x_text);
  FormatValue(pm.y, y_text, sizeof y_text);
  ImGui::BeginTooltip();
  const std::string& xl = p.axis[Axis_X].label;
  const std::string& yl = p.axis[Axis_Y].label;
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.tick_text), "%s %s   %s %s", xl.empty() ? "x" : xl.c_str(),
                     x_text, yl.empty() ? "y" : yl.c_str(), y_text);
  if (!(p.flags & PlotFlags_NoInputs)) {  // how to zoom, until the user has; what the wheel does while focused
    if (Ctx().focused == p.id)
      ImGui::TextDisabled("wheel zooms (Esc or a click outside: the wheel scrolls again)");
    else if (!Ctx().wheel_zoom_used)
      ImGui::TextDisabled("Ctrl+wheel to zoom (or click the plot first)");
  }
  if (!rows.empty()) {
    ImGui::Separator();
    const int n = int(rows.size());
    const int groups = (n + 15) / 16;  // up to 16 rows per column group
    const int per = (n + groups - 1) / groups;
    const float sw = std::round(ImGui::GetFontSize() * 0.7f);
    if (ImGui::BeginTable("##plot_tooltip", 2 * groups,
                          ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoSavedSettings)) {
      for (int r = 0; r < per; ++r) {
        ImGui::TableNextRow();
        for (int gidx = 0; gidx < groups; ++gidx) {
          const int k = gidx * per + r;
          ImGui::TableSetColumnIndex(2 * gidx);
          if (k >= n) continue;
          const ItemRecord& it = *rows[size_t(k)];
          const ImVec2 c = ImGui::GetCursorScreenPos();
          const float dy = std::round((ImGui::GetTextLineHeight() - sw) * 0.5f);
          ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(c.x, c.y + dy), ImVec2(c.x + sw, c.y + dy + sw), it.colour,
                                                    2.0f);
          ImGui::Dummy(ImVec2(sw, ImGui::GetTextLineHeight()));
          ImGui::SameLine();
          ImGui::TextUnformatted(it.label.c_str());
          ImGui::TableSetColumnIndex(2 * gidx + 1);
          ImGui::TextUnformatted(it.value.c_str());
        }
      }
      ImGui::EndTable();
    }
  }
  ImGui::EndTooltip();
}

}  // namespace

void EndPlot() {
  CurrentPlot& p = Cur();
  SetupFinish();  // a plot with no items still gets its axes
  PlotState& st = *p.state;
  const Style& s = Ctx().style;
  Recorder& r = Rec();
  UpdateBounds(p);
  ApplyFit(p);
  if (!(p.flags & PlotFlags_NoFrame)) r.Rect(p.area.Min, p.area.Max, s.plot_border);
  if (Ctx().focused == p.id && !(p.flags & PlotFlags_NoInputs))  // takes the plain wheel: say so
    r.Rect(ImVec2(p.area.Min.x - 1, p.area.Min.y - 1), ImVec2(p.area.Max.x + 1, p.area.Max.y + 1),
           s.selection | IM_COL32_A_MASK, 0, 2.0f);
  if (st.box_active) {
    const ImVec2 a(ImClamp(st.box_start.x, p.area.Min.x, p.area.Max.x),
                   ImClamp(st.box_start.y, p.area.Min.y, p.area.Max.y));
    const ImVec2 b(ImClamp(p.mouse.x, p.area.Min.x, p.area.Max.x), ImClamp(p.mouse.y, p.area.Min.y, p.area.Max.y));
    r.RectFilled(ImMin(a, b), ImMax(a, b), s.selection);
    r.Rect(ImMin(a, b), ImMax(a, b), s.selection | 0xFF000000u);
  }
  DrawLegend(p);
  DrawCrosshairAndTooltip(p);
  st.initialised = true;
  Ctx().in_plot = false;
}

// [SECTION] Colour bar

void ColorBar(const char* label, double scale_min, double scale_max, const ImVec2& size, const char* fmt) {
  Context& c = Ctx();
  const Style& s = c.style;
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return;
  const float F = ImGui::GetFontSize();
  const ImVec2 frame_size = ImGui::CalcItemSize(size, 70.0f, 280.0f);
  const ImRect frame(window->DC.CursorPos,
                     ImVec2(window->DC.CursorPos.x + frame_size.x, window->DC.CursorPos.y + frame_size.y));
  ImGui::ItemSize(frame);
  if (!ImGui::ItemAdd(frame, window->GetID(label))) return;
  c.screen.SetDrawList(window->DrawList);
  Recorder& rec = Rec();
  const float bar_w = 14;
  const ImRect bar(ImVec2(frame.Min.x + 4, frame.Min.y + s.padding.y + F * 0.5f),
                   ImVec2(frame.Min.x + 4 + bar_w, frame.Max.y - s.padding.y - F * 0.5f));
  const int segments = 64;
  for (int k = 0; k < segments; ++k) {  // top = scale_max
    const float y0 = bar.Min.y + bar.GetHeight() * float(k) / segments,
                y1 = bar.Min.y + bar.GetHeight() * float(k + 1) / segments;
    const ImU32 top = palette::colormap(1.0f - float(k) / segments),
                bottom = palette::colormap(1.0f - float(k + 1) / segments);
    rec.RectGradient(ImVec2(bar.Min.x, std::floor(y0)), ImVec2(bar.Max.x, std::ceil(y1)), top, bottom);
  }
  rec.Rect(bar.Min, bar.Max, s.plot_border);
  AxisSetup ax;
  ax.fmt = fmt ? fmt : "";
  std::vector<Tick> ticks;
  Range r{std::min(scale_min, scale_max), std::max(scale_min, scale_max)};
  Sanitize(r, false);
  LinearTicks(r, bar.GetHeight(), std::max({s.y_tick_spacing, F * 2.0f, bar.GetHeight() / 8.0f}), ax, ticks);
  float label_w = 0;
  for (const Tick& t : ticks) {
    const float y = std::round(bar.Max.y - float((t.value - r.min) / (r.max - r.min)) * bar.GetHeight());
    rec.Line(ImVec2(bar.Max.x, y + 0.5f), ImVec2(bar.Max.x + 3, y + 0.5f), Stroke{s.plot_border});
    AddPlotText(ImVec2(bar.Max.x + 5, std::round(y - F * 0.5f)), s.tick_text, t.text, ImVec2(0, 0.5f));
    label_w = std::max(label_w, ImGui::CalcTextSize(t.text).x);
  }
  const char* end = DisplayEnd(label);
  if (end != label)
    AddPlotText(
        ImVec2(std::min(bar.Max.x + 8 + label_w + F * 0.5f, frame.Max.x - F * 0.5f), (bar.Min.y + bar.Max.y) * 0.5f),
        s.text, label, ImVec2(0.5f, 0.5f), TextFlags_Vertical, end);
}

// [SECTION] Utilities

bool IsPlotHovered() {
  SetupFinish();
  CurrentPlot& p = Ctx().cur;
  return p.frame_hovered && p.area.Contains(ImGui::GetIO().MousePos);
}

Point GetPlotMousePos() {
  SetupFinish();
  return PixelsToPlot(ImGui::GetIO().MousePos);
}

Range GetPlotQueryRange(Axis axis) {
  SetupFinish();
  const PlotState& st = *Ctx().cur.state;
  const bool fitting = st.fit_request || (axis == Axis_X ? st.fit_x : st.fit_y);
  if (fitting) return Range{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  return axis == Axis_X ? st.x : st.y;
}

Range GetPlotLimits(Axis axis) {
  SetupFinish();
  return axis == Axis_X ? Ctx().cur.state->x : Ctx().cur.state->y;
}

ImVec2 PlotToPixels(Point pt) {
  SetupFinish();
  const Transform& t = Ctx().cur.tf;
  return ImVec2(float(t.px(pt.x)), float(t.py(pt.y)));
}

Point PixelsToPlot(ImVec2 px) {
  SetupFinish();
  const Transform& t = Ctx().cur.tf;
  return Point{t.x_min + (double(px.x) - t.left) * t.x_per_px,
               FromTY(t, t.ty_min + (double(t.bottom) - px.y) * t.ty_per_px)};
}

ImVec2 GetPlotPos() {
  SetupFinish();
  return Ctx().cur.area.Min;
}

ImVec2 GetPlotSize() {
  SetupFinish();
  return Ctx().cur.area.GetSize();
}

int GetPlotPointBudget() {
  SetupFinish();
  return std::max(2, 2 * int(Ctx().cur.area.GetWidth()));
}

ImDrawList* GetPlotDrawList() {
  SetupFinish();
  return ImGui::GetWindowDrawList();
}

Recorder& GetPlotRecorder() {
  SetupFinish();
  return Rec();
}

void SetRecorder(Recorder* recorder) { Ctx().target = recorder; }

void AddPlotText(ImVec2 pos, ImU32 colour, const char* text, ImVec2 anchor, TextFlags flags, const char* text_end,
                 float wrap_width) {
  if (Ctx().in_plot) SetupFinish();  // a panel's label: the frame first
  Rec().Text(TextPrim{.pos = pos,
                      .anchor = anchor,
                      .size = ImGui::GetFontSize(),
                      .colour = colour,
                      .text = text,
                      .text_end = text_end,
                      .flags = flags,
                      .wrap_width = wrap_width});
}

Recorder* GetRecorder() { return Ctx().target; }

Recorder& ScreenRecorder() { return Ctx().screen; }

void SetHiddenLabels(const std::vector<std::string>& labels) { Ctx().hidden_labels = labels; }

Recorder& GetWindowRecorder() {
  Context& c = Ctx();
  if (!c.in_plot) c.screen.SetDrawList(ImGui::GetWindowDrawList());
  return Rec();
}

}  // namespace moe::plot

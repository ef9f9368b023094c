// plot_internal.h: INTERNAL to the plot layer (app/plot/*.cpp). Not an API:
// nothing outside app/plot/ includes it, and it may change with any commit.
// Use plot.h.
//
// What the plot layer's files share: the context (style, per-plot UI state,
// the plot being built), the current plot's axes and item records (legend,
// tooltip, fit extents), ticks, the plot <-> pixel transform, and the small
// helpers both the frame (plot_frame.cpp) and the items (plot_items.cpp) use.
//
// Index (grep "[SECTION]"):
// [SECTION] Context, current plot, item records, transforms
// [SECTION] Shared helpers
#pragma once

#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "plot.h"

namespace moe::plot {

// [SECTION] Context, current plot, item records, transforms

struct AxisSetup {
  std::string label;        // shown under/left of the axis
  std::string short_label;  // drawn instead where the label is longer than the axis (SetupAxis "long|short")
  AxisFlags flags = 0;
  bool has_limits = false;
  double limit_min = 0, limit_max = 1;
  ImGuiCond limit_cond = ImGuiCond_Once;
  AxisLink* link = nullptr;  // shared limits
  std::string fmt;           // printf format; empty = SI
};

// One entry of the legend / tooltip, recorded as items are submitted.
struct ItemRecord {
  ImGuiID id = 0;
  std::string label;  // display text (before "##")
  ImU32 colour = 0;
  bool hidden = false;
  bool legend = true;
  bool tooltip = true;
  bool filled = false;  // legend swatch: square (fills) or line
  bool dashed = false;
  LineStyle line_style;  // legend swatch of a line: its dash pattern and marker
  std::string value;     // value under the mouse, "" if none
  double value_x = NAN;  // x of the data point that value belongs to
};

struct Tick {
  double value = 0;
  float pixel = 0;
  bool major = true;
  bool labelled = true;
  char text[32] = {};
  float width = 0;  // text width in pixels
};

struct Transform {
  double x_min = 0, x_per_px = 1;  // plot units per pixel
  double ty_min = 0, ty_per_px = 1;
  bool log_y = false;
  float left = 0, bottom = 0;
  double ty(double y) const { return log_y ? (y > 0 ? std::log10(y) : NAN) : y; }
  double px(double x) const { return double(left) + (x - x_min) / x_per_px; }
  double py(double y) const { return double(bottom) - (ty(y) - ty_min) / ty_per_px; }
};

struct CurrentPlot {
  ImGuiID id = 0;
  PlotFlags flags = 0;
  PlotState* state = nullptr;
  std::string title;
  ImRect frame, area;
  AxisSetup axis[2];
  bool setup_done = false;
  std::vector<ItemRecord> items;
  int colour_index = 0;
  ImU32 next_line_colour = 0, next_fill_colour = 0;
  float next_weight = -1, next_fill_alpha = -1;
  int next_series = -1;  // SetNextSeries index, -1: none
  Dash next_dash = -1;   // SetNextLineDash pattern, -1: none
  Marker next_marker = Marker_None;
  std::string data_label[2];      // SetupDataLabels: the axes' names in the plot's data (F.csv), "" = as drawn
  std::string next_data[2];       // SetNextDataNames: the next item's column suffixes (line; band lower, upper)
  bool next_data_set = false;     // SetNextDataNames was called for the next item
  double ext_min[2], ext_max[2];  // data extents this frame (for fitting: y only where x is in view)
  double all_min[2], all_max[2];  // extents of all data given this frame (for the pan/zoom bounds)
  bool complete_data =
      false;             // the x query this frame was the whole range (fitting x), so all_* is the data's whole extent
  bool gather = false;   // collect extents this frame
  bool hovered = false;  // mouse over the data area, hover info wanted
  bool frame_hovered = false;
  bool legend_hovered = false;
  ImVec2 mouse;
  Transform tf;
  std::vector<Tick> ticks[2];
};

struct Context {
  Style style;
  std::unordered_map<ImGuiID, PlotState> states;
  CurrentPlot cur;
  bool in_plot = false;
  DrawListRecorder screen;                 // the screen back end, aimed at the current window's draw list
  Recorder* target = nullptr;              // SetRecorder's back end; nullptr: `screen`
  ImGuiID focused = 0;                     // plot that takes the plain mouse wheel (clicked into; 0: none)
  bool wheel_zoom_used = false;            // the user has zoomed with the wheel once: the hover hint stops
  std::vector<ImVec2> poly;                // scratch for polylines
  std::vector<ImU32> cells;                // scratch for CPU heatmap colours
  std::vector<float> edges;                // scratch for CPU heatmap cell edges
  std::vector<std::string> hidden_labels;  // SetHiddenLabels: items with these labels are not drawn
};

extern Context* g_ctx;  // set by CreateContext (plot_frame.cpp)

inline Context& Ctx() {
  IM_ASSERT(g_ctx && "plot: call plot::CreateContext() after ImGui::CreateContext()");
  return *g_ctx;
}

inline CurrentPlot& Cur() {
  Context& c = Ctx();
  IM_ASSERT(c.in_plot && "plot: call this between a BeginPlot() that returned true and EndPlot()");
  return c.cur;
}

// Where every primitive goes: SetRecorder's back end, or the screen.
inline Recorder& Rec() {
  Context& c = Ctx();
  return c.target ? *c.target : c.screen;
}

// [SECTION] Shared helpers

inline const char* DisplayEnd(const char* label) {
  return ImGui::FindRenderedTextEnd(label);
}  // end of the text shown (before "##")
void FormatValue(double v, char* buf, int n);
Stroke LineStroke(ImU32 colour, float weight,
                  Dash dash);  // a line's stroke with the dash pattern's lengths for that weight
void DrawMarker(Recorder& rec, Marker marker, ImVec2 centre, float weight,
                ImU32 colour);  // one marker of a line of that weight  // a value as the tooltip prints it: integers
                                // whole, else 4 significant digits, NaN/Inf spelled

// The data sink (plot_data.h): no-ops unless one is set.
void RecordSeries(const char* label, const char* suffix, Getter getter, const void* data, int count);
void RecordStacked(const char* label, StackGetter getter, const void* data, int series, int count);
void RecordHeatmap(const char* label, const float* values, int rows, int cols, Point bmin, Point bmax);

// The lines of text[..end) as ImGui breaks them: at '\n', and by word wrap at wrap_width (> 0)
// with the font at `scale`; the vector back ends (plot_cairo.cpp, plot_svg.cpp) lay text out so.
inline void SplitTextLines(ImFont* font, float scale, const char* text, const char* end, float wrap_width,
                           std::vector<std::pair<const char*, const char*>>& lines) {
  for (const char* s = text; s < end;) {
    const char* nl = static_cast<const char*>(std::memchr(s, '\n', size_t(end - s)));
    const char* line_end = nl ? nl : end;
    if (wrap_width > 0) {
      while (s < line_end) {
        const char* w = font->CalcWordWrapPositionA(scale, s, line_end, wrap_width);
        if (w <= s) w = line_end;
        lines.emplace_back(s, w);
        s = w;
        while (s < line_end && (*s == ' ' || *s == '\t')) ++s;
      }
    } else {
      lines.emplace_back(s, line_end);
    }
    s = nl ? nl + 1 : end;
  }
}

}  // namespace moe::plot

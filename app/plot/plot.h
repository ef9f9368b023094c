// plot.h: moescope's plots, drawn on Dear ImGui draw lists (ImPlot's shape, our own code).
//
//   if (plot::BeginPlot("Expert load##layer0", ImVec2(-1, 260))) {
//     plot::SetupAxes("step", "load fraction", plot::AxisFlags_AutoFit, plot::AxisFlags_AutoFit);
//     plot::SetupAxisLinks(plot::Axis_X, &ui.steps_link);           // pan/zoom one, all follow
//     const plot::Range r = plot::GetPlotQueryRange(plot::Axis_X);  // the view, or everything while fitting
//     history.fetch_many(load_ids, r.min, r.max, plot::GetPlotPointBudget(), pts);  // ~2 points per pixel column
//     for (int e = 0; e < E; ++e) {
//       plot::SetNextLineStyle(palette::categorical(e));
//       plot::PlotLine(names[e], &pts[e][0].x, &pts[e][0].mean, int(pts[e].size()), 0, 0, sizeof(HistorySample));
//     }
//     plot::PlotHLine("ideal 1/E", 1.0 / E, plot::ItemFlags_Dashed);
//     plot::PlotVLines("events", event_steps, n_events, event_texts);  // e.g. "k 2→1"
//     plot::EndPlot();
//   }
//
// Call plot::CreateContext() once after ImGui::CreateContext(), DestroyContext() before ImGui's.
// Only call EndPlot() if BeginPlot() returned true. Setup* calls come before the first Plot*.
//
// Mouse: left-drag pans, Ctrl+wheel zooms about the cursor (over an axis: that axis only);
// the plain wheel scrolls the page unless the plot was clicked first (it is then focused,
// with a highlighted border, until a click elsewhere or Escape). Right-drag zooms to a box,
// double-click fits the data. Pan and zoom stay inside the data's extent (as a fit pads it)
// and above a least span (Style::min_span_fraction of it). Hovering shows a crosshair and
// a tooltip with every visible series' value under the cursor. Legend: click an entry
// to hide/show it, hover it to highlight that series.
//
// Series styles: SetNextSeries(i) gives the next item series i's palette colour and line
// style (SeriesLineStyle: solid for the first 8, then dashes cycling per 8; with
// Style::style_every_series, a dash pattern and marker per series, so series differ in grey).
//
// Data access (the getters and strided/ring-buffer indexers in [SECTION] Data access)
// is separate from drawing (renderers in plot_items.cpp that only emit primitives).
// Every pixel a plot or colour bar draws goes through one Recorder ([SECTION] Drawing
// back ends): the screen's DrawListRecorder turns primitives into ImDrawList calls; a
// file back end (SVG/PDF) can take the same primitives through SetRecorder(). Not through
// it: the hover tooltip (an ImGui window of its own) and whatever a caller draws on
// GetPlotDrawList() (screen only; GetPlotRecorder() and AddPlotText() go through it).
// Non-finite points are never drawn: a NaN or Inf breaks a line. Lines and bands are
// decimated to at most ~2 points per pixel column (a line keeps one point per column
// plus a min..max span, so noise keeps its envelope). UI-only state (view limits, hidden
// series) lives in a PlotState per plot ID, apart from any model data.
//
// Files: plot.h (this, the whole API), plot_internal.h (shared by the .cpp files,
// not an API), plot_frame.cpp (setup, ticks, input, legend, hover, colour bar),
// plot_items.cpp (items and their renderers), plot_screen.cpp (the screen back end),
// plot_cairo.h/.cpp (the file back end: PDF and PNG through cairo, FigureFile, TeeRecorder),
// plot_svg.h/.cpp (SVG with real text), plot_data.h/.cpp (the numbers behind a figure, CSV).
//
// Index (grep "[SECTION]"):
// [SECTION] Types and flags
// [SECTION] Context and style
// [SECTION] Begin/End and setup
// [SECTION] Item style (applies to the next item only)
// [SECTION] Items (getter forms; typed forms below)
// [SECTION] Utilities (inside BeginPlot/EndPlot)
// [SECTION] Drawing back ends
// [SECTION] Helpers
// [SECTION] Data access: strided and ring-buffer arrays
#pragma once

#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "palette.h"

namespace moe::plot {

// [SECTION] Types and flags

struct Point {
  double x, y;  // plot coordinates
};

struct Range {
  double min = 0, max = 1;                                        // inclusive view limits
  double size() const { return max - min; }                       // max - min
  bool contains(double v) const { return v >= min && v <= max; }  // min <= v <= max
};

// Limits shared by several plots' axes (SetupAxisLinks): pan or zoom one, all follow.
struct AxisLink {
  Range range;  // the shared limits
  bool follow =
      true;  // AutoFit axes keep fitting while set; a pan/zoom on any linked plot clears it, a double-click sets it
  bool set = false;  // some plot has written `range` (until then the first plot fits its data)
};

enum Axis_ {
  Axis_X = 0,  // horizontal (e.g. training step)
  Axis_Y = 1,  // vertical
};
using Axis = int;

enum PlotFlags_ {
  PlotFlags_None = 0,
  PlotFlags_NoTitle = 1 << 0,      // do not draw the title (the text before "##" in the ID)
  PlotFlags_NoLegend = 1 << 1,     // no legend (items still get colours)
  PlotFlags_NoInputs = 1 << 2,     // no pan, zoom, box zoom, fit or legend clicks
  PlotFlags_NoCrosshair = 1 << 3,  // no crosshair and no value tooltip on hover
  PlotFlags_NoBoxZoom = 1 << 4,    // right-drag does nothing
  PlotFlags_LegendLeft = 1 << 5,   // legend in the top-left corner instead of the top-right
  PlotFlags_NoFrame = 1 << 6,      // no plot-area background and border
};
using PlotFlags = int;

enum AxisFlags_ {
  AxisFlags_None = 0,
  AxisFlags_Log = 1 << 0,      // log10 scale (y only); values <= 0 are skipped like NaN
  AxisFlags_AutoFit = 1 << 1,  // follow the data every frame until the user pans/zooms this axis; double-click resumes
  AxisFlags_NoGrid = 1 << 2,   // no grid lines
  AxisFlags_NoTickLabels = 1 << 3,  // no tick labels (and no room reserved for them)
  AxisFlags_Lock = 1 << 4,          // pan and zoom leave this axis alone
  AxisFlags_FitZero = 1 << 5,       // fitting always includes 0 (e.g. loads, bars)
};
using AxisFlags = int;

enum ItemFlags_ {
  ItemFlags_None = 0,
  ItemFlags_NoLegend = 1 << 0,   // not listed in the legend (labels starting with "##" never are)
  ItemFlags_NoFit = 1 << 1,      // ignored when fitting the view to the data
  ItemFlags_NoTooltip = 1 << 2,  // not listed in the hover tooltip
  ItemFlags_Dashed = 1 << 3,     // lines: dashed (PlotLine, PlotHLine, PlotVLines)
};
using ItemFlags = int;

// Dash patterns of a line (SetNextLineDash, SeriesLineStyle); lengths grow with the weight.
enum Dash_ {
  Dash_Solid = 0,  // ──────
  Dash_Dashed,     // ── ── ──  (as ItemFlags_Dashed)
  Dash_Dotted,     // · · · ·
  Dash_DashDot,    // ── · ── ·
  Dash_LongDash,   // ───── ─────
  Dash_COUNT
};
using Dash = int;

// Markers placed along a line every Style::marker_spacing pixels (of path length).
enum Marker_ { Marker_None = 0, Marker_Circle, Marker_Square, Marker_Triangle, Marker_Diamond, Marker_COUNT };
using Marker = int;

struct LineStyle {
  Dash dash = Dash_Solid;       // dash pattern
  Marker marker = Marker_None;  // marker along the line
};

// Look of all plots; colours default to StyleColorsDark().
struct Style {
  float line_weight = 1.5f;         // default line thickness in pixels
  float weight_scale = 1.0f;        // every item's line weight (default or SetNextLineStyle's) times this: a figure's
                                    // lines grow with its fonts (the UI scale)
  float fill_alpha = 0.25f;         // default alpha of PlotShaded bands
  float stacked_alpha = 0.85f;      // alpha of PlotStacked areas
  float highlight_dim = 0.25f;      // alpha factor of the other series while one is highlighted
  ImVec2 padding = ImVec2(8, 6);    // frame edge to title/labels
  float x_tick_spacing = 44.0f;     // least pixels between x ticks (labels also keep 14 px apart)
  float y_tick_spacing = 30.0f;     // least pixels between y ticks
  float fit_padding = 0.06f;        // fraction of the y range added above and below when fitting
  float min_span_fraction = 1e-4f;  // pan/zoom: least view span as a fraction of the data's extent
  float marker_spacing = 56.0f;     // pixels of path between two markers of a line
  bool style_every_series =
      false;  // "grayscale-safe": SeriesLineStyle gives every series a dash/marker, not only those past 8
  palette::Theme theme = palette::Theme::dark;  // categorical colours given to items without a style
  ImU32 frame_bg = 0;                           // whole plot frame (0 = transparent)
  ImU32 plot_bg = 0;                            // data area background
  ImU32 plot_border = 0;                        // data area border
  ImU32 grid = 0;                               // major grid lines
  ImU32 grid_minor = 0;                         // minor grid lines (log axes)
  ImU32 text = 0;                               // title and axis labels
  ImU32 tick_text = 0;                          // tick labels
  ImU32 crosshair = 0;                          // hover lines
  ImU32 legend_bg = 0;                          // legend box
  ImU32 legend_border = 0;                      // legend box border
  ImU32 legend_hover = 0;                       // hovered legend entry
  ImU32 hidden_text = 0;                        // legend text of a hidden series
  ImU32 selection = 0;                          // box-zoom rectangle fill (its border is opaque)
  ImU32 marker_text_bg = 0;                     // background behind PlotVLines labels
};

// UI-only state of one plot, kept across frames and keyed by its ImGui ID.
struct PlotState {
  Range x, y;                       // current view limits
  bool fit_x = true, fit_y = true;  // following the data (AxisFlags_AutoFit, first frame, double-click)
  bool fit_request = false;         // fit both axes once at the end of the next frame
  ImGuiStorage hidden;              // item ID -> 1 if hidden by a legend click
  ImGuiID highlighted = 0;          // item whose legend entry was hovered last frame
  ImVec2 legend_min, legend_max;    // legend box last frame (screen pixels; empty if none)
  int drag_region = -1;             // -1 none, 0 plot area, 1 x axis, 2 y axis (left drag)
  bool box_active = false;          // right-drag box zoom in progress
  ImVec2 box_start;                 // where it started (screen pixels)
  Range bounds_x,
      bounds_y;  // pan/zoom limits: the data's extent as a fit pads it (grown by data seen since the last full fetch)
  bool has_bounds_x = false, has_bounds_y = false;  // bounds known (some data seen, or SetupAxisLimits)
  bool initialised = false;                         // seen at least once
};

// Per-point access for the G(etter) functions; data is whatever you pass as `data`.
using Getter = Point (*)(const void* data, int index);
using StackGetter = Point (*)(const void* data, int series, int index);  // PlotStackedG

// [SECTION] Context and style

void CreateContext();     // once, after ImGui::CreateContext()
void DestroyContext();    // before ImGui::DestroyContext()
Style& GetStyle();        // edit in place
void StyleColorsDark();   // colours for ImGui's dark theme; categorical colours for dark backgrounds
void StyleColorsLight();  // colours for ImGui's light theme
PlotState* GetPlotState(const char* title_id);  // state of a plot in the current window (nullptr if never shown)
void SetHiddenLabels(const std::vector<std::string>& labels);  // items labelled so are not drawn, in any plot
                                                               // (`shot --view hide=LABEL`); {}: none

// [SECTION] Begin/End and setup

bool BeginPlot(const char* title_id, const ImVec2& size = ImVec2(-1, 0),
               PlotFlags flags = 0);  // size <= 0: fill / default 280 px
void EndPlot();                       // legend, crosshair, tooltip, input state; only if BeginPlot returned true
void SetupAxes(const char* x_label, const char* y_label, AxisFlags x_flags = 0,
               AxisFlags y_flags = 0);                              // labels may be nullptr
void SetupAxis(Axis axis, const char* label, AxisFlags flags = 0);  // one axis; label "long|short": see below
// An axis label longer than its axis (a short plot's y label would run into what is above and
// below it) is drawn in a shorter form: the one after '|' ("normalised entropy|entropy"), else
// the label without a trailing "(...)" ("loss (log scale)" -> "loss"). Data labels keep the long form.
void SetupAxisLimits(Axis axis, double min, double max,
                     ImGuiCond cond = ImGuiCond_Once);  // Once: first frame; Always: every frame
void SetupAxisLinks(Axis axis, AxisLink* link);         // share this axis' limits with other plots through *link
void SetupAxisFormat(Axis axis, const char* fmt);       // printf format for tick labels (nullptr: SI, e.g. 10k, 1.5M)
void SetupFinish();  // lays out, draws axes, handles input; implicit at the first Plot* or utility call
void SetupDataLabels(const char* x_label,
                     const char* y_label);  // the axes' names (with units) in the plot's data (F.csv, plot_data.h)
                                            // where the drawn labels are short or left out; nullptr: as drawn.
                                            // Any time before the items it names (it changes no layout)

// [SECTION] Item style (applies to the next item only)

void SetNextLineStyle(ImU32 colour = 0,
                      float weight = -1.0f);  // 0 / negative: automatic (next palette colour, Style::line_weight)
void SetNextFillStyle(
    ImU32 colour = 0,
    float alpha = -1.0f);  // PlotShaded/Stacked/Bars/Heatmap swatch: colour, alpha (x the colour's own)
void SetNextLineDash(Dash dash,
                     Marker marker = Marker_None);  // lines: dash pattern and markers (overrides ItemFlags_Dashed)
void SetNextDataNames(const char* first,
                      const char* second = nullptr);  // the next item's data columns (F.csv) are its label + these
                                                      // suffixes: a line's one (default none), a band's lower and
                                                      // upper (default " lower", " upper"), e.g. " min", " max"
void SetNextSeries(
    int index);  // the next item is categorical series `index`: palette::categorical(index) unless SetNextLineStyle
                 // gave a colour, and SeriesLineStyle(index) unless SetNextLineDash gave one
LineStyle SeriesLineStyle(
    int index);  // series `index`'s line style: solid below 8, then a dash pattern by index / 8; with
                 // Style::style_every_series, a distinct dash + marker look for each of the first 25

LineStyle RunLineStyle(
    int slot);  // run `slot`'s line style (runs side by side): slot 0 (the first run) solid, the others
                // dashed, dotted, dash-dot, long dash in turn, a marker from slot 8 on: with the colour
                // (palette::run_colour) no two of the first 16 alike, and runs differ in grey too

// [SECTION] Items (getter forms; typed forms below)

void PlotLineG(const char* label, Getter getter, const void* data, int count,
               ItemFlags flags = 0);  // line through getter(data, 0..count-1)
void PlotShadedG(const char* label, Getter lower, Getter upper, const void* data, int count,
                 ItemFlags flags = 0);  // band between two curves with the same x
void PlotStackedG(const char* const* labels, int n_series, StackGetter getter, const void* data, int count,
                  const ImU32* colours = nullptr,
                  ItemFlags flags = 0);  // stacked areas; series s at point i = getter(data, s, i); all series share x
void PlotBarsG(const char* label, Getter getter, const void* data, int count, double bar_width,
               ItemFlags flags = 0);  // bars from 0 to y, centred on x
void PlotHLine(const char* label, double y,
               ItemFlags flags = 0);  // horizontal line across the plot (e.g. the ideal load 1/E)
void PlotVLines(const char* label, const double* xs, int count, const char* const* texts = nullptr,
                ItemFlags flags = 0);  // event markers with optional texts
void PlotHeatmap(const char* label, const float* values, int rows, int cols, double scale_min, double scale_max,
                 Point bounds_min = {0, 0}, Point bounds_max = {0, 0},
                 ItemFlags flags = 0);  // CPU rectangles, row 0 at the top; bounds_max (0,0) = (cols, rows)
void PlotImage(const char* label, ImTextureID texture, Point bounds_min, Point bounds_max, ImVec2 uv0 = ImVec2(0, 0),
               ImVec2 uv1 = ImVec2(1, 1), ImU32 tint = IM_COL32_WHITE,
               ItemFlags flags = 0);  // a GL texture (e.g. HeatmapGL) in plot coordinates; uv0 is the top-left
void ColorBar(const char* label, double scale_min, double scale_max, const ImVec2& size = ImVec2(0, 0),
              const char* fmt = nullptr);  // colormap scale as its own widget (size 0: 70 x 280 px)

// [SECTION] Utilities (inside BeginPlot/EndPlot)

bool IsPlotHovered();                         // mouse over the data area
Point GetPlotMousePos();                      // mouse in plot coordinates
Range GetPlotLimits(Axis axis);               // view limits this frame
Range GetPlotQueryRange(Axis axis = Axis_X);  // range to fetch data for: the view, or (-inf, inf) while this axis is
                                              // being fitted to the data
ImVec2 PlotToPixels(Point p);                 // plot -> screen pixels
float GetMarkerLabelX(double x, float text_width);  // left edge of the label PlotVLines puts on a line at x
Point PixelsToPlot(ImVec2 px);                      // screen pixels -> plot
ImVec2 GetPlotPos();                                // top-left of the data area (screen pixels)
ImVec2 GetPlotSize();                               // size of the data area (pixels)
int GetPlotPointBudget();                           // points worth fetching for a line: 2 per pixel column
ImDrawList*
GetPlotDrawList();  // the window's draw list (clip to GetPlotPos/Size yourself); screen only, prefer GetPlotRecorder()
class Recorder;
Recorder&
GetPlotRecorder();  // where this plot's primitives go (clip to GetPlotPos/Size yourself): the screen or SetRecorder's

// [SECTION] Drawing back ends
// The primitives a plot is made of. Coordinates are screen pixels in ImGui's
// convention (integer coordinates are pixel corners; Line draws through pixel
// centres, a + (0.5, 0.5), as ImDrawList::AddLine does). Renderers decide what
// to draw (culling, decimation, clipping to the data area, dash lengths, text
// placement); a back end only turns each primitive into its own calls, in order.

enum TextFlags_ {
  TextFlags_None = 0,
  TextFlags_Vertical = 1 << 0,  // turned a quarter turn anticlockwise (reads bottom to top); pos is its centre
};
using TextFlags = int;

struct Stroke {
  ImU32 colour = 0;     // with alpha
  float weight = 1.0f;  // line width in pixels
  float dash = 0;       // dashed: pixels on (0 = solid)
  float gap = 0;        // dashed: pixels off after each dash
  float dash2 = 0;      // dashed: a second dash after the gap (0: the period is dash, gap), e.g. the dot of dash-dot
  float gap2 = 0;       // dashed: pixels off after the second dash
};

struct TextPrim {
  ImVec2 pos;     // top-left of the text as the screen draws it (TextFlags_Vertical: its centre)
  ImVec2 anchor;  // the point of the text box the layout aligned, as a fraction: (0.5, 0) top centre, (1, 0.5) right
                  // middle
  float size = 13.0f;              // font size in pixels
  ImU32 colour = 0;                // text colour
  const char* text = nullptr;      // UTF-8
  const char* text_end = nullptr;  // nullptr: up to the '\0'
  TextFlags flags = 0;             // TextFlags_
  float wrap_width = 0;            // wrap lines at this width in pixels (0: one line per '\n')
};

// An image in a screen rectangle: a GPU texture, or CPU colours (a heatmap) with its data.
struct ImagePrim {
  ImVec2 min, max;                   // screen rectangle of the whole image
  ImTextureID texture = nullptr;     // GPU texture (screen only), or nullptr for CPU pixels
  ImVec2 uv0 = ImVec2(0, 0);         // texture: top-left texel coordinates
  ImVec2 uv1 = ImVec2(1, 1);         // texture: bottom-right texel coordinates
  ImU32 tint = IM_COL32_WHITE;       // texture: multiplied colour
  const ImU32* pixels = nullptr;     // CPU: rows x cols colours, row 0 at the top; alpha 0 = no cell
  int rows = 0, cols = 0;            // CPU: matrix size
  const float* col_edges = nullptr;  // CPU: cols + 1 pixel x edges of the cells (nullptr: even split of min..max)
  const float* row_edges = nullptr;  // CPU: rows + 1 pixel y edges, row 0 first (nullptr: even split)
  const float* values = nullptr;     // CPU: the data behind the colours (rows x cols), for back ends that keep numbers
};

// Receives every primitive of the plots drawn while it is the target. Calls come in
// drawing order; PushClip/PopClip nest, and each clip intersects the current one.
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void PushClip(ImVec2 min, ImVec2 max) = 0;                // clip what follows to min..max (intersected)
  virtual void PopClip() = 0;                                       // undo the last PushClip
  virtual void Line(ImVec2 a, ImVec2 b, const Stroke& stroke) = 0;  // a segment (through pixel centres)
  virtual void Polyline(const ImVec2* points, int count,
                        const Stroke& stroke) = 0;  // an open path through count >= 2 points
  virtual void RectFilled(ImVec2 min, ImVec2 max, ImU32 colour,
                          float rounding = 0) = 0;  // a filled rectangle, corner radius
  virtual void Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0,
                    float weight = 1) = 0;  // a rectangle's outline
  virtual void RectGradient(ImVec2 min, ImVec2 max, ImU32 top,
                            ImU32 bottom) = 0;  // filled, colour blended from top to bottom
  virtual void Quad(
      const ImVec2* corners,
      ImU32 colour) = 0;  // filled convex quad (4 corners in order), edges not anti-aliased so neighbours tile
  virtual void Dot(ImVec2 centre, float radius, ImU32 colour,
                   int segments) = 0;  // a filled circle (segments: the screen's tessellation)
  virtual void Circle(ImVec2 centre, float radius, const Stroke& outline,
                      int segments) = 0;  // a circle's outline (solid)
  virtual void ConvexPolygon(const ImVec2* points, int count, ImU32 fill,
                             const Stroke& outline) = 0;  // filled (alpha 0: not), then its closed solid outline
                                                          // (colour 0: none); e.g. markers
  virtual void Text(const TextPrim& text) = 0;            // text, kept as text
  virtual void Image(const ImagePrim& image) = 0;         // a texture or a CPU heatmap
};

// The screen back end: each primitive becomes the ImDrawList call that draws it.
class DrawListRecorder : public Recorder {
 public:
  explicit DrawListRecorder(ImDrawList* draw_list = nullptr) : dl_(draw_list) {}  // draw_list may be set later
  void SetDrawList(ImDrawList* draw_list) { dl_ = draw_list; }                    // target draw list
  ImDrawList* GetDrawList() const { return dl_; }                                 // target draw list
  void PushClip(ImVec2 min, ImVec2 max) override;                                 // PushClipRect(min, max, true)
  void PopClip() override;                                                        // PopClipRect
  void Line(ImVec2 a, ImVec2 b, const Stroke& stroke) override;  // AddLine; dashed: one AddLine per dash
  void Polyline(const ImVec2* points, int count,
                const Stroke& stroke) override;  // AddPolyline; dashed: one AddLine per dash
  void RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0) override;              // AddRectFilled
  void Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0, float weight = 1) override;  // AddRect
  void RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) override;  // AddRectFilledMultiColor
  void Quad(const ImVec2* corners, ImU32 colour) override;  // two triangles of raw vertices (no AA fringe)
  void Dot(ImVec2 centre, float radius, ImU32 colour, int segments) override;              // AddCircleFilled
  void Circle(ImVec2 centre, float radius, const Stroke& outline, int segments) override;  // AddCircle
  void ConvexPolygon(const ImVec2* points, int count, ImU32 fill,
                     const Stroke& outline) override;  // AddConvexPolyFilled, closed AddPolyline
  void Text(const TextPrim& text) override;            // AddText; vertical: its vertices turned
  void Image(const ImagePrim& image) override;         // AddImage, or one AddRectFilled per cell

 private:
  ImDrawList* dl_;
};

void SetRecorder(Recorder* recorder);  // plots and colour bars draw into recorder from the next BeginPlot/ColorBar on;
                                       // nullptr: the screen (default)
Recorder* GetRecorder();               // the target set by SetRecorder (nullptr: the screen)
Recorder& ScreenRecorder();            // the screen back end (DrawListRecorder) plots use when no recorder is set
Recorder& GetWindowRecorder();  // for drawing outside a plot (keys, titles): the target, or the screen aimed at the
                                // current window's draw list

// Text in the current font into the current recorder (inside a plot, or for the plot layer's own labels).
// pos: its top-left on screen (TextFlags_Vertical: its centre); anchor: the point the layout aligned (TextPrim).
void AddPlotText(ImVec2 pos, ImU32 colour, const char* text, ImVec2 anchor = ImVec2(0, 0), TextFlags flags = 0,
                 const char* text_end = nullptr, float wrap_width = 0);  // wrap_width > 0: wrap lines at that width

// [SECTION] Helpers

// A legend swatch of a line: a horizontal stroke across min..max with the style's dash
// pattern and, if any, its marker in the middle (the plot legend's; keys outside plots can use it).
void DrawLineSwatch(Recorder& rec, ImVec2 min, ImVec2 max, ImU32 colour, LineStyle style, float weight = 2.0f);

// Debiased exponential moving average (TensorBoard's "smoothing" in [0, 1)): out[i]
// averages the finite in[0..i] with weights smoothing^age. A non-finite input gives
// NaN at that point and leaves the average unchanged. in == out is allowed; strides in bytes.
void SmoothEma(const float* in, float* out, int count, double smoothing, int in_stride = sizeof(float),
               int out_stride = sizeof(float));
void SmoothEma(const double* in, double* out, int count, double smoothing, int in_stride = sizeof(double),
               int out_stride = sizeof(double));

// Tick label text as the axes print it: 1-2-5 steps, SI suffixes (1.5k, 10M), trailing zeros dropped.
int FormatTick(double value, double step, char* buf, int buf_size);

// [SECTION] Data access: strided and ring-buffer arrays
// Element i of an array is at byte (offset + i) % count * stride from its start,
// so a ring buffer that wrapped at `offset` plots in order without a copy.

namespace detail {
template <typename T>
inline double Index(const T* data, int i, int count, int offset, int stride) {
  const int k = offset == 0 ? i : (offset + i) % count;
  return double(*reinterpret_cast<const T*>(reinterpret_cast<const unsigned char*>(data) + size_t(k) * size_t(stride)));
}
template <typename T>
struct YsData {
  const T* ys;
  int count, offset, stride;
  double x_scale, x0;
};
template <typename T>
Point YsGetter(const void* d, int i) {
  const auto& a = *static_cast<const YsData<T>*>(d);
  return {a.x0 + a.x_scale * double(i), Index(a.ys, i, a.count, a.offset, a.stride)};
}
template <typename T>
struct XYData {
  const T* xs;
  const T* ys;
  const T* ys2;  // PlotShaded upper curve
  int count, offset, stride;
};
template <typename T>
Point XYGetter(const void* d, int i) {
  const auto& a = *static_cast<const XYData<T>*>(d);
  return {Index(a.xs, i, a.count, a.offset, a.stride), Index(a.ys, i, a.count, a.offset, a.stride)};
}
template <typename T>
Point XY2Getter(const void* d, int i) {
  const auto& a = *static_cast<const XYData<T>*>(d);
  return {Index(a.xs, i, a.count, a.offset, a.stride), Index(a.ys2, i, a.count, a.offset, a.stride)};
}
template <typename T>
struct StackData {
  const T* values;  // [n_series][count], row-major
  int count;
  double x_scale, x0;
};
template <typename T>
Point StackGetterOf(const void* d, int s, int i) {
  const auto& a = *static_cast<const StackData<T>*>(d);
  return {a.x0 + a.x_scale * double(i), double(a.values[size_t(s) * size_t(a.count) + size_t(i)])};
}
}  // namespace detail

// ys[i] at x = x0 + i * x_scale.
template <typename T>
void PlotLine(const char* label, const T* ys, int count, double x_scale = 1, double x0 = 0, ItemFlags flags = 0,
              int offset = 0, int stride = sizeof(T)) {
  const detail::YsData<T> d{ys, count, offset, stride, x_scale, x0};
  PlotLineG(label, &detail::YsGetter<T>, &d, count, flags);
}

// (xs[i], ys[i]); with a struct array pass pointers to two fields and stride = sizeof(struct).
template <typename T>
void PlotLine(const char* label, const T* xs, const T* ys, int count, ItemFlags flags = 0, int offset = 0,
              int stride = sizeof(T)) {
  const detail::XYData<T> d{xs, ys, nullptr, count, offset, stride};
  PlotLineG(label, &detail::XYGetter<T>, &d, count, flags);
}

// Band between (xs[i], lower[i]) and (xs[i], upper[i]), e.g. a bucket's min and max.
template <typename T>
void PlotShaded(const char* label, const T* xs, const T* lower, const T* upper, int count, ItemFlags flags = 0,
                int offset = 0, int stride = sizeof(T)) {
  const detail::XYData<T> d{xs, lower, upper, count, offset, stride};
  PlotShadedG(label, &detail::XYGetter<T>, &detail::XY2Getter<T>, &d, count, flags);
}

// Stacked areas: values[s * count + i] is series s at x = x0 + i * x_scale.
template <typename T>
void PlotStacked(const char* const* labels, const T* values, int n_series, int count, double x_scale = 1, double x0 = 0,
                 const ImU32* colours = nullptr, ItemFlags flags = 0) {
  const detail::StackData<T> d{values, count, x_scale, x0};
  PlotStackedG(labels, n_series, &detail::StackGetterOf<T>, &d, count, colours, flags);
}

// Bar i at x = x0 + i, height values[i].
template <typename T>
void PlotBars(const char* label, const T* values, int count, double bar_width = 0.67, double x0 = 0,
              ItemFlags flags = 0, int offset = 0, int stride = sizeof(T)) {
  const detail::YsData<T> d{values, count, offset, stride, 1.0, x0};
  PlotBarsG(label, &detail::YsGetter<T>, &d, count, bar_width, flags);
}

}  // namespace moe::plot

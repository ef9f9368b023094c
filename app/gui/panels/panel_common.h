// panel_common.h: what the time-series panels share (panel_common.cpp).
//
//   begin_time_plot   BeginPlot + x axis "step" linked across every time plot
//                     (ui.steps_link), y axis label/flags; returns false if hidden
//   plot_series       one History series over the visible steps: its min..max
//                     band per bucket and its mean as a line, EMA-smoothed by ui.ema
//   plot_events       every live change ("top_k 2→1") as a labelled vertical marker
//   layer_of          the MoE layer the per-layer panels show (ui.layer, clamped)
//   no_data_note      centred grey text inside the plot when there is nothing yet
//   key_row           a one-line legend above a plot (never covers the newest data)
//   theme, reference_colour, event_colour   colours that read on the current plot theme
#pragma once

#include <vector>

#include "panels.h"
#include "plot.h"
#include "ui_state.h"

namespace moe::panel {

int layer_of(const PanelContext& ctx);  // ui.layer clamped to [0, n_layers - 1]

bool begin_time_plot(PanelContext& ctx, const char* title_id, const ImVec2& size, const char* y_label,
                     plot::AxisFlags y_flags = plot::AxisFlags_AutoFit, plot::PlotFlags flags = 0);

struct SeriesStyle {
  ImU32 colour = 0;  // 0: next palette colour
  bool band = true;  // min..max band of each bucket behind the line
  plot::ItemFlags flags = 0;
  float weight = -1.0f;  // line weight (-1 = style default)
  double scale = 1.0;    // values drawn times this (100: a share in %)
};
// Fetches `id` over plot::GetPlotQueryRange and draws it; returns the points drawn.
int plot_series(PanelContext& ctx, const char* label, SeriesId id, const SeriesStyle& style = {});

void plot_events(PanelContext& ctx,
                 bool labels = true);  // after the series, before EndPlot; labels = false: lines only

// ui.ema per point of a fetch at `level` (a bucket of 2^level steps), so a curve is
// smoothed over the same number of steps at every zoom; 0 = no smoothing.
double ema_for_level(const PanelContext& ctx, int level);

void no_data_note(const char* text);

// Expert axes (gates, this step, specialisation): x at integer positions, labelled 0..E-1
// as densely as the labels fit. setup_expert_axis before the first item, draw_expert_ticks after.
void setup_expert_axis(const char* label);
void draw_expert_ticks(int E);  // inside BeginPlot/EndPlot
void fit_include(double y);     // the y fit reaches y, with the usual padding (unlike FitZero, 0 stays off the frame)

// Plots stacked on one x axis whose y tick labels differ in width: shifts each frame right so
// every data area starts at the same x (margins measured last frame, so it settles in one).
//   static panel::ColumnAlign align;                      // one per stack
//   width = align.begin(0, width);  if (begin_time_plot(...)) { align.record(0); ...; EndPlot(); }
struct ColumnAlign {
  static constexpr int kMax = 4;
  float margin[kMax] = {};          // data-area left − frame left of each plot, last frame
  float frame_x = 0;                // frame left of the plot being drawn
  float begin(int i, float width);  // before BeginPlot: moves the cursor, returns the narrower width
  void record(int i);               // inside the plot (after Setup*): measures its margin
};

// Pixels a plot with x tick labels loses on its right (half its last step label): narrow the
// plots without tick labels above it by this much and their x axes line up with it.
float x_labels_right_inset(const PanelContext& ctx);

// y tick values for a short plot showing `range`: multiples of a 1-2-5 step, at least two
// and at most max_labels (>= 2). False if the range is empty.
bool nice_ticks(const plot::Range& range, int max_labels, std::vector<double>& out);

// Rows for labels laid out along one line: label i spans [x0[i], x1[i]] (NaN: not shown);
// each goes into the first row (0 = top) where it keeps `gap` from the label before it,
// -1 if none of max_rows has room. Labels are taken in index order (events by step).
// Returns the rows used.
int stack_label_rows(const float* x0, const float* x1, int n, int max_rows, float gap, int* rows);

// The sparsity panel's comparison, one row per model: this model, Mixtral 8x7B, DeepSeek-V3/R1,
// and GPT-4 twice (the ~280B-active reports and the popular "about 2%" figure, both unofficial).
struct ShareRow {
  const char* name;        // "Mixtral 8x7B"
  const char* short_name;  // when the name column would take more than 30% of the width
  double total, active;    // parameters, and those one token uses
  bool unofficial;         // never published by its maker (marked *)
  const char* note;        // source, for the tooltip
};
ShareRow* sparsity_rows(const SparsityFigures& sp, int* count);  // static storage, refreshed by each call

// [SECTION] Legend above a plot and theme-aware colours (outside BeginPlot/EndPlot)

struct KeyItem {
  const char* label;        // e.g. "router entropy"
  ImU32 colour;             // swatch colour
  bool dashed = false;      // reference line (dashed swatch)
  plot::LineStyle style{};  // a series' dash pattern / marker (plot::SeriesLineStyle): a wide swatch shows it
};
// Swatch + label per item on the current line, wrapping at the region's edge;
// returns the item under the mouse (-1: none) so the caller can highlight it.
// With `shown` ([count]), a click on an entry toggles shown[i]; hidden ones are greyed.
int key_row(const KeyItem* items, int count, bool* shown = nullptr);
// A line of text as an item on a row of frames, drawn through the plot layer's recorder so a
// figure file gets it (the key's name, a figure's readout); colour 0: the plot text colour.
void recorded_text(const char* text, ImU32 colour = 0);
// A paragraph of any length wrapped at the region's width (and at its '\n'), through the recorder;
// dim: the tick text colour. Text panels (samples) use it so a figure keeps their text as text.
void recorded_paragraph(const char* text, bool dim = false);
// A line of a side key (ImGui::Text's layout), drawn through the recorder; dim: the tick text colour.
void key_text(bool dim, const char* fmt, ...) IM_FMTARGS(2);
// The ImDrawList calls panels make outside plots (text, rectangles, lines), through the
// plot layer's recorder, so what a panel draws reaches a figure file (figure.h) as on screen:
//   panel::RecordedDrawList rdl; panel::RecordedDrawList* dl = &rdl;  dl->AddText(...);
struct RecordedDrawList {
  plot::Recorder& rec = plot::GetWindowRecorder();
  void AddText(ImVec2 pos, ImU32 col, const char* text) { AddText(nullptr, ImGui::GetFontSize(), pos, col, text); }
  void AddText(ImFont*, float size, ImVec2 pos, ImU32 col, const char* text) {
    plot::TextPrim t;
    t.pos = pos;
    t.size = size;
    t.colour = col;
    t.text = text;
    rec.Text(t);
  }
  void AddRectFilled(ImVec2 a, ImVec2 b, ImU32 col, float rounding = 0) { rec.RectFilled(a, b, col, rounding); }
  void AddLine(ImVec2 a, ImVec2 b, ImU32 col, float weight) { rec.Line(a, b, plot::Stroke{col, weight}); }
  void AddRect(ImVec2 a, ImVec2 b, ImU32 col, float rounding = 0, float weight = 1) {
    rec.Rect(a, b, col, rounding, weight);
  }
};

inline bool figure_mode(const PanelContext& ctx) { return ctx.ui.figure; }  // no chrome: a figure (figure.h)
// Key entries to emphasise when none is hovered (a lesson step's focus): an entry whose label
// equals one of `labels`, or starts with one longer than 2 characters, is framed and returned
// by key_row as if hovered. Empty (the default) for none.
void set_emphasis(std::vector<std::string> labels);
bool emphasised(const char* label);

palette::Theme theme();    // plot::GetStyle().theme (the colours the plots are using)
ImU32 reference_colour();  // dashed reference lines (ideal 1/E, thresholds): neutral grey for the theme
ImU32 event_colour();      // event markers

}  // namespace moe::panel

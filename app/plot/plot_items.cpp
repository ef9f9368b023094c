// plot_items.cpp: the items of a plot (plot.h): item bookkeeping (colours,
// legend entries, fit extents, values under the mouse), the renderers that
// turn data into clipped, decimated primitives, and every Plot* function.
// Items read their data only through getters (plot.h, [SECTION] Data access).
//
// Index (grep "[SECTION]"):
// [SECTION] Item bookkeeping: colours, legend entries, fit extents, hover values
// [SECTION] Renderers: polylines, dashes, bands
// [SECTION] Items
// [SECTION] Helpers: smoothing
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

// [SECTION] Item bookkeeping: colours, legend entries, fit extents, hover values

namespace {

struct ItemDraw {
  int record = -1;  // index into cur.items
  ImU32 line = 0;   // line colour (dimmed if another item is highlighted)
  ImU32 fill = 0;   // fill colour with alpha
  float weight = 1.5f;
  bool hover = false;     // compute the value under the mouse
  LineStyle style;        // dash pattern and markers of a line (ItemFlags_Dashed: Dash_Dashed)
  int series = 0;         // series index (markers of different series start at different offsets)
  std::string data[2];    // SetNextDataNames: column suffixes in the figure's data
  bool data_set = false;  // SetNextDataNames was given
};

// Registers an item; returns false if it is hidden (nothing to draw).
bool BeginItem(const char* label, ItemFlags flags, bool filled, ItemDraw& d, float default_fill_alpha) {
  SetupFinish();
  Context& c = Ctx();
  CurrentPlot& p = c.cur;
  const Style& s = c.style;
  const ImGuiID id = ImHashStr(label, 0, p.id);
  ItemRecord rec;
  rec.id = id;
  rec.label.assign(label, DisplayEnd(label));
  const ImU32 explicit_colour = filled && p.next_fill_colour ? p.next_fill_colour : p.next_line_colour;
  // Series index: SetNextSeries's, else the next automatic colour's (-1: an explicit colour, no series).
  const int series = p.next_series >= 0 ? p.next_series : explicit_colour ? -1 : p.colour_index++;
  rec.colour = explicit_colour ? (explicit_colour | 0xFF000000u)
                               : palette::categorical(series, s.theme);  // swatch: opaque
  if (p.next_dash >= 0)
    d.style = LineStyle{p.next_dash, p.next_marker};
  else if (series >= 0 && !filled)
    d.style = SeriesLineStyle(series);
  rec.line_style = d.style;  // the legend's swatch (ItemFlags_Dashed keeps its own below)
  if (d.style.dash == Dash_Solid && (flags & ItemFlags_Dashed)) d.style.dash = Dash_Dashed;
  d.series = std::max(0, series);
  const float own_alpha = explicit_colour ? float(explicit_colour >> 24) / 255.0f
                                          : 1.0f;  // an explicit colour's alpha still applies
  rec.hidden = p.state->hidden.GetInt(id, 0) != 0 ||
               std::find(c.hidden_labels.begin(), c.hidden_labels.end(), rec.label) != c.hidden_labels.end();
  rec.legend = !(flags & ItemFlags_NoLegend) && !rec.label.empty();
  rec.tooltip = !(flags & ItemFlags_NoTooltip) && !rec.label.empty();
  rec.filled = filled;
  rec.dashed = (flags & ItemFlags_Dashed) != 0;
  d.weight = (p.next_weight > 0 ? p.next_weight : s.line_weight) * s.weight_scale;
  float alpha = p.next_fill_alpha >= 0 ? p.next_fill_alpha : default_fill_alpha;
  p.next_line_colour = p.next_fill_colour = 0;
  p.next_weight = p.next_fill_alpha = -1;
  p.next_series = p.next_dash = -1;
  p.next_marker = Marker_None;
  if (p.next_data_set) {
    d.data[0].swap(p.next_data[0]);
    d.data[1].swap(p.next_data[1]);
    d.data_set = true;
    p.next_data_set = false;
  }
  const ImGuiID hl = p.state->highlighted;
  float dim = 1.0f;
  if (hl != 0 && hl != id) dim = s.highlight_dim;
  if (hl == id) d.weight += 1.5f;
  // Whole pixels, so every line of one weight shows the same width (a 1.5 px
  // line alternates between 1 and 2 lit pixels along its length).
  d.weight = std::max(1.0f, std::round(d.weight));
  d.line = palette::with_alpha(rec.colour, own_alpha * dim);
  d.fill = palette::with_alpha(rec.colour, own_alpha * alpha * dim);
  d.record = int(p.items.size());
  d.hover = p.hovered && rec.tooltip && !rec.hidden;
  p.items.push_back(std::move(rec));
  if (p.items.back().hidden) return false;
  Rec().PushClip(p.area.Min, p.area.Max);
  return true;
}

void EndItem() { Rec().PopClip(); }

// Every finite value given counts towards the pan/zoom bounds (all_*); while
// gathering, towards the fit too (ext_*).
void FitX(double x) {
  CurrentPlot& p = Ctx().cur;
  if (!std::isfinite(x)) return;
  p.all_min[Axis_X] = std::min(p.all_min[Axis_X], x);
  p.all_max[Axis_X] = std::max(p.all_max[Axis_X], x);
  if (!p.gather) return;
  p.ext_min[Axis_X] = std::min(p.ext_min[Axis_X], x);
  p.ext_max[Axis_X] = std::max(p.ext_max[Axis_X], x);
}

void FitY(double y, bool fit = true) {
  CurrentPlot& p = Ctx().cur;
  if (!std::isfinite(y) || (p.tf.log_y && y <= 0)) return;
  p.all_min[Axis_Y] = std::min(p.all_min[Axis_Y], y);
  p.all_max[Axis_Y] = std::max(p.all_max[Axis_Y], y);
  if (!p.gather || !fit) return;
  p.ext_min[Axis_Y] = std::min(p.ext_min[Axis_Y], y);
  p.ext_max[Axis_Y] = std::max(p.ext_max[Axis_Y], y);
}

// y counts towards the fit if x is (or will be) in view.
void FitPoint(double x, double y) {
  CurrentPlot& p = Ctx().cur;
  FitX(x);
  FitY(y, !p.gather || p.state->fit_x || p.state->fit_request || p.state->x.contains(x));
}

// Tracks the point nearest to the mouse along x.
struct HoverPick {
  bool active = false;
  double best = DBL_MAX;  // |px - mouse.x|
  double x = 0, y = 0, y2 = NAN;
  double px_min = DBL_MAX, px_max = -DBL_MAX;
  void add(double px, double x_, double y_, double y2_ = NAN) {
    px_min = std::min(px_min, px);
    px_max = std::max(px_max, px);
    const double d = std::abs(px - double(Ctx().cur.mouse.x));
    if (d < best) {
      best = d;
      x = x_;
      y = y_;
      y2 = y2_;
    }
  }
  bool found() const {  // the mouse is over the item's x extent (with a little slack)
    const double m = Ctx().cur.mouse.x;
    return active && best < DBL_MAX && m >= px_min - 12 && m <= px_max + 12;
  }
};

void SetValue(int record, const char* text, double x = NAN) {
  ItemRecord& it = Ctx().cur.items[size_t(record)];
  it.value = text;
  it.value_x = x;
}

}  // namespace

void SetNextLineStyle(ImU32 colour, float weight) {
  CurrentPlot& p = Cur();
  p.next_line_colour = colour;
  p.next_weight = weight;
}

void SetNextFillStyle(ImU32 colour, float alpha) {
  CurrentPlot& p = Cur();
  p.next_fill_colour = colour;
  p.next_fill_alpha = alpha;
}

void SetNextLineDash(Dash dash, Marker marker) {
  CurrentPlot& p = Cur();
  p.next_dash = std::clamp(dash, 0, Dash_COUNT - 1);
  p.next_marker = std::clamp(marker, 0, Marker_COUNT - 1);
}

void SetNextDataNames(const char* first, const char* second) {
  CurrentPlot& p = Cur();
  p.next_data[0] = first ? first : "";
  p.next_data[1] = second ? second : "";
  p.next_data_set = true;
}

void SetNextSeries(int index) { Cur().next_series = std::max(0, index); }

// Default: the first 8 series (as many as the colours that stay apart for colour-blind
// viewers) are solid; each further block of 8 gets the next dash pattern. Every series:
// the five dash patterns plain for series 0-4, then with the four markers in turn
// (5: solid + circle, 6: dashed + square, ...), 25 looks before one repeats, so series
// stay apart in grey or with the colours confused.
LineStyle SeriesLineStyle(int index) {
  index = std::max(0, index);
  if (GetStyle().style_every_series)
    return LineStyle{index % Dash_COUNT,
                     index < Dash_COUNT ? Marker_None : 1 + (index - Dash_COUNT) % (Marker_COUNT - 1)};
  if (index < 8) return LineStyle{};
  return LineStyle{1 + (index / 8 - 1) % (Dash_COUNT - 1), Marker_None};
}

LineStyle RunLineStyle(int slot) {
  slot = std::max(0, slot);
  if (slot == 0) return LineStyle{};  // the first run (the reference) is the one solid line
  return LineStyle{1 + (slot - 1) % (Dash_COUNT - 1), slot < 8 ? Marker_None : 1 + (slot - 8) % (Marker_COUNT - 1)};
}

// [SECTION] Renderers: polylines, dashes, bands

namespace {

constexpr int kPolyChunk =
    4000;  // points per Polyline primitive (on screen 4 vertices each stays under 16-bit indices)

}  // namespace

// A line's stroke: dash patterns whose dashes and gaps grow with the weight.
Stroke LineStroke(ImU32 colour, float weight, Dash dash) {
  Stroke s;
  s.colour = colour;
  s.weight = weight;
  switch (dash) {
    case Dash_Dashed:
      s.dash = 6.0f + 2.0f * weight;
      s.gap = 4.0f + weight;
      break;
    case Dash_Dotted:  // dots a line width long (at least 2 px, so thin lines still read as dots)
      s.dash = std::max(2.0f, weight);
      s.gap = 1.5f + 1.5f * weight;
      break;
    case Dash_DashDot:
      s.dash = 7.0f + 2.0f * weight;
      s.gap = 2.5f + weight;
      s.dash2 = weight;
      s.gap2 = 2.5f + weight;
      break;
    case Dash_LongDash:
      s.dash = 14.0f + 3.0f * weight;
      s.gap = 4.0f + weight;
      break;
    default: break;
  }
  return s;
}

// One marker centred on c, about 2 * (2 + weight) pixels across, filled with the line's colour.
void DrawMarker(Recorder& rec, Marker marker, ImVec2 c, float weight, ImU32 colour) {
  const float r = 2.0f + weight;
  switch (marker) {
    case Marker_Circle: rec.Dot(c, r, colour, 12); break;
    case Marker_Square: {
      const float h = r * 0.85f;
      const ImVec2 pts[4] = {ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y - h), ImVec2(c.x + h, c.y + h),
                             ImVec2(c.x - h, c.y + h)};
      rec.ConvexPolygon(pts, 4, colour, Stroke{});
      break;
    }
    case Marker_Triangle: {
      const float h = r * 1.15f;
      const ImVec2 pts[3] = {ImVec2(c.x, c.y - h), ImVec2(c.x + h * 0.866f, c.y + h * 0.5f),
                             ImVec2(c.x - h * 0.866f, c.y + h * 0.5f)};
      rec.ConvexPolygon(pts, 3, colour, Stroke{});
      break;
    }
    case Marker_Diamond: {
      const float h = r * 1.2f;
      const ImVec2 pts[4] = {ImVec2(c.x, c.y - h), ImVec2(c.x + h, c.y), ImVec2(c.x, c.y + h), ImVec2(c.x - h, c.y)};
      rec.ConvexPolygon(pts, 4, colour, Stroke{});
      break;
    }
    default: break;
  }
}

void DrawLineSwatch(Recorder& rec, ImVec2 min, ImVec2 max, ImU32 colour, LineStyle style, float weight) {
  const float y = std::round((min.y + max.y) * 0.5f) + 0.5f;
  rec.Line(ImVec2(min.x, y), ImVec2(max.x, y), LineStroke(colour, weight, style.dash));
  if (style.marker != Marker_None)
    DrawMarker(rec, style.marker, ImVec2(std::round((min.x + max.x) * 0.5f), y), std::min(weight, 1.5f), colour);
}

namespace {

// Turns a stream of finite pixel points and breaks into clipped, decimated polylines:
//   cull      points far left/right of the area, keeping the neighbours that enter it
//   decimate  (optional) per pixel column: one polyline point and a min..max span
//   clip      each segment to the area's x range, then a Polyline primitive per chunk
class LineBuilder {
 public:
  LineBuilder(Recorder& rec, const ImRect& area, const Stroke& stroke, bool decimate)
      : rec_(rec),
        L_(area.Min.x - 2.0),
        R_(area.Max.x + 2.0),
        top_(area.Min.y),
        bottom_(area.Max.y),
        stroke_(stroke),
        decimate_(decimate),
        poly_(Ctx().poly) {
    poly_.clear();
  }
  // Markers every `spacing` pixels of path, the first `offset` pixels in (markers of
  // different series start at different offsets, so they do not sit on each other).
  void SetMarkers(Marker marker, float spacing, float offset) {
    marker_ = marker;
    spacing_ = std::max(8.0f, spacing);
    to_next_ = std::fmod(std::max(0.0f, offset), spacing_);
  }
  ~LineBuilder() { Break(); }

  void Add(double x, double y) {
    y = std::clamp(y, double(top_) - 1e4, double(bottom_) + 1e4);
    const int side = x < L_ ? -1 : x > R_ ? 1 : 0;
    if (!have_prev_) {
      if (side == 0)
        Decimate(x, y);
      else
        Hold(x, y);
    } else if (side == 0) {
      FlushHeld();
      Decimate(x, y);
    } else if (side == prev_side_) {
      Hold(x, y);
    } else {
      FlushHeld();
      Decimate(x, y);
    }
    have_prev_ = true;
    prev_side_ = side;
  }

  void Break() {
    held_ = false;
    have_prev_ = false;
    FlushColumn();
    have_last_ = false;
    DrawPoly();
  }

 private:
  void Hold(double x, double y) {
    held_ = true;
    hx_ = x;
    hy_ = y;
  }
  void FlushHeld() {
    if (held_) Decimate(hx_, hy_);
    held_ = false;
  }

  // Stage 2 (when there are more than two points per pixel column): per column,
  // one polyline point (the column's first) plus a one-pixel-wide span from the
  // column's min to its max, so noise keeps its true envelope without the
  // hairpin turns a min/max zigzag would force on the polyline joins.
  void Decimate(double x, double y) {
    if (!decimate_) return Clip(x, y);
    const long col = long(std::floor(std::clamp(x, L_ - 8, R_ + 8)));
    if (col_n_ > 0 && col == column_) {
      min_y_ = std::min(min_y_, y);
      max_y_ = std::max(max_y_, y);
      ++col_n_;
      return;
    }
    FlushColumn();
    column_ = col;
    col_n_ = 1;
    first_x_ = x;
    first_y_ = min_y_ = max_y_ = y;
  }
  void FlushColumn() {
    if (col_n_ == 0) return;
    if (col_n_ > 1 && max_y_ - min_y_ > 0.5 && column_ >= L_ && column_ <= R_) {
      const float h = stroke_.weight * 0.5f;
      rec_.RectFilled(ImVec2(float(column_), float(min_y_) - h), ImVec2(float(column_ + 1), float(max_y_) + h),
                      stroke_.colour);
    }
    Clip(first_x_, first_y_);
    col_n_ = 0;
  }

  // Stage 3: clip the segment from the last point to this one to [L, R].
  void Clip(double x, double y) {
    if (!have_last_) {
      have_last_ = true;
      lx_ = x;
      ly_ = y;
      if (x >= L_ && x <= R_) Push(x, y);
      return;
    }
    double ax = lx_, ay = ly_, bx = x, by = y;
    lx_ = x;
    ly_ = y;
    if ((ax < L_ && bx < L_) || (ax > R_ && bx > R_)) {
      DrawPoly();
      return;
    }
    auto at = [&](double cx) { return ay + (by - ay) * (cx - ax) / (bx - ax); };
    bool b_clipped = false;
    double cax = ax, cay = ay, cbx = bx, cby = by;
    if (ax < L_) cax = L_, cay = at(L_);
    if (ax > R_) cax = R_, cay = at(R_);
    if (bx < L_) cbx = L_, cby = at(L_), b_clipped = true;
    if (bx > R_) cbx = R_, cby = at(R_), b_clipped = true;
    const ImVec2 a{float(cax), float(cay)};
    if (poly_.empty() || poly_.back().x != a.x || poly_.back().y != a.y) {
      DrawPoly();
      poly_.push_back(a);
    }
    Push(cbx, cby);
    if (b_clipped) DrawPoly();
  }

  void Push(double x, double y) {
    poly_.push_back(ImVec2(float(x), float(y)));
    if (int(poly_.size()) >= kPolyChunk) {
      const ImVec2 last = poly_.back();
      DrawPoly();
      poly_.push_back(last);
    }
  }

  void DrawPoly() {
    const int n = int(poly_.size());
    if (n == 1 && !have_last_)  // an isolated finite point between breaks: a dot
      rec_.Dot(poly_[0], std::max(1.5f, stroke_.weight), stroke_.colour, 8);
    else if (n >= 2)
      rec_.Polyline(poly_.data(), n, stroke_);
    if (marker_ != Marker_None) PlaceMarkers(n);
    poly_.clear();
  }

  // Walks the polyline just drawn, a marker each time the path covers the distance to the next.
  void PlaceMarkers(int n) {
    if (n == 1 && !have_last_) DrawMarker(rec_, marker_, poly_[0], stroke_.weight, stroke_.colour);
    for (int i = 0; i + 1 < n; ++i) {
      const ImVec2 a = poly_[size_t(i)], b = poly_[size_t(i + 1)];
      const float len = std::sqrt((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y));
      float at = to_next_;
      while (at <= len) {
        const float t = len > 0 ? at / len : 0.0f;
        const ImVec2 c(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
        if (c.x >= L_ + 2 && c.x <= R_ - 2 && c.y >= top_ && c.y <= bottom_)
          DrawMarker(rec_, marker_, c, stroke_.weight, stroke_.colour);
        at += spacing_;
      }
      to_next_ = at - len;
    }
  }

  Recorder& rec_;
  double L_, R_;
  float top_, bottom_;
  Stroke stroke_;
  bool decimate_;
  std::vector<ImVec2>& poly_;
  bool have_prev_ = false, held_ = false;
  int prev_side_ = 0;
  double hx_ = 0, hy_ = 0;
  long column_ = 0;  // pixel column being decimated
  int col_n_ = 0;    // points seen in it
  double first_x_ = 0, first_y_ = 0, min_y_ = 0, max_y_ = 0;
  bool have_last_ = false;
  double lx_ = 0, ly_ = 0;
  Marker marker_ = Marker_None;
  float spacing_ = 56.0f, to_next_ = 0;  // markers: pixels between them, path left to the next
};

// A band in pixels: x with a top and bottom y; `gap` marks a break before it.
struct BandPoint {
  double x, y0, y1;
  bool gap;
};

// Fills quads between consecutive band points, clipping each to the area's x range.
void FillBand(Recorder& rec, const ImRect& area, const std::vector<BandPoint>& pts, ImU32 col) {
  const double L = area.Min.x - 1.0, R = area.Max.x + 1.0;
  for (size_t i = 1; i < pts.size(); ++i) {
    const BandPoint& a = pts[i - 1];
    const BandPoint& b = pts[i];
    if (b.gap || b.x <= a.x) continue;
    if (b.x < L || a.x > R) continue;
    auto lerp = [&](double x, double ya, double yb) { return ya + (yb - ya) * (x - a.x) / (b.x - a.x); };
    const double x0 = std::max(a.x, L), x1 = std::min(b.x, R);
    const float ax = float(x0), bx = float(x1);
    const float a0 = float(lerp(x0, a.y0, b.y0)), a1 = float(lerp(x0, a.y1, b.y1));
    const float b0 = float(lerp(x1, a.y0, b.y0)), b1 = float(lerp(x1, a.y1, b.y1));
    const ImVec2 corners[4] = {ImVec2(ax, a0), ImVec2(ax, a1), ImVec2(bx, b1), ImVec2(bx, b0)};
    rec.Quad(corners, col);
  }
}

// Culls a band stream like LineBuilder (keeping the neighbours that enter the
// area) and, if `aggregate`, merges points of one pixel column into one
// envelope point (min top, max bottom).
class BandBuilder {
 public:
  BandBuilder(const ImRect& area, bool aggregate) : L_(area.Min.x - 1.0), R_(area.Max.x + 1.0), aggregate_(aggregate) {}
  void Add(double x, double y0, double y1) {
    if (y0 > y1) std::swap(y0, y1);
    const int side = x < L_ ? -1 : x > R_ ? 1 : 0;
    if (have_prev_ && side != 0 && side == prev_side_) {
      held_ = true;
      h_ = {x, y0, y1, false};
    } else {
      if (held_) Emit(h_);
      held_ = false;
      if (!have_prev_ && side != 0) {
        held_ = true;
        h_ = {x, y0, y1, false};
      } else {
        Emit({x, y0, y1, false});
      }
    }
    have_prev_ = true;
    prev_side_ = side;
  }
  void Break() {
    held_ = false;
    have_prev_ = false;
    gap_ = true;
  }
  std::vector<BandPoint>& points() { return out_; }

 private:
  void Emit(BandPoint b) {
    b.gap = gap_;
    gap_ = false;
    if (aggregate_ && !out_.empty() && !b.gap && std::floor(out_.back().x) == std::floor(b.x)) {
      out_.back().y0 = std::min(out_.back().y0, b.y0);
      out_.back().y1 = std::max(out_.back().y1, b.y1);
      return;
    }
    out_.push_back(b);
  }
  double L_, R_;
  bool aggregate_;
  bool have_prev_ = false, held_ = false, gap_ = true;
  int prev_side_ = 0;
  BandPoint h_{};
  std::vector<BandPoint> out_;
};

}  // namespace

// [SECTION] Items

void PlotLineG(const char* label, Getter getter, const void* data, int count, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags, false, d, 1.0f)) return;
  if (d.line & IM_COL32_A_MASK) RecordSeries(label, d.data_set ? d.data[0].c_str() : nullptr, getter, data, count);
  CurrentPlot& p = Ctx().cur;
  const Transform& t = p.tf;
  const bool fit = !(flags & ItemFlags_NoFit);
  HoverPick pick;
  pick.active = d.hover;
  {
    LineBuilder line(Rec(), p.area, LineStroke(d.line, d.weight, d.style.dash), count > 2 * int(p.area.GetWidth()));
    const float spacing = Ctx().style.marker_spacing;
    if (d.style.marker != Marker_None)
      line.SetMarkers(d.style.marker, spacing, spacing * (0.5f + std::fmod(0.618034f * float(d.series), 1.0f)));
    for (int i = 0; i < count; ++i) {
      const Point pt = getter(data, i);
      const double px = t.px(pt.x), py = t.py(pt.y);
      if (!std::isfinite(px) || !std::isfinite(py)) {
        line.Break();
        continue;
      }
      line.Add(px, py);
      if (fit) FitPoint(pt.x, pt.y);
      if (pick.active) pick.add(px, pt.x, pt.y);
    }
  }
  if (pick.found()) {
    char buf[48];
    FormatValue(pick.y, buf, sizeof buf);
    SetValue(d.record, buf, pick.x);
  }
  EndItem();
}

void PlotShadedG(const char* label, Getter lower, Getter upper, const void* data, int count, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags, true, d, Ctx().style.fill_alpha)) return;
  RecordSeries(label, d.data_set ? d.data[0].c_str() : " lower", lower, data, count);
  RecordSeries(label, d.data_set ? d.data[1].c_str() : " upper", upper, data, count);
  CurrentPlot& p = Ctx().cur;
  const Transform& t = p.tf;
  const bool fit = !(flags & ItemFlags_NoFit);
  HoverPick pick;
  pick.active = d.hover;
  BandBuilder band(p.area, count > 2 * int(p.area.GetWidth()));
  for (int i = 0; i < count; ++i) {
    const Point a = lower(data, i), b = upper(data, i);
    const double px = t.px(a.x), y0 = t.py(a.y), y1 = t.py(b.y);
    if (!std::isfinite(px) || !std::isfinite(y0) || !std::isfinite(y1)) {
      band.Break();
      continue;
    }
    band.Add(px, std::clamp(y0, double(p.area.Min.y) - 1e4, double(p.area.Max.y) + 1e4),
             std::clamp(y1, double(p.area.Min.y) - 1e4, double(p.area.Max.y) + 1e4));
    if (fit) {
      FitPoint(a.x, a.y);
      FitPoint(a.x, b.y);
    }
    if (pick.active) pick.add(px, a.x, a.y, b.y);
  }
  FillBand(Rec(), p.area, band.points(), d.fill);
  if (pick.found()) {
    char lo[32], hi[32], buf[72];
    FormatValue(pick.y, lo, sizeof lo);
    FormatValue(pick.y2, hi, sizeof hi);
    std::snprintf(buf, sizeof buf, "%s .. %s", lo, hi);
    SetValue(d.record, buf, pick.x);
  }
  EndItem();
}

void PlotStackedG(const char* const* labels, int n_series, StackGetter getter, const void* data, int count,
                  const ImU32* colours, ItemFlags flags) {
  SetupFinish();
  CurrentPlot& p = Ctx().cur;
  const Style& s = Ctx().style;
  const Transform& t = p.tf;
  // One legend entry per series; hidden series drop out of the stack.
  std::vector<ItemDraw> draws(size_t(std::max(0, n_series)));
  std::vector<int> visible;
  for (int k = 0; k < n_series; ++k) {
    if (colours)
      SetNextFillStyle(colours[k], s.stacked_alpha);
    else
      SetNextFillStyle(0, s.stacked_alpha);
    if (BeginItem(labels[k], flags, true, draws[size_t(k)], s.stacked_alpha)) {
      RecordStacked(labels[k], getter, data, k, count);
      EndItem();
      visible.push_back(k);
    }
  }
  if (visible.empty() || count <= 0) return;
  // Representative points: the first of each pixel column (areas must tile, so
  // no min/max envelope here), culled to the view plus one neighbour each side.
  std::vector<int> reps;
  reps.reserve(size_t(std::min(count, 2 * int(p.area.GetWidth()) + 4)));
  const double L = p.area.Min.x - 1, R = p.area.Max.x + 1;
  long last_col = LONG_MIN;
  int pending_left = -1;
  bool right_done = false;
  for (int i = 0; i < count && !right_done; ++i) {
    const double px = t.px(getter(data, visible[0], i).x);
    if (!std::isfinite(px)) continue;
    if (px < L) {
      pending_left = i;
      continue;
    }
    if (pending_left >= 0) reps.push_back(pending_left), pending_left = -1;
    if (px > R) right_done = true;
    const long col = long(std::floor(px));
    if (col != last_col || right_done) reps.push_back(i);
    last_col = col;
  }
  if (reps.empty() && pending_left >= 0) reps.push_back(pending_left);
  const size_t nv = visible.size();
  if (!(flags & ItemFlags_NoFit)) {  // extents over every point, not only the visible ones
    for (int i = 0; i < count; ++i) {
      double cum = 0, x = 0;
      bool ok = true;
      for (size_t k = 0; k < nv; ++k) {
        const Point pt = getter(data, visible[k], i);
        if (k == 0) x = pt.x;
        ok = ok && std::isfinite(pt.y);
        cum += pt.y;
      }
      if (ok) {
        FitPoint(x, 0);
        FitPoint(x, cum);
      }
    }
  }
  std::vector<double> lower(reps.size() * nv), upper(reps.size() * nv), xs(reps.size());
  std::vector<bool> valid(reps.size(), true);
  for (size_t r = 0; r < reps.size(); ++r) {
    double cum = 0;  // series k spans [lower, upper] at rep r
    for (size_t k = 0; k < nv; ++k) {
      const Point pt = getter(data, visible[k], reps[r]);
      if (k == 0) xs[r] = pt.x;
      if (!std::isfinite(pt.y)) valid[r] = false;
      lower[r * nv + k] = cum;
      cum += pt.y;
      upper[r * nv + k] = cum;
    }
  }
  Recorder& rec = Rec();
  rec.PushClip(p.area.Min, p.area.Max);
  std::vector<BandPoint> band;
  for (size_t k = 0; k < nv; ++k) {
    band.clear();
    bool gap = true;
    for (size_t r = 0; r < reps.size(); ++r) {
      const double px = t.px(xs[r]);
      const double y0 = t.py(lower[r * nv + k]), y1 = t.py(upper[r * nv + k]);
      if (!valid[r] || !std::isfinite(px) || !std::isfinite(y0) || !std::isfinite(y1)) {
        gap = true;
        continue;
      }
      band.push_back({px, std::clamp(y0, double(p.area.Min.y) - 1e4, double(p.area.Max.y) + 1e4),
                      std::clamp(y1, double(p.area.Min.y) - 1e4, double(p.area.Max.y) + 1e4), gap});
      gap = false;
    }
    FillBand(rec, p.area, band, draws[size_t(visible[k])].fill);
  }
  rec.PopClip();
  if (p.hovered) {  // every visible series' own value at the nearest x
    double best = DBL_MAX, pmin = DBL_MAX, pmax = -DBL_MAX;
    size_t best_r = 0;
    for (size_t r = 0; r < reps.size(); ++r) {
      const double px = t.px(xs[r]);
      pmin = std::min(pmin, px);
      pmax = std::max(pmax, px);
      if (std::abs(px - p.mouse.x) < best) best = std::abs(px - p.mouse.x), best_r = r;
    }
    if (best < DBL_MAX && p.mouse.x >= pmin - 12 && p.mouse.x <= pmax + 12) {
      for (size_t k = 0; k < nv; ++k) {
        const ItemDraw& d = draws[size_t(visible[k])];
        if (!d.hover) continue;
        char buf[48];
        FormatValue(upper[best_r * nv + k] - lower[best_r * nv + k], buf, sizeof buf);
        SetValue(d.record, buf, xs[best_r]);
      }
    }
  }
}

void PlotBarsG(const char* label, Getter getter, const void* data, int count, double bar_width, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags, true, d, 0.75f)) return;
  RecordSeries(label, nullptr, getter, data, count);
  CurrentPlot& p = Ctx().cur;
  const Transform& t = p.tf;
  Recorder& rec = Rec();
  const bool fit = !(flags & ItemFlags_NoFit);
  const double base = t.log_y ? p.state->y.min : 0.0;
  const double half = bar_width * 0.5;
  int hovered_bar = -1;
  double hovered_y = 0, hovered_x = 0;
  for (int i = 0; i < count; ++i) {
    const Point pt = getter(data, i);
    const double x0 = t.px(pt.x - half), x1 = t.px(pt.x + half), y0 = t.py(base), y1 = t.py(pt.y);
    if (!std::isfinite(x0) || !std::isfinite(x1) || !std::isfinite(y1)) continue;
    if (fit) {
      FitX(pt.x - half);
      FitX(pt.x + half);
      const bool y_fit = p.state->fit_x || p.state->fit_request || p.state->x.contains(pt.x);
      FitY(pt.y, y_fit);
      if (!t.log_y) FitY(0, y_fit);
    }
    if (x1 < p.area.Min.x || x0 > p.area.Max.x) continue;
    const ImVec2 a(float(std::max(x0, double(p.area.Min.x) - 2)),
                   float(std::clamp(std::min(y0, y1), double(p.area.Min.y) - 2, double(p.area.Max.y) + 2)));
    const ImVec2 b(float(std::min(x1, double(p.area.Max.x) + 2)),
                   float(std::clamp(std::max(y0, y1), double(p.area.Min.y) - 2, double(p.area.Max.y) + 2)));
    rec.RectFilled(a, b, d.fill);
    if (b.x - a.x >= 4) rec.Rect(a, b, d.line, 0, 1.0f);
    if (d.hover && p.mouse.x >= x0 && p.mouse.x <= x1) hovered_bar = i, hovered_y = pt.y, hovered_x = pt.x;
  }
  if (hovered_bar >= 0) {
    char buf[48];
    FormatValue(hovered_y, buf, sizeof buf);
    SetValue(d.record, buf, hovered_x);
  }
  EndItem();
}

void PlotHLine(const char* label, double y, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags, false, d, 1.0f)) return;
  CurrentPlot& p = Ctx().cur;
  if (!(flags & ItemFlags_NoFit)) FitY(y);
  const double py = p.tf.py(y);
  if (std::isfinite(py) && py >= p.area.Min.y - 4 && py <= p.area.Max.y + 4) {
    Rec().Line(ImVec2(p.area.Min.x, float(py)), ImVec2(p.area.Max.x, float(py)),
               LineStroke(d.line, d.weight, d.style.dash));
  }
  if (d.hover) {
    char buf[48];
    FormatValue(y, buf, sizeof buf);
    SetValue(d.record, buf);
  }
  EndItem();
}

namespace {
// A marker label starts just right of its line, or ends just left of it near the plot's right edge.
float MarkerLabelX(const CurrentPlot& p, float line_x, float text_width) {
  const float tx = line_x + 3;
  return tx + text_width > p.area.Max.x - 2 ? line_x - 3 - text_width : tx;
}
}  // namespace

void PlotVLines(const char* label, const double* xs, int count, const char* const* texts, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags, false, d, 1.0f)) return;
  CurrentPlot& p = Ctx().cur;
  const Style& s = Ctx().style;
  Recorder& rec = Rec();
  const Stroke stroke = LineStroke(d.line, d.weight, d.style.dash);
  const float F = ImGui::GetFontSize();
  float row_right[3] = {-FLT_MAX, -FLT_MAX, -FLT_MAX};  // labels stagger over up to three rows
  std::string hover_text;
  for (int i = 0; i < count; ++i) {
    if (!(flags & ItemFlags_NoFit)) FitX(xs[i]);
    const double px = p.tf.px(xs[i]);
    if (!std::isfinite(px) || px < p.area.Min.x - 1 || px > p.area.Max.x + 1) continue;
    const float x = std::round(float(px)) + 0.5f;
    rec.Line(ImVec2(x, p.area.Min.y), ImVec2(x, p.area.Max.y), stroke);
    char fallback[32];
    const char* text = texts ? texts[i] : nullptr;
    if (!text) {
      FormatValue(xs[i], fallback, sizeof fallback);
      text = fallback;
    }
    if (texts && texts[i] && texts[i][0]) {
      const ImVec2 sz = ImGui::CalcTextSize(text);
      float tx = MarkerLabelX(p, x, sz.x);
      int row = 0;
      while (row < 2 && tx < row_right[row] + 4) ++row;
      row_right[row] = tx + sz.x;
      const ImVec2 a(tx - 2, p.area.Min.y + 3 + float(row) * (F + 3));
      rec.RectFilled(a, ImVec2(a.x + sz.x + 4, a.y + F + 1), s.marker_text_bg, 2.0f);
      AddPlotText(ImVec2(tx, a.y), d.line, text);
    }
    if (d.hover && std::abs(px - p.mouse.x) <= 4) {
      if (!hover_text.empty()) hover_text += ", ";
      hover_text += text;
    }
  }
  if (!hover_text.empty()) SetValue(d.record, hover_text.c_str());
  EndItem();
}

float GetMarkerLabelX(double x, float text_width) {
  SetupFinish();
  CurrentPlot& p = Ctx().cur;
  return MarkerLabelX(p, std::round(float(p.tf.px(x))) + 0.5f, text_width);
}

void PlotHeatmap(const char* label, const float* values, int rows, int cols, double scale_min, double scale_max,
                 Point bounds_min, Point bounds_max, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags, true, d, 1.0f)) return;
  CurrentPlot& p = Ctx().cur;
  const Transform& t = p.tf;
  if (bounds_max.x == 0 && bounds_max.y == 0) bounds_max = Point{double(cols), double(rows)};
  RecordHeatmap(label, values, rows, cols, bounds_min, bounds_max);
  if (!(flags & ItemFlags_NoFit)) {
    FitPoint(bounds_min.x, bounds_min.y);
    FitPoint(bounds_max.x, bounds_max.y);
  }
  const double cw = (bounds_max.x - bounds_min.x) / std::max(1, cols),
               ch = (bounds_max.y - bounds_min.y) / std::max(1, rows);
  const double span = scale_max - scale_min;
  // The matrix as colours (non-finite cells transparent) and its cell edges in whole pixels.
  Context& ctx = Ctx();
  const float alpha = (d.line >> 24) == 0xFF ? 1.0f : ctx.style.highlight_dim;
  const size_t n = size_t(std::max(0, rows)) * size_t(std::max(0, cols));
  ctx.cells.resize(n);
  for (size_t k = 0; k < n; ++k) {
    const float v = values[k];
    const float u = span != 0 ? float((double(v) - scale_min) / span) : 0.5f;
    ctx.cells[k] = std::isfinite(v) ? palette::with_alpha(palette::colormap(u), alpha) : 0;
  }
  ctx.edges.resize(size_t(std::max(0, cols) + 1 + std::max(0, rows) + 1));
  float* col_edges = ctx.edges.data();
  float* row_edges = col_edges + std::max(0, cols) + 1;
  for (int k = 0; k <= cols; ++k) col_edges[k] = std::round(float(t.px(bounds_min.x + cw * k)));
  for (int k = 0; k <= rows; ++k) row_edges[k] = std::round(float(t.py(bounds_max.y - ch * k)));  // row 0 at the top
  if (rows > 0 && cols > 0)
    Rec().Image(ImagePrim{.min = ImVec2(col_edges[0], row_edges[0]),
                          .max = ImVec2(col_edges[cols], row_edges[rows]),
                          .pixels = ctx.cells.data(),
                          .rows = rows,
                          .cols = cols,
                          .col_edges = col_edges,
                          .row_edges = row_edges,
                          .values = values});
  if (d.hover) {
    const Point m = PixelsToPlot(p.mouse);
    const int c = int(std::floor((m.x - bounds_min.x) / cw)), r = int(std::floor((bounds_max.y - m.y) / ch));
    if (c >= 0 && c < cols && r >= 0 && r < rows) {
      char buf[96], v[32];
      FormatValue(values[size_t(r) * size_t(cols) + size_t(c)], v, sizeof v);
      std::snprintf(buf, sizeof buf, "row %d, col %d: %s", r, c, v);
      SetValue(d.record, buf);
    }
  }
  EndItem();
}

void PlotImage(const char* label, ImTextureID texture, Point bounds_min, Point bounds_max, ImVec2 uv0, ImVec2 uv1,
               ImU32 tint, ItemFlags flags) {
  ItemDraw d;
  if (!BeginItem(label, flags | ItemFlags_NoTooltip, true, d, 1.0f)) return;
  if (!(flags & ItemFlags_NoFit)) {
    FitPoint(bounds_min.x, bounds_min.y);
    FitPoint(bounds_max.x, bounds_max.y);
  }
  Rec().Image(ImagePrim{.min = PlotToPixels(Point{bounds_min.x, bounds_max.y}),
                        .max = PlotToPixels(Point{bounds_max.x, bounds_min.y}),
                        .texture = texture,
                        .uv0 = uv0,
                        .uv1 = uv1,
                        .tint = tint});
  EndItem();
}

// [SECTION] Helpers: smoothing

namespace {

template <typename T>
void Ema(const T* in, T* out, int count, double smoothing, int in_stride, int out_stride) {
  const double w = std::clamp(smoothing, 0.0, 0.999999);
  double last = 0, weight = 0;  // running average and the sum of its weights (debiasing)
  const auto* src = reinterpret_cast<const unsigned char*>(in);
  auto* dst = reinterpret_cast<unsigned char*>(out);
  for (int i = 0; i < count; ++i) {
    const double v = double(*reinterpret_cast<const T*>(src + size_t(i) * size_t(in_stride)));
    T& o = *reinterpret_cast<T*>(dst + size_t(i) * size_t(out_stride));
    if (!std::isfinite(v)) {
      o = T(NAN);
      continue;
    }
    last = last * w + (1 - w) * v;
    weight = weight * w + (1 - w);
    o = T(last / weight);
  }
}

}  // namespace

void SmoothEma(const float* in, float* out, int count, double smoothing, int in_stride, int out_stride) {
  Ema(in, out, count, smoothing, in_stride, out_stride);
}

void SmoothEma(const double* in, double* out, int count, double smoothing, int in_stride, int out_stride) {
  Ema(in, out, count, smoothing, in_stride, out_stride);
}

}  // namespace moe::plot

// plot_data.cpp: the data sink (plot_data.h): what the items record, and the CSV.
#include "plot_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "plot_internal.h"

namespace moe::plot {

namespace {
FigureData* g_sink = nullptr;

std::string PlotName(const CurrentPlot& p, const char* label) {
  (void)label;
  if (!p.title.empty()) return p.title;
  return "";
}

// An axis as the data names it: SetupDataLabels' name, else the drawn label.
const std::string& AxisName(const CurrentPlot& p, Axis a) {
  return p.data_label[a].empty() ? p.axis[a].label : p.data_label[a];
}

std::string Label(const char* label) {
  const char* end = DisplayEnd(label);
  if (end != label) return std::string(label, end);
  const char* hash = std::strstr(label, "##");
  return hash ? std::string(hash + 2) : std::string(label);
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void SetDataSink(FigureData* sink) { g_sink = sink; }
FigureData* GetDataSink() { return g_sink; }

void RecordSeries(const char* label, const char* suffix, Getter getter, const void* data, int count) {
  if (!g_sink || count <= 0) return;
  const CurrentPlot& p = Ctx().cur;
  SeriesData s;
  s.plot = PlotName(p, label);
  s.x_label = AxisName(p, Axis_X);
  s.y_label = AxisName(p, Axis_Y);
  s.label = Label(label) + (suffix ? suffix : "");
  s.x.reserve(size_t(count));
  s.y.reserve(size_t(count));
  for (int i = 0; i < count; ++i) {
    const Point pt = getter(data, i);
    s.x.push_back(pt.x);
    s.y.push_back(pt.y);
  }
  g_sink->series.push_back(std::move(s));
}

void RecordStacked(const char* label, StackGetter getter, const void* data, int series, int count) {
  if (!g_sink || count <= 0) return;
  const CurrentPlot& p = Ctx().cur;
  SeriesData s;
  s.plot = PlotName(p, label);
  s.x_label = AxisName(p, Axis_X);
  s.y_label = AxisName(p, Axis_Y);
  s.label = Label(label);
  for (int i = 0; i < count; ++i) {
    const Point pt = getter(data, series, i);
    s.x.push_back(pt.x);
    s.y.push_back(pt.y);
  }
  g_sink->series.push_back(std::move(s));
}

void RecordHeatmap(const char* label, const float* values, int rows, int cols, Point bmin, Point bmax) {
  if (!g_sink || rows <= 0 || cols <= 0) return;
  const CurrentPlot& p = Ctx().cur;
  HeatmapData h;
  h.plot = PlotName(p, label);
  h.label = Label(label);
  h.x_label = AxisName(p, Axis_X);
  h.y_label = AxisName(p, Axis_Y);
  h.rows = rows;
  h.cols = cols;
  h.values.assign(values, values + size_t(rows) * size_t(cols));
  h.bounds_min = bmin;
  h.bounds_max = bmax;
  g_sink->heatmaps.push_back(std::move(h));
}

std::string FigureData::ToCsv() const {
  std::string out;
  // Tables by x label, in order of first appearance.
  std::vector<std::string> order;
  for (const SeriesData& s : series)
    if (std::find(order.begin(), order.end(), s.x_label) == order.end()) order.push_back(s.x_label);
  for (size_t t = 0; t < order.size(); ++t) {
    std::vector<const SeriesData*> cols;
    for (const SeriesData& s : series)
      if (s.x_label == order[t]) cols.push_back(&s);
    if (t > 0) out += "\n# x: " + order[t] + "\n";
    out += CsvCell(order[t].empty() ? "x" : order[t]);
    for (const SeriesData* s : cols) {
      std::string head = s->label;
      if (!s->y_label.empty()) head += " (" + s->y_label + ")";
      if (!s->plot.empty()) head = s->plot + ": " + head;
      out += "," + CsvCell(head);
    }
    out += "\n";
    // Rows: the union of x values, each series' value at that x (the first if repeated).
    std::vector<std::map<double, double>> at(cols.size());
    std::map<double, int> xs;
    for (size_t c = 0; c < cols.size(); ++c)
      for (size_t i = 0; i < cols[c]->x.size(); ++i) {
        const double x = cols[c]->x[i];
        if (!std::isfinite(x)) continue;
        at[c].emplace(x, cols[c]->y[i]);
        xs.emplace(x, 0);
      }
    for (const auto& [x, unused] : xs) {
      out += Number(x);
      for (size_t c = 0; c < cols.size(); ++c) {
        const auto it = at[c].find(x);
        out += ",";
        if (it != at[c].end()) out += Number(it->second);
      }
      out += "\n";
    }
  }
  for (const HeatmapData& h : heatmaps) {
    if (!out.empty()) out += "\n";
    out += "# heatmap " + (h.plot.empty() ? h.label : h.plot + ": " + h.label) + ", " + std::to_string(h.rows) +
           " rows x " + std::to_string(h.cols) + " columns, row 0 at y = " + Number(h.bounds_max.y) + " (" + h.y_label +
           "), columns from x = " + Number(h.bounds_min.x) + " to " + Number(h.bounds_max.x) + " (" + h.x_label + ")\n";
    for (int r = 0; r < h.rows; ++r) {
      for (int c = 0; c < h.cols; ++c) {
        if (c) out += ",";
        out += Number(h.values[size_t(r) * size_t(h.cols) + size_t(c)]);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace moe::plot

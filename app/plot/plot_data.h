// plot_data.h: the numbers behind a figure. While a FigureData is the plot
// layer's data sink (SetDataSink), every visible line, band, stacked area, bar
// series and CPU heatmap a plot draws is kept with its plot and axis labels, as
// given (before the renderer decimates it to the pixels); ToCsv() writes them
// beside the figure: one column per series, units (the axis labels) in the header.
//
//   plot::FigureData data;
//   plot::SetDataSink(&data);  ... draw the frame ...  plot::SetDataSink(nullptr);
//   std::string csv = data.ToCsv();
#pragma once

#include <string>
#include <vector>

#include "plot.h"

namespace moe::plot {

struct SeriesData {
  std::string plot;     // plot title, or the ID after "##" when it has none
  std::string x_label;  // the plot's x axis label (its unit), e.g. "step"
  std::string y_label;  // the plot's y axis label, e.g. "load fraction"
  std::string label;    // the series' display label, e.g. "expert 3"
  std::vector<double> x, y;
};

struct HeatmapData {
  std::string plot, label, x_label, y_label;
  int rows = 0, cols = 0;     // row 0 at the top
  std::vector<float> values;  // rows x cols
  Point bounds_min, bounds_max;
};

struct FigureData {
  std::vector<SeriesData> series;
  std::vector<HeatmapData> heatmaps;
  void Clear() { series.clear(), heatmaps.clear(); }
  bool Empty() const { return series.empty() && heatmaps.empty(); }
  // CSV: series sharing an x label form one table (x column, then one column per series
  // headed "label (y label)", rows the union of their x values, empty where a series has
  // none); tables after the first and each heatmap follow a "# ..." line and a blank line.
  std::string ToCsv() const;
};

void SetDataSink(FigureData* sink);  // nullptr: keep nothing (default)
FigureData* GetDataSink();

}  // namespace moe::plot

// panel_compare.h: what the time plots draw when runs are side by side (panel_compare.cpp).
//
//   plot_runs       one metric of every visible run (PanelContext::compare): a line per run
//                   in its run colour and dash, a seed group as its mean with a min–max or
//                   ±1 std band, optionally as the difference to a reference run
//   plot_run_marks  each run's settings events and fork step, in the run's colour
//   run_key_row     the legend by run above a plot (swatch with colour + dash, label)
//   fetch_group     a metric over a group's members, aligned on the steps: mean, min, max, std
// A panel calls these instead of plot_series / plot_events when ctx.comparing().
#pragma once

#include <vector>

#include "panel_common.h"
#include "panels.h"

namespace moe::panel {

// A metric of a run: run scope (layer -1, e.g. loss_task) or of one MoE layer (load_entropy).
struct MetricRef {
  int layer = -1;
  int metric = -1;  // index in kMetricTable
};
SeriesId series_of(const RunSnapshot& snap, MetricRef m);  // -1 if the run has no such series

ImU32 run_colour(const RunLine& line);           // palette::run_colour(slot) for the plot theme
plot::LineStyle run_style(const RunLine& line);  // plot::RunLineStyle(slot)

// One step (or bucket of steps) of a metric over a group's members.
struct GroupSample {
  double x = 0;                       // step (bucket centre)
  double mean = 0, min = 0, max = 0;  // over the members' values (each member's bucket mean)
  double std = 0;                     // population standard deviation over the members
  int n = 0;                          // members with a finite value here (0: a gap)
};
// Metric m over every member within [x_min, x_max] (clipped to the steps every member has
// reached), at most about max_points points, one common resolution (seed_band, run_stats.h).
// Returns the level (points are buckets of 2^level steps), -1 if there is nothing.
int fetch_group(const std::vector<std::shared_ptr<const RunSnapshot>>& members, MetricRef m, double x_min, double x_max,
                int max_points, std::vector<GroupSample>& out);

struct RunPlotStyle {
  double scale = 1.0;  // values drawn times this (100: a share in %)
  float weight =
      2.6f;  // line weight, whole pixels: 3 (the selected run's 1 px heavier), dots and dashes read projected
};
// Every line of ctx.compare over plot::GetPlotQueryRange, EMA-smoothed by ui.ema; returns the points drawn.
int plot_runs(PanelContext& ctx, MetricRef m, const RunPlotStyle& style = {});
// Each run's events (labels = false: lines only) and its fork step, in the run's colour.
void plot_run_marks(PanelContext& ctx, bool labels = true);
// The legend by run on the current line (wraps); returns the hovered run's index in lines, -1 if none.
int run_key_row(PanelContext& ctx);

}  // namespace moe::panel

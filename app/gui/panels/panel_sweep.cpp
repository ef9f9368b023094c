// panel_sweep.cpp: 11. the sweep view. One or two settings with their values ("k=1,2,4",
// "alpha=0,1e-3,1e-2") and a number of seeds, trained in the background like `moescope
// sweep` (sweep_runner.h) with a progress bar, elapsed time and ETA; or a sweep CSV opened
// (File > Open results, a drop). The result: a heatmap, rows × columns = the two settings,
// of a chosen final metric averaged over seeds with the value in each cell and the seed
// spread on hover; one setting gives a line with a min–max band. Clicking a cell opens its
// runs in the comparison (SweepView::open_cell).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "metrics.h"
#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"
#include "sweep_view.h"
#include "ui_state.h"

namespace moe {

namespace {

std::string duration(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%d min %02d s", int(s) / 60, int(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%d h %02d min", int(s) / 3600, int(s) / 60 % 60);
  return buf;
}

std::string metric_label(const std::string& key) {
  const MetricDef* d = find_metric(key);
  return d ? d->label : key;
}

std::string metric_axis_label(const std::string& key) {
  const MetricDef* d = find_metric(key);
  if (!d) return key;
  return *d->unit ? std::string(d->label) + " (" + d->unit + ")" : d->label;
}

void value_text(double v, char* buf, size_t n) {
  if (!std::isfinite(v))
    std::snprintf(buf, n, "–");
  else if (v != 0 && (std::abs(v) >= 1e4 || std::abs(v) < 1e-3))
    std::snprintf(buf, n, "%.2g", v);
  else
    std::snprintf(buf, n, "%.3g", v);
}

// Text that reads on a colormap cell: dark on its light end, light on its dark end.
ImU32 text_on(ImU32 cell) {
  return palette::to_oklab(cell).L > 0.62f ? IM_COL32(15, 15, 25, 255) : IM_COL32(248, 248, 252, 255);
}

void cell_tooltip(const SweepTable& t, int64_t cell, int col, const std::string& label, bool can_open) {
  const CellStats s = cell_stats(t, cell, col);
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(label.c_str());
  char a[32], b[32], c[32], d[32];
  value_text(s.mean, a, sizeof a);
  value_text(s.min, b, sizeof b);
  value_text(s.max, c, sizeof c);
  value_text(s.std, d, sizeof d);
  ImGui::Text("%s: mean %s over %d of %d seeds", metric_label(t.columns[size_t(col)]).c_str(), a, s.finite, t.seeds);
  ImGui::Text("seed spread: min %s, max %s, std %s", b, c, d);
  for (int k = 0; k < t.seeds; ++k)
    if (const SweepRow* r = t.find(cell * t.seeds + k)) {
      value_text(r->numbers[size_t(col)], a, sizeof a);
      ImGui::TextDisabled("  seed %lld: %s%s%s", (long long)r->seed, a, r->status == "ok" ? "" : "  ",
                          r->status == "ok" ? "" : r->status.c_str());
    }
  if (can_open) ImGui::TextDisabled("click: open these runs in the comparison");
  ImGui::EndTooltip();
}

std::string cell_label(const SweepTable& t, int64_t cell) {
  std::string s;
  for (size_t a = 0; a < t.axes.size(); ++a)
    s += (a ? ", " : "") + t.axes[a].key + "=" + t.axes[a].values[size_t(t.value_of(cell, int(a)))];
  return s;
}

void open_cell(SweepView& v, const SweepTable& t, int64_t cell) {
  const std::string label = cell_label(t, cell);
  if (!v.open_cell) {
    v.notice = "this window cannot open runs side by side";
    return;
  }
  const std::string e = v.open_cell(v.runner.cell_runs(cell), label);
  v.notice = e.empty() ? "opened " + label + " (" + std::to_string(t.seeds) + " seeds) in the comparison" : e;
}

// On the same line as the last item if `width` more pixels fit there, else on the next.
void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

float label_and_field(const char* label, float field) {  // width of "label [field]"
  return ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemSpacing.x + field;
}

// The definition row (wrapped where the panel is narrow): settings, seeds, steps, Run / Cancel.
void draw_definition(PanelContext& ctx, SweepView& v, const SweepProgress& p) {
  const float F = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("rows");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(F * 11);
  ImGui::InputText("##sweep_rows", v.rows, sizeof v.rows);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A setting and its values, e.g. k=1,2,4 or lr=1e-3,3e-3,1e-2 (`moescope run --help` lists them)");
  same_line_if_fits(label_and_field("× columns", F * 11));
  ImGui::TextUnformatted("× columns");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(F * 11);
  ImGui::InputText("##sweep_cols", v.cols, sizeof v.cols);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A second setting, e.g. alpha=0,1e-3,1e-2; empty: a line over the first");
  same_line_if_fits(label_and_field("seeds", F * 5));
  ImGui::TextUnformatted("seeds");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(F * 5);
  ImGui::InputInt("##sweep_seeds", &v.seeds);
  v.seeds = std::clamp(v.seeds, 1, 16);
  same_line_if_fits(label_and_field("steps", F * 6));
  ImGui::TextUnformatted("steps");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(F * 6);
  ImGui::InputInt("##sweep_steps", &v.steps, 100, 1000);
  v.steps = std::clamp(v.steps, 1, 100000000);
  same_line_if_fits(ImGui::CalcTextSize("Cancel").x + 2 * ImGui::GetStyle().FramePadding.x);
  if (p.running) {
    if (ImGui::Button("Cancel")) v.runner.cancel();
  } else if (ImGui::Button("Run")) {
    std::vector<std::string> grid;
    for (const char* g : {v.rows, v.cols})
      if (std::string s(g); s.find_first_not_of(' ') != std::string::npos) grid.push_back(s);
    v.error = v.runner.start(ctx.snap.cfg, grid, v.seeds, v.steps);
    v.notice.clear();
  }
  if (!v.error.empty()) ImGui::TextColored(ImVec4(0.95f, 0.35f, 0.3f, 1), "%s", v.error.c_str());
}

// The final metric's picker (every numeric column but "steps") and the hint beside it.
void draw_metric_picker(SweepView& v, const SweepTable& t, int col) {
  const float F = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("final metric");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(F * 12);
  if (ImGui::BeginCombo("##sweep_metric", metric_label(v.metric).c_str())) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c] == "steps") continue;
      if (ImGui::Selectable(metric_label(t.columns[c]).c_str(), int(c) == col)) v.metric = t.columns[c];
      if (const MetricDef* d = find_metric(t.columns[c]); d && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", d->help);
    }
    ImGui::EndCombo();
  }
  char hint[160];
  std::snprintf(hint, sizeof hint, "mean over %d seed%s; hover a cell for the spread, click it to compare its runs",
                t.seeds, t.seeds == 1 ? "" : "s");
  if (ImGui::CalcTextSize(hint).x > ImGui::GetContentRegionAvail().x)  // a narrow tile: the short form
    std::snprintf(hint, sizeof hint, "%d seed%s; hover: spread, click: compare", t.seeds, t.seeds == 1 ? "" : "s");
  same_line_if_fits(ImGui::CalcTextSize(hint).x);
  ImGui::TextDisabled("%s", hint);
  if (!v.notice.empty()) ImGui::TextDisabled("%s", v.notice.c_str());
}

}  // namespace

void draw_sweep(PanelContext& ctx) {
  if (!ctx.ui.sweep) ctx.ui.sweep = std::make_shared<SweepView>();
  SweepView& v = *ctx.ui.sweep;
  const SweepProgress p = v.runner.progress();
  const float F = ImGui::GetFontSize();
  // A figure (figure.h) is what the plot layer draws: no definition row, progress bar or picker.
  const bool figure = panel::figure_mode(ctx);
  if (!figure) draw_definition(ctx, v, p);

  const auto table = v.runner.table();
  if (!table && figure) {  // nothing to plot: how to make a sweep, centred, through the recorder
    const char* note =
        "No sweep yet: `moescope shot --grid k=1,2,4 --grid alpha=0,1e-2 --panel sweep` trains one; "
        "`--results FILE` opens a sweep's CSV.";
    const ImVec2 pos = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
    const float wrap = std::max(F * 6, avail.x - 2 * F);
    const ImVec2 ts = ImGui::CalcTextSize(note, nullptr, false, wrap);
    plot::GetWindowRecorder();  // aims the screen back end at this window
    plot::AddPlotText(ImVec2(std::round(pos.x + (avail.x - ts.x) * 0.5f), std::round(pos.y + (avail.y - ts.y) * 0.5f)),
                      plot::GetStyle().tick_text, note, ImVec2(0.5f, 0.5f), 0, nullptr, wrap);
    ImGui::Dummy(avail);
    return;
  }
  if (!table) {
    ImGui::TextDisabled("Define one or two settings and press Run: every grid point trains for each seed, in the");
    ImGui::TextDisabled(
        "background, as `moescope sweep` would. Or open a sweep CSV (File > Open results, or drop it).");
    return;
  }
  const SweepTable& t = *table;
  // Progress: runs done, elapsed, ETA (or where the table came from).
  char text[256];
  if (v.runner.from_file())
    std::snprintf(text, sizeof text, "%lld of %lld runs from %s", (long long)p.done, (long long)p.total,
                  v.runner.source().c_str());
  else if (p.running)
    std::snprintf(text, sizeof text, "%lld / %lld runs, %d at a time · %s elapsed · ETA %s", (long long)p.done,
                  (long long)p.total, p.jobs, duration(p.elapsed_s).c_str(),
                  p.done > 0 ? duration(p.eta_s).c_str() : "…");
  else
    std::snprintf(text, sizeof text, "%lld / %lld runs of %lld steps%s in %s", (long long)p.done, (long long)p.total,
                  (long long)v.runner.steps(), p.cancelled ? " (cancelled: what finished stays)" : "",
                  duration(p.elapsed_s).c_str());
  if (!figure) {
    ImGui::ProgressBar(p.total > 0 ? float(double(p.done) / double(p.total)) : 0.0f, ImVec2(-1, 0), text);
    if (!p.note.empty() && p.running) ImGui::TextDisabled("%s", p.note.c_str());
  }

  // The metric picker: every numeric column but "steps".
  int col = t.column(v.metric);
  if (col < 0 || t.columns[size_t(col)] == "steps") col = t.column("load_entropy");
  if (col < 0) col = std::min<int>(1, int(t.columns.size()) - 1);
  if (col < 0) return;
  v.metric = t.columns[size_t(col)];
  if (!figure) draw_metric_picker(v, t, col);
  col = t.column(v.metric);

  const int64_t cells = t.cell_count();
  std::vector<CellStats> stats(static_cast<size_t>(cells));
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t c = 0; c < cells; ++c) {
    stats[size_t(c)] = cell_stats(t, c, col);
    if (stats[size_t(c)].finite > 0) {
      lo = std::min(lo, stats[size_t(c)].mean);
      hi = std::max(hi, stats[size_t(c)].mean);
    }
  }
  if (!(lo <= hi)) lo = 0, hi = 1;
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) lo -= 0.5, hi += 0.5;
  const std::string y_label = metric_axis_label(v.metric);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const plot::Style& ps = plot::GetStyle();
  const ImU32 tick = ps.tick_text ? ps.tick_text : ImGui::GetColorU32(ImGuiCol_Text);

  if (t.axes.size() == 1) {  // a line with its min–max band over the values of one setting
    const SweepAxis& ax = t.axes[0];
    const int n = int(ax.values.size());
    std::vector<double> xs(static_cast<size_t>(n)), mean(static_cast<size_t>(n)), mn(static_cast<size_t>(n)),
        mx(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      xs[size_t(i)] = i;
      mean[size_t(i)] = stats[size_t(i)].mean;
      mn[size_t(i)] = stats[size_t(i)].min;
      mx[size_t(i)] = stats[size_t(i)].max;
    }
    char title[160];
    std::snprintf(title, sizeof title, "%s by %s###sweep_line", metric_label(v.metric).c_str(), ax.key.c_str());
    if (!plot::BeginPlot(title, ImVec2(-1, avail.y - ImGui::GetStyle().ItemSpacing.y),
                         plot::PlotFlags_NoBoxZoom | plot::PlotFlags_NoInputs))
      return;
    plot::SetupAxis(plot::Axis_X, ax.key.c_str(), plot::AxisFlags_NoGrid | plot::AxisFlags_Lock);
    plot::SetupAxisFormat(plot::Axis_X, " ");
    plot::SetupAxis(plot::Axis_Y, y_label.c_str(), plot::AxisFlags_AutoFit);
    plot::SetupAxisLimits(plot::Axis_X, -0.3, n - 0.7, ImGuiCond_Always);
    const ImU32 colour = palette::categorical(0, panel::theme());
    plot::SetNextFillStyle(colour, 0.3f);
    plot::PlotShaded("seed min–max", xs.data(), mn.data(), mx.data(), n);
    plot::SetNextLineStyle(colour, 2.5f);
    plot::PlotLine("mean over seeds", xs.data(), mean.data(), n);
    const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
    plot::Recorder& rec = plot::GetPlotRecorder();
    rec.PushClip(pos, ImVec2(pos.x + size.x, pos.y + size.y));
    for (int i = 0; i < n; ++i)  // a dot on each grid point (the line between them is only a guide)
      if (std::isfinite(mean[size_t(i)])) rec.Dot(plot::PlotToPixels({double(i), mean[size_t(i)]}), 4.5f, colour, 16);
    rec.PopClip();
    for (int i = 0; i < n; ++i) {
      const float x = std::round(plot::PlotToPixels({double(i), 0}).x);
      const ImVec2 sz = ImGui::CalcTextSize(ax.values[size_t(i)].c_str());
      plot::AddPlotText(ImVec2(std::round(x - sz.x * 0.5f), pos.y + size.y + 4), tick, ax.values[size_t(i)].c_str());
    }
    if (plot::IsPlotHovered()) {
      const int i = int(std::lround(plot::GetPlotMousePos().x));
      if (i >= 0 && i < n) {
        cell_tooltip(t, i, col, cell_label(t, i), true);
        if (ImGui::IsMouseClicked(0)) open_cell(v, t, i);
      }
    }
    plot::EndPlot();
    return;
  }

  // Two settings (or more: the first two vary, the rest fold into the rows): rows × columns.
  const SweepAxis& ra = t.axes[0];
  const SweepAxis& ca = t.axes[1];
  const int R = int(cells / int64_t(ca.values.size())), C = int(ca.values.size());
  std::vector<float> grid(size_t(R) * size_t(C));
  for (int64_t c = 0; c < cells; ++c) grid[size_t(c)] = float(stats[size_t(c)].mean);
  std::vector<std::string> row_names(static_cast<size_t>(R));
  float name_w = 0;
  for (int r = 0; r < R; ++r) {
    const int64_t cell = int64_t(r) * C;
    std::string s;
    for (size_t a = 0; a < t.axes.size(); ++a)
      if (a != 1) s += (s.empty() ? "" : ", ") + t.axes[a].values[size_t(t.value_of(cell, int(a)))];
    row_names[size_t(r)] = s;
    name_w = std::max(name_w, ImGui::CalcTextSize(s.c_str()).x);
  }
  std::string blanks(" ");
  while (ImGui::CalcTextSize(blanks.c_str()).x < name_w && blanks.size() < 30) blanks += ' ';
  const float bar_w = std::round(4 + 14 + 8 + ImGui::CalcTextSize("-0.888").x + F + 8);
  const float plot_w = avail.x - bar_w;
  const ImVec2 plot_start = ImGui::GetCursorScreenPos();
  char title[200];
  std::snprintf(title, sizeof title, "%s: %s × %s, mean of %d seed%s###sweep_heat", metric_label(v.metric).c_str(),
                ra.key.c_str(), ca.key.c_str(), t.seeds, t.seeds == 1 ? "" : "s");
  const float plot_h = avail.y - ImGui::GetStyle().ItemSpacing.y;
  if (!plot::BeginPlot(title, ImVec2(plot_w, plot_h),
                       plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom | plot::PlotFlags_NoInputs))
    return;
  plot::SetupAxis(plot::Axis_X, ca.key.c_str(), plot::AxisFlags_NoGrid | plot::AxisFlags_Lock);
  plot::SetupAxisFormat(plot::Axis_X, " ");
  std::string y_name = ra.key;
  for (size_t a = 2; a < t.axes.size(); ++a) y_name += ", " + t.axes[a].key;
  plot::SetupAxis(plot::Axis_Y, y_name.c_str(), plot::AxisFlags_NoGrid | plot::AxisFlags_Lock);
  plot::SetupAxisFormat(plot::Axis_Y, blanks.c_str());
  plot::SetupAxisLimits(plot::Axis_X, -0.5, C - 0.5, ImGuiCond_Always);
  plot::SetupAxisLimits(plot::Axis_Y, -0.5, R - 0.5, ImGuiCond_Always);
  const plot::Point p0{-0.5, -0.5}, p1{C - 0.5, R - 0.5};  // row 0 on top
  plot::PlotHeatmap("##sweep", grid.data(), R, C, lo, hi, p0, p1);
  const ImVec2 a = plot::PlotToPixels({p0.x, p1.y}), b = plot::PlotToPixels({p1.x, p0.y});
  const float cw = (b.x - a.x) / float(C), ch = (b.y - a.y) / float(R);
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  // The mean in each cell, in a colour that reads on it; "–" where no seed has finished.
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const CellStats& s = stats[size_t(r) * size_t(C) + size_t(c)];
      char buf[32];
      if (s.runs == 0)
        std::snprintf(buf, sizeof buf, "…");
      else
        value_text(s.mean, buf, sizeof buf);
      const ImVec2 sz = ImGui::CalcTextSize(buf);
      if (sz.x + 4 > cw || sz.y + 2 > ch) continue;
      const ImU32 fill = s.finite > 0 ? palette::colormap(float((s.mean - lo) / (hi - lo))) : ps.plot_bg;
      const ImVec2 centre(a.x + cw * (float(c) + 0.5f), a.y + ch * (float(r) + 0.5f));
      plot::AddPlotText(ImVec2(std::round(centre.x - sz.x * 0.5f), std::round(centre.y - sz.y * 0.5f)),
                        s.finite > 0 ? text_on(fill) : tick, buf);
    }
  // Column values under the axis, row values in the reserved tick column.
  for (int c = 0; c < C; ++c) {
    const char* s = ca.values[size_t(c)].c_str();
    const ImVec2 sz = ImGui::CalcTextSize(s);
    plot::AddPlotText(ImVec2(std::round(a.x + cw * (float(c) + 0.5f) - sz.x * 0.5f), pos.y + size.y + 4), tick, s);
  }
  for (int r = 0; r < R; ++r) {
    const ImVec2 sz = ImGui::CalcTextSize(row_names[size_t(r)].c_str());
    plot::AddPlotText(ImVec2(pos.x - 6 - sz.x, std::round(a.y + ch * (float(r) + 0.5f) - sz.y * 0.5f)), tick,
                      row_names[size_t(r)].c_str());
  }
  if (plot::IsPlotHovered()) {
    const plot::Point mp = plot::GetPlotMousePos();
    const int c = int(std::lround(mp.x)), r = R - 1 - int(std::lround(mp.y));
    if (c >= 0 && c < C && r >= 0 && r < R) {
      const int64_t cell = int64_t(r) * C + c;
      cell_tooltip(t, cell, col, cell_label(t, cell), true);
      if (ImGui::IsMouseClicked(0)) open_cell(v, t, cell);
    }
  }
  plot::EndPlot();
  const float pad = ps.padding.y;
  ImGui::SetCursorScreenPos(
      ImVec2(plot_start.x + plot_w + ImGui::GetStyle().ItemSpacing.x * 0.5f, pos.y - pad - F * 0.5f));
  const std::string bar = metric_label(v.metric);
  plot::ColorBar(ImGui::CalcTextSize(bar.c_str()).x <= size.y + 2 * pad ? bar.c_str() : "mean", lo, hi,
                 ImVec2(bar_w - ImGui::GetStyle().ItemSpacing.x * 0.5f, size.y + 2 * pad + F));
}

}  // namespace moe

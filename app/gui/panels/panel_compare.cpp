// panel_compare.cpp: runs side by side on the time plots (see panel_compare.h).
//
// [SECTION] Runs: series, colours
// [SECTION] Seed groups: fetch and combine
// [SECTION] Drawing: lines, bands, difference to a reference, marks, legend
#include "panel_compare.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <iterator>
#include <string>

#include "metrics.h"
#include "run_stats.h"

namespace moe::panel {

// [SECTION] Runs: series, colours

SeriesId series_of(const RunSnapshot& snap, MetricRef m) {
  return m.layer < 0 ? snap.ids.of(m.metric) : snap.ids.of(m.layer, m.metric);
}

ImU32 run_colour(const RunLine& line) { return palette::run_colour(line.slot, theme()); }
plot::LineStyle run_style(const RunLine& line) { return plot::RunLineStyle(line.slot); }

// [SECTION] Seed groups: fetch and combine

int fetch_group(const std::vector<std::shared_ptr<const RunSnapshot>>& members, MetricRef m, double x_min, double x_max,
                int max_points, std::vector<GroupSample>& out) {
  out.clear();
  // The members' statistics at one common resolution (run_stats.h: the same x is the same
  // steps for every member, over the steps every member has reached).
  thread_local std::vector<std::shared_ptr<const History>> histories;
  thread_local std::vector<SeriesId> ids;
  histories.clear(), ids.clear();
  for (const auto& s : members) {
    if (!s || !s->history) return -1;
    const SeriesId id = series_of(*s, m);
    if (id < 0) return -1;
    histories.push_back(s->history);
    ids.push_back(id);
  }
  if (histories.empty()) return -1;
  const SeedBand band = seed_band(histories, ids, x_min, x_max, max_points);
  out.resize(band.x.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = GroupSample{band.x[i], band.mean[i], band.min[i], band.max[i], band.std[i], band.n[i]};
  return out.empty() ? -1 : band.level;
}

// [SECTION] Drawing

namespace {

// A line's points this frame: its value (group mean), and the band's edges for a group.
struct LinePoints {
  std::vector<double> x, y, lo, hi;
  int level = -1;
  bool band = false;
};

void fetch_line(const PanelContext& ctx, const RunLine& line, MetricRef m, const plot::Range& r, int budget,
                LinePoints& out) {
  thread_local std::vector<GroupSample> g;
  out.x.clear(), out.y.clear(), out.lo.clear(), out.hi.clear();
  out.band = line.members.size() > 1;
  if (!out.band) {
    // One run: exactly the fetch the single-run plot makes (plot_series).
    thread_local std::vector<HistorySample> pts;
    out.level = -1;
    if (line.members.empty() || !line.members[0] || !line.members[0]->history) return;
    const RunSnapshot& s = *line.members[0];
    const SeriesId id = series_of(s, m);
    if (id < 0) return;
    out.level = s.history->fetch(id, r.min, r.max, budget, pts);
    for (const HistorySample& p : pts) out.x.push_back(p.x), out.y.push_back(p.mean);
    return;
  }
  out.level = fetch_group(line.members, m, r.min, r.max, budget, g);
  const bool std_band = ctx.compare->band_std;
  for (const GroupSample& p : g) {
    out.x.push_back(p.x);
    out.y.push_back(p.mean);
    out.lo.push_back(std_band ? p.mean - p.std : p.min);
    out.hi.push_back(std_band ? p.mean + p.std : p.max);
  }
}

// The reference's value at x: linear between its points, NaN outside them.
double value_at(const LinePoints& ref, double x) {
  const auto it = std::lower_bound(ref.x.begin(), ref.x.end(), x);
  if (it == ref.x.end()) return ref.x.empty() || x > ref.x.back() + 0.5 ? NAN : ref.y.back();
  const size_t i = size_t(it - ref.x.begin());
  if (*it == x || i == 0) return std::abs(*it - x) <= 0.5 ? ref.y[i] : NAN;
  const double t = (x - ref.x[i - 1]) / (ref.x[i] - ref.x[i - 1]);
  return ref.y[i - 1] + t * (ref.y[i] - ref.y[i - 1]);
}

std::string item_label(const RunLine& line) { return line.label + "##run" + std::to_string(line.id); }

}  // namespace

int plot_runs(PanelContext& ctx, MetricRef m, const RunPlotStyle& style) {
  if (!ctx.comparing()) return 0;
  const Comparison& cmp = *ctx.compare;
  const plot::Range r = plot::GetPlotQueryRange(plot::Axis_X);
  // One point per pixel column, as plot_series; past two lines, one per two columns: eight 3 px
  // lines cannot show finer detail anyway, and each point is vertices a software renderer fills.
  const int budget = std::max(2, plot::GetPlotPointBudget() / (cmp.lines.size() > 2 ? 4 : 2));
  thread_local LinePoints pts, ref;
  const bool diff = cmp.reference >= 0 && cmp.reference < int(cmp.lines.size());
  if (diff) fetch_line(ctx, cmp.lines[size_t(cmp.reference)], m, r, budget, ref);
  // F.csv: one column per run (a seed group: mean, and the band's edges), its unit in the header.
  if (m.metric >= 0 && m.metric < int(std::size(kMetricTable))) {
    const MetricDef& d = kMetricTable[m.metric];
    std::string name = std::string(diff ? "\xCE\x94 " : "") + d.label;
    const std::string unit = style.scale == 100.0 ? "%" : d.unit;
    if (!unit.empty()) name += " [" + unit + "]";
    if (diff) name += ", minus the reference run";
    plot::SetupDataLabels("step", name.c_str());
  }
  int drawn = 0;
  // The selected run last, on top of the others.
  for (int pass = 0; pass < 2; ++pass)
    for (size_t li = 0; li < cmp.lines.size(); ++li) {
      const RunLine& line = cmp.lines[li];
      if (line.selected != (pass == 1)) continue;
      fetch_line(ctx, line, m, r, budget, pts);
      const size_t n = pts.x.size();
      if (pts.level < 0 || n == 0) continue;
      for (size_t i = 0; i < n; ++i) {
        const double base = diff ? value_at(ref, pts.x[i]) : 0.0;
        pts.y[i] = (pts.y[i] - base) * style.scale;
        if (pts.band) pts.lo[i] = (pts.lo[i] - base) * style.scale, pts.hi[i] = (pts.hi[i] - base) * style.scale;
      }
      if (ctx.ui.ema > 0) {
        const double a = ema_for_level(ctx, pts.level);
        plot::SmoothEma(pts.y.data(), pts.y.data(), int(n), a);
        if (pts.band) {
          plot::SmoothEma(pts.lo.data(), pts.lo.data(), int(n), a);
          plot::SmoothEma(pts.hi.data(), pts.hi.data(), int(n), a);
        }
      }
      const ImU32 colour = run_colour(line);
      const std::string label = item_label(line);
      if (pts.band) {  // the same label: a legend click or hover on the line also takes its band
        plot::SetNextFillStyle(colour, 0.22f);
        if (cmp.band_std)
          plot::SetNextDataNames(" mean - std", " mean + std");
        else
          plot::SetNextDataNames(" min", " max");
        plot::PlotShaded(label.c_str(), pts.x.data(), pts.lo.data(), pts.hi.data(), int(n),
                         plot::ItemFlags_NoLegend | plot::ItemFlags_NoTooltip);
      }
      const plot::LineStyle ls = run_style(line);
      // A figure: the weight of a single run's lines (2 px at the figure's scale, about 1 pt), every run alike.
      const float weight = figure_mode(ctx) ? std::min(style.weight, 2.0f)
                                            : style.weight + (line.selected && cmp.lines.size() > 1 ? 1.0f : 0.0f);
      plot::SetNextLineStyle(colour, weight);
      plot::SetNextLineDash(ls.dash, ls.marker);
      if (pts.band) plot::SetNextDataNames(" mean");
      plot::PlotLine(label.c_str(), pts.x.data(), pts.y.data(), int(n));
      drawn += int(n);
    }
  if (diff) {  // the reference itself: 0 by definition
    plot::SetNextLineStyle(palette::with_alpha(reference_colour(), 0.6f), 1.0f);
    plot::PlotHLine("##reference", 0.0, plot::ItemFlags_Dashed | plot::ItemFlags_NoLegend | plot::ItemFlags_NoTooltip);
  }
  return drawn;
}

void plot_run_marks(PanelContext& ctx, bool labels) {
  if (!ctx.comparing()) return;
  thread_local std::vector<double> xs;
  thread_local std::vector<std::string> texts;
  thread_local std::vector<const char*> ptrs;
  for (const RunLine& line : ctx.compare->lines) {
    if (line.members.empty() || !line.members[0]) continue;
    const RunSnapshot& s = *line.members[0];
    xs.clear(), texts.clear(), ptrs.clear();
    // Its own changes only: a fork's past events are its parent's, drawn in the parent's colour.
    for (const Event& e : s.events)
      if (line.fork_step < 0 || e.step >= line.fork_step) xs.push_back(double(e.step)), texts.push_back(e.label());
    if (line.fork_step >= 0 &&
        std::none_of(xs.begin(), xs.end(), [&](double x) { return x == double(line.fork_step); }))
      xs.push_back(double(line.fork_step)), texts.push_back("fork");
    if (xs.empty()) continue;
    for (const std::string& t : texts) ptrs.push_back(t.c_str());
    const std::string item = "##marks" + std::to_string(line.id);
    plot::SetNextLineStyle(palette::with_alpha(run_colour(line), 0.85f), 1.5f);
    plot::PlotVLines(item.c_str(), xs.data(), int(xs.size()), labels ? ptrs.data() : nullptr,
                     plot::ItemFlags_NoLegend | plot::ItemFlags_Dashed);
  }
}

int run_key_row(PanelContext& ctx) {
  if (!ctx.comparing()) return -1;
  thread_local std::vector<KeyItem> items;
  thread_local std::vector<std::string> labels;
  const Comparison& cmp = *ctx.compare;
  items.clear(), labels.clear();
  for (size_t i = 0; i < cmp.lines.size(); ++i) {
    const RunLine& l = cmp.lines[i];
    std::string text = l.label.empty() ? "run " + std::to_string(l.id) : l.label;
    // Short: the band's kind is on the run list's "band" button.
    const bool group = l.members.size() > 1, ref = int(i) == cmp.reference;
    if (group || ref)
      text += " (" + (group ? std::to_string(l.members.size()) + " seeds" : std::string()) +
              (group && ref ? ", " : "") + (ref ? "reference" : "") + ")";
    labels.push_back(text);
  }
  // Two lines at most (a key wrapping to three lines would take the plots' room): the runs that
  // fit, wrapping as key_row wraps, then "+N more" naming the rest on hover (the run list above
  // the panels has them all). The first line starts where the cursor is (after a panel's
  // controls), the second at the panel's left edge.
  const float F = ImGui::GetFontSize();
  const float swatch = std::round(F * 2.2f) + 4, gap = std::round(F * 0.8f);
  const float more_w = ImGui::CalcTextSize("+99 more").x + gap;
  const ImGuiWindow* window = ImGui::GetCurrentWindow();
  const float avail = ImGui::GetContentRegionAvail().x;
  const float line_start = window->Pos.x + window->DC.Indent.x + window->DC.ColumnsOffset.x;
  const float full = avail + std::max(0.0f, ImGui::GetCursorScreenPos().x - line_start);
  constexpr int kMaxLines = 2;
  int line = 0;
  float used = 0, room = avail;
  size_t shown = 0;
  // A figure names every run: its key wraps to more lines rather than hide some.
  if (figure_mode(ctx)) shown = cmp.lines.size();
  for (; shown < cmp.lines.size(); ++shown) {
    const float w = swatch + ImGui::CalcTextSize(labels[shown].c_str()).x;
    const bool last = shown + 1 == cmp.lines.size();
    const float reserve = last || line + 1 < kMaxLines ? 0.0f : more_w;  // "+N more" sits on the last line
    if (shown == 0) {  // key_row puts the first entry at the cursor, whatever its width
      used = w;
      continue;
    }
    if (used + gap + w <= room - reserve) {
      used += gap + w;
      continue;
    }
    if (line + 1 >= kMaxLines || w > full - (last ? 0.0f : more_w)) break;  // no further line, or too wide for one
    ++line;
    room = full;
    used = w;
  }
  shown = std::max<size_t>(shown, 1);
  for (size_t i = 0; i < shown; ++i) {
    KeyItem it{labels[i].c_str(), run_colour(cmp.lines[i])};
    it.style = run_style(cmp.lines[i]);  // wide swatches showing each dash once any run has one
    items.push_back(it);
  }
  const int hovered = key_row(items.data(), int(items.size()));
  if (shown < cmp.lines.size()) {
    ImGui::SameLine(0, gap);
    ImGui::TextDisabled("+%d more", int(cmp.lines.size() - shown));
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      for (size_t i = shown; i < cmp.lines.size(); ++i) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_colour(cmp.lines[i])), "%s", labels[i].c_str());
      }
      ImGui::EndTooltip();
    }
  }
  return hovered;
}

}  // namespace moe::panel

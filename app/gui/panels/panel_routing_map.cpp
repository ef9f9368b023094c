// panel_routing_map.cpp: 8. where the router sends which inputs.
//
// Any task: the probe batch's router inputs on their first two principal
// components (ProbeResult::plane, refitted every kPlaneRefitSteps), one point per
// token coloured by its top-1 expert, equal units on both axes; a key lists the
// experts with their share of the tokens and what each axis explains.
//
// The blobs task, whose inputs are a plane: the router's partition of that plane,
// each cell coloured by the expert that wins it (palette::categorical, the same
// colour as everywhere else), darker where the top-1 gate is less confident, drawn
// by the GPU (HeatmapGL::render_routing) in data coordinates with equal units on
// both axes. The probe batch's points sit on top, one marker shape per true class,
// so one sees which experts a class's cluster is routed to. A key at the right lists
// the experts that win part of the plane (with their share) and the class shapes.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"

namespace moe {

namespace {

constexpr int kShapes = 6;  // circle, square, triangle, diamond, triangle down, cross; then again

// A marker of class `shape` centred on c, radius r: fill, then a contrasting outline.
void draw_marker(plot::Recorder& rec, ImVec2 c, float r, int shape, ImU32 fill, ImU32 outline) {
  const plot::Stroke edge{outline, 1.0f};
  switch (shape % kShapes) {
    case 0:
      rec.Dot(c, r, fill, 12);
      rec.Circle(c, r, edge, 12);
      break;
    case 1: {
      const float h = r * 0.85f;
      rec.RectFilled(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), fill);
      rec.Rect(ImVec2(c.x - h, c.y - h), ImVec2(c.x + h, c.y + h), outline, 0, 1.0f);
      break;
    }
    case 2: {
      const ImVec2 pts[3] = {ImVec2(c.x, c.y - r * 1.1f), ImVec2(c.x + r, c.y + r * 0.75f),
                             ImVec2(c.x - r, c.y + r * 0.75f)};
      rec.ConvexPolygon(pts, 3, fill, edge);
      break;
    }
    case 3: {
      const ImVec2 pts[4] = {ImVec2(c.x, c.y - r * 1.15f), ImVec2(c.x + r, c.y), ImVec2(c.x, c.y + r * 1.15f),
                             ImVec2(c.x - r, c.y)};
      rec.ConvexPolygon(pts, 4, fill, edge);
      break;
    }
    case 4: {
      const ImVec2 pts[3] = {ImVec2(c.x, c.y + r * 1.1f), ImVec2(c.x - r, c.y - r * 0.75f),
                             ImVec2(c.x + r, c.y - r * 0.75f)};
      rec.ConvexPolygon(pts, 3, fill, edge);
      break;
    }
    default: {  // a plus, drawn twice for the outline
      const float h = r * 1.05f;
      rec.Line(ImVec2(c.x - h, c.y), ImVec2(c.x + h, c.y), plot::Stroke{outline, 4.0f});
      rec.Line(ImVec2(c.x, c.y - h), ImVec2(c.x, c.y + h), plot::Stroke{outline, 4.0f});
      rec.Line(ImVec2(c.x - h + 1, c.y), ImVec2(c.x + h - 1, c.y), plot::Stroke{fill, 2.0f});
      rec.Line(ImVec2(c.x, c.y - h + 1), ImVec2(c.x, c.y + h - 1), plot::Stroke{fill, 2.0f});
      break;
    }
  }
}

// The plot frame's margins around its data area (as plot_frame.cpp lays it out), to
// give the plane equal units on both axes.
ImVec2 plot_margins() {
  const float F = ImGui::GetFontSize();
  const ImVec2 pad = plot::GetStyle().padding;
  const float tick_w = ImGui::CalcTextSize("-0.5").x;
  return ImVec2(2 * pad.x + (F + 5) + tick_w + 6, 2 * pad.y + (F + 5) + (F + 5) + (F + 3));
}

// The CPU fallback of render_routing: one rectangle per cell.
void draw_cells_cpu(const RoutingMap& map, palette::Theme theme, float min_brightness) {
  plot::Recorder& rec = plot::GetPlotRecorder();
  const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
  rec.PushClip(pos, ImVec2(pos.x + size.x, pos.y + size.y));
  const double cw = (map.x1 - map.x0) / map.res, ch = (map.y1 - map.y0) / map.res;
  for (int r = 0; r < map.res; ++r)
    for (int c = 0; c < map.res; ++c) {
      const size_t i = size_t(r) * size_t(map.res) + size_t(c);
      const int e = map.winner[i];
      if (e < 0) continue;
      const ImVec2 a = plot::PlotToPixels({map.x0 + cw * c, map.y0 + ch * (r + 1)});
      const ImVec2 b = plot::PlotToPixels({map.x0 + cw * (c + 1), map.y0 + ch * r});
      const float k = min_brightness + (1 - min_brightness) * std::clamp(map.confidence[i], 0.0f, 1.0f);
      const ImVec4 col = ImGui::ColorConvertU32ToFloat4(palette::categorical(e, theme));
      rec.RectFilled(ImVec2(std::floor(a.x), std::floor(a.y)), ImVec2(std::ceil(b.x), std::ceil(b.y)),
                     ImGui::ColorConvertFloat4ToU32(ImVec4(col.x * k, col.y * k, col.z * k, 1.0f)));
    }
  rec.PopClip();
}

// Widens the shorter data range of [x0,x1]×[y0,y1] so one unit has the same length on
// both axes of a data area area_w × area_h pixels.
void equalise_units(double& x0, double& x1, double& y0, double& y1, double area_w, double area_h) {
  const double sx = (x1 - x0) / area_w, sy = (y1 - y0) / area_h;
  if (sx > sy) {
    const double grow = (sx * area_h - (y1 - y0)) * 0.5;
    y0 -= grow, y1 += grow;
  } else {
    const double grow = (sy * area_w - (x1 - x0)) * 0.5;
    x0 -= grow, x1 += grow;
  }
}

// The probe tokens' router inputs on their principal plane, coloured by top-1 expert
// (any task; the view of the tasks whose inputs have no plane of their own).
void draw_principal_plane(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const Config& cfg = s.cfg;
  const palette::Theme theme = ctx.ui.light_theme ? palette::Theme::light : palette::Theme::dark;
  const float F = ImGui::GetFontSize();
  const int E = cfg.routed_experts();
  const int layer = s.probe.empty() ? 0 : std::clamp(s.map_layer, 0, int(s.probe.size()) - 1);
  const ProbeResult* pr = s.probe.empty() ? nullptr : &s.probe[size_t(layer)];
  const int n = pr && pr->plane_xy.size() == size_t(2) * size_t(pr->tokens) && pr->top1.size() == size_t(pr->tokens)
                    ? pr->tokens
                    : 0;
  const PrincipalPlane* plane = pr ? &pr->plane : nullptr;

  // Tokens per top-1 expert (-1: none), and the data's extent.
  std::vector<int> count(size_t(std::max(1, E)), 0);
  int unrouted = 0;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (int t = 0; t < n; ++t) {
    const int e = pr->top1[size_t(t)];
    if (e >= 0 && e < E)
      ++count[size_t(e)];
    else
      ++unrouted;
    const double x = pr->plane_xy[size_t(2 * t)], y = pr->plane_xy[size_t(2 * t + 1)];
    x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  }
  if (n == 0 || !(x1 > x0)) x0 = -1, x1 = 1;
  if (n == 0 || !(y1 > y0)) y0 = -1, y1 = 1;
  const double mx = 0.06 * (x1 - x0), my = 0.06 * (y1 - y0);
  x0 -= mx, x1 += mx, y0 -= my, y1 += my;

  // Layout: the plane (equal units) on the left, the key on the right.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  char widest[48];
  std::snprintf(widest, sizeof widest, "expert %d  100%%", std::max(0, E - 1));
  const float key_w = std::round(std::max({ImGui::CalcTextSize(widest).x, ImGui::CalcTextSize("top-1 expert of").x,
                                           ImGui::CalcTextSize("refitted at step 000000").x}) +
                                 F * 1.6f);
  const ImVec2 margins = plot_margins();
  const float max_plot_w = std::max(10 * F, avail.x - key_w - ImGui::GetStyle().ItemSpacing.x);
  const float area_h = std::max(10.0f, avail.y - margins.y);
  const float plot_w = std::min(max_plot_w, float(area_h * (x1 - x0) / (y1 - y0)) + margins.x);
  equalise_units(x0, x1, y0, y1, std::max(10.0f, plot_w - margins.x), area_h);

  char title[112];
  for (const char* name : {"Probe tokens on the router input's top 2 PCs", "Router input, top 2 PCs", "Top 2 PCs"}) {
    if (cfg.n_layers > 1)
      std::snprintf(title, sizeof title, "%s, layer %d###routing_map", name, layer);
    else
      std::snprintf(title, sizeof title, "%s###routing_map", name);
    if (ImGui::CalcTextSize(title, nullptr, true).x <= plot_w - margins.x + 8) break;
  }
  const double total = plane ? plane->total_variance : 0;
  char xlabel[48] = "PC1", ylabel[48] = "PC2";
  if (plane && total > 0) {
    std::snprintf(xlabel, sizeof xlabel, "PC1 (%.0f%% of variance)", 100.0 * plane->variance[0] / total);
    std::snprintf(ylabel, sizeof ylabel, "PC2 (%.0f%%)", 100.0 * plane->variance[1] / total);
  }
  if (plot::BeginPlot(title, ImVec2(plot_w, avail.y), plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) {
    plot::SetupAxes(xlabel, ylabel);
    plot::SetupAxisLimits(plot::Axis_X, x0, x1, ImGuiCond_Always);
    plot::SetupAxisLimits(plot::Axis_Y, y0, y1, ImGuiCond_Always);
    if (n == 0) {
      panel::no_data_note("no probe yet");
    } else {
      plot::Recorder& rec = plot::GetPlotRecorder();
      const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
      rec.PushClip(pos, ImVec2(pos.x + size.x, pos.y + size.y));
      const float r = std::clamp(F * 0.22f, 2.5f, 4.5f);
      const ImU32 none = ctx.ui.light_theme ? IM_COL32(150, 150, 155, 255) : IM_COL32(120, 120, 128, 255);
      for (int t = 0; t < n; ++t) {
        const int e = pr->top1[size_t(t)];
        const ImVec2 c = plot::PlotToPixels({pr->plane_xy[size_t(2 * t)], pr->plane_xy[size_t(2 * t + 1)]});
        rec.Dot(c, r, e >= 0 && e < E ? palette::categorical(e, theme) : none, 10);
      }
      rec.PopClip();
      if (plot::IsPlotHovered()) {
        // The token nearest the cursor, within a few pixels.
        const ImVec2 m = ImGui::GetMousePos();
        int best = -1;
        float best_d2 = (3 * r) * (3 * r);
        for (int t = 0; t < n; ++t) {
          const ImVec2 c = plot::PlotToPixels({pr->plane_xy[size_t(2 * t)], pr->plane_xy[size_t(2 * t + 1)]});
          const float d2 = (c.x - m.x) * (c.x - m.x) + (c.y - m.y) * (c.y - m.y);
          if (d2 < best_d2) best_d2 = d2, best = t;
        }
        if (best >= 0) {
          const int e = pr->top1[size_t(best)];
          const int lab = best < int(pr->labels.size()) ? pr->labels[size_t(best)] : -1;
          const std::string label = lab >= 0 && lab < int(s.label_names.size()) ? s.label_names[size_t(lab)]
                                                                                : std::string();
          ImGui::BeginTooltip();
          if (e >= 0)
            ImGui::Text("probe token %d: top-1 expert %d, gate %.2f", best, e,
                        double(pr->gates[size_t(best) * size_t(pr->experts) + size_t(e)]));
          else
            ImGui::Text("probe token %d: no expert", best);
          if (!label.empty()) ImGui::TextDisabled("label: %s", label.c_str());
          ImGui::EndTooltip();
        }
      }
    }
    plot::EndPlot();
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Each point is a token of the fixed probe batch, placed by its router input projected onto that\n"
        "input's first two principal components (refitted every %lld steps), coloured by the expert\n"
        "its router picks first. Distances are faithful (equal units); other directions are flattened.",
        static_cast<long long>(kPlaneRefitSteps));

  // The key: experts that take tokens, with their share, then the axes' fit.
  ImGui::SameLine();
  ImGui::BeginGroup();
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  const float sw = std::round(F * 0.8f);
  const float key_bottom = ImGui::GetCursorScreenPos().y + avail.y;
  ImGui::Dummy(ImVec2(key_w, plot::GetStyle().padding.y));
  panel::key_text(false, "%s", "top-1 expert of");
  panel::key_text(true, "%d probe tokens", n);
  int takers = 0, listed = 0;
  for (int e = 0; e < E; ++e) takers += count[size_t(e)] > 0;
  for (int e = 0; e < E && n > 0; ++e) {
    if (count[size_t(e)] == 0) continue;
    if (ImGui::GetCursorScreenPos().y + 4 * row_h > key_bottom && listed < takers - 1) {
      panel::key_text(true, "+%d more", takers - listed);
      break;
    }
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float cy = p.y + ImGui::GetTextLineHeight() * 0.5f;
    plot::GetWindowRecorder().Dot(ImVec2(p.x + sw * 0.5f, cy), sw * 0.45f, palette::categorical(e, theme), 12);
    ImGui::Dummy(ImVec2(sw, ImGui::GetTextLineHeight()));
    ImGui::SameLine();
    panel::key_text(false, "expert %d", e);
    ImGui::SameLine();
    panel::key_text(true, "%.0f%%", 100.0 * count[size_t(e)] / n);
    ++listed;
  }
  if (unrouted > 0) panel::key_text(true, "no expert: %d", unrouted);
  if (E - takers > 0 && n > 0) panel::key_text(true, "%d take none", E - takers);
  if (plane && plane->fitted_step >= 0)
    panel::key_text(true, "refitted at step %lld", static_cast<long long>(plane->fitted_step));
  ImGui::EndGroup();
}

}  // namespace

void draw_routing_map(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const Config& cfg = s.cfg;
  const bool light = ctx.ui.light_theme;
  const palette::Theme theme = light ? palette::Theme::light : palette::Theme::dark;
  const float F = ImGui::GetFontSize();

  if (cfg.task != Task::blobs) {
    draw_principal_plane(ctx);
    return;
  }

  const RoutingMap& map = s.map;
  const int E = cfg.routed_experts();
  const bool have_map = map.res > 0 && map.winner.size() == size_t(map.res) * size_t(map.res) && map.x1 > map.x0 &&
                        map.y1 > map.y0;

  // Share of the plane each expert wins.
  std::vector<int> cells(size_t(std::max(1, E)), 0);
  if (have_map)
    for (int w : map.winner)
      if (w >= 0 && w < E) ++cells[size_t(w)];
  const std::vector<int32_t>* labels = !s.probe.empty() ? &s.probe[0].labels : nullptr;
  const int n_points = int(s.probe_xy.size() / 2);
  const int n_classes = cfg.blob_classes;

  // Layout: the map (equal units) on the left, the key on the right.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  char widest[48];
  std::snprintf(widest, sizeof widest, "expert %d  100%%", std::max(0, E - 1));
  const float key_w = std::round(
      std::max({ImGui::CalcTextSize(widest).x, ImGui::CalcTextSize("brightness = confidence").x,
                ImGui::CalcTextSize("probe tokens, by class").x}) +
      F * 1.6f);
  const ImVec2 margins = plot_margins();
  double x0 = have_map ? map.x0 : -1, x1 = have_map ? map.x1 : 1, y0 = have_map ? map.y0 : -1,
         y1 = have_map ? map.y1 : 1;
  // Plot width: what equal units need at the full height, within what is left beside the key.
  const float max_plot_w = std::max(10 * F, avail.x - key_w - ImGui::GetStyle().ItemSpacing.x);
  const float area_h = std::max(10.0f, avail.y - margins.y);
  const float want_w = float(area_h * (x1 - x0) / (y1 - y0)) + margins.x;
  const float plot_w = std::min(max_plot_w, want_w);
  equalise_units(x0, x1, y0, y1, std::max(10.0f, plot_w - margins.x), area_h);

  // The longest title that fits over the data area, with the layer when there are several.
  char title[96];
  for (const char* name : {"Winning expert over the input plane", "Winning expert", "Winner"}) {
    if (cfg.n_layers > 1)
      std::snprintf(title, sizeof title, "%s, layer %d###routing_map", name, s.map_layer);
    else
      std::snprintf(title, sizeof title, "%s###routing_map", name);
    if (ImGui::CalcTextSize(title, nullptr, true).x <= plot_w - margins.x + 8) break;
  }
  if (plot::BeginPlot(title, ImVec2(plot_w, avail.y), plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) {
    plot::SetupAxes("input x1", "input x2");
    plot::SetupAxisLimits(plot::Axis_X, x0, x1, ImGuiCond_Always);
    plot::SetupAxisLimits(plot::Axis_Y, y0, y1, ImGuiCond_Always);
    if (!have_map) {
      panel::no_data_note("no routing map yet");
    } else {
      const plot::Point lo{map.x0, map.y0}, hi{map.x1, map.y1};
      if (ctx.gpu) {
        const ImVec2 a = plot::PlotToPixels({lo.x, hi.y}), b = plot::PlotToPixels({hi.x, lo.y});
        const int w = std::max(1, int(std::lround(b.x - a.x))), h = std::max(1, int(std::lround(b.y - a.y)));
        thread_local std::vector<float> winner;
        winner.resize(map.winner.size());
        for (size_t i = 0; i < winner.size(); ++i) winner[i] = float(map.winner[i]);
        const ImTextureID tex = ctx.gpu->routing.render_routing(winner.data(), map.confidence.data(), map.res, map.res,
                                                                theme, w, h);
        // Map row 0 is at y0 (the bottom) and the texture's row 0 is its top: flip v.
        plot::PlotImage("##routing", tex, lo, hi, ImVec2(0, 1), ImVec2(1, 0));
      } else {
        draw_cells_cpu(map, theme, 0.25f);
      }
      // Probe tokens on top: white (dark outline) markers, one shape per true class.
      plot::Recorder& rec = plot::GetPlotRecorder();
      const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
      rec.PushClip(pos, ImVec2(pos.x + size.x, pos.y + size.y));
      const float r = std::clamp(F * 0.24f, 2.5f, 5.0f);
      for (int t = 0; t < n_points; ++t) {
        const int cls = labels && t < int(labels->size()) ? (*labels)[size_t(t)] : 0;
        const ImVec2 c = plot::PlotToPixels({s.probe_xy[size_t(2 * t)], s.probe_xy[size_t(2 * t + 1)]});
        draw_marker(rec, c, r, cls, IM_COL32(255, 255, 255, 235), IM_COL32(10, 10, 15, 255));
      }
      rec.PopClip();
      if (plot::IsPlotHovered()) {
        const plot::Point m = plot::GetPlotMousePos();
        const int cx = int(std::floor((m.x - map.x0) / (map.x1 - map.x0) * map.res));
        const int cy = int(std::floor((m.y - map.y0) / (map.y1 - map.y0) * map.res));
        if (cx >= 0 && cx < map.res && cy >= 0 && cy < map.res) {
          const size_t i = size_t(cy) * size_t(map.res) + size_t(cx);
          ImGui::BeginTooltip();
          ImGui::Text("expert %d wins here, top-1 gate %.2f", map.winner[i], double(map.confidence[i]));
          ImGui::EndTooltip();
        }
      }
    }
    plot::EndPlot();
  }

  // The key: experts that win part of the plane, then the class shapes.
  ImGui::SameLine();
  ImGui::BeginGroup();
  plot::Recorder& key_marks = plot::GetWindowRecorder();  // the class markers of the key, drawn like those on the plane
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  const float sw = std::round(F * 0.8f);
  const float key_top = ImGui::GetCursorScreenPos().y;
  const float key_bottom = key_top + avail.y;
  const float class_rows_h = (n_points > 0 ? float(std::min(n_classes, 12) + 1) * row_h : 0) + row_h;
  ImGui::Dummy(ImVec2(key_w, plot::GetStyle().padding.y));
  panel::key_text(false, "%s", "winning expert");
  const int total = have_map ? map.res * map.res : 0;
  int listed = 0, winners = 0;
  for (int e = 0; e < E; ++e) winners += cells[size_t(e)] > 0;
  for (int e = 0; e < E && total > 0; ++e) {
    if (cells[size_t(e)] == 0) continue;
    // Keep room for the class key and a "+N more" line.
    if (ImGui::GetCursorScreenPos().y + 2 * row_h + class_rows_h > key_bottom && listed < winners - 1) {
      panel::key_text(true, "+%d more", winners - listed);
      break;
    }
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float dy = std::round((ImGui::GetTextLineHeight() - sw) * 0.5f);
    plot::GetWindowRecorder().RectFilled(ImVec2(p.x, p.y + dy), ImVec2(p.x + sw, p.y + dy + sw),
                                         palette::categorical(e, theme), 2.0f);
    ImGui::Dummy(ImVec2(sw, ImGui::GetTextLineHeight()));
    ImGui::SameLine();
    panel::key_text(false, "expert %d", e);
    ImGui::SameLine();
    const double pct = 100.0 * cells[size_t(e)] / total;
    if (pct < 0.5)
      panel::key_text(true, "<1%%");
    else
      panel::key_text(true, "%.0f%%", pct);
    ++listed;
  }
  if (E - winners > 0 && total > 0) panel::key_text(true, "%d win nowhere", E - winners);
  panel::key_text(true, "brightness = confidence");
  if (n_points > 0) {
    ImGui::Dummy(ImVec2(1, row_h * 0.3f));
    panel::key_text(false, "%s", "probe tokens, by class");
    for (int c = 0; c < n_classes; ++c) {
      if (ImGui::GetCursorScreenPos().y + row_h > key_bottom) break;
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float cy = std::round(p.y + ImGui::GetTextLineHeight() * 0.5f);
      plot::GetWindowRecorder().RectFilled(ImVec2(p.x - 1, p.y), ImVec2(p.x + sw + 2, p.y + ImGui::GetTextLineHeight()),
                                           light ? IM_COL32(120, 120, 130, 255) : IM_COL32(70, 70, 80, 255), 2.0f);
      draw_marker(key_marks, ImVec2(p.x + sw * 0.5f + 0.5f, cy), std::clamp(F * 0.24f, 2.5f, 5.0f), c,
                  IM_COL32(255, 255, 255, 235), IM_COL32(10, 10, 15, 255));
      ImGui::Dummy(ImVec2(sw, ImGui::GetTextLineHeight()));
      ImGui::SameLine();
      panel::key_text(false, "class %d", c);
    }
  }
  ImGui::EndGroup();
}

}  // namespace moe

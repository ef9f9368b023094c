// panel_specialisation.cpp: 7. which expert each task label goes to. The label ×
// expert matrix of the probe batch's top-1 choices, each row normalised to the share
// of that label's tokens (a row reads "where do the digits go?") or, switched, each
// column to the share of that expert's tokens (a column reads "what does expert 3
// take?", which is what purity sums up), on the perceptual colormap with a colour
// bar; the title carries the normalised mutual information
// MI(label; top-1 expert) / min(log E, log n_labels) and the label purity.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"

namespace moe {

namespace {

// Row names without the prefix the axis title already says ("class 2" -> "2").
struct LabelAxis {
  const char* title;   // y axis title
  const char* prefix;  // stripped from each label name
};
LabelAxis label_axis(Task task) {
  switch (task) {
    case Task::blobs: return {"class", "class "};
    case Task::teacher: return {"teacher expert", "teacher expert "};
    case Task::chars: return {"character class", ""};
    case Task::lm: return {"character class (input)", ""};
  }
  return {"label", ""};
}

std::string row_name(const std::string& name, const char* prefix) {
  const std::string p(prefix);
  return !p.empty() && name.rfind(p, 0) == 0 ? name.substr(p.size()) : name;
}

}  // namespace

void draw_specialisation(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const int layer = panel::layer_of(ctx);
  const int E = s.cfg.routed_experts();
  const int L = int(s.label_names.size());
  const std::vector<double>* counts = layer < int(s.label_expert.size()) &&
                                              int(s.label_expert[size_t(layer)].size()) == L * E && L > 0
                                          ? &s.label_expert[size_t(layer)]
                                          : nullptr;
  const LayerMetrics* m = s.steps_done > 0 && layer < int(s.last.layers.size()) ? &s.last.layers[size_t(layer)]
                                                                                : nullptr;
  const LabelAxis axis = label_axis(s.cfg.task);
  const float F = ImGui::GetFontSize();

  // Controls: which way the matrix is normalised (rows: where each label goes; columns: what each
  // expert takes, i.e. its purity), and what MI and purity mean. UI-only, kept in the window's storage.
  bool& by_expert = ctx.ui.specialisation_by_expert;
  if (panel::figure_mode(ctx)) {
    if (s.cfg.router != RouterKind::dense && L > 1)
      panel::recorded_text(by_expert ? "shares of each expert" : "shares of each label", plot::GetStyle().tick_text);
  } else if (s.cfg.router == RouterKind::dense) {
    ImGui::TextDisabled("dense baseline: one expert, nothing to specialise");
    by_expert = false;
  } else if (L == 1) {
    ImGui::TextDisabled("one label only: nothing to specialise on");
    by_expert = false;
  } else {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("shares of");
    ImGui::SameLine();
    if (ImGui::RadioButton("each label", !by_expert)) by_expert = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("each expert", by_expert)) by_expert = true;
    ImGui::SameLine(0, F);
    const char* hint = "MI 0: experts ignore labels; 1: each label has its own  (?)";
    ImGui::TextDisabled("%s", ImGui::CalcTextSize(hint).x <= ImGui::GetContentRegionAvail().x ? hint : "(?)");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Rows are labels, columns experts; a cell counts the probe tokens of that label whose top-1 expert it is.\n"
          "Shares of each label: each row sums to 1 (where does each label go?).\n"
          "Shares of each expert: each column sums to 1 (what does each expert take? grey = no tokens).\n"
          "MI: mutual information between a token's label and its top-1 expert, over min(log E, log labels):\n"
          "0 = the expert says nothing about the label, 1 = each label has its own experts.\n"
          "Purity: share of tokens whose top-1 expert's most common label is their own.\n"
          "MI and purity are from the last training batch; the matrix is the fixed probe batch.");
  }

  // Shares per row (label) or per column (expert); NaN where that row or column has no probe token.
  thread_local std::vector<float> share;
  thread_local std::vector<double> row_total, col_total;
  share.assign(size_t(std::max(0, L * E)), std::numeric_limits<float>::quiet_NaN());
  row_total.assign(size_t(std::max(0, L)), 0.0);
  col_total.assign(size_t(std::max(0, E)), 0.0);
  auto count = [&](int c, int e) { return (*counts)[size_t(c) * size_t(E) + size_t(e)]; };
  if (counts) {
    for (int c = 0; c < L; ++c)
      for (int e = 0; e < E; ++e) {
        row_total[size_t(c)] += count(c, e);
        col_total[size_t(e)] += count(c, e);
      }
    for (int c = 0; c < L; ++c)
      for (int e = 0; e < E; ++e) {
        const double total = by_expert ? col_total[size_t(e)] : row_total[size_t(c)];
        if (total > 0) share[size_t(c) * size_t(E) + size_t(e)] = float(count(c, e) / total);
      }
  }

  // Reserve the y tick-label column for the row names: a tick format of blanks as wide as the widest name.
  std::vector<std::string> names(static_cast<size_t>(L));
  float name_w = 0;
  for (int c = 0; c < L; ++c) {
    names[size_t(c)] = row_name(s.label_names[size_t(c)], axis.prefix);
    name_w = std::max(name_w, ImGui::CalcTextSize(names[size_t(c)].c_str()).x);
  }
  std::string blanks(" ");
  while (ImGui::CalcTextSize(blanks.c_str()).x < name_w && blanks.size() < 30)
    blanks += ' ';  // tick labels hold 31 chars

  const ImGuiStyle& st = ImGui::GetStyle();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float colour_bar_w = std::round(4 + 14 + 8 + ImGui::CalcTextSize("0.8").x + F + 8);
  char title[160];
  const char* names_long = by_expert ? "Labels of each expert's tokens"
                                     : "Share of each label's tokens by top-1 expert";
  const char* name = ImGui::CalcTextSize(names_long).x + ImGui::CalcTextSize(": MI 0.00, purity 0.00").x + 16 <=
                             avail.x - colour_bar_w
                         ? names_long
                         : "Label \u00d7 top-1 expert";
  if (m && L > 1)
    std::snprintf(title, sizeof title, "%s: MI %.2f, purity %.2f###spec_matrix", name, m->specialisation,
                  m->label_purity);
  else
    std::snprintf(title, sizeof title, "%s###spec_matrix", name);

  const float plot_w = avail.x - colour_bar_w;
  const ImVec2 plot_start = ImGui::GetCursorScreenPos();
  if (!plot::BeginPlot(title, ImVec2(plot_w, avail.y), plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom)) return;
  panel::setup_expert_axis("expert");
  plot::SetupAxis(plot::Axis_Y, axis.title);
  plot::SetupAxisFormat(plot::Axis_Y, blanks.c_str());
  plot::SetupAxisLimits(plot::Axis_X, -0.5, E - 0.5, ImGuiCond_Always);
  plot::SetupAxisLimits(plot::Axis_Y, -0.5, std::max(1, L) - 0.5, ImGuiCond_Always);
  const ImVec2 area_pos = plot::GetPlotPos(), area_size = plot::GetPlotSize();
  panel::draw_expert_ticks(E);
  if (!counts) {
    panel::no_data_note("no probe batch yet");
  } else {
    const plot::Point lo{-0.5, -0.5}, hi{E - 0.5, L - 0.5};  // row 0 (label 0) on top
    const ImVec2 a = plot::PlotToPixels({lo.x, hi.y}), b = plot::PlotToPixels({hi.x, lo.y});
    if (ctx.gpu) {
      const int w = std::max(1, int(std::lround(b.x - a.x))), h = std::max(1, int(std::lround(b.y - a.y)));
      plot::PlotImage("##spec", ctx.gpu->specialisation.render_values(share.data(), L, E, 0.0f, 1.0f, w, h), lo, hi);
    } else {
      plot::PlotHeatmap("##spec", share.data(), L, E, 0.0, 1.0, lo, hi);
    }
    plot::Recorder& rec = plot::GetPlotRecorder();
    // Labels without a probe token say so (their row is the NaN grey).
    for (int c = 0; c < L; ++c)
      if (!by_expert && row_total[size_t(c)] == 0 && b.y - a.y >= float(L) * (F + 2)) {
        const char* text = "no probe tokens with this label";
        const ImVec2 sz = ImGui::CalcTextSize(text);
        const float cy = a.y + (b.y - a.y) * (float(c) + 0.5f) / float(L);
        plot::AddPlotText(ImVec2(std::round((a.x + b.x - sz.x) * 0.5f), std::round(cy - sz.y * 0.5f)),
                          plot::GetStyle().tick_text, text);
      }
    // Percentages in the cells when they fit, dark on the light end of the colormap.
    const float cell_w = (b.x - a.x) / float(E), cell_h = (b.y - a.y) / float(L);
    if (cell_w >= ImGui::CalcTextSize("100%").x + 4 && cell_h >= F + 2) {
      rec.PushClip(area_pos, ImVec2(area_pos.x + area_size.x, area_pos.y + area_size.y));
      for (int c = 0; c < L; ++c)
        for (int e = 0; e < E; ++e) {
          const float v = share[size_t(c) * size_t(E) + size_t(e)];
          if (!std::isfinite(v)) continue;
          char text[16];
          std::snprintf(text, sizeof text, "%.0f%%", 100.0 * double(v));
          const ImVec2 sz = ImGui::CalcTextSize(text);
          const ImVec2 centre(a.x + cell_w * (float(e) + 0.5f), a.y + cell_h * (float(c) + 0.5f));
          const ImU32 col = v > 0.55f ? IM_COL32(20, 20, 30, 255) : IM_COL32(240, 240, 245, 255);
          plot::AddPlotText(ImVec2(std::round(centre.x - sz.x * 0.5f), std::round(centre.y - sz.y * 0.5f)), col, text);
        }
      rec.PopClip();
    }
    // Row names in the reserved tick-label column, right-aligned like tick labels.
    const ImU32 tick = plot::GetStyle().tick_text ? plot::GetStyle().tick_text : ImGui::GetColorU32(ImGuiCol_Text);
    const float row_px = cell_h;
    int stride = 1;
    while (row_px * float(stride) < F + 1 && stride < L) ++stride;
    for (int c = 0; c < L; c += stride) {
      const ImVec2 sz = ImGui::CalcTextSize(names[size_t(c)].c_str());
      const float cy = a.y + cell_h * (float(c) + 0.5f);
      plot::AddPlotText(ImVec2(area_pos.x - 6 - sz.x, std::round(cy - sz.y * 0.5f)), tick, names[size_t(c)].c_str());
    }
    if (plot::IsPlotHovered()) {
      const plot::Point mp = plot::GetPlotMousePos();
      const int e = int(std::lround(mp.x)), c = L - 1 - int(std::lround(mp.y));
      if (e >= 0 && e < E && c >= 0 && c < L) {
        ImGui::BeginTooltip();
        const double n = count(c, e);
        ImGui::Text("%s, expert %d: %.0f probe tokens", s.label_names[size_t(c)].c_str(), e, n);
        ImGui::Text("%.1f%% of the label's %.0f, %.1f%% of the expert's %.0f",
                    row_total[size_t(c)] > 0 ? 100.0 * n / row_total[size_t(c)] : 0.0, row_total[size_t(c)],
                    col_total[size_t(e)] > 0 ? 100.0 * n / col_total[size_t(e)] : 0.0, col_total[size_t(e)]);
        ImGui::EndTooltip();
      }
    }
  }
  plot::EndPlot();

  // Placed by hand (not SameLine: ImGui 1.86 would add the plot's line height below it).
  const float pad = plot::GetStyle().padding.y;
  ImGui::SetCursorScreenPos(ImVec2(plot_start.x + plot_w + st.ItemSpacing.x * 0.5f, area_pos.y - pad - F * 0.5f));
  const char* bar_long = by_expert ? "share of the expert's tokens" : "share of the label's tokens";
  const char* bar_label = ImGui::CalcTextSize(bar_long).x <= area_size.y + 2 * pad ? bar_long : "share";
  plot::ColorBar(bar_label, 0.0, 1.0, ImVec2(colour_bar_w - st.ItemSpacing.x * 0.5f, area_size.y + 2 * pad + F));
}

}  // namespace moe

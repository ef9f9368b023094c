// panel_sparsity.cpp: 10. what sparsity buys. The share of the weights one token
// touches, in large type; the model's forward FLOPs per token against a dense FFN as
// wide as all its experts together; and, on a log axis, total against active
// parameters per token for this model beside published MoE models:
//   Mixtral 8x7B (Jiang et al. 2024): 46.7B total, 12.9B active
//   DeepSeek-V3 / R1 (DeepSeek-AI 2024): 671B total, 37B active
//   GPT-4: about 1.8T total, about 280B active (reported by third parties, unofficial)
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"

namespace moe {

namespace {

struct ModelFigures {
  const char* name;    // first line under the bars
  const char* short_name;  // when the name does not fit its group
  const char* detail;  // second line (a short one when the long one does not fit)
  const char* detail_short;
  double total, active;
};

// 3 significant digits with k / M / B / T, as parameter counts are quoted ("46.7B").
std::string human(double v) {
  static const struct {
    double unit;
    const char* suffix;
  } kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}, {1, ""}};
  for (const auto& u : kUnits)
    if (std::abs(v) >= u.unit || u.unit == 1) {
      const double x = v / u.unit;
      char buf[32];
      std::snprintf(buf, sizeof buf, x >= 100 ? "%.0f%s" : x >= 10 ? "%.1f%s" : "%.2f%s", x, u.suffix);
      std::string s(buf);
      // 12.0B -> 12B, 1.80T -> 1.8T
      const size_t dot = s.find('.');
      if (dot != std::string::npos) {
        size_t end = s.find_first_not_of("0123456789.", dot);
        if (end == std::string::npos) end = s.size();
        size_t last = end;
        while (last > dot + 1 && s[last - 1] == '0') --last;
        if (last == dot + 1) last = dot;
        s.erase(last, end - last);
      }
      return s;
    }
  return "0";
}

struct Bars {
  const ModelFigures* models;
  int count;
  bool active;  // the active bar (right of centre), else the total bar
  double half;  // offset of each bar from its group centre
};
plot::Point bar_at(const void* d, int i) {
  const auto* b = static_cast<const Bars*>(d);
  return {i + (b->active ? b->half : -b->half), b->active ? b->models[i].active : b->models[i].total};
}

// Big "active per token" figure, the parameter counts and the FLOPs comparison.
void draw_summary(const RunSnapshot& s, const SparsityFigures& sp, float width, bool compact, ImU32 active_colour, ImU32 total_colour) {
  const float F = ImGui::GetFontSize();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const double share = sp.total_params > 0 ? sp.active_params / sp.total_params : 0;
  char big[64];
  std::snprintf(big, sizeof big, "active per token: %.0f%% of weights", 100.0 * share);
  float big_size = std::round(F * 1.7f);
  while (big_size > F && ImGui::GetFont()->CalcTextSizeA(big_size, FLT_MAX, 0, big).x > width) big_size -= 1;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  dl->AddText(ImGui::GetFont(), big_size, p, ImGui::GetColorU32(ImGuiCol_Text), big);
  ImGui::Dummy(ImVec2(width, big_size + 2));
  if (compact) {  // one wrapped line for the FLOPs, no bars
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    if (sp.flops_per_token > 0 && sp.dense_equal_flops > sp.flops_per_token * 1.005)
      ImGui::TextDisabled("%s FLOPs per token; a dense FFN of the same total size: %s (%.1f\u00d7 more)", human(sp.flops_per_token).c_str(),
                          human(sp.dense_equal_flops).c_str(), sp.dense_equal_flops / sp.flops_per_token);
    else
      ImGui::TextDisabled("%s FLOPs per token, as many as a dense FFN of the same size", human(sp.flops_per_token).c_str());
    ImGui::PopTextWrapPos();
    return;
  }

  const Config& cfg = s.cfg;
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  if (cfg.router == RouterKind::dense)
    ImGui::TextDisabled("%s of %s parameters: a dense model runs every weight for every token.", human(sp.active_params).c_str(),
                        human(sp.total_params).c_str());
  else if (cfg.shared_experts > 0)
    ImGui::TextDisabled("%s of %s parameters: k = %d of %d routed experts, %d shared, and the layers around them.",
                        human(sp.active_params).c_str(), human(sp.total_params).c_str(), cfg.active_k(), cfg.routed_experts(),
                        cfg.shared_experts);
  else
    ImGui::TextDisabled("%s of %s parameters: k = %d of %d experts, and the layers around them.", human(sp.active_params).c_str(),
                        human(sp.total_params).c_str(), cfg.active_k(), cfg.routed_experts());
  ImGui::PopTextWrapPos();

  // FLOPs per token: two bars on one linear scale.
  ImGui::Dummy(ImVec2(1, F * 0.3f));
  ImGui::TextUnformatted("forward FLOPs per token");
  const double top = std::max({sp.flops_per_token, sp.dense_equal_flops, 1.0});
  struct Row {
    const char* name;
    double flops;
    ImU32 colour;
  } rows[2] = {{"this model", sp.flops_per_token, active_colour}, {"dense, same total size", sp.dense_equal_flops, total_colour}};
  const float name_w = ImGui::CalcTextSize("dense, same total size").x + F * 0.6f;
  const float value_w = ImGui::CalcTextSize("000.0M").x + F * 0.4f;
  const float bar_max = std::max(F * 2, width - name_w - value_w);
  for (const Row& r : rows) {
    const ImVec2 q = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    dl->AddText(q, ImGui::GetColorU32(ImGuiCol_Text), r.name);
    const float w = std::max(1.0f, float(r.flops / top) * bar_max);
    dl->AddRectFilled(ImVec2(q.x + name_w, q.y + 2), ImVec2(q.x + name_w + w, q.y + h - 1), r.colour, 2.0f);
    dl->AddText(ImVec2(q.x + name_w + w + F * 0.3f, q.y), ImGui::GetColorU32(ImGuiCol_Text), human(r.flops).c_str());
    ImGui::Dummy(ImVec2(width, h + 3));
  }
  if (sp.flops_per_token > 0 && sp.dense_equal_flops > sp.flops_per_token * 1.005)
    ImGui::TextDisabled("%.1f\u00d7 fewer FLOPs than running every expert", sp.dense_equal_flops / sp.flops_per_token);
}

// What the comparison shows and where its figures come from.
void draw_notes(float width) {
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextUnformatted("Compute per token follows the active parameters; memory holds all of them.");
  ImGui::Spacing();
  ImGui::TextDisabled("Mixtral 8x7B: Jiang et al. 2024. DeepSeek-V3: DeepSeek-AI 2024 (R1 shares its weights). "
                      "GPT-4: never published; the figures are third-party reports.");
  ImGui::PopTextWrapPos();
}

void draw_comparison(const RunSnapshot& s, const SparsityFigures& sp, ImVec2 size, ImU32 active_colour, ImU32 total_colour) {
  const float F = ImGui::GetFontSize();
  ModelFigures models[4] = {
      {"this model", "this model", "", "", sp.total_params, sp.active_params},
      {"Mixtral 8x7B", "Mixtral", "8 experts, top-2", "top-2 of 8", 46.7e9, 12.9e9},
      {"DeepSeek-V3/R1", "DeepSeek", "256 experts, top-8 + 1 shared", "top-8 of 256", 671e9, 37e9},
      {"GPT-4 (reported)", "GPT-4*", "unofficial estimate", "unofficial", 1.8e12, 280e9},
  };
  char this_detail[64], this_short[64];
  if (s.cfg.router == RouterKind::dense) {
    std::snprintf(this_detail, sizeof this_detail, "dense baseline");
    std::snprintf(this_short, sizeof this_short, "dense");
  } else {
    std::snprintf(this_detail, sizeof this_detail, "%d experts, top-%d%s", s.cfg.routed_experts(), s.cfg.active_k(),
                  s.cfg.shared_experts > 0 ? " + shared" : "");
    std::snprintf(this_short, sizeof this_short, "top-%d of %d", s.cfg.active_k(), s.cfg.routed_experts());
  }
  models[0].detail = this_detail;
  models[0].detail_short = this_short;
  const int n = 4;

  // Decades from below this model's active count to above GPT-4's total, labelled 1k, 1M, 1B, 1T ourselves
  // (the axis would say G for 10^9): a tick format of blanks reserves their width.
  const double lo = std::pow(10.0, std::floor(std::log10(std::max(1.0, std::min(sp.active_params, sp.total_params) * 0.5))));
  // Room above the tallest bar for two rows of value labels (the data area is about size.y - 4.5 F).
  const double area_h = std::max(double(F), double(size.y) - 4.5 * F - 12);
  // With D decades below GPT-4's total and u above it, u·h/(D+u) pixels must hold 2.3 F: u = 2.3 F·D / (h − 2.3 F).
  const double tallest = 1.8e12, D = std::log10(tallest / lo), room = 2.3 * F;
  const double u = area_h > room + F ? std::clamp(room * D / (area_h - room), 0.25, 4.0) : 4.0;
  const double hi = tallest * std::pow(10.0, u);
  std::string blanks(" ");
  while (ImGui::CalcTextSize(blanks.c_str()).x < ImGui::CalcTextSize("100B").x && blanks.size() < 30) blanks += ' ';
  // The title row carries the key (a legend inside would cover bars or their values).
  if (!plot::BeginPlot(" ###sparsity_params", size, plot::PlotFlags_NoLegend | plot::PlotFlags_NoBoxZoom | plot::PlotFlags_NoCrosshair))
    return;
  plot::SetupAxes(" ", "parameters (log scale)", plot::AxisFlags_NoGrid | plot::AxisFlags_Lock, plot::AxisFlags_Log | plot::AxisFlags_Lock);
  plot::SetupAxisFormat(plot::Axis_X, " ");
  plot::SetupAxisFormat(plot::Axis_Y, blanks.c_str());
  plot::SetupAxisLimits(plot::Axis_X, -0.5, n - 0.5, ImGuiCond_Always);
  plot::SetupAxisLimits(plot::Axis_Y, lo, hi, ImGuiCond_Always);
  const double half = 0.19;
  const Bars totals{models, n, false, half}, actives{models, n, true, half};
  plot::SetNextFillStyle(total_colour, 1.0f);
  plot::PlotBarsG("total parameters", &bar_at, &totals, n, 2 * half * 0.92);
  plot::SetNextFillStyle(active_colour, 1.0f);
  plot::PlotBarsG("active per token", &bar_at, &actives, n, 2 * half * 0.92);

  ImDrawList* dl = plot::GetPlotDrawList();
  const ImVec2 pos = plot::GetPlotPos(), area = plot::GetPlotSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 tick = plot::GetStyle().tick_text ? plot::GetStyle().tick_text : text;
  {
    const char* names[2] = {"total parameters", "active per token"};
    const ImU32 colours[2] = {total_colour, active_colour};
    const float sw = std::round(F * 0.8f), gap = F;
    float w = gap;
    for (const char* nm : names) w += sw + 5 + ImGui::CalcTextSize(nm).x;
    float x = std::round(pos.x + (area.x - w) * 0.5f);
    const float y = pos.y - F - 5;
    for (int k = 0; k < 2; ++k) {
      dl->AddRectFilled(ImVec2(x, y + std::round((F - sw) * 0.5f)), ImVec2(x + sw, y + std::round((F - sw) * 0.5f) + sw), colours[k], 2.0f);
      dl->AddText(ImVec2(x + sw + 5, y), text, names[k]);
      x += sw + 5 + ImGui::CalcTextSize(names[k]).x + gap;
    }
  }
  // y tick labels at decades, as many as fit.
  const int d0 = int(std::lround(std::log10(lo))), d1 = int(std::floor(std::log10(hi) + 1e-9));
  const float px_per_decade = area.y / float(std::log10(hi / lo));
  int stride = 1;
  while (px_per_decade * float(stride) < F * 1.4f) ++stride;
  static const char* const kSuffix[] = {"", "k", "M", "B", "T"};
  for (int d = d0; d <= d1; ++d) {
    if ((d - d0) % stride != 0 || d < 0 || d / 3 > 4) continue;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%d%s", d % 3 == 0 ? 1 : d % 3 == 1 ? 10 : 100, kSuffix[d / 3]);
    const float y = plot::PlotToPixels({0, std::pow(10.0, d)}).y;
    const ImVec2 sz = ImGui::CalcTextSize(buf);
    dl->AddText(ImVec2(pos.x - 6 - sz.x, std::round(std::clamp(y - sz.y * 0.5f, pos.y - sz.y * 0.5f, pos.y + area.y - sz.y * 0.5f))), tick, buf);
  }
  // Values above the bars (the total's raised above the active's where they would touch);
  // model names and the active share under each group.
  const float group_w = area.x / float(n);
  for (int i = 0; i < n; ++i) {
    ImVec2 at[2], sz[2];
    std::string t[2];
    for (int b = 0; b < 2; ++b) {
      const double v = b ? models[i].active : models[i].total;
      t[b] = v > 0 ? human(v) : "";
      sz[b] = ImGui::CalcTextSize(t[b].c_str());
      const ImVec2 top = plot::PlotToPixels({i + (b ? half : -half), std::max(v, lo)});
      at[b] = ImVec2(std::round(top.x - sz[b].x * 0.5f), top.y - sz[b].y - 1);
    }
    if (at[0].x + sz[0].x + 3 > at[1].x && at[0].y + sz[0].y > at[1].y) at[0].y = at[1].y - sz[0].y;
    for (int b = 0; b < 2; ++b)
      if (!t[b].empty()) dl->AddText(ImVec2(at[b].x, std::max(pos.y + 1, at[b].y)), text, t[b].c_str());
    const float cx = plot::PlotToPixels({double(i), 1.0}).x;
    const char* name = ImGui::CalcTextSize(models[i].name).x <= group_w - 6 ? models[i].name : models[i].short_name;
    const ImVec2 nsz = ImGui::CalcTextSize(name);
    dl->AddText(ImVec2(std::round(cx - nsz.x * 0.5f), pos.y + area.y + 4), text, name);
    char detail[80];
    const double pct = models[i].total > 0 ? 100.0 * models[i].active / models[i].total : 0;
    std::snprintf(detail, sizeof detail, "%.0f%% active, %s", pct, models[i].detail);
    if (ImGui::CalcTextSize(detail).x > group_w - 6) std::snprintf(detail, sizeof detail, "%.0f%% active, %s", pct, models[i].detail_short);
    if (ImGui::CalcTextSize(detail).x > group_w - 6) std::snprintf(detail, sizeof detail, "%.0f%% active", pct);
    if (ImGui::CalcTextSize(detail).x > group_w - 6) std::snprintf(detail, sizeof detail, "%.0f%%", pct);
    const ImVec2 dsz = ImGui::CalcTextSize(detail);
    dl->AddText(ImVec2(std::round(cx - dsz.x * 0.5f), pos.y + area.y + 4 + F + 2), tick, detail);
  }
  plot::EndPlot();
}

}  // namespace

void draw_sparsity(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const SparsityFigures& sp = s.sparsity;
  const bool light = ctx.ui.light_theme;
  const palette::Theme theme = light ? palette::Theme::light : palette::Theme::dark;
  const ImU32 active_colour = palette::categorical(0, theme);
  const ImU32 total_colour = light ? IM_COL32(175, 178, 188, 255) : IM_COL32(92, 95, 108, 255);
  const float F = ImGui::GetFontSize();
  const ImGuiStyle& st = ImGui::GetStyle();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (!(sp.total_params > 0)) {
    ImGui::TextDisabled("no model yet");
    return;
  }
  // Side by side when wide, else the summary above the comparison (compact when short).
  if (avail.x >= 1.45f * avail.y && avail.x >= 40 * F) {
    const float left_w = std::round(std::clamp(avail.x * 0.36f, 18 * F, 28 * F));
    ImGui::BeginGroup();
    ImGui::Dummy(ImVec2(1, F * 0.5f));
    draw_summary(s, sp, left_w, false, active_colour, total_colour);
    ImGui::Dummy(ImVec2(1, F * 0.6f));
    draw_notes(left_w);
    ImGui::EndGroup();
    ImGui::SameLine(0, st.ItemSpacing.x + F * 0.5f);
    draw_comparison(s, sp, ImVec2(ImGui::GetContentRegionAvail().x, avail.y), active_colour, total_colour);
  } else {
    const float y0 = ImGui::GetCursorPosY();
    draw_summary(s, sp, avail.x, avail.y < 26 * F, active_colour, total_colour);
    const float used = ImGui::GetCursorPosY() - y0;
    draw_comparison(s, sp, ImVec2(avail.x, std::max(6 * F, avail.y - used)), active_colour, total_colour);
  }
}

}  // namespace moe

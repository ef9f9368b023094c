// panel_sparsity.cpp: 10. what sparsity buys. The share of the weights one token
// touches, in large type; the model's forward FLOPs per token against a dense FFN as
// wide as all its experts together; and the active share of each model as a bar on a
// linear 0-100% scale (its magnitudes as text beside it), this model beside published
// MoE models:
// Mixtral 8x7B, DeepSeek-V3/R1 and GPT-4 (both unofficial figures), from the table in
// app/published_models.h that the lessons read too.
// (A log axis made GPT-4's active bar 91% as tall as its total for a share of 16%.)
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"
#include "plot.h"
#include "published_models.h"

namespace moe {

namespace {

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

// Big "active per token" figure, the parameter counts and the FLOPs comparison.
void draw_summary(const RunSnapshot& s, const SparsityFigures& sp, float width, bool compact, ImU32 active_colour,
                  ImU32 total_colour) {
  const float F = ImGui::GetFontSize();
  panel::RecordedDrawList rdl;
  panel::RecordedDrawList* dl = &rdl;
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
      panel::key_text(true, "%s FLOPs per token; a dense FFN of the same total size: %s (%.1f\u00d7 more)",
                      human(sp.flops_per_token).c_str(), human(sp.dense_equal_flops).c_str(),
                      sp.dense_equal_flops / sp.flops_per_token);
    else
      panel::key_text(true, "%s FLOPs per token, as many as a dense FFN of the same size",
                      human(sp.flops_per_token).c_str());
    ImGui::PopTextWrapPos();
    return;
  }

  const Config& cfg = s.cfg;
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  if (cfg.router == RouterKind::dense)
    panel::key_text(true, "%s of %s parameters: a dense model runs every weight for every token.",
                    human(sp.active_params).c_str(), human(sp.total_params).c_str());
  else if (cfg.shared_experts > 0)
    panel::key_text(true, "%s of %s parameters: k = %d of %d routed experts, %d shared, and the layers around them.",
                    human(sp.active_params).c_str(), human(sp.total_params).c_str(), cfg.active_k(),
                    cfg.routed_experts(), cfg.shared_experts);
  else
    panel::key_text(true, "%s of %s parameters: k = %d of %d experts, and the layers around them.",
                    human(sp.active_params).c_str(), human(sp.total_params).c_str(), cfg.active_k(),
                    cfg.routed_experts());
  ImGui::PopTextWrapPos();

  // FLOPs per token: two bars on one linear scale.
  ImGui::Dummy(ImVec2(1, F * 0.3f));
  panel::key_text(false, "%s", "forward FLOPs per token");
  const double top = std::max({sp.flops_per_token, sp.dense_equal_flops, 1.0});
  struct Row {
    const char* name;
    double flops;
    ImU32 colour;
  } rows[2] = {{"this model", sp.flops_per_token, active_colour},
               {"dense, same total size", sp.dense_equal_flops, total_colour}};
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
    panel::key_text(true, "%.1f\u00d7 fewer FLOPs than running every expert",
                    sp.dense_equal_flops / sp.flops_per_token);
}

// What the comparison shows and where its figures come from.
void draw_notes(float width) {
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  panel::key_text(false, "%s", "Compute per token follows the active parameters; memory holds all of them.");
  ImGui::Spacing();
  panel::key_text(true, "Mixtral 8x7B: Jiang et al. 2024. DeepSeek-V3: DeepSeek-AI 2024 (R1 shares its weights).");
  ImGui::PopTextWrapPos();
}

}  // namespace

panel::ShareRow* panel::sparsity_rows(const SparsityFigures& sp, int* count) {
  static ShareRow rows[1 + kPublishedModelCount];
  rows[0] = {"this model", "this model", sp.total_params, sp.active_params, false, "the model training now"};
  for (int i = 0; i < kPublishedModelCount; ++i) {
    const PublishedModel& m = kPublishedModels[i];
    rows[1 + i] = {m.name, m.short_name, m.total, m.active, m.unofficial, m.note};
  }
  *count = 1 + kPublishedModelCount;
  return rows;
}

namespace {

// Each model's active share as a bar on one linear 0-100% axis, its magnitudes beside it,
// and the GPT-4 caveat under them.
void draw_active_shares(const SparsityFigures& sp, ImVec2 size, ImU32 active_colour, ImU32 track_colour) {
  const float F = ImGui::GetFontSize();
  int n = 0;
  const panel::ShareRow* rows = panel::sparsity_rows(sp, &n);
  panel::RecordedDrawList rdl;
  panel::RecordedDrawList* dl = &rdl;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  panel::key_text(false, "%s", "active share of the weights, per token");
  const float width = size.x;
  float name_w = 0, value_w = 0;
  for (int i = 0; i < n; ++i) name_w = std::max(name_w, ImGui::CalcTextSize(rows[i].name).x);
  const bool short_names = name_w > width * 0.3f;
  if (short_names) {
    name_w = 0;
    for (int i = 0; i < n; ++i) name_w = std::max(name_w, ImGui::CalcTextSize(rows[i].short_name).x);
  }
  name_w += F * 0.6f;
  for (int i = 0; i < n; ++i) {
    const std::string v = human(rows[i].active) + " of " + human(rows[i].total);
    value_w = std::max(value_w, ImGui::CalcTextSize(v.c_str()).x);
  }
  value_w += F * 0.6f;
  const bool values = width - name_w - value_w > F * 8;  // the magnitudes only where the bars keep room
  const float bar_w = std::max(F * 4, width - name_w - (values ? value_w : 0.0f));
  // Rows a little tighter when the panel is short, so the caveat under them stays in view.
  const bool tight = size.y < F * 13.5f;
  const float row_h = std::round(F * (tight ? 1.3f : 1.55f)), bar_h = std::round(F * (tight ? 0.85f : 0.95f));
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float x0 = p0.x + name_w;
  // Grid at 0, 25, 50, 75, 100% behind the bars, labelled under them.
  const float rows_h = row_h * float(n);
  const int label_every = bar_w < ImGui::CalcTextSize("100%").x * 6 ? 2 : 1;  // 0, 50, 100% where 25s would touch
  for (int t = 0; t <= 4; ++t) {
    const float x = std::round(x0 + bar_w * float(t) / 4) + 0.5f;
    dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p0.y + rows_h + 3), plot::GetStyle().grid ? plot::GetStyle().grid : dim,
                1.0f);
    if (t % label_every != 0) continue;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%d%%", t * 25);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText(ImVec2(std::round(std::clamp(x - ts.x * 0.5f, x0 - ts.x * 0.5f, x0 + bar_w - ts.x)), p0.y + rows_h + 4),
                dim, buf);
  }
  for (int i = 0; i < n; ++i) {
    const panel::ShareRow& r = rows[i];
    const float y = p0.y + row_h * float(i);
    const float by = std::round(y + (row_h - bar_h) * 0.5f);
    const double share = r.total > 0 ? std::clamp(r.active / r.total, 0.0, 1.0) : 0.0;
    dl->AddText(ImVec2(p0.x, std::round(y + (row_h - F) * 0.5f)), text, short_names ? r.short_name : r.name);
    dl->AddRectFilled(ImVec2(x0, by), ImVec2(x0 + bar_w, by + bar_h), track_colour, 2.0f);  // the whole model: 100%
    const float fill = std::max(1.0f, float(share) * bar_w);
    dl->AddRectFilled(ImVec2(x0, by), ImVec2(x0 + fill, by + bar_h), active_colour, 2.0f);
    char pct[16];
    std::snprintf(pct, sizeof pct, share < 0.1 ? "%.1f%%" : "%.0f%%", 100 * share);
    const ImVec2 ts = ImGui::CalcTextSize(pct);
    dl->AddText(ImVec2(std::round(x0 + fill + F * 0.3f), std::round(by + (bar_h - ts.y) * 0.5f)), text, pct);
    if (values) {
      const std::string v = human(r.active) + " of " + human(r.total);
      dl->AddText(ImVec2(x0 + bar_w + F * 0.6f, std::round(y + (row_h - F) * 0.5f)), dim, v.c_str());
    }
    if (ImGui::IsMouseHoveringRect(ImVec2(p0.x, y), ImVec2(p0.x + width, y + row_h)))
      ImGui::SetTooltip("%s: %s active of %s parameters per token (%.1f%%)\n%s", r.name, human(r.active).c_str(),
                        human(r.total).c_str(), 100 * share, r.note);
  }
  ImGui::Dummy(ImVec2(width, rows_h + F + 6));
  // The caveat: the long one where it fits, else one that still names both figures as unofficial.
  const char* caveat =
      "* GPT-4: OpenAI has published neither its size nor its routing. Third-party reports give ~1.8T parameters "
      "with ~280B active per token (16%); popular articles repeat \"about 2% of 1.8T per token\". Both unofficial.";
  const float left = p0.y + size.y - ImGui::GetCursorScreenPos().y - F * 2.2f;  // what remains below the axis
  if (ImGui::CalcTextSize(caveat, nullptr, false, width).y > left)
    caveat = "* GPT-4 unofficial: reports ~280B of 1.8T active; popular articles ~2%.";
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  panel::key_text(true, "%s", caveat);
  ImGui::PopTextWrapPos();
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
    panel::key_text(true, "no model yet");
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
    ImGui::BeginGroup();
    draw_active_shares(sp, ImVec2(ImGui::GetContentRegionAvail().x, avail.y), active_colour, total_colour);
    ImGui::EndGroup();
  } else {
    const float y0 = ImGui::GetCursorPosY();
    draw_summary(s, sp, avail.x, avail.y < 26 * F, active_colour, total_colour);
    const float used = ImGui::GetCursorPosY() - y0;
    draw_active_shares(sp, ImVec2(avail.x, std::max(6 * F, avail.y - used)), active_colour, total_colour);
  }
}

}  // namespace moe

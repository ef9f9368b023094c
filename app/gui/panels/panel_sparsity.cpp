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

// The summary's sentences, formatted once for drawing and for measuring.
struct SummaryText {
  char big[64] = "";       // "active per token: 15% of weights", in large type
  char params[256] = "";   // the parameter counts and what is active
  char compact[256] = "";  // the FLOPs in one sentence (compact layout)
  char fewer[128] = "";    // how many times fewer FLOPs than dense ("" when no fewer)
};

SummaryText summary_text(const RunSnapshot& s, const SparsityFigures& sp) {
  SummaryText t;
  const double share = sp.total_params > 0 ? sp.active_params / sp.total_params : 0;
  std::snprintf(t.big, sizeof t.big, "active per token: %.0f%% of weights", 100.0 * share);
  const Config& cfg = s.cfg;
  const std::string active = human(sp.active_params), total = human(sp.total_params);
  if (cfg.router == RouterKind::dense)
    std::snprintf(t.params, sizeof t.params, "%s of %s parameters: a dense model runs every weight for every token.",
                  active.c_str(), total.c_str());
  else if (cfg.shared_experts > 0)
    std::snprintf(t.params, sizeof t.params,
                  "%s of %s parameters: k = %d of %d routed experts, %d shared, and the layers around them.",
                  active.c_str(), total.c_str(), cfg.active_k(), cfg.routed_experts(), cfg.shared_experts);
  else
    std::snprintf(t.params, sizeof t.params, "%s of %s parameters: k = %d of %d experts, and the layers around them.",
                  active.c_str(), total.c_str(), cfg.active_k(), cfg.routed_experts());
  const bool fewer = sp.flops_per_token > 0 && sp.dense_equal_flops > sp.flops_per_token * 1.005;
  if (fewer) {
    std::snprintf(t.compact, sizeof t.compact,
                  "%s FLOPs per token; a dense FFN of the same total size: %s (%.1f\u00d7 more)",
                  human(sp.flops_per_token).c_str(), human(sp.dense_equal_flops).c_str(),
                  sp.dense_equal_flops / sp.flops_per_token);
    std::snprintf(t.fewer, sizeof t.fewer, "%.1f\u00d7 fewer FLOPs than running every expert",
                  sp.dense_equal_flops / sp.flops_per_token);
  } else {
    std::snprintf(t.compact, sizeof t.compact, "%s FLOPs per token, as many as a dense FFN of the same size",
                  human(sp.flops_per_token).c_str());
  }
  return t;
}

// The large type's size: 1.7 lines, smaller until it fits `width`.
float big_text_size(const char* big, float width) {
  const float F = ImGui::GetFontSize();
  float size = std::round(F * 1.7f);
  while (size > F && ImGui::GetFont()->CalcTextSizeA(size, FLT_MAX, 0, big).x > width) size -= 1;
  return size;
}

float wrapped_height(const char* text, float width) { return ImGui::CalcTextSize(text, nullptr, false, width).y; }

// Big "active per token" figure, the parameter counts and the FLOPs comparison.
void draw_summary(const SummaryText& t, const SparsityFigures& sp, float width, bool compact, ImU32 active_colour,
                  ImU32 total_colour) {
  const float F = ImGui::GetFontSize();
  panel::RecordedDrawList rdl;
  panel::RecordedDrawList* dl = &rdl;
  // A short panel (compact) gives the large type less height, so the bars' caveat stays in view.
  const float big_size = std::min(big_text_size(t.big, width), compact ? std::round(F * 1.4f) : FLT_MAX);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  dl->AddText(ImGui::GetFont(), big_size, p, ImGui::GetColorU32(ImGuiCol_Text), t.big);
  ImGui::Dummy(ImVec2(width, big_size + 2));
  if (compact) {  // one wrapped line for the FLOPs, no bars
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    panel::key_text(true, "%s", t.compact);
    ImGui::PopTextWrapPos();
    return;
  }

  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  panel::key_text(true, "%s", t.params);
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
  if (t.fewer[0]) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    panel::key_text(true, "%s", t.fewer);
    ImGui::PopTextWrapPos();
  }
}

// What the comparison shows and where its figures come from: the citations in full, or
// where the column is too short for them, by author and year only.
const char* kComputeNote = "Compute per token follows the active parameters; memory holds all of them.";
const char* kCitations = "Mixtral 8x7B: Jiang et al. 2024. DeepSeek-V3: DeepSeek-AI 2024 (R1 shares its weights).";
const char* kShortCitations = "Sources: Jiang et al. 2024 (Mixtral), DeepSeek-AI 2024 (V3/R1).";

void draw_notes(float width, bool short_citations) {
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  panel::key_text(false, "%s", kComputeNote);
  ImGui::Spacing();
  panel::key_text(true, "%s", short_citations ? kShortCitations : kCitations);
  ImGui::PopTextWrapPos();
}

// The height the wide layout's left column (top_gap, summary, gap, notes) takes at `width`,
// as draw_summary and draw_notes lay it out.
float left_column_height(const SummaryText& t, float width, bool short_citations, float top_gap) {
  const float F = ImGui::GetFontSize(), sp = ImGui::GetStyle().ItemSpacing.y, line = ImGui::GetTextLineHeight();
  float h = top_gap + sp;                                // top gap
  h += big_text_size(t.big, width) + 2 + sp;             // large type
  h += wrapped_height(t.params, width) + sp;             // parameters
  h += F * 0.3f + sp + line + sp + 2 * (line + 3 + sp);  // FLOPs heading and its two bars
  if (t.fewer[0]) h += wrapped_height(t.fewer, width) + sp;
  h += F * 0.6f + sp;                                                          // gap
  h += wrapped_height(kComputeNote, width) + sp + sp;                          // note, Spacing
  h += wrapped_height(short_citations ? kShortCitations : kCitations, width);  // the group ends at its last line
  return h;
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
  const float bottom = ImGui::GetCursorScreenPos().y + size.y;  // the panel's room ends here
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
  // The caveat: the long one where it fits, else one that still names both figures as unofficial.
  const char* long_caveat =
      "* GPT-4: OpenAI has published neither its size nor its routing. Third-party reports give ~1.8T parameters "
      "with ~280B active per token (16%); popular articles repeat \"about 2% of 1.8T per token\". Both unofficial.";
  const char* short_caveat = "* GPT-4, both unofficial: ~280B of 1.8T reported; ~2% popular.";
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float axis_h = F + 6 + ImGui::GetStyle().ItemSpacing.y;  // the % labels under the rows
  // Rows a little tighter when the panel is short, and tighter still (down to 1.15 lines) where
  // the short caveat would otherwise run off the bottom.
  const bool tight = size.y < F * 13.5f;
  float row_h = std::round(F * (tight ? 1.3f : 1.55f));
  const float rows_room = bottom - p0.y - axis_h - ImGui::CalcTextSize(short_caveat, nullptr, false, width).y;
  if (row_h * float(n) > rows_room) row_h = std::max(std::round(F * 1.15f), std::floor(rows_room / float(n)));
  const float bar_h = std::min(std::round(F * (tight ? 0.85f : 0.95f)), row_h - 4);
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
  const float left = bottom - ImGui::GetCursorScreenPos().y;  // what remains below the axis
  const char* caveat = ImGui::CalcTextSize(long_caveat, nullptr, false, width).y <= left ? long_caveat : short_caveat;
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
    // No text runs off the bottom: the citations by author and year where in full they would,
    // then no gap above, then the left column wider (up to half the panel; the bars' magnitudes go first).
    const SummaryText text = summary_text(s, sp);
    float left_w = std::round(std::clamp(avail.x * 0.36f, 18 * F, 28 * F));
    const float widest = std::max(left_w, std::round(std::min(avail.x * 0.5f, 32 * F)));
    float top_gap = std::round(F * 0.5f);
    const bool short_citations = left_column_height(text, left_w, false, top_gap) > avail.y;
    if (left_column_height(text, left_w, short_citations, top_gap) > avail.y) top_gap = 0;
    while (left_column_height(text, left_w, short_citations, top_gap) > avail.y && left_w < widest)
      left_w = std::min(widest, left_w + F);
    ImGui::BeginGroup();
    ImGui::Dummy(ImVec2(1, top_gap));
    draw_summary(text, sp, left_w, false, active_colour, total_colour);
    ImGui::Dummy(ImVec2(1, F * 0.6f));
    draw_notes(left_w, short_citations);
    ImGui::EndGroup();
    ImGui::SameLine(0, st.ItemSpacing.x + F * 0.5f);
    ImGui::BeginGroup();
    draw_active_shares(sp, ImVec2(ImGui::GetContentRegionAvail().x, avail.y), active_colour, total_colour);
    ImGui::EndGroup();
  } else {
    const float y0 = ImGui::GetCursorPosY();
    draw_summary(summary_text(s, sp), sp, avail.x, avail.y < 26 * F, active_colour, total_colour);
    const float used = ImGui::GetCursorPosY() - y0;
    draw_active_shares(sp, ImVec2(avail.x, std::max(6 * F, avail.y - used)), active_colour, total_colour);
  }
}

}  // namespace moe

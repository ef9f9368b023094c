// panel_text_by_expert.cpp: lm only. The held-out probe passage, each character on a
// box in the colour of its top-1 expert in the chosen layer (the Mixtral paper's
// figure of text coloured by routing), updating live; hovering a character shows its
// gate distribution p_{t,i} in every layer. Newlines show as ↵ and start a new line.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"

namespace moe {

bool lm_panel_applies(const Config& cfg) { return cfg.task == Task::lm; }

namespace {

// Dark or light text, whichever reads on the box colour (OKLab lightness).
ImU32 text_on(ImU32 box) { return palette::to_oklab(box).L > 0.6f ? IM_COL32(20, 20, 20, 255) : IM_COL32_WHITE; }

void gate_tooltip(const RunSnapshot& s, int t, palette::Theme theme) {
  ImGui::BeginTooltip();
  const std::string& ch = s.probe_text[size_t(t)];
  ImGui::Text("'%s'  (passage position %d)", ch == "\n" ? "\\n" : ch.c_str(), t);
  const float bar_w = 140 * ImGui::GetFontSize() / 16, h = ImGui::GetTextLineHeight();
  for (size_t l = 0; l < s.probe.size(); ++l) {
    const ProbeResult& p = s.probe[l];
    if (t >= p.tokens) continue;
    ImGui::Text("layer %zu: top-1 expert %d", l, p.top1[size_t(t)]);
    for (int e = 0; e < p.experts; ++e) {
      const float g = p.gates[size_t(t) * size_t(p.experts) + size_t(e)];
      ImGui::Text("  e%-2d %.2f", e, g);
      ImGui::SameLine();
      const ImVec2 c = ImGui::GetCursorScreenPos();
      ImDrawList* dl = ImGui::GetWindowDrawList();
      dl->AddRect(c, ImVec2(c.x + bar_w, c.y + h * 0.8f), IM_COL32(128, 128, 128, 160));
      dl->AddRectFilled(c, ImVec2(c.x + bar_w * std::clamp(g, 0.0f, 1.0f), c.y + h * 0.8f),
                        palette::categorical(e, theme));
      ImGui::Dummy(ImVec2(bar_w, h * 0.8f));
    }
  }
  ImGui::EndTooltip();
}

}  // namespace

void draw_text_by_expert(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const palette::Theme theme = ctx.ui.light_theme ? palette::Theme::light : palette::Theme::dark;
  const int layer = panel::layer_of(ctx);
  const bool figure = panel::figure_mode(ctx);  // no separator, child window or hover; all through the recorder
  if (s.probe_text.empty() || size_t(layer) >= s.probe.size() || s.probe[size_t(layer)].tokens == 0) {
    const char* note = "The held-out passage appears after the first probe (task = lm).";
    if (figure)
      panel::recorded_paragraph(note, true);
    else
      ImGui::TextDisabled("%s", note);
    return;
  }
  const ProbeResult& p = s.probe[size_t(layer)];
  char head[160];
  std::snprintf(head, sizeof head,
                figure ? "Held-out text, each character coloured by its top-1 expert in layer %d"
                       : "Held-out text, each character coloured by its top-1 expert in layer %d (hover: gates in "
                         "every layer)",
                layer);
  panel::recorded_paragraph(head);
  // Key: one swatch per expert (through the plot layer's recorder, so a figure file has it as text).
  const float fh = ImGui::GetFontSize();
  {
    panel::RecordedDrawList dl;
    for (int e = 0; e < p.experts; ++e) {
      if (e > 0) ImGui::SameLine();
      const ImVec2 c = ImGui::GetCursorScreenPos();
      const ImU32 col = palette::categorical(e, theme);
      char label[16];
      std::snprintf(label, sizeof label, "%d", e);
      const ImVec2 sz = ImGui::CalcTextSize(label);
      dl.AddRectFilled(c, ImVec2(c.x + sz.x + 10, c.y + fh + 2), col, 3);
      dl.AddText(ImVec2(c.x + 5, c.y + 1), text_on(col), label);
      ImGui::Dummy(ImVec2(sz.x + 10, fh + 2));
    }
  }
  ImGui::SameLine();
  panel::recorded_paragraph("experts   (grey: no expert)", true);
  if (figure)
    ImGui::Spacing();
  else
    ImGui::Separator();

  // The passage, wrapped at the panel's width: one box per character, each character as text.
  if (!figure) ImGui::BeginChild("##passage", ImVec2(0, 0), false);
  panel::RecordedDrawList dl;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x, line_h = fh + 6, cell_pad = 1;
  const float bottom = figure ? origin.y + ImGui::GetContentRegionAvail().y : INFINITY;
  float x = 0, y = 0;
  int hovered = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int n = std::min(p.tokens, int(s.probe_text.size()));
  for (int t = 0; t < n; ++t) {
    const std::string& ch = s.probe_text[size_t(t)];
    const bool newline = ch == "\n";
    const char* shown = newline ? "\u21b5" : (ch == "\t" ? "\u2192" : ch.c_str());
    const float w = std::max(ImGui::CalcTextSize(shown).x, fh * 0.35f) + 2 * cell_pad;
    if (x + w > width) x = 0, y += line_h;
    const ImVec2 a(origin.x + x, origin.y + y), b(a.x + w, a.y + fh + 4);
    if (b.y > bottom) break;  // a figure stops at its edge rather than cut a line in half
    const int e = p.top1[size_t(t)];
    const ImU32 col = e >= 0 ? palette::categorical(e, theme) : IM_COL32(128, 128, 128, 255);
    dl.AddRectFilled(a, b, col, 2);
    dl.AddText(ImVec2(a.x + cell_pad, a.y + 2), text_on(col), shown);
    if (!figure && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y && ImGui::IsWindowHovered()) {
      hovered = t;
      ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1),
                                          ImGui::GetColorU32(ImGuiCol_Text), 2, 0, 2);
    }
    x += w + 1;
    if (newline) x = 0, y += line_h;
  }
  ImGui::Dummy(ImVec2(width, std::min(y + line_h, bottom - origin.y)));
  if (hovered >= 0) gate_tooltip(s, hovered, theme);
  if (!figure) ImGui::EndChild();
}

}  // namespace moe

// panel_attention.cpp: lm only. Attention probabilities of one head in the chosen layer
// for the first window of the held-out passage: row i (a query position) over the
// columns j <= i it attends to, each row summing to 1 (causal: the upper triangle is
// empty). Axis labels are the passage's characters; the head is picked with the slider (UiState::attention_head, `shot
// --view head=N`).
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "palette.h"
#include "panel_common.h"
#include "panels.h"

namespace moe {

void draw_attention(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  const int layer = panel::layer_of(ctx);
  const int n = s.cfg.lm_context, H = s.cfg.lm_heads;
  const bool figure = panel::figure_mode(ctx);  // no slider or hover; everything through the recorder
  if (size_t(layer) >= s.probe_attention.size() ||
      s.probe_attention[size_t(layer)].size() != size_t(H) * size_t(n) * size_t(n) || s.probe_text.size() < size_t(n)) {
    const char* note = "Attention appears after the first probe (task = lm).";
    if (figure)
      panel::recorded_paragraph(note, true);
    else
      ImGui::TextDisabled("%s", note);
    return;
  }
  int& head = ctx.ui.attention_head;  // UiState: the window's slider and `shot --view head=N`
  head = std::clamp(head, 0, H - 1);
  char which[64];
  std::snprintf(which, sizeof which, "of %d, layer %d", H, layer);
  if (figure) {
    char title[96];
    std::snprintf(title, sizeof title, "head %d %s", head, which);
    panel::recorded_paragraph(title);
  } else {
    ImGui::SetNextItemWidth(std::min(200.0f, ImGui::GetContentRegionAvail().x * 0.4f));
    ImGui::SliderInt("head", &head, 0, H - 1);
    ImGui::SameLine();
    ImGui::TextDisabled("%s", which);
  }
  panel::recorded_paragraph(
      "Row: the position attending (query i); column: the earlier position it reads (key j <= i).", true);
  const float* A = s.probe_attention[size_t(layer)].data() + size_t(head) * size_t(n) * size_t(n);
  const float fh = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bar_w = fh * 3.5f, label_w = fh * 1.2f;
  const float cell = std::max(2.0f, std::min((avail.x - bar_w - label_w - 8) / n, (avail.y - label_w - 4) / n));
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const ImVec2 grid(o.x + label_w, o.y);
  panel::RecordedDrawList dl;  // the plot layer's recorder: a figure file gets the cells, labels and bar
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const bool labels = cell >= fh * 0.75f;
  auto shown = [&](int t) {
    const std::string& c = s.probe_text[size_t(t)];
    return c == "\n" ? std::string("\u21b5") : c == " " ? std::string("\u00b7") : c;
  };
  // The matrix as one image (row i over columns j <= i; the upper triangle left empty).
  thread_local std::vector<ImU32> pixels;
  pixels.assign(size_t(n) * size_t(n), 0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j)
      pixels[size_t(i) * size_t(n) + size_t(j)] = palette::colormap(A[size_t(i) * size_t(n) + size_t(j)]);
  plot::ImagePrim img;
  img.min = grid;
  img.max = ImVec2(grid.x + n * cell, grid.y + n * cell);
  img.pixels = pixels.data();
  img.rows = img.cols = n;
  img.values = A;
  dl.rec.Image(img);
  int hi = -1, hj = -1;
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (!figure && m.x >= grid.x && m.y >= grid.y) {
    const int j = int((m.x - grid.x) / cell), i = int((m.y - grid.y) / cell);
    if (i < n && j <= i) hi = i, hj = j;
  }
  if (labels)
    for (int i = 0; i < n; ++i) {
      const std::string c = shown(i);
      dl.AddText(ImVec2(o.x + 2, grid.y + i * cell + (cell - fh) / 2), text, c.c_str());
      dl.AddText(ImVec2(grid.x + i * cell + (cell - ImGui::CalcTextSize(c.c_str()).x) / 2, grid.y + n * cell + 2), text,
                 c.c_str());
    }
  dl.AddRect(grid, ImVec2(grid.x + n * cell, grid.y + n * cell), ImGui::GetColorU32(ImGuiCol_Border));
  // colour bar 0..1
  const float bx = grid.x + n * cell + fh, bh = n * cell;
  for (int k = 0; k < 64; ++k) {
    const float y0 = grid.y + bh * (1 - (k + 1) / 64.0f), y1 = grid.y + bh * (1 - k / 64.0f);
    dl.AddRectFilled(ImVec2(bx, y0), ImVec2(bx + fh * 0.8f, y1 + 1), palette::colormap(k / 63.0f));
  }
  dl.AddText(ImVec2(bx + fh, grid.y - 2), text, "1");
  dl.AddText(ImVec2(bx + fh, grid.y + bh - fh), text, "0");
  ImGui::Dummy(ImVec2(label_w + n * cell + bar_w, n * cell + label_w));
  if (hi >= 0 && ImGui::IsWindowHovered()) {
    ImGui::BeginTooltip();
    ImGui::Text("'%s' (position %d) attends to '%s' (position %d): %.3f", shown(hi).c_str(), hi, shown(hj).c_str(), hj,
                A[size_t(hi) * size_t(n) + size_t(hj)]);
    ImGui::EndTooltip();
  }
}

}  // namespace moe

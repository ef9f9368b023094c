// math_text.cpp: see math_text.h. Boxes in the TeX sense: each node has a width, an
// ascent above its baseline and a descent below it; a row sets its children on one baseline.
#include "math_text.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "math_markup.h"

namespace moe::gui {

namespace {

using lesson::MathNode;

constexpr float kScript = 0.68f;    // sub/superscript size
constexpr float kFracPart = 0.82f;  // numerator/denominator size

struct Box {
  float w = 0, asc = 0, desc = 0;
};

float ascent(ImFont* f, float size) { return f->Ascent * size / f->FontSize; }
float descent(ImFont* f, float size) { return -f->Descent * size / f->FontSize; }

// Lays out (dl == nullptr) or draws a node with its baseline at (x, y).
Box render(const MathNode& n, ImFont* f, float size, ImDrawList* dl, float x, float y, ImU32 col) {
  Box b;
  switch (n.kind) {
    case MathNode::Text: {
      b.w = f->CalcTextSizeA(size, FLT_MAX, 0, n.text.c_str()).x;
      b.asc = ascent(f, size);
      b.desc = descent(f, size);
      if (dl) dl->AddText(f, size, ImVec2(std::round(x), std::round(y - b.asc)), col, n.text.c_str());
      return b;
    }
    case MathNode::Sum: {
      const float s = size * 1.35f;
      b.w = f->CalcTextSizeA(s, FLT_MAX, 0, n.text.c_str()).x + size * 0.08f;
      const float shift = size * 0.12f;  // centred on the maths axis rather than sitting on the baseline
      b.asc = ascent(f, s) - shift;
      b.desc = descent(f, s) + shift;
      if (dl) dl->AddText(f, s, ImVec2(std::round(x), std::round(y + shift - ascent(f, s))), col, n.text.c_str());
      return b;
    }
    case MathNode::Sub:
    case MathNode::Sup: {
      const float s = size * kScript;
      const float shift = n.kind == MathNode::Sub ? size * 0.22f : -size * 0.38f;
      const Box k = render(n.kids[0], f, s, dl, x + size * 0.03f, y + shift, col);
      b.w = k.w + size * 0.06f;
      b.asc = std::max(0.0f, k.asc - shift);
      b.desc = std::max(0.0f, k.desc + shift);
      return b;
    }
    case MathNode::Frac: {
      const float s = size * kFracPart;
      const Box num = render(n.kids[0], f, s, nullptr, 0, 0, col), den = render(n.kids[1], f, s, nullptr, 0, 0, col);
      const float pad = size * 0.15f, gap = size * 0.12f, axis = size * 0.3f;  // bar height above the baseline
      b.w = std::max(num.w, den.w) + 2 * pad;
      const float bar_y = y - axis;
      const float num_base = bar_y - gap - num.desc, den_base = bar_y + gap + den.asc;
      b.asc = axis + gap + num.desc + num.asc;
      b.desc = std::max(0.0f, -axis + gap + den.asc + den.desc);
      if (dl) {
        render(n.kids[0], f, s, dl, x + (b.w - num.w) * 0.5f, num_base, col);
        render(n.kids[1], f, s, dl, x + (b.w - den.w) * 0.5f, den_base, col);
        const float t = std::max(1.0f, std::round(size / 16.0f));
        dl->AddRectFilled(ImVec2(std::round(x + pad * 0.5f), std::round(bar_y - t * 0.5f)),
                          ImVec2(std::round(x + b.w - pad * 0.5f), std::round(bar_y - t * 0.5f) + t), col);
      }
      return b;
    }
    case MathNode::Row: {
      b.asc = ascent(f, size);
      b.desc = descent(f, size);
      for (const MathNode& k : n.kids) {
        const Box kb = render(k, f, size, dl, x + b.w, y, col);
        b.w += kb.w;
        b.asc = std::max(b.asc, kb.asc);
        b.desc = std::max(b.desc, kb.desc);
      }
      return b;
    }
  }
  return b;
}

// Splits markup at spaces outside braces: the places a long line may break.
std::vector<std::string> words(const std::string& m) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    const char c = m[i];
    if (c == '\\' && i + 1 < m.size()) {
      cur += c;
      cur += m[++i];
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}') depth = std::max(0, depth - 1);
    cur += c;
    if (c == ' ' && depth == 0) out.push_back(cur), cur.clear();
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

ImVec2 math_size(const std::string& markup, ImFont* font, float size) {
  const Box b = render(lesson::parse_math(markup), font, size, nullptr, 0, 0, 0);
  return ImVec2(b.w, b.asc + b.desc);
}

ImVec2 draw_math(ImDrawList* dl, ImVec2 pos, const std::string& markup, ImFont* font, float size, ImU32 colour) {
  const MathNode n = lesson::parse_math(markup);
  const Box b = render(n, font, size, nullptr, 0, 0, colour);
  render(n, font, size, dl, pos.x, pos.y + b.asc, colour);
  return ImVec2(b.w, b.asc + b.desc);
}

float math_block(const std::string& markup, ImFont* font, float size, float min_size, float width, ImU32 colour) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  float s = size;
  ImVec2 whole = math_size(markup, font, s);
  if (whole.x > width) {
    s = std::max(min_size, std::floor(size * width / whole.x));
    whole = math_size(markup, font, s);
  }
  std::vector<std::string> lines;
  if (whole.x <= width) {
    lines.push_back(markup);
  } else {  // greedy: as many words per line as fit
    std::string line;
    for (const std::string& w : words(markup)) {
      if (!line.empty() && math_size(line + w, font, s).x > width) lines.push_back(line), line.clear();
      line += w;
    }
    if (!line.empty()) lines.push_back(line);
  }
  float y = p0.y;
  for (const std::string& l : lines) y += draw_math(dl, ImVec2(p0.x, y), l, font, s, colour).y + s * 0.15f;
  ImGui::Dummy(ImVec2(width, y - p0.y));
  return y - p0.y;
}

}  // namespace moe::gui

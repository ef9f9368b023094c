// plot_screen.cpp: the screen back end of the plot layer (plot.h, [SECTION]
// Drawing back ends). DrawListRecorder turns each primitive into the ImDrawList
// call that draws it; what to draw was decided by the renderers already.
//
// Index (grep "[SECTION]"):
// [SECTION] Clip, lines and dashes
// [SECTION] Filled shapes
// [SECTION] Text
// [SECTION] Images and heatmaps
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

#include "plot.h"

namespace moe::plot {

// [SECTION] Clip, lines and dashes

void DrawListRecorder::PushClip(ImVec2 min, ImVec2 max) { dl_->PushClipRect(min, max, true); }

void DrawListRecorder::PopClip() { dl_->PopClipRect(); }

namespace {

// Dashes along a path: `dash` pixels on, `gap` off (then `dash2` on, `gap2` off
// if dash2 > 0), the pattern running on across the path's corners; each dash is
// one AddLine.
void DashedPath(ImDrawList* dl, const ImVec2* pts, int n, const Stroke& s) {
  // Ends of the pattern's pieces along one period: on [0, b1), off [b1, b2), on [b2, b3), off [b3, b4).
  const float b1 = s.dash, b2 = s.dash + s.gap;
  const bool two = s.dash2 > 0;
  const float b3 = two ? b2 + s.dash2 : b2, b4 = two ? b3 + s.gap2 : b2;
  if (!(b4 > 0)) return;
  float phase = 0;  // distance into the current period
  for (int i = 0; i + 1 < n; ++i) {
    ImVec2 a = pts[i];
    const ImVec2 b = pts[i + 1];
    float len = std::sqrt((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y));
    if (len <= 0) continue;
    const ImVec2 dir((b.x - a.x) / len, (b.y - a.y) / len);
    while (len > 0) {
      const bool on = phase < b1 || (phase >= b2 && phase < b3);
      const float left = (phase < b1 ? b1 : phase < b2 ? b2 : phase < b3 ? b3 : b4) - phase;
      const float step = std::min(left, len);
      const ImVec2 e(a.x + dir.x * step, a.y + dir.y * step);
      if (on) dl->AddLine(a, e, s.colour, s.weight);
      a = e;
      len -= step;
      phase += step;
      if (phase >= b4) phase = 0;
    }
  }
}

}  // namespace

void DrawListRecorder::Line(ImVec2 a, ImVec2 b, const Stroke& stroke) {
  if (stroke.dash > 0) {
    const ImVec2 pts[2] = {a, b};
    DashedPath(dl_, pts, 2, stroke);
  } else {
    dl_->AddLine(a, b, stroke.colour, stroke.weight);
  }
}

void DrawListRecorder::Polyline(const ImVec2* points, int count, const Stroke& stroke) {
  if (stroke.dash > 0)
    DashedPath(dl_, points, count, stroke);
  else
    dl_->AddPolyline(points, count, stroke.colour, ImDrawFlags_None, stroke.weight);
}

// [SECTION] Filled shapes

void DrawListRecorder::RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding) {
  dl_->AddRectFilled(min, max, colour, rounding);
}

void DrawListRecorder::Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding, float weight) {
  dl_->AddRect(min, max, colour, rounding, ImDrawFlags_None, weight);
}

void DrawListRecorder::RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) {
  dl_->AddRectFilledMultiColor(min, max, top, top, bottom, bottom);
}

// Written as raw vertices: AddConvexPolyFilled would add an anti-aliased fringe,
// and neighbouring quads of a band would show seams where fringes overlap.
void DrawListRecorder::Quad(const ImVec2* corners, ImU32 colour) {
  const ImVec2 uv = dl_->_Data->TexUvWhitePixel;
  dl_->PrimReserve(6, 4);
  const ImDrawIdx base = ImDrawIdx(dl_->_VtxCurrentIdx);
  for (int k = 0; k < 4; ++k) dl_->PrimWriteVtx(corners[k], uv, colour);
  dl_->PrimWriteIdx(base);
  dl_->PrimWriteIdx(ImDrawIdx(base + 1));
  dl_->PrimWriteIdx(ImDrawIdx(base + 2));
  dl_->PrimWriteIdx(base);
  dl_->PrimWriteIdx(ImDrawIdx(base + 2));
  dl_->PrimWriteIdx(ImDrawIdx(base + 3));
}

void DrawListRecorder::Dot(ImVec2 centre, float radius, ImU32 colour, int segments) {
  dl_->AddCircleFilled(centre, radius, colour, segments);
}

void DrawListRecorder::Circle(ImVec2 centre, float radius, const Stroke& outline, int segments) {
  dl_->AddCircle(centre, radius, outline.colour, segments, outline.weight);
}

void DrawListRecorder::ConvexPolygon(const ImVec2* points, int count, ImU32 fill, const Stroke& outline) {
  if (fill & IM_COL32_A_MASK) dl_->AddConvexPolyFilled(points, count, fill);
  if (outline.colour & IM_COL32_A_MASK)
    dl_->AddPolyline(points, count, outline.colour, ImDrawFlags_Closed, outline.weight);
}

// [SECTION] Text

namespace {

// Text rotated a quarter turn anticlockwise (reads bottom to top), centred on `centre`.
// ImFont drops glyphs outside the clip rect on the CPU, so the text is first laid
// out horizontally where it surely fits (the clip rect's left edge), then its
// vertices are turned about that text's centre onto `centre`.
void AddTextVertical(ImDrawList* dl, float size, ImVec2 centre, ImU32 col, const char* text, const char* text_end) {
  ImVec2 text_size = dl->_Data->Font->CalcTextSizeA(size, FLT_MAX, 0.0f, text, text_end);
  text_size.x = IM_FLOOR(text_size.x + 0.95f);  // whole pixels, as ImGui::CalcTextSize
  const ImVec2 clip_min = dl->GetClipRectMin(), clip_max = dl->GetClipRectMax();
  const ImVec2 start(std::floor(clip_min.x), std::floor(ImClamp(centre.y - text_size.y * 0.5f, clip_min.y,
                                                                std::max(clip_min.y, clip_max.y - text_size.y))));
  const ImVec2 c0(start.x + std::floor(text_size.x * 0.5f), start.y + std::floor(text_size.y * 0.5f));
  centre = ImVec2(std::floor(centre.x), std::floor(centre.y));
  const int first = dl->VtxBuffer.Size;
  dl->AddText(nullptr, size, start, col, text, text_end);
  for (int i = first; i < dl->VtxBuffer.Size; ++i) {
    ImDrawVert& v = dl->VtxBuffer[i];
    const ImVec2 r(v.pos.x - c0.x, v.pos.y - c0.y);
    v.pos = ImVec2(centre.x + r.y, centre.y - r.x);
  }
}

}  // namespace

void DrawListRecorder::Text(const TextPrim& t) {
  if (t.flags & TextFlags_Vertical)
    AddTextVertical(dl_, t.size, t.pos, t.colour, t.text, t.text_end);
  else
    dl_->AddText(nullptr, t.size, t.pos, t.colour, t.text, t.text_end, t.wrap_width);
}

// [SECTION] Images and heatmaps

void DrawListRecorder::Image(const ImagePrim& im) {
  if (im.texture) {
    dl_->AddImage(im.texture, im.min, im.max, im.uv0, im.uv1, im.tint);
    return;
  }
  if (!im.pixels || im.rows <= 0 || im.cols <= 0) return;
  // One rectangle per cell; rows and columns wholly outside the clip rect are skipped.
  const ImVec2 clip_min = dl_->GetClipRectMin(), clip_max = dl_->GetClipRectMax();
  auto x_edge = [&](int c) {
    return im.col_edges ? im.col_edges[c] : im.min.x + (im.max.x - im.min.x) * float(c) / float(im.cols);
  };
  auto y_edge = [&](int r) {
    return im.row_edges ? im.row_edges[r] : im.min.y + (im.max.y - im.min.y) * float(r) / float(im.rows);
  };
  for (int r = 0; r < im.rows; ++r) {
    const float y0 = y_edge(r), y1 = y_edge(r + 1);
    if (std::max(y0, y1) < clip_min.y || std::min(y0, y1) > clip_max.y) continue;
    for (int c = 0; c < im.cols; ++c) {
      const float x0 = x_edge(c), x1 = x_edge(c + 1);
      if (std::max(x0, x1) < clip_min.x || std::min(x0, x1) > clip_max.x) continue;
      dl_->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), im.pixels[size_t(r) * size_t(im.cols) + size_t(c)]);
    }
  }
}

}  // namespace moe::plot

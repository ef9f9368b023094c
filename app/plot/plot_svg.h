// plot_svg.h: SVG back end of the plot layer. cairo 1.16's SVG surface turns
// text into glyph outlines (not selectable, not searchable), so SVG is written
// directly: lines as <polyline>/<line> paths, text as <text> in DejaVu Sans
// anchored where the layout aligned it (start, middle or end), clips as nested
// <g clip-path>, a band's quads as one polygon, CPU heatmaps as one embedded PNG (each cell
// a block of equal pixels). The output depends only on what was drawn, so the
// same figure gives the same bytes (ids are numbered in drawing order).
#pragma once

#include <string>
#include <vector>

#include "plot.h"

namespace moe::plot {

class SvgRecorder : public Recorder {
 public:
  SvgRecorder(int width, int height, double unit_pt);  // layout pixels; points per pixel (the document's size)
  void PushClip(ImVec2 min, ImVec2 max) override;
  void PopClip() override;
  void Line(ImVec2 a, ImVec2 b, const Stroke& stroke) override;
  void Polyline(const ImVec2* points, int count, const Stroke& stroke) override;
  void RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0) override;
  void Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0, float weight = 1) override;
  void RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) override;
  void Quad(const ImVec2* corners, ImU32 colour) override;
  void Dot(ImVec2 centre, float radius, ImU32 colour, int segments) override;
  void Circle(ImVec2 centre, float radius, const Stroke& outline, int segments) override;
  void ConvexPolygon(const ImVec2* points, int count, ImU32 fill, const Stroke& outline) override;
  void Text(const TextPrim& text) override;
  void Image(const ImagePrim& image) override;
  // The whole document, with `title` and `provenance` (in <metadata>) after the root tag.
  std::string Finish(const std::string& title, const std::string& provenance);

 private:
  void FlushStrip();  // writes the pending band strip (Quad) as one polygon
  std::string body_;
  // Quads that continue each other (a band's pieces: each starts on the last one's right edge)
  // in one colour are one polygon, the top edge then the bottom edge back: a tenth of the bytes,
  // and no hairline seams where a renderer anti-aliases each piece's edge.
  std::vector<ImVec2> strip_top_, strip_bottom_;
  ImU32 strip_colour_ = 0;
  int width_, height_;
  double unit_;
  int ids_ = 0, open_groups_ = 0;
};

}  // namespace moe::plot

// plot_cairo.h: the file back end of the plot layer: every primitive a plot
// draws (plot.h, [SECTION] Drawing back ends) written to a cairo surface, so
// one drawing code makes PDF figures (and a PNG without GL); FigureFile also
// writes SVG, through plot_svg.h (cairo 1.16's SVG has no real text).
//
//   plot::FigureFile file;
//   std::string err = file.open("load.pdf", 1050, 720, 72.0 / 300.0, "moescope shot ...");  // px -> pt
//   plot::TeeRecorder both(&plot::ScreenRecorder(), &file.recorder());  // the frame once, on screen and in the file
//   plot::SetRecorder(&both);  ... draw the frame ...  plot::SetRecorder(nullptr);
//   std::string bytes;  err = file.finish(bytes);  // the whole file, provenance written; the caller saves it
//
// Text stays text (DejaVu Sans, selectable and searchable), lines are paths,
// CPU heatmaps are images at their native resolution drawn with a nearest
// filter, clip rectangles are cairo clips. Layout is ImGui's: text is placed by
// its anchor (TextPrim::anchor) so a label right-aligned on screen stays
// right-aligned even where cairo's advance widths differ from ImGui's.
// GPU textures (ImagePrim::texture) cannot be read here: figure mode draws
// heatmaps on the CPU so they reach the file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plot.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

namespace moe::plot {

enum FigureFormat_ { FigureFormat_None = 0, FigureFormat_Svg, FigureFormat_Pdf, FigureFormat_Png };
using FigureFormat = int;
FigureFormat FigureFormatOf(const std::string& path);  // from the extension (.svg .pdf .png, any case); None if other

class CairoRecorder : public Recorder {
 public:
  explicit CairoRecorder(cairo_t* cr);             // draws into cr (its current transform maps pixels to the surface)
  void PushClip(ImVec2 min, ImVec2 max) override;  // save + clip
  void PopClip() override;                         // restore
  void Line(ImVec2 a, ImVec2 b, const Stroke& stroke) override;                                    // a path
  void Polyline(const ImVec2* points, int count, const Stroke& stroke) override;                   // one path
  void RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0) override;              // fill
  void Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding = 0, float weight = 1) override;  // stroke
  void RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) override;                     // linear gradient
  void Quad(const ImVec2* corners, ImU32 colour) override;                                         // fill
  void Dot(ImVec2 centre, float radius, ImU32 colour, int segments) override;                      // arc, fill
  void Circle(ImVec2 centre, float radius, const Stroke& outline, int segments) override;          // arc, stroke
  void ConvexPolygon(const ImVec2* points, int count, ImU32 fill, const Stroke& outline) override;
  void Text(const TextPrim& text) override;     // DejaVu Sans at the size ImGui draws, placed by its anchor
  void Image(const ImagePrim& image) override;  // CPU pixels as one image (nearest); textures skipped

 private:
  void Source(ImU32 colour);
  void StrokeWith(const Stroke& s);
  cairo_t* cr_;
  int clip_depth_ = 0;
};

// Everything a plot draws goes to both recorders, in order (e.g. the screen and a file).
class TeeRecorder : public Recorder {
 public:
  TeeRecorder(Recorder* a, Recorder* b) : a_(a), b_(b) {}
  void PushClip(ImVec2 min, ImVec2 max) override { a_->PushClip(min, max), b_->PushClip(min, max); }
  void PopClip() override { a_->PopClip(), b_->PopClip(); }
  void Line(ImVec2 a, ImVec2 b, const Stroke& s) override { a_->Line(a, b, s), b_->Line(a, b, s); }
  void Polyline(const ImVec2* p, int n, const Stroke& s) override { a_->Polyline(p, n, s), b_->Polyline(p, n, s); }
  void RectFilled(ImVec2 a, ImVec2 b, ImU32 c, float r = 0) override {
    a_->RectFilled(a, b, c, r), b_->RectFilled(a, b, c, r);
  }
  void Rect(ImVec2 a, ImVec2 b, ImU32 c, float r = 0, float w = 1) override {
    a_->Rect(a, b, c, r, w), b_->Rect(a, b, c, r, w);
  }
  void RectGradient(ImVec2 a, ImVec2 b, ImU32 t, ImU32 u) override {
    a_->RectGradient(a, b, t, u), b_->RectGradient(a, b, t, u);
  }
  void Quad(const ImVec2* c, ImU32 col) override { a_->Quad(c, col), b_->Quad(c, col); }
  void Dot(ImVec2 c, float r, ImU32 col, int n) override { a_->Dot(c, r, col, n), b_->Dot(c, r, col, n); }
  void Circle(ImVec2 c, float r, const Stroke& s, int n) override { a_->Circle(c, r, s, n), b_->Circle(c, r, s, n); }
  void ConvexPolygon(const ImVec2* p, int n, ImU32 f, const Stroke& s) override {
    a_->ConvexPolygon(p, n, f, s), b_->ConvexPolygon(p, n, f, s);
  }
  void Text(const TextPrim& t) override { a_->Text(t), b_->Text(t); }
  void Image(const ImagePrim& im) override { a_->Image(im), b_->Image(im); }

 private:
  Recorder* a_;
  Recorder* b_;
};

// One figure file: a cairo SVG, PDF or PNG surface of width x height layout pixels,
// each `unit` points (SVG/PDF; 72/dpi) or one PNG pixel times `unit` (PNG: unit = 1).
class FigureFile {
 public:
  FigureFile() = default;
  ~FigureFile();
  FigureFile(const FigureFile&) = delete;
  FigureFile& operator=(const FigureFile&) = delete;
  // Opens path (format from its extension); `provenance` is written as the SVG's metadata,
  // the PDF's Subject and Keywords, the PNG's tEXt "moescope-command". "" or what is wrong.
  std::string open(const std::string& path, int width, int height, double unit, const std::string& provenance,
                   const std::string& title = "", ImU32 background = 0);
  Recorder& recorder();  // where the figure's primitives go (an SvgRecorder for SVG, a CairoRecorder else)
  // Finishes the figure into `bytes` (the whole file, provenance included) for the caller to
  // write (moescope writes it atomically, safe_io.h). "" or what is wrong.
  std::string finish(std::string& bytes);

 private:
  std::string path_, provenance_, title_;
  FigureFormat format_ = FigureFormat_None;
  std::string bytes_;  // what cairo's stream writer has produced
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  std::unique_ptr<Recorder> rec_;
};

// Provenance of a figure file written by FigureFile (or a PNG with its tEXt chunk): the command, or "".
std::string ReadFigureProvenance(const std::string& path, std::string* error);
// Adds (or replaces) a tEXt chunk `key` = `text` in PNG bytes, after IHDR. "" or what is wrong.
std::string AddPngText(std::string& png, const std::string& key, const std::string& text);

}  // namespace moe::plot

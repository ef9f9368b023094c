// plot_svg.cpp: SvgRecorder (plot_svg.h).
#include "plot_svg.h"
#include "plot_internal.h"

#include <cairo.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace moe::plot {

namespace {

// Coordinates to 2 decimals, trailing zeros dropped: a figure's lines stay small.
void Num(std::string& out, double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.2f", v);
  while (n > 0 && buf[n - 1] == '0') --n;
  if (n > 0 && buf[n - 1] == '.') --n;
  if (n == 2 && buf[0] == '-' && buf[1] == '0') n = 1, buf[0] = '0';
  out.append(buf, size_t(n));
}

std::string Colour(ImU32 c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF);
  return buf;
}

// ` NAME="#rrggbb"` and, unless opaque, ` NAME-opacity="a"`.
void Paint(std::string& out, const char* name, ImU32 c) {
  out += ' ';
  out += name;
  out += "=\"" + Colour(c) + "\"";
  const unsigned a = c >> 24;
  if (a != 255) {
    out += ' ';
    out += name;
    out += "-opacity=\"";
    Num(out, a / 255.0);
    out += '"';
  }
}

void StrokeAttrs(std::string& out, const Stroke& s) {
  out += " fill=\"none\"";
  Paint(out, "stroke", s.colour);
  out += " stroke-width=\"";
  Num(out, s.weight);
  out += '"';
  if (s.dash > 0) {
    out += " stroke-dasharray=\"";
    Num(out, s.dash);
    out += ' ';
    Num(out, s.gap);
    if (s.dash2 > 0) {
      out += ' ';
      Num(out, s.dash2);
      out += ' ';
      Num(out, s.gap2);
    }
    out += '"';
  }
}

void Escape(std::string& out, const char* a, const char* b) {
  for (const char* p = a; p < b; ++p) {
    switch (*p) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += *p;
    }
  }
}

// ` x="X" y="Y"`: where a <text> stands, or a box's corner.
void XYAttrs(std::string& out, double x, double y) {
  out += " x=\"";
  Num(out, x);
  out += "\" y=\"";
  Num(out, y);
  out += '"';
}

// ` x="X" y="Y" width="W" height="H"`: the box of a <rect>, <image> or clip rectangle.
void BoxAttrs(std::string& out, double x, double y, double w, double h) {
  XYAttrs(out, x, y);
  out += " width=\"";
  Num(out, w);
  out += "\" height=\"";
  Num(out, h);
  out += '"';
}

// ` cx="X" cy="Y" r="R"`: a <circle>'s centre and radius.
void CircleAttrs(std::string& out, ImVec2 centre, float radius) {
  out += " cx=\"";
  Num(out, centre.x);
  out += "\" cy=\"";
  Num(out, centre.y);
  out += "\" r=\"";
  Num(out, radius);
  out += '"';
}

// ` rx="R"` when the corners are rounded by more than half a pixel.
void RoundingAttr(std::string& out, float rounding) {
  if (!(rounding > 0.5f)) return;
  out += " rx=\"";
  Num(out, rounding);
  out += '"';
}

void Points(std::string& out, const ImVec2* p, int n) {
  out += " points=\"";
  for (int i = 0; i < n; ++i) {
    if (i) out += ' ';
    Num(out, p[i].x);
    out += ',';
    Num(out, p[i].y);
  }
  out += '"';
}

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string Base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += k[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += k[v >> 18], out += k[(v >> 12) & 63], out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += '=';
  }
  return out;
}

}  // namespace

SvgRecorder::SvgRecorder(int width, int height, double unit_pt) : width_(width), height_(height), unit_(unit_pt) {}

void SvgRecorder::PushClip(ImVec2 min, ImVec2 max) {
  FlushStrip();
  const int id = ++ids_;
  body_ += "<clipPath id=\"c" + std::to_string(id) + "\"><rect";
  BoxAttrs(body_, min.x, min.y, std::max(0.0f, max.x - min.x), std::max(0.0f, max.y - min.y));
  body_ += "/></clipPath>\n<g clip-path=\"url(#c" + std::to_string(id) + ")\">\n";
  ++open_groups_;
}

void SvgRecorder::PopClip() {
  FlushStrip();
  if (open_groups_ == 0) return;
  --open_groups_;
  body_ += "</g>\n";
}

void SvgRecorder::Line(ImVec2 a, ImVec2 b, const Stroke& s) {
  FlushStrip();
  if (!(s.colour & IM_COL32_A_MASK)) return;
  body_ += "<line x1=\"";
  Num(body_, a.x + 0.5);
  body_ += "\" y1=\"";
  Num(body_, a.y + 0.5);
  body_ += "\" x2=\"";
  Num(body_, b.x + 0.5);
  body_ += "\" y2=\"";
  Num(body_, b.y + 0.5);
  body_ += '"';
  StrokeAttrs(body_, s);
  body_ += "/>\n";
}

void SvgRecorder::Polyline(const ImVec2* p, int n, const Stroke& s) {
  FlushStrip();
  if (n < 2 || !(s.colour & IM_COL32_A_MASK)) return;
  body_ += "<polyline";
  Points(body_, p, n);
  StrokeAttrs(body_, s);
  body_ += " stroke-linejoin=\"round\"/>\n";
}

void SvgRecorder::RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding) {
  FlushStrip();
  if (!(colour & IM_COL32_A_MASK) || max.x <= min.x || max.y <= min.y) return;
  body_ += "<rect";
  BoxAttrs(body_, min.x, min.y, max.x - min.x, max.y - min.y);
  RoundingAttr(body_, rounding);
  Paint(body_, "fill", colour);
  body_ += "/>\n";
}

void SvgRecorder::Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding, float weight) {
  FlushStrip();
  if (!(colour & IM_COL32_A_MASK)) return;
  body_ += "<rect";  // the stroke centred on the pixel edge, as ImGui draws it
  BoxAttrs(body_, min.x + 0.5, min.y + 0.5, std::max(0.0f, max.x - min.x - 1), std::max(0.0f, max.y - min.y - 1));
  RoundingAttr(body_, rounding);
  StrokeAttrs(body_, Stroke{colour, weight});
  body_ += "/>\n";
}

void SvgRecorder::RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) {
  FlushStrip();
  const std::string id = "g" + std::to_string(++ids_);
  body_ += "<linearGradient id=\"" + id + "\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\"><stop offset=\"0\"";
  Paint(body_, "stop-color", top);
  body_ += "/><stop offset=\"1\"";
  Paint(body_, "stop-color", bottom);
  body_ += "/></linearGradient>\n<rect";
  BoxAttrs(body_, min.x, min.y, max.x - min.x, max.y - min.y);
  body_ += " fill=\"url(#" + id + ")\"/>\n";
}

void SvgRecorder::Quad(const ImVec2* c, ImU32 colour) {
  if (!(colour & IM_COL32_A_MASK)) return;
  auto same = [](ImVec2 a, ImVec2 b) { return a.x == b.x && a.y == b.y; };
  if (!strip_top_.empty() && colour == strip_colour_ && same(c[0], strip_top_.back()) &&
      same(c[1], strip_bottom_.back())) {
    strip_top_.push_back(c[3]);
    strip_bottom_.push_back(c[2]);
    return;
  }
  FlushStrip();
  strip_colour_ = colour;
  strip_top_ = {c[0], c[3]};
  strip_bottom_ = {c[1], c[2]};
}

void SvgRecorder::FlushStrip() {
  if (strip_top_.empty()) return;
  std::vector<ImVec2> ring(strip_top_);
  ring.insert(ring.end(), strip_bottom_.rbegin(), strip_bottom_.rend());
  strip_top_.clear();
  strip_bottom_.clear();
  body_ += "<polygon";
  Points(body_, ring.data(), int(ring.size()));
  Paint(body_, "fill", strip_colour_);
  body_ += "/>\n";
}

void SvgRecorder::Dot(ImVec2 centre, float radius, ImU32 colour, int) {
  FlushStrip();
  if (!(colour & IM_COL32_A_MASK)) return;
  body_ += "<circle";
  CircleAttrs(body_, centre, radius);
  Paint(body_, "fill", colour);
  body_ += "/>\n";
}

void SvgRecorder::Circle(ImVec2 centre, float radius, const Stroke& outline, int) {
  FlushStrip();
  if (!(outline.colour & IM_COL32_A_MASK)) return;
  body_ += "<circle";
  CircleAttrs(body_, centre, radius);
  StrokeAttrs(body_, Stroke{outline.colour, outline.weight});
  body_ += "/>\n";
}

void SvgRecorder::ConvexPolygon(const ImVec2* p, int n, ImU32 fill, const Stroke& outline) {
  FlushStrip();
  if (n < 3) return;
  body_ += "<polygon";
  Points(body_, p, n);
  if (fill & IM_COL32_A_MASK)
    Paint(body_, "fill", fill);
  else
    body_ += " fill=\"none\"";
  if (outline.colour & IM_COL32_A_MASK) {
    Paint(body_, "stroke", outline.colour);
    body_ += " stroke-width=\"";
    Num(body_, outline.weight);
    body_ += '"';
  }
  body_ += "/>\n";
}

void SvgRecorder::Text(const TextPrim& t) {
  FlushStrip();
  if (!t.text || !(t.colour & IM_COL32_A_MASK)) return;
  const char* end = t.text_end ? t.text_end : t.text + std::strlen(t.text);
  if (end == t.text) return;
  ImFont* font = ImGui::GetFont();
  // ImGui's size is the line height (ascent + descent); DejaVu Sans' em is 2048/2384 of it,
  // and ImGui puts the baseline floor(ascent + 1) below the line's top.
  const double em = double(t.size) * 2048.0 / 2384.0;
  const double baseline = std::floor(double(t.size) * 1901.0 / 2384.0 + 1.0);
  const float scale = t.size / font->FontSize;
  std::vector<std::pair<const char*, const char*>> lines;
  SplitTextLines(font, scale, t.text, end, t.wrap_width, lines);
  const float ax = t.flags & TextFlags_Vertical ? 0.5f : t.anchor.x;
  const char* anchor = ax < 0.25f ? "start" : ax > 0.75f ? "end" : "middle";
  const float a = ax < 0.25f ? 0.0f : ax > 0.75f ? 1.0f : 0.5f;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto [a0, a1] = lines[i];
    if (a0 == a1) continue;
    const float w = font->CalcTextSizeA(t.size, FLT_MAX, 0.0f, a0, a1).x;
    double x, y;
    body_ += "<text";
    if (t.flags & TextFlags_Vertical) {
      const double cx = std::floor(t.pos.x), cy = std::floor(t.pos.y);
      x = cx;
      y = cy - double(t.size) * 0.5 + baseline;
      body_ += " transform=\"rotate(-90 ";
      Num(body_, cx);
      body_ += ' ';
      Num(body_, cy);
      body_ += ")\"";
    } else {
      x = double(t.pos.x) + double(a) * w;
      y = double(t.pos.y) + double(i) * t.size + baseline;
    }
    XYAttrs(body_, x, y);
    body_ += " font-size=\"";
    Num(body_, em);
    body_ += "\"";
    if (a != 0.0f) body_ += std::string(" text-anchor=\"") + anchor + "\"";
    Paint(body_, "fill", t.colour);
    body_ += ">";
    Escape(body_, a0, a1);
    body_ += "</text>\n";
  }
}

void SvgRecorder::Image(const ImagePrim& im) {
  FlushStrip();
  if (im.texture || !im.pixels || im.rows <= 0 || im.cols <= 0) return;
  auto x_edge = [&](int c) {
    return im.col_edges ? im.col_edges[c] : im.min.x + (im.max.x - im.min.x) * float(c) / float(im.cols);
  };
  auto y_edge = [&](int r) {
    return im.row_edges ? im.row_edges[r] : im.min.y + (im.max.y - im.min.y) * float(r) / float(im.rows);
  };
  // Renderers may smooth an image however it asks (librsvg 2.54 ignores image-rendering): a few
  // big cells would blur into each other. Each cell is then a block of k x k equal pixels, k the
  // cell's size in layout pixels (at most 32, and 4 M pixels in all), so smoothing only softens
  // a block's edge; the colours stay exactly the cells'.
  const float cell_px = std::min((x_edge(im.cols) - x_edge(0)) / float(im.cols),
                                 (y_edge(im.rows) - y_edge(0)) / float(im.rows));
  int k = std::clamp(int(cell_px), 1, 32);
  while (k > 1 && double(im.cols) * im.rows * k * k > 4e6) --k;
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, im.cols * k, im.rows * k);
  cairo_surface_flush(img);
  unsigned char* data = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  for (int r = 0; r < im.rows * k; ++r) {
    auto* row = reinterpret_cast<uint32_t*>(data + size_t(r) * size_t(stride));
    for (int c = 0; c < im.cols * k; ++c) {
      const ImU32 p = im.pixels[size_t(r / k) * size_t(im.cols) + size_t(c / k)];
      const uint32_t al = p >> 24;
      auto pm = [al](uint32_t v) { return (v * al + 127) / 255; };
      row[c] = (al << 24) | (pm(p & 0xFF) << 16) | (pm((p >> 8) & 0xFF) << 8) | pm((p >> 16) & 0xFF);
    }
  }
  cairo_surface_mark_dirty(img);
  std::string png;
  cairo_surface_write_to_png_stream(img, &AppendBytes, &png);
  cairo_surface_destroy(img);
  const double x0 = x_edge(0), y0 = y_edge(0), w = x_edge(im.cols) - x0, h = y_edge(im.rows) - y0;
  body_ += "<image";
  BoxAttrs(body_, x0, y0, w, h);
  body_ +=
      " preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" "
      "xlink:href=\"data:image/png;base64,";
  body_ += Base64(png);
  body_ += "\"/>\n";
}

std::string SvgRecorder::Finish(const std::string& title, const std::string& provenance) {
  FlushStrip();
  while (open_groups_ > 0) PopClip();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out +=
      "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" width=\"";
  Num(out, width_ * unit_);
  out += "pt\" height=\"";
  Num(out, height_ * unit_);
  out += "pt\" viewBox=\"0 0 " + std::to_string(width_) + " " + std::to_string(height_) + "\">\n<title>";
  Escape(out, title.data(), title.data() + title.size());
  out +=
      "</title>\n<metadata id=\"moescope-provenance\"><moescope:command "
      "xmlns:moescope=\"https://moescope.dev/figure\">";
  Escape(out, provenance.data(), provenance.data() + provenance.size());
  out += "</moescope:command></metadata>\n<g font-family=\"DejaVu Sans\" xml:space=\"preserve\">\n";
  out += body_;
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace moe::plot

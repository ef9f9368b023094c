// plot_cairo.cpp: the file back end of the plot layer (plot_cairo.h): each
// primitive as cairo paths, text and images, and the figure file around them
// (SVG, PDF, PNG surfaces, deterministic SVG ids, provenance).
//
// Index (grep "[SECTION]"):
// [SECTION] Colours, clip, lines
// [SECTION] Filled shapes
// [SECTION] Text
// [SECTION] Images
// [SECTION] Figure files
// [SECTION] PNG text chunks
#include "plot_cairo.h"
#include "plot_internal.h"

#include "plot_svg.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace moe::plot {

FigureFormat FigureFormatOf(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) return FigureFormat_None;
  std::string ext = path.substr(dot + 1);
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "svg") return FigureFormat_Svg;
  if (ext == "pdf") return FigureFormat_Pdf;
  if (ext == "png") return FigureFormat_Png;
  return FigureFormat_None;
}

// [SECTION] Colours, clip, lines

CairoRecorder::CairoRecorder(cairo_t* cr) : cr_(cr) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);  // advances as the font has them, as ImGui's
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options(cr_, fo);
  cairo_font_options_destroy(fo);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
}

void CairoRecorder::Source(ImU32 c) {
  cairo_set_source_rgba(cr_, double(c & 0xFF) / 255.0, double((c >> 8) & 0xFF) / 255.0,
                        double((c >> 16) & 0xFF) / 255.0, double((c >> 24) & 0xFF) / 255.0);
}

void CairoRecorder::StrokeWith(const Stroke& s) {
  Source(s.colour);
  cairo_set_line_width(cr_, double(s.weight));
  if (s.dash > 0) {
    const double d[4] = {s.dash, s.gap, s.dash2, s.gap2};
    cairo_set_dash(cr_, d, s.dash2 > 0 ? 4 : 2, 0);
  } else {
    cairo_set_dash(cr_, nullptr, 0, 0);
  }
  cairo_stroke(cr_);
  cairo_set_dash(cr_, nullptr, 0, 0);
}

void CairoRecorder::PushClip(ImVec2 min, ImVec2 max) {
  cairo_save(cr_);
  cairo_rectangle(cr_, min.x, min.y, std::max(0.0f, max.x - min.x), std::max(0.0f, max.y - min.y));
  cairo_clip(cr_);
  ++clip_depth_;
}

void CairoRecorder::PopClip() {
  if (clip_depth_ == 0) return;
  --clip_depth_;
  cairo_restore(cr_);
}

void CairoRecorder::Line(ImVec2 a, ImVec2 b, const Stroke& stroke) {
  if (!(stroke.colour & IM_COL32_A_MASK)) return;
  cairo_move_to(cr_, a.x + 0.5, a.y + 0.5);  // through pixel centres, as AddLine
  cairo_line_to(cr_, b.x + 0.5, b.y + 0.5);
  StrokeWith(stroke);
}

void CairoRecorder::Polyline(const ImVec2* p, int n, const Stroke& stroke) {
  if (n < 2 || !(stroke.colour & IM_COL32_A_MASK)) return;
  cairo_move_to(cr_, p[0].x, p[0].y);
  for (int i = 1; i < n; ++i) cairo_line_to(cr_, p[i].x, p[i].y);
  StrokeWith(stroke);
}

// [SECTION] Filled shapes

namespace {
void RoundedRect(cairo_t* cr, double x0, double y0, double x1, double y1, double r) {
  r = std::min({r, (x1 - x0) * 0.5, (y1 - y0) * 0.5});
  if (r <= 0.5) {
    cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
    return;
  }
  cairo_new_sub_path(cr);
  cairo_arc(cr, x1 - r, y0 + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x1 - r, y1 - r, r, 0, M_PI / 2);
  cairo_arc(cr, x0 + r, y1 - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x0 + r, y0 + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}
}  // namespace

void CairoRecorder::RectFilled(ImVec2 min, ImVec2 max, ImU32 colour, float rounding) {
  if (!(colour & IM_COL32_A_MASK) || max.x <= min.x || max.y <= min.y) return;
  RoundedRect(cr_, min.x, min.y, max.x, max.y, rounding);
  Source(colour);
  cairo_fill(cr_);
}

void CairoRecorder::Rect(ImVec2 min, ImVec2 max, ImU32 colour, float rounding, float weight) {
  if (!(colour & IM_COL32_A_MASK)) return;
  RoundedRect(cr_, min.x + 0.5, min.y + 0.5, max.x - 0.5, max.y - 0.5, rounding);  // AddRect's half-pixel inset
  StrokeWith(Stroke{colour, weight});
}

void CairoRecorder::RectGradient(ImVec2 min, ImVec2 max, ImU32 top, ImU32 bottom) {
  cairo_pattern_t* g = cairo_pattern_create_linear(0, min.y, 0, max.y);
  auto stop = [&](double at, ImU32 c) {
    cairo_pattern_add_color_stop_rgba(g, at, double(c & 0xFF) / 255.0, double((c >> 8) & 0xFF) / 255.0,
                                      double((c >> 16) & 0xFF) / 255.0, double((c >> 24) & 0xFF) / 255.0);
  };
  stop(0, top);
  stop(1, bottom);
  cairo_rectangle(cr_, min.x, min.y, max.x - min.x, max.y - min.y);
  cairo_set_source(cr_, g);
  cairo_fill(cr_);
  cairo_pattern_destroy(g);
}

void CairoRecorder::Quad(const ImVec2* c, ImU32 colour) {
  if (!(colour & IM_COL32_A_MASK)) return;
  cairo_move_to(cr_, c[0].x, c[0].y);
  for (int k = 1; k < 4; ++k) cairo_line_to(cr_, c[k].x, c[k].y);
  cairo_close_path(cr_);
  Source(colour);
  cairo_fill(cr_);
}

void CairoRecorder::Dot(ImVec2 centre, float radius, ImU32 colour, int) {
  if (!(colour & IM_COL32_A_MASK)) return;
  cairo_new_sub_path(cr_);
  cairo_arc(cr_, centre.x, centre.y, radius, 0, 2 * M_PI);
  Source(colour);
  cairo_fill(cr_);
}

void CairoRecorder::Circle(ImVec2 centre, float radius, const Stroke& outline, int) {
  if (!(outline.colour & IM_COL32_A_MASK)) return;
  cairo_new_sub_path(cr_);
  cairo_arc(cr_, centre.x, centre.y, radius, 0, 2 * M_PI);
  StrokeWith(Stroke{outline.colour, outline.weight});
}

void CairoRecorder::ConvexPolygon(const ImVec2* p, int n, ImU32 fill, const Stroke& outline) {
  if (n < 3) return;
  auto path = [&] {
    cairo_move_to(cr_, p[0].x, p[0].y);
    for (int i = 1; i < n; ++i) cairo_line_to(cr_, p[i].x, p[i].y);
    cairo_close_path(cr_);
  };
  if (fill & IM_COL32_A_MASK) {
    path();
    Source(fill);
    cairo_fill(cr_);
  }
  if (outline.colour & IM_COL32_A_MASK) {
    path();
    StrokeWith(Stroke{outline.colour, outline.weight});
  }
}

// [SECTION] Text

namespace {

// ImGui sizes a font by its line height (ascent + descent = the pixel size) and puts the
// baseline at floor(ascent + 1) below the line's top; cairo sizes it by its em. At em
// size 1 DejaVu Sans is 1.164 high: the em size is the pixel size / that.
struct FontFit {
  double em_per_px = 1, ascent_per_px = 0.8;
};

FontFit FitOf(cairo_t* cr) {
  static FontFit fit;
  static bool done = false;
  if (!done) {
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_set_font_size(cr, 1.0);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    cairo_restore(cr);
    const double h = fe.ascent + fe.descent;
    if (h > 0) fit = FontFit{1.0 / h, fe.ascent / h};
    done = true;
  }
  return fit;
}

}  // namespace

void CairoRecorder::Text(const TextPrim& t) {
  if (!t.text || !(t.colour & IM_COL32_A_MASK)) return;
  const char* end = t.text_end ? t.text_end : t.text + std::strlen(t.text);
  if (end == t.text) return;
  ImFont* font = ImGui::GetFont();
  const FontFit fit = FitOf(cr_);
  cairo_set_font_size(cr_, double(t.size) * fit.em_per_px);
  const double baseline = std::floor(double(t.size) * fit.ascent_per_px + 1.0);
  // Lines as ImGui breaks them ('\n', and word wrap when wrap_width > 0).
  std::vector<std::pair<const char*, const char*>> lines;
  const float scale = t.size / font->FontSize;
  SplitTextLines(font, scale, t.text, end, t.wrap_width, lines);
  Source(t.colour);
  std::string buf;
  auto widths = [&](const char* a, const char* b, double* imgui_w, double* cairo_w) {
    buf.assign(a, b);
    *imgui_w = font->CalcTextSizeA(t.size, FLT_MAX, 0.0f, a, b).x;
    cairo_text_extents_t te;
    cairo_text_extents(cr_, buf.c_str(), &te);
    *cairo_w = te.x_advance;
  };
  if (t.flags & TextFlags_Vertical) {
    double iw = 0, cw = 0;
    widths(lines.empty() ? t.text : lines[0].first, lines.empty() ? end : lines[0].second, &iw, &cw);
    cairo_save(cr_);
    cairo_translate(cr_, std::floor(t.pos.x), std::floor(t.pos.y));
    cairo_rotate(cr_, -M_PI / 2);
    cairo_move_to(cr_, -cw * 0.5, -double(t.size) * 0.5 + baseline);
    cairo_show_text(cr_, buf.c_str());
    cairo_restore(cr_);
    return;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    double iw = 0, cw = 0;
    widths(lines[i].first, lines[i].second, &iw, &cw);
    if (buf.empty()) continue;
    // The anchor point as ImGui's width put it, then cairo's width around it.
    const double x = double(t.pos.x) + double(t.anchor.x) * (iw - cw);
    cairo_move_to(cr_, x, double(t.pos.y) + double(i) * t.size + baseline);
    cairo_show_text(cr_, buf.c_str());
  }
  cairo_new_path(cr_);
}

// [SECTION] Images

void CairoRecorder::Image(const ImagePrim& im) {
  if (im.texture || !im.pixels || im.rows <= 0 || im.cols <= 0) return;
  auto x_edge = [&](int c) {
    return im.col_edges ? im.col_edges[c] : im.min.x + (im.max.x - im.min.x) * float(c) / float(im.cols);
  };
  auto y_edge = [&](int r) {
    return im.row_edges ? im.row_edges[r] : im.min.y + (im.max.y - im.min.y) * float(r) / float(im.rows);
  };
  // Edges rounded to whole pixels from an even split stay within a pixel of it: one image then.
  bool even = true;
  for (int c = 0; c <= im.cols && even; ++c)
    even = std::abs(x_edge(c) - (x_edge(0) + (x_edge(im.cols) - x_edge(0)) * float(c) / float(im.cols))) <= 1.01f;
  for (int r = 0; r <= im.rows && even; ++r)
    even = std::abs(y_edge(r) - (y_edge(0) + (y_edge(im.rows) - y_edge(0)) * float(r) / float(im.rows))) <= 1.01f;
  if (!even) {  // uneven cells: one rectangle each
    for (int r = 0; r < im.rows; ++r)
      for (int c = 0; c < im.cols; ++c)
        RectFilled(ImVec2(x_edge(c), y_edge(r)), ImVec2(x_edge(c + 1), y_edge(r + 1)),
                   im.pixels[size_t(r) * size_t(im.cols) + size_t(c)]);
    return;
  }
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, im.cols, im.rows);
  cairo_surface_flush(img);
  unsigned char* data = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  for (int r = 0; r < im.rows; ++r) {
    auto* row = reinterpret_cast<uint32_t*>(data + size_t(r) * size_t(stride));
    for (int c = 0; c < im.cols; ++c) {
      const ImU32 p = im.pixels[size_t(r) * size_t(im.cols) + size_t(c)];
      const uint32_t a = p >> 24;
      auto pm = [a](uint32_t v) { return (v * a + 127) / 255; };  // premultiplied
      row[c] = (a << 24) | (pm(p & 0xFF) << 16) | (pm((p >> 8) & 0xFF) << 8) | pm((p >> 16) & 0xFF);
    }
  }
  cairo_surface_mark_dirty(img);
  const double x0 = x_edge(0), y0 = y_edge(0), w = x_edge(im.cols) - x0, h = y_edge(im.rows) - y0;
  cairo_save(cr_);
  cairo_rectangle(cr_, x0, y0, w, h);
  cairo_clip(cr_);
  cairo_translate(cr_, x0, y0);
  cairo_scale(cr_, w / im.cols, h / im.rows);
  cairo_set_source_surface(cr_, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
  cairo_paint(cr_);
  cairo_restore(cr_);
  cairo_surface_destroy(img);
}

// [SECTION] Figure files

namespace {

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string XmlUnescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static const std::pair<const char*, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool matched = false;
      for (const auto& [name, ch] : kEntities)
        if (s.compare(i, std::strlen(name), name) == 0) {
          out += ch;
          i += std::strlen(name) - 1;
          matched = true;
          break;
        }
      if (matched) continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace

FigureFile::~FigureFile() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);
}

std::string FigureFile::open(const std::string& path, int width, int height, double unit, const std::string& provenance,
                             const std::string& title, ImU32 background) {
  path_ = path;
  provenance_ = provenance;
  title_ = title;
  format_ = FigureFormatOf(path);
  const double w = width * unit, h = height * unit;
  switch (format_) {
    case FigureFormat_Svg:
      rec_ = std::make_unique<SvgRecorder>(width, height, unit);
      if (background & IM_COL32_A_MASK) rec_->RectFilled(ImVec2(0, 0), ImVec2(float(width), float(height)), background);
      return "";
    case FigureFormat_Pdf:
      bytes_.clear();
      surface_ = cairo_pdf_surface_create_for_stream(&AppendBytes, &bytes_, w, h);
      cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
      cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_SUBJECT, provenance.c_str());
      cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_KEYWORDS, provenance.c_str());
      cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "moescope");
      break;
    case FigureFormat_Png:
      surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, int(std::lround(w)), int(std::lround(h)));
      break;
    default: return "'" + path + "' must end in .svg, .pdf or .png";
  }
  if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS)
    return "cannot create " + path + ": " + cairo_status_to_string(cairo_surface_status(surface_));
  cr_ = cairo_create(surface_);
  cairo_scale(cr_, unit, unit);
  rec_ = std::make_unique<CairoRecorder>(cr_);
  if (background & IM_COL32_A_MASK) rec_->RectFilled(ImVec2(0, 0), ImVec2(float(width), float(height)), background);
  return "";
}

Recorder& FigureFile::recorder() {
  IM_ASSERT(rec_ && "FigureFile::recorder: open() the file first");
  return *rec_;
}

std::string FigureFile::finish(std::string& bytes) {
  if (format_ == FigureFormat_Svg && rec_) {
    bytes = static_cast<SvgRecorder&>(*rec_).Finish(title_, provenance_);
    rec_.reset();
    return "";
  }
  if (!surface_) return "no figure open";
  rec_.reset();
  cairo_destroy(cr_);
  cr_ = nullptr;
  std::string err;
  if (format_ == FigureFormat_Png) {
    bytes_.clear();
    if (cairo_surface_write_to_png_stream(surface_, &AppendBytes, &bytes_) != CAIRO_STATUS_SUCCESS)
      err = "cannot encode " + path_ + " as PNG";
  } else {
    cairo_surface_finish(surface_);
    if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS)
      err = "cannot make " + path_ + ": " + cairo_status_to_string(cairo_surface_status(surface_));
  }
  cairo_surface_destroy(surface_);
  surface_ = nullptr;
  if (!err.empty()) return err;
  if (format_ == FigureFormat_Png && !provenance_.empty()) err = AddPngText(bytes_, "moescope-command", provenance_);
  bytes.swap(bytes_);
  return err;
}

// [SECTION] PNG text chunks

namespace {

uint32_t Crc32(const unsigned char* p, size_t n, uint32_t crc = 0xFFFFFFFFu) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

uint32_t Be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

void PutBe32(std::string& s, uint32_t v) {
  for (int k = 3; k >= 0; --k) s += char((v >> (8 * k)) & 0xFF);
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

const char kPngSignature[] = "\x89PNG\r\n\x1a\n";

}  // namespace

std::string AddPngText(std::string& png, const std::string& key, const std::string& text) {
  if (png.compare(0, 8, kPngSignature, 8) != 0) return "not a PNG";
  std::string out = png.substr(0, 8);
  const std::string chunk_body = "tEXt" + key + std::string(1, '\0') + text;
  for (size_t at = 8; at + 12 <= png.size();) {
    const uint32_t len = Be32(reinterpret_cast<const unsigned char*>(&png[at]));
    if (at + 12 + len > png.size()) return "a truncated PNG";
    const std::string type = png.substr(at + 4, 4);
    const bool same_key = type == "tEXt" && png.compare(at + 8, key.size() + 1, key + std::string(1, '\0')) == 0;
    if (!same_key) out.append(png, at, 12 + len);
    if (type == "IHDR") {
      PutBe32(out, uint32_t(chunk_body.size() - 4));
      out += chunk_body;
      PutBe32(out, Crc32(reinterpret_cast<const unsigned char*>(chunk_body.data()), chunk_body.size()) ^ 0xFFFFFFFFu);
    }
    at += 12 + len;
  }
  png.swap(out);
  return "";
}

std::string ReadFigureProvenance(const std::string& path, std::string* error) {
  std::string bytes;
  auto fail = [&](const std::string& e) {
    if (error) *error = e;
    return std::string();
  };
  if (!ReadFile(path, bytes)) return fail("cannot read " + path);
  switch (FigureFormatOf(path)) {
    case FigureFormat_Png: {
      if (bytes.compare(0, 8, kPngSignature, 8) != 0) return fail(path + " is not a PNG file");
      const std::string key = std::string("moescope-command") + '\0';
      for (size_t at = 8; at + 12 <= bytes.size();) {
        const uint32_t len = Be32(reinterpret_cast<const unsigned char*>(&bytes[at]));
        if (at + 12 + len > bytes.size()) break;
        if (bytes.compare(at + 4, 4, "tEXt") == 0 && bytes.compare(at + 8, key.size(), key) == 0)
          return bytes.substr(at + 8 + key.size(), len - key.size());
        at += 12 + len;
      }
      return fail(path + " has no moescope-command text chunk (not written by `moescope shot`?)");
    }
    case FigureFormat_Svg: {
      const size_t a = bytes.find("<moescope:command");
      const size_t b = a == std::string::npos ? a : bytes.find('>', a);
      const size_t c = b == std::string::npos ? b : bytes.find("</moescope:command>", b);
      if (c == std::string::npos) return fail(path + " has no moescope provenance (not written by `moescope shot`?)");
      return XmlUnescape(bytes.substr(b + 1, c - b - 1));
    }
    case FigureFormat_Pdf: {
      // cairo writes the info dictionary's strings as (…) with \ escapes for ( ) and \.
      const size_t a = bytes.find("/Subject (");
      if (a == std::string::npos) return fail(path + " has no /Subject in its info dictionary");
      std::string out;
      for (size_t i = a + 10; i < bytes.size(); ++i) {
        if (bytes[i] == '\\' && i + 1 < bytes.size()) {
          out += bytes[++i];
          continue;
        }
        if (bytes[i] == ')') return out;
        out += bytes[i];
      }
      return fail(path + ": unterminated /Subject");
    }
    default: return fail("'" + path + "' must end in .svg, .pdf or .png");
  }
}

}  // namespace moe::plot

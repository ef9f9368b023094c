// gui_test_image.h: reading a PNG that `moescope shot` wrote and counting the pixels of
// a colour in it, for the GUI tests that check what a panel or the window drew.
#pragma once

#include <imgui.h>
#include <stb_image.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "run_process.h"
#include "test_support.h"

namespace moe::test {

// An RGBA8 image, rows top to bottom: rgba has w * h * 4 bytes.
struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgba;
  const uint8_t* at(int x, int y) const { return &rgba[(size_t(y) * size_t(w) + size_t(x)) * 4]; }
};

// The PNG at `path` as RGBA; an empty image (0×0) if it cannot be read.
inline Image load_png(const std::string& path) {
  Image im;
  int n = 0;
  if (unsigned char* d = stbi_load(path.c_str(), &im.w, &im.h, &n, 4)) {
    im.rgba.assign(d, d + size_t(im.w) * size_t(im.h) * 4);
    stbi_image_free(d);
  }
  return im;
}

// Largest difference over R, G, B between the pixel at p and colour c (alpha ignored).
inline int colour_distance(const uint8_t* p, ImU32 c) {
  const int r = int(c & 255), g = int((c >> 8) & 255), b = int((c >> 16) & 255);
  return std::max({std::abs(p[0] - r), std::abs(p[1] - g), std::abs(p[2] - b)});
}

// Mean over R, G, B of |a - b| (0..255) after averaging each image over k x k blocks; -1 if
// the sizes differ or an image is empty. Blocks of 4 px take out what anti-aliasing and font
// hinting do to single pixels (ImGui's atlas against FreeType outlines) and keep what a
// reader sees: a label, a line or a key entry missing or moved changes whole blocks.
inline double mean_abs_difference(const Image& a, const Image& b, int k = 1) {
  if (a.w == 0 || a.w != b.w || a.h != b.h) return -1;
  double sum = 0;
  int blocks = 0;
  for (int by = 0; by + k <= a.h; by += k)
    for (int bx = 0; bx + k <= a.w; bx += k, ++blocks)
      for (int c = 0; c < 3; ++c) {
        int sa = 0, sb = 0;
        for (int y = by; y < by + k; ++y)
          for (int x = bx; x < bx + k; ++x) sa += a.at(x, y)[c], sb += b.at(x, y)[c];
        sum += std::abs(sa - sb) / double(k * k);
      }
  return sum / (3.0 * blocks);
}

// Bound on the 4x4-block mean_abs_difference between a figure's GL PNG and a renderer's
// drawing of its vector file (SVG by librsvg, PDF by poppler). Measured on the nine panels'
// figures (gui_test_figures.cpp): 0.4..3.2 (librsvg) and 1.1..3.9 (poppler) of 255; the load
// figure without one expert's line (so its y axis refits too) measures 9.5.
constexpr double kMaxFigureDifference = 5.0;

// Pixels within `tol` levels per channel of colour c.
inline int count_colour(const Image& im, ImU32 c, int tol) {
  int n = 0;
  for (int y = 0; y < im.h; ++y)
    for (int x = 0; x < im.w; ++x) n += colour_distance(im.at(x, y), c) <= tol;
  return n;
}

#ifdef MOESCOPE_BINARY
// `moescope shot ARGS --out temp_path(name)`, a test failure unless it exits 0; the PNG it
// wrote (its path printed, for a look).
inline Image shot_png(const std::string& args, const std::string& name) {
  const std::string png = temp_path(name);
  const ProcessResult r = run_moescope("shot " + args + " --out " + png);
  EXPECT_EQ(r.status, 0) << r.out;
  std::printf("[ png      ] %s\n", png.c_str());
  return load_png(png);
}
#endif

}  // namespace moe::test

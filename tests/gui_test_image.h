// gui_test_image.h: reading a PNG that `moescope shot` wrote and counting the pixels of
// a colour in it, for the GUI tests that check what a panel or the window drew.
#pragma once

#include <imgui.h>
#include <stb_image.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

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

// Pixels within `tol` levels per channel of colour c.
inline int count_colour(const Image& im, ImU32 c, int tol) {
  int n = 0;
  for (int y = 0; y < im.h; ++y)
    for (int x = 0; x < im.w; ++x) n += colour_distance(im.at(x, y), c) <= tol;
  return n;
}

}  // namespace moe::test

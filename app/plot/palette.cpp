// palette.cpp: categorical and sequential colours (see palette.h).
//
// [SECTION] OKLab <-> sRGB
// [SECTION] Categorical
// [SECTION] Sequential colormap
// [SECTION] GL textures
#include "palette.h"

#include <epoxy/gl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace moe::palette {

// [SECTION] OKLab <-> sRGB
// OKLab (Ottosson 2020): a linear map of linear sRGB to LMS, a cube root, and a
// second linear map; Euclidean distances track perceived differences well.

namespace {

float srgb_to_linear(float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }
float linear_to_srgb(float c) { return c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f; }

struct Rgb {
  float r, g, b;  // linear sRGB
};

OkLab linear_to_oklab(Rgb c) {
  const float l = std::cbrt(0.4122214708f * c.r + 0.5363325363f * c.g + 0.0514459929f * c.b);
  const float m = std::cbrt(0.2119034982f * c.r + 0.6806995451f * c.g + 0.1073969566f * c.b);
  const float s = std::cbrt(0.0883024619f * c.r + 0.2817188376f * c.g + 0.6299787005f * c.b);
  return {0.2104542553f * l + 0.7936177850f * m - 0.0040720468f * s,
          1.9779984951f * l - 2.4285922050f * m + 0.4505937099f * s,
          0.0259040371f * l + 0.7827717662f * m - 0.8086757660f * s};
}

Rgb oklab_to_linear(OkLab c) {
  const float l = c.L + 0.3963377774f * c.a + 0.2158037573f * c.b;
  const float m = c.L - 0.1055613458f * c.a - 0.0638541728f * c.b;
  const float s = c.L - 0.0894841775f * c.a - 1.2914855480f * c.b;
  const float l3 = l * l * l, m3 = m * m * m, s3 = s * s * s;
  return {4.0767416621f * l3 - 3.3077115913f * m3 + 0.2309699292f * s3,
          -1.2684380046f * l3 + 2.6097574011f * m3 - 0.3413193965f * s3,
          -0.0041960863f * l3 - 0.7034186147f * m3 + 1.7076147010f * s3};
}

bool in_gamut(Rgb c) {
  const float eps = 1e-4f;
  return c.r >= -eps && c.r <= 1 + eps && c.g >= -eps && c.g <= 1 + eps && c.b >= -eps && c.b <= 1 + eps;
}

ImU32 pack(Rgb lin) {
  auto byte = [](float v) {
    return ImU32(std::lround(std::clamp(linear_to_srgb(std::clamp(v, 0.0f, 1.0f)), 0.0f, 1.0f) * 255.0f));
  };
  return byte(lin.r) | (byte(lin.g) << 8) | (byte(lin.b) << 16) | 0xFF000000u;
}

// OKLCH (lightness, chroma, hue in degrees) -> sRGB, chroma bisected down into the gamut.
ImU32 from_oklch(float L, float C, float hue_deg) {
  const float h = hue_deg * 3.14159265f / 180.0f;
  auto at = [&](float c) { return oklab_to_linear({L, c * std::cos(h), c * std::sin(h)}); };
  if (in_gamut(at(C))) return pack(at(C));
  float lo = 0, hi = C;
  for (int i = 0; i < 24; ++i) {
    const float mid = 0.5f * (lo + hi);
    (in_gamut(at(mid)) ? lo : hi) = mid;
  }
  return pack(at(lo));
}

}  // namespace

OkLab to_oklab(ImU32 c) {
  auto channel = [&](int shift) { return srgb_to_linear(float((c >> shift) & 0xFF) / 255.0f); };
  return linear_to_oklab({channel(0), channel(8), channel(16)});
}

ImU32 from_oklab(OkLab lab) {
  const float C = std::hypot(lab.a, lab.b);
  const float h = std::atan2(lab.b, lab.a) * 180.0f / 3.14159265f;
  return from_oklch(lab.L, C, h);
}

float delta_e(ImU32 a, ImU32 b) {
  const OkLab p = to_oklab(a), q = to_oklab(b);
  return std::sqrt((p.L - q.L) * (p.L - q.L) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b));
}

ImU32 with_alpha(ImU32 colour, float alpha) {
  return (colour & 0x00FFFFFFu) | (ImU32(std::lround(std::clamp(alpha, 0.0f, 1.0f) * 255.0f)) << 24);
}

// [SECTION] Categorical
//
// Scheme::classic. Indices 0..11 were hand-tuned in OKLCH for a dark background and ordered so
// the first eight alone are far apart: blue, orange, green, red, violet,
// yellow, teal, pink, then brown, lime, magenta, sky. Indices 12..63 vary those
// in lightness, chroma and hue: they were picked one by one, each the candidate
// (OKLCH grid, L in [0.58, 0.90], chroma <= 0.16, every 4 degrees of hue)
// farthest in OKLab from all colours already chosen, with a small bonus for
// being far from the previous index, in both themes at once (the light theme's
// colour is the dark one with OKLab lightness lowered by 0.20, chroma clipped
// to the sRGB gamut), so expert e keeps its hue when the theme changes.
// Result: every pair differs by delta_e >= 0.062 (about 3 just-noticeable
// differences), neighbouring indices by >= 0.17. But under a deuteranopia
// simulation experts 0 and 4 are 0.019 apart (one blue), so it is not the default.
//
// Scheme::colour_blind_safe. Experts 0..7 are Okabe & Ito's "Color Universal
// Design" set (2008), made to stay apart for the common colour blindnesses.
// Their order makes every prefix (E = 2, 3, ...) as far apart as it can be (the
// smallest OKLab distance under normal, deutan and protan vision, searched over
// every order): orange, blue, sky blue, vermillion, bluish green, reddish purple,
// then black (white on the dark theme, where black would vanish) and yellow last
// (the faintest on white). Smallest pair distance of the eight, simulated:
// normal 0.156, deuteranopia 0.076, protanopia 0.096, tritanopia 0.085 (the
// classic eight: 0.132, 0.019, 0.050, 0.044). Experts 8..63 extend it
// glasbey-style (Glasbey, van der Heijden et al. 2007): picked one at a time from
// an OKLCH grid (L 0.57..0.90 in steps of 0.03, chroma 0.04..0.16 in steps of
// 0.04, hue every 5 degrees), each the candidate whose smallest OKLab distance to
// every colour already chosen, Okabe-Ito included, is largest, as seen with
// normal, deutan and protan vision and in both themes at once (the light theme's
// colour is the dark one with lightness lowered by 0.22, chroma clipped to the
// gamut). Result, in every one of those visions and both themes: the first 16
// at least 0.065 apart, all 64 at least 0.027 (64 colours cannot all be far
// apart for a dichromat, whose colours span two dimensions). The search is
// deterministic and runs once, on first use (a few milliseconds).

namespace {

constexpr ImU32 rgb(uint32_t hex) {  // 0xRRGGBB -> IM_COL32 byte order, opaque
  return ((hex >> 16) & 0xFF) | (hex & 0xFF00) | ((hex & 0xFF) << 16) | 0xFF000000u;
}

constexpr uint32_t kDarkHex[kCategorical] = {
    0x4A9CF1, 0xFC9841, 0x5EC966, 0xEF504E, 0xAB7DE9, 0xF1D93F, 0x4ED5D5, 0xF594C3,  // 0..7
    0xA57543, 0xA9E44A, 0xCA44C3, 0x7DD0FA, 0x358793, 0xF5D2D7, 0x5E9A3E, 0xAC91A2,  // 8..15
    0x50FEC8, 0x636DD7, 0xAFB68B, 0xB25977, 0xC1AAFF, 0x00B1A7, 0xE26BA4, 0xBEDDB8,  // 16..23
    0x8973A6, 0xFEB6FB, 0xBE9300, 0xD1B6C9, 0x955BC2, 0xFF817C, 0xBBE2FF, 0x859177,  // 24..31
    0xFCC088, 0x91AFD2, 0xE77633, 0x6EDF9D, 0xD888EB, 0x64EEFC, 0x7494B4, 0xCAC630,  // 32..39
    0xB875B6, 0x93B057, 0x909FFF, 0xC74D38, 0xFEAAA9, 0x907174, 0xCEC5FF, 0xC6777C,  // 40..47
    0x5FB9FF, 0x788047, 0x7884F1, 0xDA9A8D, 0x517CB5, 0x50C59E, 0xC39CCC, 0xC5EC95,  // 48..55
    0x928BCF, 0x34B566, 0xF698F3, 0x239970, 0xACD0D8, 0xA9579F, 0xD0C3A7, 0xCA5998,  // 56..63
};

constexpr uint32_t kLightHex[kCategorical] = {
    0x005FAA, 0xB15F00, 0x098926, 0xA30017, 0x6F40A7, 0xAD9900, 0x009393, 0xB15785,  // 0..7
    0x683C00, 0x70A100, 0x81007D, 0x3C90B8, 0x004B54, 0xB49398, 0x295D00, 0x6F5767,  // 8..15
    0x00B88C, 0x313095, 0x737950, 0x711E3F, 0x846DBC, 0x006E68, 0x9E2C68, 0x809D7B,  // 16..23
    0x503B69, 0xBB78B9, 0x765B00, 0x92798B, 0x5A1D82, 0xB94242, 0x7DA2BD, 0x4C573F,  // 24..31
    0xBA814B, 0x567293, 0x984200, 0x219E61, 0x974BA9, 0x00ACB9, 0x3B5977, 0x8A8600,  // 32..39
    0x793B78, 0x597312, 0x5761BB, 0x7D1000, 0xBA6D6D, 0x553A3D, 0x9087BD, 0x853D44,  // 40..47
    0x137ABC, 0x41470A, 0x4346AD, 0x995E53, 0x194276, 0x008464, 0x85608D, 0x87AB56,  // 48..55
    0x59508F, 0x007338, 0xB35AB1, 0x00593E, 0x6F9199, 0x6A1B63, 0x91856B, 0x87175D,  // 56..63
};

// Okabe-Ito in the order above; the themes differ only in black / white.
constexpr uint32_t kOkabeItoDark[kOkabeIto] = {0xE69F00, 0x0072B2, 0x56B4E9, 0xD55E00,
                                               0x009E73, 0xCC79A7, 0xFFFFFF, 0xF0E442};
constexpr uint32_t kOkabeItoLight[kOkabeIto] = {0xE69F00, 0x0072B2, 0x56B4E9, 0xD55E00,
                                                0x009E73, 0xCC79A7, 0x000000, 0xF0E442};

template <size_t N>
std::array<ImU32, N> to_table(const uint32_t (&hex)[N]) {
  std::array<ImU32, N> table{};
  for (size_t i = 0; i < N; ++i) table[i] = rgb(hex[i]);
  return table;
}

using Table = std::array<ImU32, kCategorical>;
struct TablePair {
  Table dark, light;
};

// The glasbey-style extension (see above): both themes' tables, Okabe-Ito first.
TablePair build_colour_blind_safe() {
  TablePair t{};
  for (int i = 0; i < kOkabeIto; ++i)
    t.dark[size_t(i)] = rgb(kOkabeItoDark[i]), t.light[size_t(i)] = rgb(kOkabeItoLight[i]);
  constexpr Vision kSeen[3] = {Vision::normal, Vision::deuteranopia, Vision::protanopia};
  struct Candidate {
    ImU32 colour[2];       // dark, light theme
    OkLab seen[2][3];      // [theme][vision]
    float nearest = 1e9f;  // smallest distance to the colours chosen so far
  };
  auto seen_as = [&](ImU32 c, int v) { return to_oklab(simulate(c, kSeen[v])); };
  auto dist = [](const OkLab& p, const OkLab& q) {
    return std::sqrt((p.L - q.L) * (p.L - q.L) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b));
  };
  std::vector<Candidate> cands;
  for (int li = 0; li <= 11; ++li)
    for (float C : {0.04f, 0.08f, 0.12f, 0.16f})
      for (int h = 0; h < 360; h += 5) {
        const float L = 0.57f + 0.03f * float(li);
        Candidate c;
        c.colour[0] = from_oklch(L, C, float(h));
        c.colour[1] = from_oklch(L - 0.22f, C, float(h));
        for (int th = 0; th < 2; ++th)
          for (int v = 0; v < 3; ++v) c.seen[th][v] = seen_as(c.colour[th], v);
        cands.push_back(c);
      }
  auto take = [&](ImU32 dark, ImU32 light) {  // lowers every candidate's `nearest` by the new colour
    OkLab seen[2][3];
    for (int v = 0; v < 3; ++v) seen[0][v] = seen_as(dark, v), seen[1][v] = seen_as(light, v);
    for (Candidate& c : cands)
      for (int th = 0; th < 2; ++th)
        for (int v = 0; v < 3; ++v) c.nearest = std::min(c.nearest, dist(c.seen[th][v], seen[th][v]));
  };
  for (int i = 0; i < kOkabeIto; ++i) take(t.dark[size_t(i)], t.light[size_t(i)]);
  for (int i = kOkabeIto; i < kCategorical; ++i) {
    size_t best = 0;
    for (size_t j = 1; j < cands.size(); ++j)
      if (cands[j].nearest > cands[best].nearest) best = j;
    t.dark[size_t(i)] = cands[best].colour[0];
    t.light[size_t(i)] = cands[best].colour[1];
    take(t.dark[size_t(i)], t.light[size_t(i)]);
  }
  return t;
}

std::atomic<int> g_scheme{int(Scheme::colour_blind_safe)};

}  // namespace

void set_scheme(Scheme scheme) { g_scheme.store(int(scheme), std::memory_order_relaxed); }
Scheme current_scheme() { return Scheme(g_scheme.load(std::memory_order_relaxed)); }

const ImU32* categorical_table(Theme theme, Scheme scheme) {
  static const Table dark = to_table(kDarkHex);
  static const Table light = to_table(kLightHex);
  static const TablePair safe = build_colour_blind_safe();
  if (scheme == Scheme::classic) return theme == Theme::dark ? dark.data() : light.data();
  return theme == Theme::dark ? safe.dark.data() : safe.light.data();
}

ImU32 categorical(int index, Theme theme, Scheme scheme) {
  const int i = ((index % kCategorical) + kCategorical) % kCategorical;
  return categorical_table(theme, scheme)[i];
}

ImU32 series_colour(Series series, Theme theme) {
  // In Series order: task, balance, z, importance, total, accuracy; router and load entropy;
  // dead experts, MaxVio, load CV, drop rate, unrouted (each collapse signal has a plot of its own);
  // routing churn (reddish purple: apart from the entropy panel's blue and orange).
  static constexpr uint32_t kDark[] = {0x56B4E9, 0xE69F00, 0xD55E00, 0x009E73, 0xEBECF2, 0xCC79A7, 0x56B4E9,
                                       0xE69F00, 0xD55E00, 0xE69F00, 0x56B4E9, 0xCC79A7, 0x009E73, 0xCC79A7};
  static constexpr uint32_t kLight[] = {0x0072B2, 0xE69F00, 0xD55E00, 0x009E73, 0x1E1F26, 0xCC79A7, 0x0072B2,
                                        0xE69F00, 0xD55E00, 0xE69F00, 0x0072B2, 0xCC79A7, 0x009E73, 0xCC79A7};
  static_assert(std::size(kDark) == size_t(Series::routing_churn) + 1 && std::size(kLight) == std::size(kDark));
  return rgb((theme == Theme::dark ? kDark : kLight)[int(series)]);
}

ImU32 run_colour(int slot, Theme theme) {
  // Blue, red, green, yellow, purple, cyan, orange, grey (Tol bright + vibrant orange; the
  // dark theme's blue and purple lifted so they read on a near-black background).
  static constexpr uint32_t kDark[kRunColours] = {0x77AADD, 0xEE6677, 0x44BB77, 0xDDCC55,
                                                  0xCC77BB, 0x66CCEE, 0xEE8844, 0xBBBBBB};
  static constexpr uint32_t kLight[kRunColours] = {0x3366AA, 0xCC3344, 0x228833, 0xAA8800,
                                                   0xAA3377, 0x1199BB, 0xDD6611, 0x666666};
  const int i = ((slot % kRunColours) + kRunColours) % kRunColours;
  return rgb((theme == Theme::dark ? kDark : kLight)[i]);
}

// Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation
// of color vision deficiency", severity 1.0 matrices, on linear sRGB.
ImU32 simulate(ImU32 colour, Vision vision) {
  static constexpr float kM[4][9] = {
      {1, 0, 0, 0, 1, 0, 0, 0, 1},
      {0.152286f, 1.052583f, -0.204868f, 0.114503f, 0.786281f, 0.099216f, -0.003882f, -0.048116f,
       1.051998f},  // protanopia
      {0.367322f, 0.860646f, -0.227968f, 0.280085f, 0.672501f, 0.047413f, -0.011820f, 0.042940f,
       0.968881f},  // deuteranopia
      {1.255528f, -0.076749f, -0.178779f, -0.078411f, 0.930809f, 0.147602f, 0.004733f, 0.691367f,
       0.303900f},  // tritanopia
  };
  const float* m = kM[int(vision)];
  auto channel = [&](int shift) { return srgb_to_linear(float((colour >> shift) & 0xFF) / 255.0f); };
  const float r = channel(0), g = channel(8), b = channel(16);
  return pack({m[0] * r + m[1] * g + m[2] * b, m[3] * r + m[4] * g + m[5] * b, m[6] * r + m[7] * g + m[8] * b}) |
         (colour & 0xFF000000u);
}

// [SECTION] Sequential colormap
// Lightness rises linearly from 0.27 to 0.93 (so equal steps in t look like
// equal steps); hue turns from violet through blue, teal and green to yellow,
// and chroma dips in the blue-teal middle where the gamut is narrow.

namespace {

struct SeqPoint {
  float t, C, h;
};

constexpr SeqPoint kSeq[] = {
    {0.00f, 0.120f, 310.0f},  // dark violet
    {0.22f, 0.120f, 275.0f},  // indigo
    {0.45f, 0.095f, 222.0f},  // blue-teal
    {0.62f, 0.110f, 180.0f},  // teal
    {0.80f, 0.165f, 145.0f},  // green
    {1.00f, 0.185f, 105.0f},  // yellow
};

ImU32 colormap_exact(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  const float L = 0.27f + 0.66f * t;
  size_t i = 0;
  while (i + 2 < std::size(kSeq) && t > kSeq[i + 1].t) ++i;
  const SeqPoint& a = kSeq[i];
  const SeqPoint& b = kSeq[i + 1];
  const float u = (t - a.t) / (b.t - a.t);
  return from_oklch(L, a.C + u * (b.C - a.C), a.h + u * (b.h - a.h));
}

std::array<ImU32, kColormapTexels> build_colormap() {
  std::array<ImU32, kColormapTexels> lut{};
  for (int i = 0; i < kColormapTexels; ++i) lut[size_t(i)] = colormap_exact(float(i) / float(kColormapTexels - 1));
  return lut;
}

}  // namespace

const ImU32* colormap_texels() {
  static const std::array<ImU32, kColormapTexels> lut = build_colormap();
  return lut.data();
}

ImU32 colormap(float t) {
  if (std::isnan(t)) return 0;
  t = std::clamp(t, 0.0f, 1.0f) * float(kColormapTexels - 1);
  const int i = std::min(int(t), kColormapTexels - 2);
  const float u = t - float(i);
  const ImU32 a = colormap_texels()[i], b = colormap_texels()[i + 1];
  auto mix = [&](int shift) {
    const float x = float((a >> shift) & 0xFF), y = float((b >> shift) & 0xFF);
    return ImU32(std::lround(x + u * (y - x))) << shift;
  };
  return mix(0) | mix(8) | mix(16) | 0xFF000000u;
}

// [SECTION] GL textures

namespace {

unsigned make_texture_1d_row(const ImU32* texels, int n, GLint filter) {
  GLint old_texture = 0, old_alignment = 4, old_row_length = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &old_texture);
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &old_alignment);
  glGetIntegerv(GL_UNPACK_ROW_LENGTH, &old_row_length);
  GLuint tex = 0;
  glGenTextures(1, &tex);
  glBindTexture(GL_TEXTURE_2D, tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, n, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, texels);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindTexture(GL_TEXTURE_2D, GLuint(old_texture));
  glPixelStorei(GL_UNPACK_ALIGNMENT, old_alignment);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, old_row_length);
  return tex;
}

}  // namespace

unsigned create_colormap_texture() { return make_texture_1d_row(colormap_texels(), kColormapTexels, GL_LINEAR); }

unsigned create_categorical_texture(Theme theme, Scheme scheme) {
  return make_texture_1d_row(categorical_table(theme, scheme), kCategorical, GL_NEAREST);
}

}  // namespace moe::palette

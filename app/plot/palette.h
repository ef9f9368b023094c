// palette.h: moescope's colours for data.
//
//   categorical  64 stable colours, one per expert (expert e is the same hue in
//                every plot and both themes); the first 12 are hand-tuned, the
//                rest are lightness/chroma/hue variants of them, ordered so that
//                neighbouring indices differ in hue. One table per theme: the
//                dark theme's colours are light enough for a dark plot
//                background, the light theme's dark enough for a white one.
//   colormap     a perceptual sequential map (dark violet -> blue -> teal ->
//                green -> yellow, lightness rising linearly in OKLab), as a
//                function of t in [0,1] and as a 256-texel GL texture.
//   delta_e      distance in OKLab (about 0.02 is just noticeable), for checks.
//
// Colours are ImU32 as IM_COL32 packs them (bytes R, G, B, A in memory).
#pragma once

#include <imgui.h>

#include <cstdint>

namespace moe::palette {

enum class Theme { dark, light };  // background the colours must stand out from

constexpr int kCategorical = 64;  // distinct categorical colours; indices wrap beyond

ImU32 categorical(int index, Theme theme = Theme::dark);  // colour of expert/series `index`
const ImU32* categorical_table(Theme theme);               // all kCategorical colours, in index order
ImU32 with_alpha(ImU32 colour, float alpha);               // same colour, alpha in [0,1]

ImU32 colormap(float t);             // sequential map at t (clamped to [0,1]; NaN -> transparent)
const ImU32* colormap_texels();      // 256 RGBA8 texels, texel i = colormap(i / 255)
constexpr int kColormapTexels = 256;

// GL textures (need a current GL 3.3 context; the caller glDeleteTextures them).
unsigned create_colormap_texture();            // 256x1 RGBA8, linear filtering, clamped
unsigned create_categorical_texture(Theme t);  // 64x1 RGBA8, nearest filtering (texel e = expert e)

// Perceptual distance helpers.
struct OkLab {
  float L, a, b;  // L in [0,1]; a, b roughly in [-0.4, 0.4]
};
OkLab to_oklab(ImU32 colour);       // sRGB (alpha ignored) -> OKLab
ImU32 from_oklab(OkLab lab);        // OKLab -> sRGB, chroma reduced until inside the gamut
float delta_e(ImU32 a, ImU32 b);    // Euclidean distance in OKLab

}  // namespace moe::palette

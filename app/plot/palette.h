// palette.h: moescope's colours for data.
//
//   categorical  64 stable colours, one per expert (expert e is the same hue in
//                every plot and both themes), in two schemes:
//                  colour_blind_safe (default): Okabe & Ito's 8 colours for
//                    experts 0-7, chosen to stay apart for protan, deutan and
//                    tritan viewers; experts 8-63 a glasbey-style set generated
//                    to stay apart under the same simulations (palette.cpp)
//                  classic: the earlier hand-tuned hues (blue, orange, green,
//                    red...), brighter but confusable under colour blindness
//   simulate     how a colour looks to a dichromat (Machado, Oliveira &
//                Fernandes 2009, severity 1), for checks and tests.
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

enum class Theme { dark, light };                  // background the colours must stand out from
enum class Scheme { colour_blind_safe, classic };  // which categorical colours (View menu)

constexpr int kCategorical = 64;  // distinct categorical colours; indices wrap beyond
constexpr int kOkabeIto = 8;      // colours 0..7 of colour_blind_safe are Okabe & Ito's

// The scheme the window shows (set from UiState::palette each frame); plots that pick
// colours themselves (plot::PlotLine without a style) follow it through the default argument.
void set_scheme(Scheme scheme);
Scheme current_scheme();

ImU32 categorical(int index, Theme theme = Theme::dark,
                  Scheme scheme = current_scheme());  // colour of expert/series `index`
const ImU32* categorical_table(Theme theme,
                               Scheme scheme = current_scheme());  // all kCategorical colours, in index order
ImU32 with_alpha(ImU32 colour, float alpha);

// Colours of series that are not per expert, one Okabe-Ito hue per meaning, so they stay
// apart for colour-blind viewers too (the dark theme lifts blue to sky blue and swaps black
// for near-white, so every line reads on its background).
enum class Series {
  task_loss,
  balance_loss,
  z_loss,
  importance_loss,
  total_loss,
  accuracy,  // losses panel
  router_entropy,
  load_entropy,  // entropy panel
  dead_experts,
  max_vio,
  load_cv,
  drop_rate,
  unrouted,       // collapse panel
  routing_churn,  // entropy panel, after the others
};
ImU32 series_colour(Series series, Theme theme);  // same colour, alpha in [0,1]

// Colours of runs side by side (the run list, every comparison plot): Paul Tol's "bright"
// qualitative set (light theme) and its lifted twin (dark theme), hues apart from the
// Okabe-Ito expert and series colours, so a run line is never read as an expert. Run
// slot 0 is blue, slot 1 red (the usual A/B pair, apart in every dichromacy); indices
// wrap past kRunColours, where plot::RunLineStyle's dash pattern tells runs apart.
constexpr int kRunColours = 8;
ImU32 run_colour(int slot, Theme theme);

ImU32 colormap(float t);         // sequential map at t (clamped to [0,1]; NaN -> transparent)
const ImU32* colormap_texels();  // 256 RGBA8 texels, texel i = colormap(i / 255)
constexpr int kColormapTexels = 256;

// GL textures (need a current GL 3.3 context; the caller glDeleteTextures them).
unsigned create_colormap_texture();                      // 256x1 RGBA8, linear filtering, clamped
unsigned create_categorical_texture(Theme t, Scheme s);  // 64x1 RGBA8, nearest filtering (texel e = expert e)

// Perceptual distance helpers.
struct OkLab {
  float L, a, b;  // L in [0,1]; a, b roughly in [-0.4, 0.4]
};
OkLab to_oklab(ImU32 colour);     // sRGB (alpha ignored) -> OKLab
ImU32 from_oklab(OkLab lab);      // OKLab -> sRGB, chroma reduced until inside the gamut
float delta_e(ImU32 a, ImU32 b);  // Euclidean distance in OKLab

// Colour vision deficiency simulation: Machado et al. 2009's matrices (severity 1,
// i.e. dichromacy) applied to linear sRGB, clipped to the gamut.
enum class Vision { normal, protanopia, deuteranopia, tritanopia };
ImU32 simulate(ImU32 colour, Vision vision);

}  // namespace moe::palette

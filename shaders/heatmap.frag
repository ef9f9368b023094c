#version 330 core
// heatmap.frag: colours a rows x cols matrix for the plot layer (app/gui/heatmap_gl.cpp).
//   mode 0 (values):  u_cells = values (R32F);  colour = u_lut at t = (v - u_range.x) / (u_range.y - u_range.x)
//   mode 1 (routing): u_cells = winning expert index as a float, u_confidence = its confidence in [0,1];
//                     colour = u_lut[winner] * mix(u_min_brightness, 1, confidence)
// Non-finite values (and winners < 0) get u_nan_colour. Texel row r is matrix
// row r and the target's first row is v_uv.y = 0, which ImGui shows at the top:
// matrix row 0 ends up on top without any flip.
in vec2 v_uv;
out vec4 frag_colour;

uniform int u_mode;              // 0 values, 1 routing map
uniform sampler2D u_cells;       // [cols x rows] R32F
uniform sampler2D u_confidence;  // [cols x rows] R32F (mode 1)
uniform sampler2D u_lut;         // N x 1 RGBA8: colormap (mode 0, linear) or palette (mode 1, nearest)
uniform vec2 u_range;            // value at t = 0 and t = 1 (mode 0)
uniform float u_min_brightness;  // brightness at confidence 0 (mode 1)
uniform vec4 u_nan_colour;       // for NaN/Inf values and winners < 0
uniform float u_grid;            // darkening of cell borders when cells are >= 6 pixels; 0 = none

void main() {
  ivec2 size = textureSize(u_cells, 0);
  vec2 cell_f = v_uv * vec2(size);
  ivec2 cell = clamp(ivec2(cell_f), ivec2(0), size - 1);
  float v = texelFetch(u_cells, cell, 0).r;
  int n = textureSize(u_lut, 0).x;
  vec4 colour;
  if (isnan(v) || isinf(v)) {
    colour = u_nan_colour;
  } else if (u_mode == 0) {
    float span = u_range.y - u_range.x;
    float t = clamp(span != 0.0 ? (v - u_range.x) / span : 0.5, 0.0, 1.0);
    colour = texture(u_lut, vec2((t * float(n - 1) + 0.5) / float(n), 0.5));
  } else if (v < -0.5) {
    colour = u_nan_colour;
  } else {
    int expert = clamp(int(v + 0.5), 0, n - 1);
    float confidence = clamp(texelFetch(u_confidence, cell, 0).r, 0.0, 1.0);
    colour = vec4(texelFetch(u_lut, ivec2(expert, 0), 0).rgb * mix(u_min_brightness, 1.0, confidence), 1.0);
  }
  vec2 pixels_per_cell = 1.0 / max(fwidth(cell_f), vec2(1e-6));
  vec2 from_edge = fract(cell_f) * pixels_per_cell;  // pixels from the cell's first edge
  if (u_grid > 0.0 && min(pixels_per_cell.x, pixels_per_cell.y) >= 6.0 && (from_edge.x < 1.0 || from_edge.y < 1.0))
    colour.rgb *= 1.0 - u_grid;
  frag_colour = colour;
}

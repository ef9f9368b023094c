#version 330 core
// heatmap.vert: one triangle covering the whole target (no vertex buffer; the
// caller binds an empty VAO, which a core profile requires). v_uv is (0,0) at
// the target's first texel row and column and (1,1) at its far corner.
out vec2 v_uv;

void main() {
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));  // (0,0) (2,0) (0,2)
  v_uv = corner;
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}

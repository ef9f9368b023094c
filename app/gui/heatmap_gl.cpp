// heatmap_gl.cpp: GPU heatmaps (see heatmap_gl.h).
//
// [SECTION] Setup and teardown
// [SECTION] Uploads and the output target
// [SECTION] Rendering (with GL state saved and restored)
#include "heatmap_gl.h"

#include <epoxy/gl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "gl_context.h"

namespace moe::gui {

namespace {

constexpr int kMaxOutput = 4096;  // output texture side limit (pixels)

GLuint AsGL(unsigned name) { return GLuint(name); }

void SetTextureDefaults(GLint filter) {
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

// Everything render_* changes, captured before and put back after.
struct SavedState {
  GLint draw_fbo = 0, read_fbo = 0, viewport[4] = {0, 0, 0, 0}, program = 0, vao = 0, active_texture = GL_TEXTURE0;
  GLint textures[3] = {0, 0, 0}, unpack_alignment = 4, unpack_row_length = 0;
  GLboolean blend = GL_FALSE, scissor = GL_FALSE, depth = GL_FALSE, cull = GL_FALSE;

  SavedState() {
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw_fbo);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read_fbo);
    glGetIntegerv(GL_VIEWPORT, viewport);
    glGetIntegerv(GL_CURRENT_PROGRAM, &program);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &vao);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &active_texture);
    for (int i = 0; i < 3; ++i) {
      glActiveTexture(GLenum(GL_TEXTURE0 + i));
      glGetIntegerv(GL_TEXTURE_BINDING_2D, &textures[i]);
    }
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &unpack_alignment);
    glGetIntegerv(GL_UNPACK_ROW_LENGTH, &unpack_row_length);
    blend = glIsEnabled(GL_BLEND);
    scissor = glIsEnabled(GL_SCISSOR_TEST);
    depth = glIsEnabled(GL_DEPTH_TEST);
    cull = glIsEnabled(GL_CULL_FACE);
  }
  ~SavedState() {
    for (int i = 0; i < 3; ++i) {
      glActiveTexture(GLenum(GL_TEXTURE0 + i));
      glBindTexture(GL_TEXTURE_2D, GLuint(textures[i]));
    }
    glActiveTexture(GLenum(active_texture));
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, GLuint(draw_fbo));
    glBindFramebuffer(GL_READ_FRAMEBUFFER, GLuint(read_fbo));
    glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
    glUseProgram(GLuint(program));
    glBindVertexArray(GLuint(vao));
    glPixelStorei(GL_UNPACK_ALIGNMENT, unpack_alignment);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, unpack_row_length);
    auto set = [](GLenum cap, GLboolean on) { on ? glEnable(cap) : glDisable(cap); };
    set(GL_BLEND, blend);
    set(GL_SCISSOR_TEST, scissor);
    set(GL_DEPTH_TEST, depth);
    set(GL_CULL_FACE, cull);
  }
};

}  // namespace

// [SECTION] Setup and teardown

HeatmapGL::~HeatmapGL() { shutdown(); }

bool HeatmapGL::init(std::string* error) {
  shutdown();
  program_ = compile_program(embedded_shader("heatmap.vert"), embedded_shader("heatmap.frag"), "shaders/heatmap",
                             error);
  if (!program_) return false;
  const GLuint prog = AsGL(program_);
  loc_mode_ = glGetUniformLocation(prog, "u_mode");
  loc_cells_ = glGetUniformLocation(prog, "u_cells");
  loc_confidence_ = glGetUniformLocation(prog, "u_confidence");
  loc_lut_ = glGetUniformLocation(prog, "u_lut");
  loc_range_ = glGetUniformLocation(prog, "u_range");
  loc_min_brightness_ = glGetUniformLocation(prog, "u_min_brightness");
  loc_nan_colour_ = glGetUniformLocation(prog, "u_nan_colour");
  loc_grid_ = glGetUniformLocation(prog, "u_grid");
  GLuint vao = 0;
  glGenVertexArrays(1, &vao);  // empty, but a core profile draws nothing without one
  vao_ = vao;
  GLint old_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &old_texture);
  colormap_ = palette::create_colormap_texture();
  for (int s = 0; s < 2; ++s) {
    categorical_[s][0] = palette::create_categorical_texture(palette::Theme::dark, palette::Scheme(s));
    categorical_[s][1] = palette::create_categorical_texture(palette::Theme::light, palette::Scheme(s));
  }
  glBindTexture(GL_TEXTURE_2D, GLuint(old_texture));
  if (glGetError() != GL_NO_ERROR) {
    if (error) *error = "HeatmapGL: GL error while creating the lookup textures";
    shutdown();
    return false;
  }
  return true;
}

void HeatmapGL::shutdown() {
  if (!program_ && !vao_ && !fbo_ && !target_ && !cells_ && !confidence_ && !colormap_) return;
  auto del_tex = [](unsigned& t) {
    if (t) {
      GLuint n = t;
      glDeleteTextures(1, &n);
    }
    t = 0;
  };
  del_tex(target_);
  del_tex(cells_);
  del_tex(confidence_);
  del_tex(colormap_);
  for (auto& per_scheme : categorical_)
    for (unsigned& t : per_scheme) del_tex(t);
  if (fbo_) {
    GLuint f = fbo_;
    glDeleteFramebuffers(1, &f);
  }
  if (vao_) {
    GLuint v = vao_;
    glDeleteVertexArrays(1, &v);
  }
  if (program_) glDeleteProgram(AsGL(program_));
  program_ = vao_ = fbo_ = 0;
  cells_rows_ = cells_cols_ = conf_rows_ = conf_cols_ = out_w_ = out_h_ = 0;
  last_ = Settings{};
}

ImTextureID HeatmapGL::texture() const { return target_ ? reinterpret_cast<ImTextureID>(intptr_t(target_)) : nullptr; }

// [SECTION] Uploads and the output target

void HeatmapGL::upload(unsigned& tex, int& tex_rows, int& tex_cols, const float* data, int rows, int cols) {
  glActiveTexture(GL_TEXTURE0);
  if (!tex) {
    GLuint t = 0;
    glGenTextures(1, &t);
    tex = t;
    tex_rows = tex_cols = 0;
  }
  glBindTexture(GL_TEXTURE_2D, AsGL(tex));
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  if (rows != tex_rows || cols != tex_cols) {  // texel (c, r) = data[r * cols + c]
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, cols, rows, 0, GL_RED, GL_FLOAT, data);
    SetTextureDefaults(GL_NEAREST);
    tex_rows = rows;
    tex_cols = cols;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, cols, rows, GL_RED, GL_FLOAT, data);
  }
}

bool HeatmapGL::ensure_target(int width, int height) {
  width = std::clamp(width, 1, kMaxOutput);
  height = std::clamp(height, 1, kMaxOutput);
  if (target_ && fbo_ && width == out_w_ && height == out_h_) return true;
  if (!target_) {
    GLuint t = 0;
    glGenTextures(1, &t);
    target_ = t;
  }
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, AsGL(target_));
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  SetTextureDefaults(GL_NEAREST);  // made at the size it is shown at: one texel a pixel, and cheaper for llvmpipe
  if (!fbo_) {
    GLuint f = 0;
    glGenFramebuffers(1, &f);
    fbo_ = f;
  }
  glBindFramebuffer(GL_FRAMEBUFFER, AsGL(fbo_));
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, AsGL(target_), 0);
  out_w_ = width;
  out_h_ = height;
  return glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
}

// [SECTION] Rendering (with GL state saved and restored)

void HeatmapGL::draw(int mode, unsigned lut, float range_min, float range_max) {
  glBindFramebuffer(GL_FRAMEBUFFER, AsGL(fbo_));
  glViewport(0, 0, out_w_, out_h_);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glUseProgram(AsGL(program_));
  glUniform1i(loc_mode_, mode);
  glUniform1i(loc_cells_, 0);
  glUniform1i(loc_confidence_, 1);
  glUniform1i(loc_lut_, 2);
  glUniform2f(loc_range_, range_min, range_max);
  glUniform1f(loc_min_brightness_, min_brightness);
  const ImVec4 nan = ImGui::ColorConvertU32ToFloat4(nan_colour);
  glUniform4f(loc_nan_colour_, nan.x, nan.y, nan.z, nan.w);
  glUniform1f(loc_grid_, grid);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, AsGL(cells_));
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, mode == 1 ? AsGL(confidence_) : AsGL(cells_));
  glActiveTexture(GL_TEXTURE2);
  glBindTexture(GL_TEXTURE_2D, AsGL(lut));
  glBindVertexArray(AsGL(vao_));
  glDrawArrays(GL_TRIANGLES, 0, 3);
}

// True if the last render had exactly these inputs and settings, so its output
// texture can be shown again; otherwise remembers them for the next call. A
// paused run (or a frame between two snapshots) then costs llvmpipe no pass.
bool HeatmapGL::same_as_last(int mode, unsigned lut, const float* a, const float* b, int rows, int cols, float lo,
                             float hi, int width, int height) {
  const size_t n = size_t(rows) * size_t(cols);
  const Settings now{
      mode, lut,  rows,           cols,      std::clamp(width, 1, kMaxOutput), std::clamp(height, 1, kMaxOutput), lo,
      hi,   grid, min_brightness, nan_colour};
  auto same_bits = [n](const float* x, const std::vector<float>& y) {  // bitwise, so NaN cells compare equal too
    return y.size() == n && std::memcmp(x, y.data(), n * sizeof(float)) == 0;
  };
  const bool same = target_ && now == last_ && same_bits(a, last_a_) && (!b || same_bits(b, last_b_));
  if (same) return true;
  last_ = now;
  last_a_.assign(a, a + n);
  if (b)
    last_b_.assign(b, b + n);
  else
    last_b_.clear();
  return false;
}

ImTextureID HeatmapGL::render_values(const float* values, int rows, int cols, float vmin, float vmax, int width,
                                     int height) {
  IM_ASSERT(program_ && "HeatmapGL: call init() with a current GL context first");
  IM_ASSERT(values && rows > 0 && cols > 0 && "HeatmapGL::render_values: need a non-empty matrix");
  if (same_as_last(0, colormap_, values, nullptr, rows, cols, vmin, vmax, width, height)) return texture();
  const SavedState saved;
  upload(cells_, cells_rows_, cells_cols_, values, rows, cols);
  if (!ensure_target(width, height)) {
    last_ = Settings{};  // nothing cached: try again next frame
    return nullptr;
  }
  draw(0, colormap_, vmin, vmax);
  return texture();
}

ImTextureID HeatmapGL::render_routing(const float* winner, const float* confidence, int rows, int cols,
                                      palette::Theme theme, int width, int height) {
  IM_ASSERT(program_ && "HeatmapGL: call init() with a current GL context first");
  IM_ASSERT(winner && confidence && rows > 0 && cols > 0 && "HeatmapGL::render_routing: need non-empty matrices");
  const unsigned lut = categorical_[int(palette::current_scheme())][theme == palette::Theme::dark ? 0 : 1];
  if (same_as_last(1, lut, winner, confidence, rows, cols, 0.0f, 1.0f, width, height)) return texture();
  const SavedState saved;
  upload(cells_, cells_rows_, cells_cols_, winner, rows, cols);
  upload(confidence_, conf_rows_, conf_cols_, confidence, rows, cols);
  if (!ensure_target(width, height)) {
    last_ = Settings{};
    return nullptr;
  }
  draw(1, lut, 0.0f, 1.0f);
  return texture();
}

}  // namespace moe::gui

// gl_context.cpp: EGL surfaceless context + FBO, framebuffer read-back, atomic PNG
// writes and shader compilation (see gl_context.h).
//
// [SECTION] EGL helpers
// [SECTION] OffscreenGL
// [SECTION] Read-back and PNG
// [SECTION] Shaders
#include "gl_context.h"
#include "thread_pool.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <stb_image_write.h>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "safe_io.h"

namespace moe::gui {

// [SECTION] EGL helpers

namespace {

std::string egl_error_name(EGLint e) {
  switch (e) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "EGL error 0x%04x", unsigned(e));
      return buf;
    }
  }
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

bool has_word(const char* list, const char* word) {
  if (!list) return false;
  const size_t n = std::strlen(word);
  for (const char* p = list; (p = std::strstr(p, word)) != nullptr; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
  return false;
}

// eglTerminate() ends the display for every context on it (a display handle is
// per platform, not per caller), so the last OffscreenGL to go terminates it.
std::atomic<int> g_display_users{0};

}  // namespace

// [SECTION] OffscreenGL

OffscreenGL::~OffscreenGL() { destroy(); }

bool OffscreenGL::create(int width, int height, std::string* error) {
  destroy();
  if (width <= 0 || height <= 0)
    return fail(error,
                "OffscreenGL: size must be positive, got " + std::to_string(width) + "x" + std::to_string(height));
  const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!has_word(client, "EGL_MESA_platform_surfaceless") || !has_word(client, "EGL_EXT_platform_base"))
    return fail(error,
                std::string("EGL: no surfaceless platform (client extensions: ") + (client ? client : "none") + ")");
  EGLDisplay dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  if (dpy == EGL_NO_DISPLAY)
    return fail(error, "EGL: eglGetPlatformDisplayEXT(SURFACELESS_MESA) failed: " + egl_error_name(eglGetError()));
  EGLint major = 0, minor = 0;
  if (!eglInitialize(dpy, &major, &minor))
    return fail(error, "EGL: eglInitialize failed: " + egl_error_name(eglGetError()));
  ++g_display_users;
  display_ = dpy;
  auto bail = [&](std::string message) {
    destroy();
    return fail(error, std::move(message));
  };
  if (!eglBindAPI(EGL_OPENGL_API))
    return bail("EGL: eglBindAPI(EGL_OPENGL_API) failed: " + egl_error_name(eglGetError()));
  if (!has_word(eglQueryString(dpy, EGL_EXTENSIONS), "EGL_KHR_surfaceless_context"))
    return bail("EGL: the display lacks EGL_KHR_surfaceless_context");

  const EGLint config_attribs[] = {EGL_SURFACE_TYPE,
                                   EGL_PBUFFER_BIT,
                                   EGL_RENDERABLE_TYPE,
                                   EGL_OPENGL_BIT,
                                   EGL_RED_SIZE,
                                   8,
                                   EGL_GREEN_SIZE,
                                   8,
                                   EGL_BLUE_SIZE,
                                   8,
                                   EGL_ALPHA_SIZE,
                                   8,
                                   EGL_NONE};
  EGLConfig config = EGL_NO_CONFIG_KHR;
  EGLint n_configs = 0;
  if (!eglChooseConfig(dpy, config_attribs, &config, 1, &n_configs) || n_configs < 1) {
    if (!has_word(eglQueryString(dpy, EGL_EXTENSIONS), "EGL_KHR_no_config_context"))
      return bail("EGL: no RGBA8 pbuffer config for desktop OpenGL");
    config = EGL_NO_CONFIG_KHR;  // we render into our own FBO anyway
  }
  const EGLint context_attribs[] = {
      EGL_CONTEXT_MAJOR_VERSION,           3,       EGL_CONTEXT_MINOR_VERSION, 3, EGL_CONTEXT_OPENGL_PROFILE_MASK,
      EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
  EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, context_attribs);
  if (ctx == EGL_NO_CONTEXT)
    return bail("EGL: cannot create an OpenGL 3.3 core context: " + egl_error_name(eglGetError()));
  context_ = ctx;
  if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx))
    return bail("EGL: eglMakeCurrent without a surface failed: " + egl_error_name(eglGetError()));
  if (epoxy_gl_version() < 33) return bail("GL: need OpenGL 3.3, the context reports " + renderer());
  width_ = width;
  height_ = height;
  std::string fbo_error;
  if (!create_fbo(&fbo_error)) return bail(fbo_error);
  return true;
}

bool OffscreenGL::create_fbo(std::string* error) {
  glGenRenderbuffers(1, &colour_rb_);
  glBindRenderbuffer(GL_RENDERBUFFER, colour_rb_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width_, height_);
  glGenFramebuffers(1, &fbo_);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_rb_);
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "GL: %dx%d RGBA8 framebuffer incomplete (status 0x%04x)", width_, height_, status);
    return fail(error, buf);
  }
  glViewport(0, 0, width_, height_);
  return true;
}

void OffscreenGL::destroy_fbo() {
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (colour_rb_) glDeleteRenderbuffers(1, &colour_rb_);
  fbo_ = colour_rb_ = 0;
}

void OffscreenGL::destroy() {
  if (!display_) return;
  EGLDisplay dpy = display_;
  if (context_) {
    if (eglGetCurrentContext() == context_) {
      destroy_fbo();
      eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    }
    eglDestroyContext(dpy, context_);
  }
  if (--g_display_users == 0) eglTerminate(dpy);
  display_ = context_ = nullptr;
  fbo_ = colour_rb_ = 0;
  width_ = height_ = 0;
}

bool OffscreenGL::make_current() {
  if (!context_) return false;
  if (!eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_)) return false;
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width_, height_);
  return true;
}

bool OffscreenGL::resize(int width, int height) {
  if (!context_ || width <= 0 || height <= 0) return false;
  if (width == width_ && height == height_) return true;
  destroy_fbo();
  width_ = width;
  height_ = height;
  return create_fbo(nullptr);
}

std::string OffscreenGL::renderer() const {
  const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const auto* v = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  return std::string(r ? r : "?") + ", OpenGL " + (v ? v : "?");
}

// [SECTION] Read-back and PNG

std::vector<uint8_t> read_pixels_rgba(int x, int y, int width, int height) {
  std::vector<uint8_t> bottom_up(size_t(width) * size_t(height) * 4);
  GLint old_alignment = 4;
  glGetIntegerv(GL_PACK_ALIGNMENT, &old_alignment);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(x, y, width, height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
  glPixelStorei(GL_PACK_ALIGNMENT, old_alignment);
  std::vector<uint8_t> top_down(bottom_up.size());
  const size_t row = size_t(width) * 4;
  for (int r = 0; r < height; ++r)
    std::memcpy(&top_down[size_t(r) * row], &bottom_up[size_t(height - 1 - r) * row], row);
  return top_down;
}

std::string write_png(const std::string& path, const uint8_t* rgba, int width, int height) {
  if (!rgba || width <= 0 || height <= 0) return "cannot write '" + path + "': empty image";
  // Encode in memory, then the atomic writer: every write checked, the old PNG kept on failure.
  std::string png;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
  };
  if (!stbi_write_png_to_func(append, &png, width, height, 4, rgba, width * 4))
    return "cannot write '" + path + "': the PNG encoder failed";
  return write_file_atomic(path, png);
}

std::string save_framebuffer_png(const std::string& path, int width, int height) {
  const std::vector<uint8_t> rgba = read_pixels_rgba(0, 0, width, height);
  return write_png(path, rgba.data(), width, height);
}

// [SECTION] Shaders

namespace {

std::string info_log(GLuint object, bool is_program) {
  GLint length = 0;
  if (is_program)
    glGetProgramiv(object, GL_INFO_LOG_LENGTH, &length);
  else
    glGetShaderiv(object, GL_INFO_LOG_LENGTH, &length);
  std::string log(size_t(std::max(length, 1)), '\0');
  if (is_program)
    glGetProgramInfoLog(object, length, nullptr, log.data());
  else
    glGetShaderInfoLog(object, length, nullptr, log.data());
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

GLuint compile_stage(GLenum stage, const char* src, std::string_view what, std::string* error) {
  GLuint shader = glCreateShader(stage);
  glShaderSource(shader, 1, &src, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    if (error)
      *error = std::string(what) + (stage == GL_VERTEX_SHADER ? " (vertex)" : " (fragment)") + ": " +
               info_log(shader, false);
    glDeleteShader(shader);
    return 0;
  }
  return shader;
}

}  // namespace

unsigned compile_program(const char* vertex_src, const char* fragment_src, std::string_view what, std::string* error) {
  if (!vertex_src || !fragment_src) {
    if (error) *error = std::string(what) + ": missing shader source";
    return 0;
  }
  const GLuint vs = compile_stage(GL_VERTEX_SHADER, vertex_src, what, error);
  if (!vs) return 0;
  const GLuint fs = compile_stage(GL_FRAGMENT_SHADER, fragment_src, what, error);
  if (!fs) {
    glDeleteShader(vs);
    return 0;
  }
  const GLuint program = glCreateProgram();
  glAttachShader(program, vs);
  glAttachShader(program, fs);
  glLinkProgram(program);
  glDetachShader(program, vs);
  glDetachShader(program, fs);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (!ok) {
    if (error) *error = std::string(what) + " (link): " + info_log(program, true);
    glDeleteProgram(program);
    return 0;
  }
  return program;
}

void set_texture_nearest(unsigned texture) {
  if (!texture) return;
  GLint previous = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
  glBindTexture(GL_TEXTURE_2D, texture);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindTexture(GL_TEXTURE_2D, GLuint(previous));
}

int lower_software_renderer_priority() {
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return 0;
  int lowered = 0, found = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string comm_path = std::string("/proc/self/task/") + e->d_name + "/comm";
    char name[32] = {0};
    if (FILE* f = std::fopen(comm_path.c_str(), "r")) {
      if (!std::fgets(name, sizeof name, f)) name[0] = 0;
      std::fclose(f);
    }
    if (std::strncmp(name, "llvmpipe", 8) != 0) continue;  // Mesa names its rasteriser threads llvmpipe-0, -1...
    const id_t tid = id_t(std::strtol(e->d_name, nullptr, 10));
    if (setpriority(PRIO_PROCESS, tid, kRendererNice) == 0) ++lowered;
    ++found;
  }
  closedir(dir);
  if (found > 0) set_auto_threads(std::max(1, hardware_threads() - 1));  // one core left to draw on
  return lowered;
}

}  // namespace moe::gui

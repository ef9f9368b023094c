// gl_context.h: OpenGL without a display, and the small GL helpers the GUI shares.
//
//   OffscreenGL        an EGL surfaceless context (Mesa's EGL_PLATFORM_SURFACELESS_MESA,
//                      desktop OpenGL 3.3 core) plus a W x H framebuffer object to render
//                      Dear ImGui into: screenshots and tests with no X server at all
//   read_pixels_rgba   the bound read framebuffer as top-down RGBA8 rows
//   write_png          RGBA8 to a PNG, atomically (temp file in the same folder, then rename)
//   compile_program    vertex + fragment source -> linked program, or an error with the log
//   embedded_shader    the text of shaders/<name>, compiled into the binary at build time
//
// GL entry points come from libepoxy (EGL and GLX alike). This header includes no
// GL header, so it can sit next to imgui_impl_opengl3.h; never include
// imgui_impl_opengl3_loader.h in a file that includes epoxy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace moe::gui {

// An EGL surfaceless OpenGL 3.3 core context and a framebuffer object that is
// bound (draw and read) while the context is current. Not copyable.
class OffscreenGL {
 public:
  OffscreenGL() = default;
  ~OffscreenGL();  // destroy()
  OffscreenGL(const OffscreenGL&) = delete;
  OffscreenGL& operator=(const OffscreenGL&) = delete;

  bool create(int width, int height,
              std::string* error);      // context + RGBA8 FBO, made current; false + reason if EGL/GL cannot
  void destroy();                       // releases the FBO, the context and the display
  bool make_current();                  // re-binds the context and the FBO (viewport W x H)
  bool resize(int width, int height);   // new FBO size (contents undefined)
  int width() const { return width_; }  // FBO size in pixels
  int height() const { return height_; }
  unsigned framebuffer() const { return fbo_; }  // GL name of the FBO
  std::string renderer() const;  // GL_RENDERER + GL_VERSION, e.g. "llvmpipe ... 4.5 (Core Profile) Mesa"
  bool valid() const { return context_ != nullptr; }  // create() succeeded

 private:
  bool create_fbo(std::string* error);
  void destroy_fbo();

  void* display_ = nullptr;  // EGLDisplay
  void* context_ = nullptr;  // EGLContext
  unsigned fbo_ = 0, colour_rb_ = 0;
  int width_ = 0, height_ = 0;
};

// Reads a rectangle of the bound read framebuffer (origin bottom-left, as GL
// counts) and returns it as RGBA8 rows from top to bottom (GL_PACK_ALIGNMENT 1).
std::vector<uint8_t> read_pixels_rgba(int x, int y, int width, int height);

// Writes RGBA8 top-down rows to `path` via a temporary file in the same folder
// and a rename, so readers never see half a PNG. Empty string on success, else
// a message naming the path.
std::string write_png(const std::string& path, const uint8_t* rgba, int width, int height);

// Reads the whole bound read framebuffer (width x height) and writes it as a PNG.
std::string save_framebuffer_png(const std::string& path, int width, int height);

// Compiles and links a program from GLSL sources; 0 and *error (naming `what`
// and carrying the driver's log) on failure. Needs a current context.
unsigned compile_program(const char* vertex_src, const char* fragment_src, std::string_view what, std::string* error);

// Nearest-neighbour sampling for a texture (ImGui's font atlas: glyphs sit on whole
// pixels, and software GL such as llvmpipe fills nearest samples much faster).
void set_texture_nearest(unsigned texture);

// Software GL (Mesa's llvmpipe) rasterises on threads of its own, which compete
// with the training thread for the cores. This lowers their priority (nice
// +kRendererNice, Linux), so training keeps its speed while the window draws
// and the renderer takes what the cores have left: measured on 2 cores, training
// went from 84-89% to 97-101% of its speed without drawing, frame times
// unchanged. It also leaves the renderer a core: runs whose config says
// threads = 0 (auto) train on cores − 1 threads from then on (set_auto_threads,
// core/thread_pool.h; results are bit-identical for any thread count). On 2
// cores a second training thread only fights the renderer: every job of a step
// then waits for whichever thread the scheduler put aside. Returns how many
// threads it lowered (0 on a hardware driver). Call after the context is current.
constexpr int kRendererNice = 5;
int lower_software_renderer_priority();

// Source text of shaders/<file_name> (e.g. "heatmap.frag"), embedded at build
// time by app/gui/CMakeLists.txt; nullptr if there is no such shader.
const char* embedded_shader(std::string_view file_name);

}  // namespace moe::gui

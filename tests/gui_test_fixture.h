// gui_test_fixture.h: what an in-process GUI test stands on. OffscreenGui makes an
// offscreen OpenGL context (EGL, no display), then the ImGui context, the OpenGL3
// backend and the plot context; stop() ends them in reverse order.
#pragma once

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <functional>
#include <string>

#include "gl_context.h"
#include "plot.h"

namespace moe::test {

class OffscreenGui {
 public:
  // A width×height OpenGL 3.3 context drawing into an offscreen framebuffer. False, with
  // why in *skip_reason, when this machine cannot make one (the test then skips).
  bool create_gl(int width, int height, std::string* skip_reason) {
    std::string error;
    if (gl_.create(width, height, &error)) return true;
    *skip_reason = "no EGL surfaceless OpenGL 3.3 context: " + error;
    return false;
  }
  bool has_gl() const { return gl_.valid(); }

  // An ImGui context that writes no ini or log file; `configure` then sets the test's own
  // fonts, keys, display size and frame time before the backend starts. False if the
  // OpenGL3 backend could not start (the plot context is then not made).
  bool start(const std::function<void(ImGuiIO&)>& configure) {
    ImGui::CreateContext();
    context_ = true;
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    configure(io);
    if (!ImGui_ImplOpenGL3_Init("#version 330 core")) return false;
    backend_ = true;
    plot::CreateContext();
    plot_ = true;
    return true;
  }

  // Ends what create_gl() and start() made, newest first; safe after either failed.
  void stop() {
    if (!gl_.valid()) return;
    if (plot_) plot::DestroyContext();
    if (backend_) ImGui_ImplOpenGL3_Shutdown();
    if (context_) ImGui::DestroyContext();
    plot_ = backend_ = context_ = false;
    gl_.destroy();
  }

 private:
  gui::OffscreenGL gl_;
  bool context_ = false, backend_ = false, plot_ = false;
};

}  // namespace moe::test

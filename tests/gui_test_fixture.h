// gui_test_fixture.h: the ImGui side of an in-process GUI test. Once a test has its
// offscreen OpenGL context (gui::OffscreenGL), ImGuiHarness makes the ImGui context,
// the OpenGL3 backend and the plot context, and stop() ends them in reverse order.
#pragma once

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <functional>

#include "plot.h"

namespace moe::test {

class ImGuiHarness {
 public:
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

  // Ends what start() made, newest first; safe to call when start() failed or never ran.
  void stop() {
    if (plot_) plot::DestroyContext();
    if (backend_) ImGui_ImplOpenGL3_Shutdown();
    if (context_) ImGui::DestroyContext();
    plot_ = backend_ = context_ = false;
  }

 private:
  bool context_ = false, backend_ = false, plot_ = false;
};

}  // namespace moe::test

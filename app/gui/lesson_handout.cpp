// lesson_handout.cpp: `moescope lesson NAME --out DIR` (lesson_player.h,
// write_lesson_handouts). The window is rendered offscreen as `moescope shot` does
// (EGL surfaceless, light theme), the lesson player at each step in turn: the
// predict-first question answered with its right answer, the run trained to the step's
// play_to, then DIR/step-NN.png, and DIR/index.md with every step's text and evaluated formula.
#include <epoxy/gl.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "gl_context.h"
#include "lesson_claims.h"
#include "lesson_formula.h"
#include "lesson_player.h"
#include "math_markup.h"
#include "plot.h"
#include "safe_io.h"
#include "window.h"

namespace moe::gui {

namespace {

void render(MainWindow& win, int w, int h) {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(w), float(h));
  io.DeltaTime = 1.0f / 60.0f;
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  win.draw();
  ImGui::Render();
  set_texture_nearest(unsigned(reinterpret_cast<uintptr_t>(io.Fonts->TexID)));
  glViewport(0, 0, w, h);
  const ImVec4 bg = clear_colour(win.ui().light_theme);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glFinish();
}

std::string claim_sentence(const lesson::Claim& c) {
  char v[96];
  if (c.cmp == lesson::Compare::between)
    std::snprintf(v, sizeof v, "between %g and %g", c.value, c.value2);
  else
    std::snprintf(v, sizeof v, "%s %g", lesson::compare_text(c.cmp), c.value);
  std::string s = "\"" + c.text + "\": " + c.metric + (c.run == "b" ? " of run B" : "") +
                  (c.ratio_to.empty() ? "" : " / run " + c.ratio_to) + " " + v;
  if (lesson::claim_metric_needs_run(c.metric)) s += " at step " + std::to_string(c.step);
  return s;
}

}  // namespace

int write_lesson_handouts(const lesson::Lesson& l, const std::string& dir, int width, int height) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    std::fprintf(stderr, "moescope lesson: cannot make folder '%s': %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  OffscreenGL gl;
  std::string err;
  if (!gl.create(width, height, &err)) {
    std::fprintf(stderr, "moescope lesson: cannot render offscreen: %s\n", err.c_str());
    return 1;
  }
  lower_software_renderer_priority();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui::GetIO().LogFilename = nullptr;
  load_fonts(1.0f);
  if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
    std::fprintf(stderr, "moescope lesson: the OpenGL 3.3 renderer failed to start (%s)\n", gl.renderer().c_str());
    ImGui::DestroyContext();
    return 1;
  }
  plot::CreateContext();
  int status = 0;
  std::string md = "# Lesson " + std::to_string(l.order) + ": " + l.title + "\n\n" + l.summary + "\n\n";
  {
    lesson::RunPlan first;
    Config cfg = default_config();
    if (lesson::plan_for_step(l, 0, first).empty()) cfg = first.cfg;
    MainWindow win(cfg, first.preset);
    win.interactive = false;
    win.ui().light_theme = true;
    win.ui().handout = true;  // printed: a panel's view switches are chrome (the plot under them shows the view)
    if (!win.init_gl(&err)) std::fprintf(stderr, "moescope lesson: GPU heatmaps off (%s)\n", err.c_str());
    win.open_lesson(l);
    LessonPlayer* player = win.lesson_player();
    for (int i = 0; i < int(l.steps.size()) && status == 0; ++i) {
      const lesson::Step& s = l.steps[size_t(i)];
      player->go_to(i);
      if (s.has_predict)
        player->answer(s.predict.correct);
      else if (player->waiting())
        player->play();  // a pause action: the handout shows the step played
      const auto t0 = std::chrono::steady_clock::now();
      while (!player->settled()) {
        if (std::chrono::steady_clock::now() - t0 > std::chrono::minutes(10)) {
          std::fprintf(stderr, "moescope lesson: step %d did not finish training within 10 minutes\n", i + 1);
          status = 1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (!player->error().empty())
        std::fprintf(stderr, "moescope lesson: step %d: %s\n", i + 1, player->error().c_str());
      for (int f = 0; f < 4; ++f) render(win, width, height);  // axes, legends and text sizes settle
      char name[32];
      std::snprintf(name, sizeof name, "step-%02d.png", i + 1);
      const std::string png = (fs::path(dir) / name).string();
      if (std::string e = save_framebuffer_png(png, width, height); !e.empty()) {
        std::fprintf(stderr, "moescope lesson: %s\n", e.c_str());
        status = 1;
        break;
      }
      // index.md: the step's text, its formula with this step's numbers, the question, the claims.
      md += "## " + std::to_string(i + 1) + ". " + s.title + "\n\n" + s.prose + "\n\n";
      if (!s.formula.empty()) {
        const lesson::FormulaLines f = lesson::evaluate_formula(s.formula, win.snapshot(), 0);
        md += "    " + lesson::math_to_plain(f.symbolic) + "\n    " + lesson::math_to_plain(f.live) + "\n\n";
        if (!f.note.empty()) md += "*" + f.note + "*\n\n";
      }
      if (s.has_predict) {
        md += "**Predict first:** " + s.predict.question + "\n\n";
        for (size_t a = 0; a < s.predict.answers.size(); ++a)
          md += std::string(1, char('A' + a)) + ". " + s.predict.answers[a] +
                (int(a) == s.predict.correct ? " ✔" : "") + "\n";
        md += "\n" + s.predict.why + "\n\n";
      }
      if (!s.claims.empty()) {
        md += "Checked over seeds 1-5 by the tests:\n\n";
        for (const lesson::Claim& c : s.claims) md += "- " + claim_sentence(c) + "\n";
        md += "\n";
      }
      md += "![step " + std::to_string(i + 1) + "](" + std::string(name) + ")\n\n";
      std::printf("wrote %s (step %d of %d: %s)\n", png.c_str(), i + 1, int(l.steps.size()), s.title.c_str());
    }
    win.leave_lesson();
    win.shutdown_gl();
  }
  plot::DestroyContext();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
  if (status == 0) {
    const std::string index = (fs::path(dir) / "index.md").string();
    if (std::string e = write_file_atomic(index, md); !e.empty()) {
      std::fprintf(stderr, "moescope lesson: %s\n", e.c_str());
      return 1;
    }
    std::printf("wrote %s\n", index.c_str());
  }
  return status;
}

}  // namespace moe::gui

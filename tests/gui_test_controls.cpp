// gui_test_controls.cpp: the real MainWindow in-process (EGL, no display), driven by
// injected ImGui input, for issue 10 items 1, 2, 9 and 10. Proves: Ctrl+click on a
// slider and typing sets that VALUE (α "0.01" is exactly 0.01 on a log slider; an
// int slider and a wide float slider too), a value out of range is refused with the
// reason under the widget and in the status line, and nothing changes; the title and
// picker say "collapse (modified: α)", R restarts the current settings, picking the
// same preset (or Revert) loads it exactly from step 0, and a relaunch on a changed
// config says "modified"; Copy as command and Ctrl+S reproduce the window's numbers
// step for step through `moescope run`; training pauses at the "stop at" step and
// Continue goes on; the shortcuts list has Ctrl+=/Ctrl+−; presets come in teaching
// order; F12's folder is the XDG pictures folder, created when missing.
#include <epoxy/gl.h>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "commands.h"
#include "config_io.h"
#include "gui_test_fixture.h"
#include "plot.h"
#include "run_process.h"
#include "test_support.h"
#include "user_dirs.h"
#include "window.h"

namespace moe {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kW = 1600, kH = 2400;                            // tall, so every settings row is on screen
constexpr int kKeyEnter = 257, kKeyEscape = 256, kKeyR = 'R';  // GLFW key codes, as the window's backend maps them

class Controls : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!gui_.create_gl(kW, kH, &why)) GTEST_SKIP() << why;
    ASSERT_TRUE(gui_.start([](ImGuiIO& io) {
      io.KeyMap[ImGuiKey_Enter] = kKeyEnter;
      io.KeyMap[ImGuiKey_Escape] = kKeyEscape;
      io.KeyMap[ImGuiKey_Space] = ' ';
      gui::load_fonts(1.0f);
    }));
  }
  void TearDown() override {
    win_.reset();
    gui_.stop();
  }

  gui::MainWindow& open(const std::string& preset, const Config* cfg = nullptr) {
    Config c;
    if (cfg)
      c = *cfg;
    else
      EXPECT_EQ(load_preset(preset, c), "");
    win_ = std::make_unique<gui::MainWindow>(c, preset);
    idle();
    return *win_;
  }

  void frame() {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(kW, kH);
    io.DeltaTime = 1.0f / 60.0f;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    win_->draw();
    ImGui::Render();
  }

  // Renders the last frame and writes its top w x h corner to the test temp dir, for a look.
  void save_png(const std::string& name, int w = 1600, int h = 1000) {
    glViewport(0, 0, kW, kH);
    glClearColor(0.09f, 0.095f, 0.11f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    const std::vector<uint8_t> px = gui::read_pixels_rgba(0, kH - h, w, h);
    const std::string path = test::temp_path(name);
    EXPECT_EQ(gui::write_png(path, px.data(), w, h), "");
    std::printf("[ png      ] %s\n", path.c_str());
  }

  // Every command taken, not running; then two frames so the window shows it.
  std::shared_ptr<const RunSnapshot> idle() {
    const auto t0 = Clock::now();
    for (;;) {
      auto s = win_->session().snapshot();
      if (s->commands_done >= win_->session().commands_queued() && !s->running) break;
      if (Clock::now() - t0 > std::chrono::seconds(120)) {
        ADD_FAILURE() << "the session did not settle";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    frame();
    frame();
    return win_->session().snapshot();
  }

  std::shared_ptr<const RunSnapshot> run_to(int64_t steps) {
    win_->session().run_to(steps);
    return idle();
  }

  // Ctrl+click on a setting's slider, type `text`, press Enter.
  void type_into(const std::string& setting, const std::string& text) {
    idle();  // the layout settled (a "modified" line appearing moves the rows down)
    ImGuiIO& io = ImGui::GetIO();
    ImVec4 r;
    ASSERT_TRUE(win_->setting_rect(setting, &r)) << setting << " was not drawn";
    io.MousePos = ImVec2((r.x + r.z) * 0.5f, (r.y + r.w) * 0.5f);
    io.KeyCtrl = true;
    frame();
    io.MouseDown[0] = true;
    frame();
    io.MouseDown[0] = false;
    io.KeyCtrl = false;
    frame();
    io.AddInputCharactersUTF8(text.c_str());
    frame();
    io.KeysDown[kKeyEnter] = true;
    frame();
    io.KeysDown[kKeyEnter] = false;
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    frame();
  }

  void press(int key) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[key] = true;
    frame();
    io.KeysDown[key] = false;
    frame();
  }

  test::OffscreenGui gui_;
  std::unique_ptr<gui::MainWindow> win_;
};

TEST_F(Controls, TypingIntoASliderSetsThatValueExactlyOrSaysWhyNot) {
  gui::MainWindow& w = open("collapse");
  ASSERT_EQ(w.snapshot().cfg.alpha, 0.0);
  type_into("alpha", "0.01");  // a log slider with an explicit 0: this read 0.00719 as the slider's position
  auto s = idle();
  EXPECT_EQ(s->cfg.alpha, 0.01);
  type_into("router_lr_scale", "5.5");  // a wide (logarithmic) float slider
  EXPECT_EQ(idle()->cfg.router_lr_scale, 5.5);
  type_into("lr", "0.0007");
  EXPECT_EQ(idle()->cfg.lr, 0.0007);
  type_into("top_k", "3");  // an int slider
  EXPECT_EQ(idle()->cfg.top_k, 3);
  EXPECT_EQ(w.field_error(), "");

  type_into("alpha", "50");  // out of [0, 10]: refused, with the range, under the widget and in the status
  s = idle();
  EXPECT_EQ(s->cfg.alpha, 0.01);
  EXPECT_NE(w.field_error().find("alpha"), std::string::npos) << w.field_error();
  EXPECT_NE(w.field_error().find("a number in [0, 10]"), std::string::npos) << w.field_error();
  EXPECT_EQ(w.status(), w.field_error());
  save_png("moescope_controls_refused.png", 1600, 1400);
  type_into("top_k", "9");  // above E = 8
  s = idle();
  EXPECT_EQ(s->cfg.top_k, 3);
  EXPECT_NE(w.field_error().find("num_experts = 8"), std::string::npos) << w.field_error();
  type_into("lr", "fast");
  EXPECT_NE(w.field_error().find("'fast' is not a number"), std::string::npos) << w.field_error();
  EXPECT_EQ(idle()->cfg.lr, 0.0007);
}

TEST_F(Controls, ModifiedIsShownResetKeepsTheSettingsAndPickingThePresetRestoresIt) {
  gui::MainWindow& w = open("collapse");
  EXPECT_EQ(w.origin_label(), "collapse");
  EXPECT_EQ(w.title().find("modified"), std::string::npos);
  run_to(20);
  type_into("alpha", "0.01");
  auto s = run_to(40);
  EXPECT_EQ(w.origin_label(), "collapse (modified: \u03b1)");
  EXPECT_NE(w.title().find("collapse (modified: \u03b1)"), std::string::npos) << w.title();
  ASSERT_EQ(s->events.size(), 1u);

  // R: the current settings from step 0, still said to be modified.
  press(kKeyR);
  s = idle();
  EXPECT_EQ(s->steps_done, 0);
  EXPECT_EQ(s->cfg.alpha, 0.01);
  EXPECT_NE(w.title().find("modified: \u03b1"), std::string::npos) << w.title();

  // Picking the same preset again: exactly the preset, from step 0 (it used to apply "α 0.01→0" mid-run).
  run_to(30);
  ASSERT_EQ(w.open_preset("collapse"), "");
  s = idle();
  EXPECT_EQ(s->steps_done, 0);
  EXPECT_EQ(s->cfg.alpha, 0.0);
  EXPECT_TRUE(s->events.empty());
  EXPECT_EQ(w.origin_label(), "collapse");
  Config preset;
  ASSERT_EQ(load_preset("collapse", preset), "");
  EXPECT_TRUE(changed_settings(preset, s->cfg).empty());

  // Revert to preset after two changes.
  type_into("top_k", "2");
  type_into("alpha", "0.001");
  run_to(10);
  EXPECT_EQ(w.origin_label(), "collapse (modified: k, \u03b1)");
  ASSERT_EQ(w.revert_to_preset(), "");
  s = idle();
  EXPECT_EQ(s->steps_done, 0);
  EXPECT_TRUE(changed_settings(preset, s->cfg).empty());
  EXPECT_EQ(w.origin_label(), "collapse");
}

TEST_F(Controls, ARelaunchOnAChangedConfigSaysModified) {
  // What gui_main does with settings.json: the last config under the last preset's name.
  Config last;
  ASSERT_EQ(load_preset("collapse", last), "");
  last.top_k = 2;
  gui::MainWindow& w = open("collapse", &last);
  EXPECT_NE(w.title().find("collapse (modified: k)"), std::string::npos) << w.title();
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST_F(Controls, CopyAsCommandAndTheSavedScheduleReproduceTheWindowsRun) {
  gui::MainWindow& w = open("collapse");
  run_to(30);
  type_into("alpha", "0.01");
  run_to(45);
  type_into("router_lr_scale", "2.5");
  run_to(50);
  // A value no text field gives (a slider drag does): carried to the last bit.
  Config dragged = w.snapshot().cfg;
  dragged.grad_clip = 1.0 / 3.0;
  ASSERT_EQ(w.session().apply(dragged), "");
  auto s = run_to(60);
  ASSERT_EQ(s->changes.size(), 3u);

  w.copy_command();
  const std::string cmd = ImGui::GetClipboardText();
  EXPECT_EQ(cmd,
            "moescope run --preset collapse --set alpha=0.01@30 --set router_lr_scale=2.5@45 "
            "--set grad_clip=0.3333333333333333@50 --steps 60");
  EXPECT_NE(w.status().find(cmd), std::string::npos) << "the command is shown";
  frame();
  frame();
  save_png("moescope_controls_command.png", 1600, 2400);

  const fs::path dir = fs::path(test::temp_path("moescope_controls_command"));
  fs::create_directories(dir);
  const std::string csv = (dir / "cmd.csv").string();
  auto r = test::run_process(std::string(MOESCOPE_BINARY) + cmd.substr(std::string("moescope").size()) +
                             " --quiet --out " + csv + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 61u) << "header and 60 steps";
  ASSERT_EQ(rows[0][2], "loss_total");
  // Every step's loss equals the window's history (kept as float), the last step's exactly.
  std::vector<HistorySample> pts;
  s->history->fetch(s->ids.of(metric_index("loss_total")), 0, 59, 1000, pts);
  ASSERT_EQ(pts.size(), 60u);
  for (size_t i = 0; i < 60; ++i) EXPECT_EQ(float(std::stod(rows[i + 1][2])), float(pts[i].mean)) << "step " << i;
  EXPECT_EQ(rows[60][2], fmt(s->last.losses.total));
  EXPECT_EQ(rows[60][11], fmt(s->last.layers[0].load_entropy));
  EXPECT_NE(rows[31].back().find("0\u21920.01"), std::string::npos) << "the event at step 30: " << rows[31].back();

  // Ctrl+S: the step-0 config plus the schedule, which `run --config` replays to the same numbers.
  const std::string saved = (dir / "session.json").string();
  ASSERT_EQ(w.save_config_file(saved), "");
  std::ifstream f(saved);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["alpha"], 0.0);
  EXPECT_EQ(j["schedule"],
            nlohmann::json::array({"alpha=0.01@30", "router_lr_scale=2.5@45", "grad_clip=0.3333333333333333@50"}));
  const std::string csv2 = (dir / "saved.csv").string();
  r = test::run_process(std::string(MOESCOPE_BINARY) + " run --config " + saved + " --steps 60 --quiet --out " + csv2 +
                        " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(read_csv(csv2), rows);

  // The window opens it as the same run: the schedule replays at its steps.
  ASSERT_EQ(w.open_config_file(saved), "");
  s = run_to(60);
  EXPECT_EQ(s->steps_done, 60);
  EXPECT_EQ(fmt(s->last.losses.total), rows[60][2]);
  ASSERT_EQ(s->events.size(), 3u);
  EXPECT_EQ(s->events[0].step, 30);

  // A schedule that is not a list of strings is refused naming it.
  const std::string bad = (dir / "bad.json").string();
  std::ofstream(bad) << "{\"alpha\": 0, \"schedule\": \"alpha=0.01@30\"}";
  r = test::run_process(std::string(MOESCOPE_BINARY) + " run --config " + bad + " --steps 2 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("'schedule': expected an array of \"key=value@STEP\" strings"), std::string::npos) << r.out;
  EXPECT_NE(w.open_config_file(bad).find("'schedule'"), std::string::npos);
}

TEST_F(Controls, TrainingPausesAtTheStopAtStepAndContinueGoesOn) {
  Config cfg;
  ASSERT_EQ(load_preset("balanced", cfg), "");
  cfg.steps = 40;
  gui::MainWindow& w = open("balanced", &cfg);
  EXPECT_EQ(w.stop_at(), 40) << "the field defaults to the config's steps";
  w.session().play();
  auto s = idle();
  EXPECT_EQ(s->steps_done, 40);
  EXPECT_NE(s->notice.find("paused at step 40"), std::string::npos) << s->notice;
  w.session().toggle();  // Continue
  s = run_to(55);
  EXPECT_EQ(s->steps_done, 55);
  w.set_stop_at(70);
  frame();
  w.session().play();
  EXPECT_EQ(idle()->steps_done, 70);
}

TEST(ControlsLists, ShortcutsNameTextSizeAndPresetsComeInTeachingOrder) {
  bool larger = false, smaller = false;
  for (const auto& [key, what] : gui::keyboard_shortcuts()) {
    larger |= std::string(key).find("Ctrl+=") != std::string::npos && std::string(what) == "larger text";
    smaller |= std::string(key).find("Ctrl+\u2212") != std::string::npos && std::string(what) == "smaller text";
  }
  EXPECT_TRUE(larger);
  EXPECT_TRUE(smaller);
  const std::vector<Preset> presets = list_presets();
  ASSERT_EQ(presets.size(), 15u);
  const char* order[] = {"collapse",      "balanced",         "aux-free",      "zloss",           "capacity-drops",
                         "switch-top1",   "mixtral-top2",     "expert-choice", "deepseek-shared", "dense-baseline",
                         "blobs-regions", "chars-specialise", "lm-balanced",   "lm-collapse",     "lm-top1-vs-top2"};
  for (size_t i = 0; i < presets.size(); ++i) {
    EXPECT_EQ(presets[i].name, order[i]);
    EXPECT_EQ(presets[i].order, int(i) + 1) << presets[i].name;
    EXPECT_FALSE(presets[i].title.empty());
    EXPECT_FALSE(presets[i].description.empty());
  }
}

// Sets an environment variable for one scope, restoring it after.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const char* value) : name(n) {
    if (const char* o = std::getenv(n)) old = o;
    if (value)
      setenv(n, value, 1);
    else
      unsetenv(n);
  }
  ~ScopedEnv() {
    if (old)
      setenv(name.c_str(), old->c_str(), 1);
    else
      unsetenv(name.c_str());
  }
};

TEST(ControlsLists, ScreenshotsGoToTheXdgPicturesFolderCreatedWhenMissing) {
  const fs::path home = fs::path(test::temp_path("moescope_pictures_home"));
  fs::remove_all(home);
  fs::create_directories(home / ".config");
  ScopedEnv h("HOME", home.c_str());
  ScopedEnv x("XDG_PICTURES_DIR", nullptr);
  ScopedEnv c("XDG_CONFIG_HOME", nullptr);
  std::string why;
  EXPECT_EQ(gui::pictures_dir(&why), home / "Pictures");  // ~/Pictures did not exist: created
  EXPECT_TRUE(fs::is_directory(home / "Pictures"));
  EXPECT_EQ(why, "");
  std::ofstream(home / ".config" / "user-dirs.dirs") << "# xdg-user-dirs\nXDG_PICTURES_DIR=\"$HOME/Bilder\"\n";
  EXPECT_EQ(gui::pictures_dir(&why), home / "Bilder");  // what `xdg-user-dir PICTURES` answers
  EXPECT_TRUE(fs::is_directory(home / "Bilder"));
  ScopedEnv x2("XDG_PICTURES_DIR", (home / "shots").c_str());
  EXPECT_EQ(gui::pictures_dir(&why), home / "shots");
}

}  // namespace
}  // namespace moe

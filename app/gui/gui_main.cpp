// gui_main.cpp: the window, in Dear ImGui's example order (GLFW + OpenGL 3.3 core).
//
//   1. settings      last layout, theme and config from the user's config folder
//   2. GLFW window   OpenGL 3.3 core, vsync, content scale, drop callback
//   3. ImGui         context, ini file, GLFW + OpenGL3 backends, plot context, fonts
//   4. main loop     poll events, new frame, MainWindow::draw, render, F12 shot, swap
//   5. shutdown      save settings, tear down in reverse order
#include <CLI/CLI.hpp>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config_io.h"
#include "gl_context.h"
#include "gui_main.h"
#include "plot.h"
#include "ui_state_json.h"
#include "user_dirs.h"
#include "window.h"

namespace moe {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kDefaultPreset = "balanced";

// $XDG_CONFIG_HOME/moescope or ~/.config/moescope ("" if neither can be found).
fs::path settings_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return fs::path(x) / "moescope";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".config" / "moescope";
  return {};
}

struct Saved {
  json ui = json::object();
  json config;  // last config (object) or null
  std::string preset;
  int width = 0, height = 0;  // the last session's window size; 0 = none remembered
};

// Reads settings.json. A file that cannot be read or parsed is set aside as
// settings.json.bad-<UTC time> (so the next start is clean and nothing is lost) and
// *note says so; the window then starts on the defaults and shows the note.
Saved load_saved(const fs::path& file, std::string* note) {
  Saved s;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(file, ec))) return s;  // first start
  std::string text, err;
  json j;
  if (!read_file(file.string(), &text, &err))
    err = "settings " + err;
  else
    err = parse_json_text(text, "settings '" + file.string() + "'", j);
  if (err.empty() && !j.is_object()) err = "settings '" + file.string() + "': expected a JSON object";
  if (!err.empty()) {
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    const fs::path aside = file.string() + ".bad-" + stamp;
    fs::rename(file, aside, ec);
    *note = err + (ec ? "; could not move it aside: " + ec.message() : "; moved it to " + aside.string()) +
            "; started on the defaults";
    std::fprintf(stderr, "moescope: %s\n", note->c_str());
    return s;
  }
  if (j.contains("ui") && j["ui"].is_object()) s.ui = j["ui"];
  if (j.contains("config") && j["config"].is_object()) s.config = j["config"];
  if (j.contains("preset") && j["preset"].is_string()) s.preset = j["preset"].get<std::string>();
  if (j.contains("window") && j["window"].is_array() && j["window"].size() == 2 && j["window"][0].is_number_integer() &&
      j["window"][1].is_number_integer()) {
    s.width = std::clamp(j["window"][0].get<int>(), 640, 8192);
    s.height = std::clamp(j["window"][1].get<int>(), 400, 8192);
  }
  return s;
}

std::vector<std::string> g_dropped;  // paths dropped on the window, taken by the main loop
bool g_input = false;                // any mouse, key or window event since the last look

// Registered before ImGui's backend, which calls them after its own handlers (1.86 chains them).
void on_mouse_button(GLFWwindow*, int, int, int) { g_input = true; }
void on_scroll(GLFWwindow*, double, double) { g_input = true; }
void on_key(GLFWwindow*, int, int, int, int) { g_input = true; }
void on_char(GLFWwindow*, unsigned) { g_input = true; }
void on_cursor_pos(GLFWwindow*, double, double) { g_input = true; }  // 1.86's backend reads the cursor itself
void on_focus(GLFWwindow*, int) { g_input = true; }
void on_cursor_enter(GLFWwindow*, int) { g_input = true; }
void on_size(GLFWwindow*, int, int) { g_input = true; }

void on_drop(GLFWwindow*, int count, const char** paths) {
  for (int i = 0; i < count; ++i) g_dropped.emplace_back(paths[i]);
}

std::atomic<bool> g_interrupted{false};  // Ctrl+C / SIGTERM: leave the loop, save settings
void on_signal(int) { g_interrupted = true; }

void on_glfw_error(int code, const char* text) { std::fprintf(stderr, "moescope: GLFW error %d: %s\n", code, text); }

}  // namespace

void add_window_options(CLI::App* app, GuiOptions& opt) {
  app->add_flag("--play", opt.play, "Window: start training at once");
  app->add_option("--frames", opt.frames, "Window: close after this many frames (demos, tests)")
      ->check(CLI::Range(1, 100000000));
  app->add_option("--screenshot", opt.screenshot, "Window: with --frames, save the last frame to this PNG");
}

bool display_available() {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (w && *w);
}

namespace {

// What the window opens on: the command line's preset/config/--set, else the last
// session's config, else the default preset. Returns "" or what is wrong (exit 2).
struct StartConfig {
  Config cfg = default_config();
  std::vector<ScheduledChange> scheduled;
  std::string preset;
  std::string note;  // shown in the status strip: why the last session's config was not reopened
};

std::string choose_start_config(const GuiOptions& opt, const Saved& saved, StartConfig& start) {
  const bool asked = !opt.source.preset.empty() || !opt.source.config_file.empty() || !opt.source.sets.empty();
  if (asked) {
    RunSource src = opt.source;
    if (src.preset.empty() && src.config_file.empty()) src.preset = kDefaultPreset;
    if (std::string err = resolve_config(src, start.cfg, &start.scheduled); !err.empty()) return err;
    start.preset = src.preset;
    return "";
  }
  if (saved.config.is_object()) {
    Config last = default_config();
    std::string err = apply_json(saved.config, "last session's config", last);
    if (err.empty()) err = validate(last);
    if (err.empty()) {
      start.cfg = last;
      start.preset = saved.preset;
      return "";
    }
    start.note = err + "; opened the default preset instead";
  }
  start.preset = kDefaultPreset;
  return load_preset(kDefaultPreset, start.cfg);
}

// A GLFW window with an OpenGL 3.3 core context, vsync and our input callbacks; nullptr on failure (said on stderr).
GLFWwindow* open_window(const Saved& saved) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "moescope: cannot open a window (GLFW failed to start); try `moescope run` or `moescope shot`\n");
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  // The size: the last session's if it fits the monitor's work area (the screen less
  // panels and docks), else the work area itself, maximised (a 1280×720 projector
  // gets a 1280×720 window, not a 1600×1000 one cut off at the bottom).
  int wx = 0, wy = 0, ww = 1600, wh = 1000;
  bool fits = false;
  if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
    int ax = 0, ay = 0, aw = 0, ah = 0;
    glfwGetMonitorWorkarea(monitor, &ax, &ay, &aw, &ah);
    if (aw > 0 && ah > 0) wx = ax, wy = ay, ww = aw, wh = ah;
    fits = saved.width > 0 && saved.width <= ww && saved.height > 0 && saved.height <= wh;
  } else {
    fits = saved.width > 0;
  }
  if (fits) {
    ww = saved.width, wh = saved.height;
  } else {
    glfwWindowHint(GLFW_MAXIMIZED, GLFW_TRUE);
  }
  GLFWwindow* window = glfwCreateWindow(ww, wh, "moescope", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "moescope: cannot create an OpenGL 3.3 core window\n");
    glfwTerminate();
    return nullptr;
  }
  if (!fits) glfwSetWindowPos(window, wx, wy);
  glfwMakeContextCurrent(window);
  gui::lower_software_renderer_priority();  // llvmpipe's threads yield to training (gl_context.h)
  glfwSwapInterval(1);
  glfwSetDropCallback(window, on_drop);
  glfwSetMouseButtonCallback(window, on_mouse_button);
  glfwSetScrollCallback(window, on_scroll);
  glfwSetKeyCallback(window, on_key);
  glfwSetCharCallback(window, on_char);
  glfwSetCursorPosCallback(window, on_cursor_pos);
  glfwSetWindowFocusCallback(window, on_focus);
  glfwSetCursorEnterCallback(window, on_cursor_enter);
  glfwSetFramebufferSizeCallback(window, on_size);
  return window;
}

// imgui.ini: ImGui would write it in place (a kill mid-write leaves it empty), so we read
// it ourselves and save it through the atomic writer when ImGui asks and at exit.
void load_ini(const std::string& path) {
  if (path.empty()) return;
  std::string ini, err;
  if (read_file(path, &ini, &err)) ImGui::LoadIniSettingsFromMemory(ini.data(), ini.size());
}
void save_ini(const std::string& path) {
  ImGui::GetIO().WantSaveIniSettings = false;
  if (path.empty()) return;
  size_t n = 0;
  const char* ini = ImGui::SaveIniSettingsToMemory(&n);
  if (std::string e = write_file_atomic(path, std::string(ini, n)); !e.empty())
    std::fprintf(stderr, "moescope: %s\n", e.c_str());
}

// The window's state across frames of the main loop.
struct FrameLoop {
  GLFWwindow* window;
  gui::MainWindow& win;
  const GuiOptions& opt;
  float font_scale;  // the scale the font atlas was built for
  int frame = 0;
  int render_budget = 4;  // frames still to draw after the last input (hover, animations settle)
  double last_render = -1;
  double next_frame = 0;
  std::string title{};     // the window title last set
  int status = 0;          // 1 when the --screenshot of the last frame could not be written
  std::string ini_path{};  // imgui.ini, "" = not kept

  // Waits for input or the next frame time; true when this frame must be drawn.
  bool wait_for_frame() {
    UiState& ui = win.ui();
    // Some run training: at most 60 frames/s (Xvfb and some drivers ignore vsync), fewer while
    // several runs train (gui::watch_frame_interval), waking at once on input.
    // Paused and idle: wake on input, or a few times a second for the training threads' notices.
    const double now = glfwGetTime();
    const int training = win.training_runs();
    if (opt.frames > 0)
      glfwPollEvents();
    else if (training > 0)
      glfwWaitEventsTimeout(std::max(0.0, next_frame - now));
    else
      glfwWaitEventsTimeout(0.1);
    next_frame = std::max(glfwGetTime(), next_frame + gui::watch_frame_interval(training));
    // Draw only when something changed: input, a new snapshot (~30 per second while training),
    // a dropped file, or twice a second anyway; the CPU this saves goes to the training thread.
    if (g_input) render_budget = 4, g_input = false;
    const bool changed = render_budget > 0 || win.has_new_snapshot() || !g_dropped.empty() ||
                         font_scale != ui.ui_scale || glfwGetTime() - last_render > 0.5;
    if (opt.frames == 0 && !changed) return false;
    if (render_budget > 0) --render_budget;
    last_render = glfwGetTime();
    return true;
  }

  // Dropped files, a text size change (the font atlas is rebuilt between frames), Ctrl +/−.
  void before_frame(ImGuiIO& io) {
    UiState& ui = win.ui();
    win.open_dropped(g_dropped);  // results files (run, sweep, shards together) or configs
    g_dropped.clear();
    if (font_scale != ui.ui_scale) {
      font_scale = ui.ui_scale;
      gui::load_fonts(font_scale);
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    if (io.KeyCtrl && !io.WantTextInput) {
      if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD, false))
        ui.ui_scale = std::min(3.0f, ui.ui_scale * 1.15f);
      if (ImGui::IsKeyPressed(GLFW_KEY_MINUS, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT, false))
        ui.ui_scale = std::max(0.6f, ui.ui_scale / 1.15f);
    }
  }

  // Clears to the theme's background and renders ImGui's draw data; returns the framebuffer size.
  void render(ImGuiIO& io, int* fw, int* fh) {
    ImGui::Render();
    gui::set_texture_nearest(unsigned(reinterpret_cast<uintptr_t>(io.Fonts->TexID)));
    glfwGetFramebufferSize(window, fw, fh);
    glViewport(0, 0, *fw, *fh);
    const ImVec4 bg = gui::clear_colour(win.ui().light_theme);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }

  // F12, or --screenshot on the last frame: what is on screen, before the swap.
  void screenshot_if_asked(bool last_frame, int fw, int fh) {
    if (!win.screenshot_requested && !(last_frame && !opt.screenshot.empty())) return;
    win.screenshot_requested = false;
    const RunSnapshot& s = win.snapshot();
    const std::string name = "moescope-" + (s.preset.empty() ? std::string("custom") : s.preset) + "-step" +
                             std::to_string(s.steps_done) + ".png";
    // F12: the pictures folder (user_dirs.h), or the current folder and why not.
    std::string why;
    const std::string path = last_frame && !opt.screenshot.empty() ? opt.screenshot
                                                                   : (gui::pictures_dir(&why) / name).string();
    const std::string e = gui::save_framebuffer_png(path, fw, fh);
    win.set_status(e.empty() ? "screenshot saved to " + path + (why.empty() ? "" : " (" + why + ")") : e, !e.empty());
    if (!e.empty()) std::fprintf(stderr, "moescope: %s\n", e.c_str());
    if (!e.empty() && last_frame) status = 1;
  }

  // Until the window closes, Quit, Ctrl+C, or --frames frames: poll, draw, render, swap.
  void run() {
    ImGuiIO& io = ImGui::GetIO();
    next_frame = glfwGetTime();
    while (!glfwWindowShouldClose(window) && !win.quit_requested && !g_interrupted) {
      if (opt.frames > 0 && frame >= opt.frames) break;
      if (!wait_for_frame()) continue;
      const bool last_frame = opt.frames > 0 && frame == opt.frames - 1;
      ++frame;
      before_frame(io);
      win.draw();
      int fw = 0, fh = 0;
      render(io, &fw, &fh);
      screenshot_if_asked(last_frame, fw, fh);
      glfwSwapBuffers(window);
      win.run_pending_exports();  // figure exports draw frames of their own, between the window's
      if (io.WantSaveIniSettings) save_ini(ini_path);
      if (const std::string t = win.title(); t != title) {
        title = t;
        glfwSetWindowTitle(window, title.c_str());
      }
    }
  }
};

// What the next start reopens: UI state, config, preset, window size.
void save_settings(const fs::path& file, gui::MainWindow& win, GLFWwindow* window) {
  if (file.empty()) return;
  json j;
  j["ui"] = ui_to_json(win.ui());
  j["config"] = config_to_json(win.snapshot().cfg);
  j["preset"] = win.snapshot().preset;
  int w = 0, h = 0;
  glfwGetWindowSize(window, &w, &h);
  j["window"] = {w, h};
  if (std::string e = write_file_atomic(file.string(), j.dump(2) + "\n"); !e.empty())
    std::fprintf(stderr, "moescope: %s\n", e.c_str());
}

}  // namespace

int gui_main(const GuiOptions& opt) {
  // 1. settings and the config to open
  const fs::path dir = settings_dir();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  const fs::path settings_file = dir.empty() ? fs::path() : dir / "settings.json";
  std::string settings_note;  // a corrupt settings.json: set aside, said in the window
  const Saved saved = settings_file.empty() ? Saved{} : load_saved(settings_file, &settings_note);
  StartConfig start;
  if (std::string err = choose_start_config(opt, saved, start); !err.empty()) {
    std::fprintf(stderr, "moescope: %s\n", err.c_str());
    return 2;
  }

  // 2. GLFW window with an OpenGL 3.3 core context
  GLFWwindow* window = open_window(saved);
  if (!window) return 1;
  float xscale = 1, yscale = 1;
  glfwGetWindowContentScale(window, &xscale, &yscale);

  // 3. ImGui, its backends, our plot context
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  const std::string ini_path = dir.empty() ? std::string() : (dir / "imgui.ini").string();
  ImGui::GetIO().IniFilename = nullptr;  // read and saved by us, atomically (load_ini, save_ini)
  load_ini(ini_path);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  plot::CreateContext();

  int status = 0;
  {
    // the window's content: UI state, fonts, GPU heatmaps
    gui::MainWindow win(start.cfg, start.preset, start.scheduled);
    UiState& ui = win.ui();
    ui.ui_scale = std::clamp(xscale, 0.6f, 3.0f);
    ui_from_json(saved.ui, ui);
    if (gui::load_fonts(ui.ui_scale).empty())
      win.set_status("DejaVu Sans not found (install fonts-dejavu-core); using ImGui's font");
    if (!start.note.empty()) win.set_status(start.note, true);
    if (!settings_note.empty()) win.set_status(settings_note, true);
    std::string err;
    if (!win.init_gl(&err)) win.set_status("GPU heatmaps off: " + err, true);
    if (opt.play) win.session().play();
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    // 4. main loop
    FrameLoop loop{window, win, opt, ui.ui_scale};
    loop.ini_path = ini_path;
    loop.run();
    status = loop.status;

    // 5. shutdown, in reverse order
    save_ini(ini_path);
    save_settings(settings_file, win, window);
    win.shutdown_gl();
  }
  plot::DestroyContext();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return status;
}

}  // namespace moe

// gui_main.h: the window's entry points, called from app/main.cpp.
//   gui_main   opens the window (GLFW + OpenGL 3.3 core + Dear ImGui) and trains live
//   cmd_shot   trains headless, renders the window or one panel offscreen (EGL), writes a PNG
#pragma once

#include <string>

#include "commands.h"

namespace CLI {
class App;
}

namespace moe {

struct GuiOptions {
  RunSource source;        // the config the window opens on
  bool play = false;       // --play: start training at once
  int frames = 0;          // --frames N: close after N frames (demos, tests); 0 = never
  std::string screenshot;  // --screenshot FILE: save the last frame (with --frames) as a PNG
};
void add_window_options(CLI::App* app, GuiOptions& opt);  // --play --frames --screenshot

struct ShotOptions {
  RunSource source;
  int64_t steps = -1;                // steps to train before the shot (-1: the config's `steps`)
  std::string out;                   // PNG path
  int width = 1600, height = 1000;   // --size WxH
  float scale = 1.0f;                // --scale: UI scale (fonts, spacing)
  std::string theme = "dark";        // dark | light
  std::string panel;                 // "" = whole window, else a panel name
  std::string layout = "all";        // --layout all | four | one:NAME (the View menu's layouts)
  bool controls_strip = false;       // --controls-strip: the controls folded to a strip (F2)
  bool timing = false;               // print median / p95 frame time and training steps/s
  bool grayscale_safe = false;       // --grayscale-safe: dashes and markers for every series (View menu option)
  std::vector<std::string> compare;  // --compare key=value[,key=value][@STEP]: one more run each, as `run --compare`
  int seeds = 1;                     // --seeds N: every run a group of N seeds (mean and band)
  bool band_std = false;             // --band std: seed bands are mean ± 1 std (else min–max)
  bool difference = false;           // --difference: plot every run minus the first
  bool load_ab = false;              // --load-ab: the load panel's steps × experts heatmap, two runs stacked
};

bool display_available();             // an X11 or Wayland display to open a window on
int gui_main(const GuiOptions& opt);  // exit status
void add_shot_options(
    CLI::App* cmd,
    ShotOptions& opt);  // --steps --out --size --scale --theme --panel --layout --controls-strip --timing
                        // --compare --seeds --band --difference
int cmd_shot(const ShotOptions& opt);                                         // exit status (2 bad input)
WindowSpeed measure_window_speed(const std::string& preset, double seconds);  // for `bench` (shot.cpp)

}  // namespace moe

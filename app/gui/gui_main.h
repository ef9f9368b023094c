// gui_main.h: the window's entry points, called from app/main.cpp.
//   gui_main   opens the window (GLFW + OpenGL 3.3 core + Dear ImGui) and trains live
//   cmd_shot   trains headless, renders the window or one panel offscreen (EGL), writes a PNG
#pragma once

#include <string>

#include "commands.h"
#include "figure.h"

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
  int64_t steps = -1;               // steps to train before the shot (-1: the config's `steps`)
  std::string out;                  // PNG path
  int width = 1600, height = 1000;  // --size WxH
  float scale = 1.0f;               // --scale: UI scale (fonts, spacing)
  std::string theme = "dark";       // dark | light
  std::string panel;                // "" = whole window, else a panel name
  std::string layout = "all";       // --layout all | four | one:NAME (the View menu's layouts)
  bool controls_strip = false;      // --controls-strip: the controls folded to a strip (F2)
  bool timing = false;              // print median / p95 frame time and training steps/s
  bool grayscale_safe = false;      // --grayscale-safe: dashes and markers for every series (View menu option)
  FigureOptions fig;                // --figure --font-pt --dpi --view --from --no-csv (figure.h); --out .svg/.pdf

  // The sweep view and results files (panel_sweep.cpp, window_sweep.cpp).
  std::vector<std::string> grid;  // --grid key=v1,v2,... (repeatable): a sweep shown in the sweep panel
  // --seeds N: how many seeds (seed, seed+1, ...) each thing the shot trains is repeated over.
  // Without --grid that is each run side by side (a seed group drawn as mean and band: group_seeds);
  // with --grid, each grid point of the sweep (sweep_seeds), the runs side by side staying single.
  int seeds = 1;
  int group_seeds() const { return grid.empty() ? seeds : 1; }  // seeds in each run's seed group
  int sweep_seeds() const { return seeds; }                     // seeds per grid point of --grid
  std::string metric;                // --metric: the sweep view's final metric ("" = load_entropy)
  std::vector<std::string> results;  // --results FILE (repeatable): run or sweep results opened in the window
  // The runs side by side (run_list.h), each a seed group of group_seeds() above.
  std::vector<std::string> compare;  // --compare key=value[,key=value][@STEP]: one more run each, as `run --compare`
  bool band_std = false;             // --band std: seed bands are mean ± 1 std (else min–max)
  bool difference = false;           // --difference: plot every run minus the first
  bool load_ab = false;              // --load-ab: the load panel's steps × experts heatmap, two runs stacked
};

bool display_available();             // an X11 or Wayland display to open a window on
int gui_main(const GuiOptions& opt);  // exit status
void add_shot_options(
    CLI::App* cmd,
    ShotOptions& opt);  // --steps --out --size --scale --theme --panel --layout --controls-strip --timing
int cmd_shot(const ShotOptions& opt);                      // exit status (2 bad input)
void add_figure_options(CLI::App* cmd, ShotOptions& opt);  // --figure --font-pt --dpi --view --from (shot_figure.cpp)
int cmd_shot_from(const ShotOptions& opt);                 // --from FILE: the figure FILE's command makes, again
WindowSpeed measure_window_speed(const std::string& preset, double seconds);  // for `bench` (shot.cpp)

}  // namespace moe

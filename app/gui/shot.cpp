// shot.cpp: `moescope shot` — train headless, render the window or one panel
// offscreen (EGL surfaceless, no display needed), write a PNG; or a figure
// (--figure, or --out F.svg / F.pdf: figure_export.h) with F.csv beside it.
//
//   moescope shot --preset collapse --steps 1000 --out collapse.png [--size 1600x1000]
//                 [--scale 1.25] [--theme light] [--panel load] [--layout four] [--controls-strip]
//                 [--grayscale-safe] [--timing]
//                 [--compare key=value[,key=value][@STEP] ...] [--seeds N] [--band std] [--difference]
//                 [--load-ab]
//
// Each --compare adds a run: the first run with those settings changed from step 0, or, when
// every change is at one @STEP, a fork of the first run at that step (the first run trains
// there, then forks: marked on every plot, the numbers of the change scheduled there);
// --seeds N makes every run a group of N seeds drawn as mean and band, or, with --grid, trains
// every grid point of the sweep over N seeds. Every run trains to --steps before the shot.
//
// The run is the same as `moescope run` with the same config and seed (the
// Session trains with the same Trainer), stopped exactly at --steps. --timing
// then keeps training while rendering 300 frames and prints the median and 95th
// percentile frame time and the training speed with and without the window.
#include <CLI/CLI.hpp>
#include <epoxy/gl.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <thread>

#include "config_io.h"
#include "figure_export.h"
#include "plot_cairo.h"
#include "metrics.h"
#include "sweep_view.h"
#include "gl_context.h"
#include "gui_main.h"
#include "plot.h"
#include "run_compare.h"
#include "run_list.h"
#include "thread_pool.h"
#include "window.h"

namespace moe {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until the session has taken every command and stopped (run_to reached, or diverged).
bool wait_idle(Session& s, int64_t steps, double timeout_s) {
  const auto t0 = Clock::now();
  for (;;) {
    const auto snap = s.snapshot();
    if (snap->commands_done >= s.commands_queued() && !snap->running &&
        (snap->steps_done >= steps || snap->diverged || snap->notice.rfind("refused", 0) == 0))
      return true;
    if (std::chrono::duration<double>(Clock::now() - t0).count() > timeout_s) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

double g_last_build_ms = 0;  // the part of the last frame spent building ImGui's draw lists (the rest is GL)
int g_last_vertices = 0, g_last_draw_calls = 0;  // size of the last frame's draw data

// One frame: the whole window or one panel, rendered into the bound FBO. Returns its CPU+GPU time in ms.
double render_frame(gui::MainWindow& win, const PanelInfo* panel, int w, int h, bool light) {
  const auto t0 = Clock::now();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(w), float(h));
  io.DeltaTime = 1.0f / 60.0f;
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  if (panel)
    win.draw_single_panel(*panel);
  else
    win.draw();
  ImGui::Render();
  gui::set_texture_nearest(unsigned(reinterpret_cast<uintptr_t>(io.Fonts->TexID)));
  g_last_build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const ImDrawData* dd = ImGui::GetDrawData();
  g_last_vertices = dd->TotalVtxCount;
  g_last_draw_calls = 0;
  for (int i = 0; i < dd->CmdListsCount; ++i) g_last_draw_calls += dd->CmdLists[i]->CmdBuffer.Size;
  glViewport(0, 0, w, h);
  const ImVec4 bg = gui::clear_colour(light);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glFinish();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// When the next frame is due while the window's runs train, as gui_main's loop paces it.
Clock::time_point next_watch_frame(Clock::time_point prev, const gui::MainWindow& win) {
  const auto interval = std::chrono::duration<double>(gui::watch_frame_interval(win.training_runs()));
  return std::max(Clock::now(), prev + std::chrono::duration_cast<Clock::duration>(interval));
}

bool wait_all_idle(gui::MainWindow& win, int64_t steps, double timeout_s);  // below
int64_t steps_of_all(gui::MainWindow& win);

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  return v[i];
}

// Figure mode: the figure frames drawn with GL (a PNG is read back from the last) and, on
// the last, written to an SVG or PDF through the plot layer's file back end, with F.csv.
int shot_figure(gui::MainWindow& win, const PanelInfo* panel, const ShotOptions& opt, const gui::FigureLayout& lay,
                double train_s) {
  gui::FigureRequest req;
  req.panel = panel;
  req.layout = lay;
  req.path = opt.out;
  req.provenance = opt.fig.command;
  req.csv = !opt.fig.no_csv;
  req.png_from_gl = true;
  const ImVec4 bg = gui::clear_colour(opt.theme == "light");
  auto gl_draw = [&] {
    gui::set_texture_nearest(unsigned(reinterpret_cast<uintptr_t>(ImGui::GetIO().Fonts->TexID)));
    glViewport(0, 0, lay.width, lay.height);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();
  };
  ImGui_ImplOpenGL3_NewFrame();  // the renderer's device objects (fonts) before the first frame
  std::vector<std::string> written;
  if (std::string err = gui::export_figure(win, req, gl_draw, &written); !err.empty()) {
    std::fprintf(stderr, "moescope shot: %s\n", err.c_str());
    return 1;
  }
  std::string files;
  for (const std::string& w : written) files += (files.empty() ? "" : " and ") + w;
  std::printf("wrote %s (%dx%d px at %.0f dpi, %s, step %lld, trained in %.2f s)\n", files.c_str(), lay.width,
              lay.height, lay.dpi, panel ? panel->name : "whole layout",
              static_cast<long long>(win.snapshot().steps_done), train_s);
  return 0;
}

}  // namespace

namespace {

// The window's runs playing for `seconds`, a frame drawn (when `draw`) whenever one is due as
// gui_main's loop paces it and a run has published; then paused until every run stands still.
// Adds the steps all runs made to *steps, the seconds to *el and each frame's ms to *frames.
void watch_window(gui::MainWindow& win, double seconds, bool draw, int w, int h, int64_t* steps, double* el,
                  std::vector<double>* frames) {
  const int64_t s0 = steps_of_all(win);
  const auto a = Clock::now();
  win.runs().play_all();
  auto next_frame = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - a).count() < seconds) {
    std::this_thread::sleep_until(next_frame);
    next_frame = next_watch_frame(next_frame, win);
    if (draw && win.has_new_snapshot()) frames->push_back(render_frame(win, nullptr, w, h, false));
  }
  win.runs().pause_all();
  wait_all_idle(win, 0, 60.0);
  *el += std::chrono::duration<double>(Clock::now() - a).count();
  *steps += steps_of_all(win) - s0;
}

}  // namespace

// Headless first (nothing else in the process yet, so threads = 0 means every core), then
// the window offscreen at 1600x1000, drawing as gui_main's loop does while training: a
// frame when the training thread has published a new snapshot, at most 60 a second.
WindowSpeed measure_window_speed(const std::string& preset, double seconds) {
  WindowSpeed r;
  Config cfg;
  if (std::string e = load_preset(preset, cfg); !e.empty()) {
    r.error = e;
    return r;
  }
  set_auto_threads(0);
  {
    std::string err;
    auto tr = Trainer::create(cfg, &err);
    if (!tr) {
      r.error = err;
      return r;
    }
    for (int i = 0; i < 50; ++i) tr->step();
    int64_t n = 0;
    const auto a = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - a).count() < seconds)
      for (int i = 0; i < 20; ++i, ++n) tr->step();
    r.headless_steps_per_s = double(n) / std::chrono::duration<double>(Clock::now() - a).count();
    r.headless_threads = tr->model().pool().size();
  }
  // The side-by-side peer: the same runs headless as `moescope run --seeds 4` trains them
  // (cmd_run_compare.cpp): one run per core at once, each on one thread. Measured in rounds
  // between the window's (below), so that a change in the machine's load falls on both.
  constexpr int kRuns = 4, kRounds = 3;
  std::vector<std::unique_ptr<Trainer>> headless_runs;
  for (int i = 0; i < kRuns; ++i) {
    Config c = cfg;
    c.seed = cfg.seed + uint64_t(i);
    c.threads = 1;
    std::string err;
    headless_runs.push_back(Trainer::create(c, &err));
    if (!headless_runs.back()) {
      r.error = err;
      return r;
    }
    for (int j = 0; j < 50; ++j) headless_runs.back()->step();
  }
  // One round: every run round_steps steps (about round_s seconds: the runs at once go about
  // 1.5 times one run's speed), returning the seconds it took.
  const double round_s = 2 * seconds / kRounds;
  const int64_t round_steps = std::max<int64_t>(50, int64_t(1.5 * r.headless_steps_per_s * round_s / kRuns));
  auto headless_round = [&] {
    std::atomic<int> next{0};
    const auto a = Clock::now();
    std::vector<std::thread> workers;
    for (int j = 0; j < std::min(kRuns, hardware_threads()); ++j)
      workers.emplace_back([&] {
        for (int i; (i = next++) < kRuns;)
          for (int64_t k = 0; k < round_steps; ++k) headless_runs[size_t(i)]->step();
      });
    for (std::thread& t : workers) t.join();
    return std::chrono::duration<double>(Clock::now() - a).count();
  };
  const int w = 1600, h = 1000;
  gui::OffscreenGL gl;
  std::string err;
  if (!gl.create(w, h, &err)) {
    r.error = "cannot render offscreen: " + err;
    return r;
  }
  r.renderer = gl.renderer();
  gui::lower_software_renderer_priority();  // as gui_main does: may set auto threads to cores - 1
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui::GetIO().LogFilename = nullptr;
  gui::load_fonts(1.0f);
  if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
    ImGui::DestroyContext();
    r.error = "the OpenGL 3.3 renderer failed to start";
    return r;
  }
  plot::CreateContext();
  // One window run of `seconds` on `run_cfg`: training steps/s, frames/s, median frame ms.
  auto window_run = [&](const Config& run_cfg, double* fps, double* frame_ms) {
    gui::MainWindow win(run_cfg, preset);
    win.interactive = false;
    if (!win.init_gl(&err)) std::fprintf(stderr, "moescope bench: GPU heatmaps off (%s)\n", err.c_str());
    win.session().run_to(50);  // warm-up, as the headless trainer had
    wait_idle(win.session(), 50, 60.0);
    render_frame(win, nullptr, w, h, false);
    std::vector<double> frames;
    int64_t steps = 0;
    double el = 0;
    watch_window(win, seconds, true, w, h, &steps, &el, &frames);
    if (fps) *fps = double(frames.size()) / el;
    if (frame_ms) *frame_ms = percentile(frames, 0.5);
    const double steps_per_s = double(steps) / el;
    win.shutdown_gl();
    return steps_per_s;
  };
  r.window_steps_per_s = window_run(cfg, &r.frames_per_s, &r.frame_ms);
  r.window_threads = auto_threads();
  {  // kRuns seeds side by side in the window's RunSet: training while it draws, then without drawing
    gui::MainWindow win(cfg, preset);
    win.interactive = false;
    if (!win.init_gl(&err)) std::fprintf(stderr, "moescope bench: GPU heatmaps off (%s)\n", err.c_str());
    for (int i = 1; i < kRuns && r.error.empty(); ++i)
      if (win.runs().duplicate(win.runs().first(), {{0, "seed", std::to_string(cfg.seed + uint64_t(i))}}, &err) < 0)
        r.error = "a run side by side: " + err;
    if (r.error.empty()) {
      r.runs = kRuns;
      r.seed = cfg.seed;
      for (const RunView& v : win.runs().views()) win.runs().session(v.info.id)->run_to(50);  // warm-up
      wait_all_idle(win, 50, 60.0);
      render_frame(win, nullptr, w, h, false);
      std::vector<double> frames;
      auto window_round = [&](bool draw, int64_t* steps, double* el) {
        watch_window(win, round_s, draw, w, h, steps, el, &frames);
      };
      int64_t drawn_steps = 0, undrawn_steps = 0;
      double drawn_s = 0, undrawn_s = 0, headless_s = 0;
      for (int round = 0; round < kRounds; ++round) {
        window_round(true, &drawn_steps, &drawn_s);
        headless_s += headless_round();
        window_round(false, &undrawn_steps, &undrawn_s);
      }
      r.runs_window_steps_per_s = double(drawn_steps) / drawn_s;
      r.runs_undrawn_steps_per_s = double(undrawn_steps) / undrawn_s;
      r.runs_headless_steps_per_s = double(kRounds * kRuns * round_steps) / headless_s;
      r.runs_frames_per_s = double(frames.size()) / drawn_s;
      r.runs_frame_ms = percentile(frames, 0.5);
    }
    win.shutdown_gl();
  }
  if (hardware_threads() > 1 &&
      r.window_threads < hardware_threads()) {  // what the window did before: every core training
    Config all = cfg;
    all.threads = hardware_threads();
    r.window_all_cores_steps_per_s = window_run(all, nullptr, nullptr);
  }
  plot::DestroyContext();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
  set_auto_threads(0);
  return r;
}

void add_shot_options(CLI::App* cmd, ShotOptions& opt) {
  cmd->add_option("--steps", opt.steps, "Training steps before the shot (default: the config's steps)")
      ->check(CLI::Range(int64_t(0), int64_t(100000000)));
  cmd->add_option("--out", opt.out, "File to write: .png, or .svg / .pdf (a vector figure), plus F.csv for figures");
  cmd->add_option_function<std::string>(
      "--size",
      [&opt](const std::string& s) {
        gui::FigureLayout probe;
        if (std::string e = gui::parse_figure_size(s, 0, probe); !e.empty()) throw CLI::ValidationError("--size", e);
        opt.fig.size_text = s;
      },
      "Size: WxH pixels (default 1600x1000), or 3.5x2.4in, 89x60mm (at --dpi)");
  cmd->add_option("--scale", opt.scale, "UI scale: fonts and spacing (default 1)")->check(CLI::Range(0.5f, 4.0f));
  cmd->add_option("--theme", opt.theme, "dark or light (the report theme)")->check(CLI::IsMember({"dark", "light"}));
  cmd->add_option("--panel", opt.panel, "Only this panel: " + panel_names());
  cmd->add_flag("--grayscale-safe", opt.grayscale_safe,
                "Dashes and markers for every series, not only past the first 8 (the View menu's option)");
  cmd->add_option("--layout", opt.layout,
                  "The window's layout: all, four (load, entropy, collapse, losses) or one:NAME");
  cmd->add_flag("--controls-strip", opt.controls_strip,
                "The controls folded to a strip (F2), the panels taking the width");
  cmd->add_option("--grid", opt.grid,
                  "key=v1,v2,... (repeatable, one or two): a sweep of the config, shown by --panel sweep; every grid "
                  "point over --seeds seeds")
      ->take_all();
  cmd->add_option("--metric", opt.metric, "The sweep view's final metric, e.g. load_entropy, max_vio, loss_task");
  cmd->add_option("--results", opt.results,
                  "A results file to open (repeatable): a `moescope sweep` CSV (shards of one sweep together) in the "
                  "sweep view, or a run's CSV/JSON as a read-only run");
  cmd->add_flag("--timing", opt.timing,
                "Also print median and p95 frame time and training steps/s with the window open");
  add_figure_options(cmd, opt);
  cmd->add_option(
      "--compare", opt.compare,
      "Another run side by side: key=value[,key=value][@STEP] changed from the first run (repeatable; a "
      "preset's own \"compare\" list is used when none is given); each a group of --seeds seeds (without --grid)");
  cmd->add_option(
         "--seeds", opt.seeds,
         "Seeds (1-16), seed, seed+1, ...: every run side by side as a group of N seeds, drawn as mean and band; with "
         "--grid, every grid point of the sweep over N seeds instead (the runs side by side then stay single)")
      ->check(CLI::Range(1, 16));
  cmd->add_option_function<std::string>(
         "--band", [&opt](const std::string& b) { opt.band_std = b == "std"; },
         "Seed bands: minmax (default) or std (mean \xC2\xB1 1 std)")
      ->check(CLI::IsMember({"minmax", "std"}));
  cmd->add_flag("--difference", opt.difference, "Plot every run minus the first run (with --compare)");
  cmd->add_flag("--load-ab", opt.load_ab,
                "The load panel as steps \xC3\x97 experts heatmaps of the first two runs, stacked (with --compare)");
}

namespace {

// Waits until every live run has reached `steps` (or stopped early); false on timeout.
bool wait_all_idle(gui::MainWindow& win, int64_t steps, double timeout_s) {
  const auto t0 = Clock::now();
  for (const RunView& v : win.runs().views()) {
    Session* s = win.runs().session(v.info.id);
    if (!s) continue;
    const double left = timeout_s - std::chrono::duration<double>(Clock::now() - t0).count();
    if (left <= 0 || !wait_idle(*s, steps, left)) return false;
  }
  return true;
}

int64_t steps_of_all(gui::MainWindow& win) {
  int64_t n = 0;
  for (const RunView& v : win.runs().views())
    if (v.info.kind == RunKind::Live && v.snap) n += v.snap->steps_done;
  return n;
}

}  // namespace

namespace {
int shot(const ShotOptions& opt, const gui::FigureLayout& fig_layout);
}  // namespace

// --from, then the figure's layout (size, dpi, font) into pixels and a UI scale.
int cmd_shot(const ShotOptions& given) {
  if (!given.fig.from.empty()) return cmd_shot_from(given);
  ShotOptions opt = given;
  opt.fig.command = gui::shot_command(given);
  if (opt.out.empty()) {
    std::fprintf(stderr, "moescope shot: --out FILE is required (.png, .svg or .pdf), or --from FIGURE\n");
    return 2;
  }
  gui::FigureLayout lay;
  if (std::string e = gui::figure_layout(opt.fig, opt.scale, lay); !e.empty()) {
    std::fprintf(stderr, "moescope shot: %s\n", e.c_str());
    return 2;
  }
  opt.width = lay.width;
  opt.height = lay.height;
  opt.scale = lay.ui_scale;
  return shot(opt, lay);
}

namespace {
int shot(const ShotOptions& opt, const gui::FigureLayout& fig_layout) {
  Config cfg;
  std::vector<ScheduledChange> scheduled;
  if (std::string err = resolve_config(opt.source, cfg, &scheduled); !err.empty()) {
    std::fprintf(stderr, "moescope shot: %s\n", err.c_str());
    return 2;
  }
  std::vector<std::vector<ScheduledChange>> compares;
  const std::vector<std::string> compare_specs = compare_or_preset(opt.source, opt.compare);
  for (const std::string& spec : compare_specs) {
    std::vector<ScheduledChange> changes;
    if (std::string err = gui::parse_compare_spec(spec, cfg, &changes); !err.empty()) {
      std::fprintf(stderr, "moescope shot: --compare %s\n", err.c_str());
      return 2;
    }
    compares.push_back(std::move(changes));
  }
  const plot::FigureFormat format = plot::FigureFormatOf(opt.out);
  if (format == plot::FigureFormat_None) {
    std::fprintf(stderr, "moescope shot: --out '%s' must name a .png, .svg or .pdf file\n", opt.out.c_str());
    return 2;
  }
  // Vector files hold what the plot layer draws, never ImGui's widgets: always figure mode.
  const bool figure = opt.fig.figure || format != plot::FigureFormat_Png;
  const PanelInfo* panel = nullptr;
  if (!opt.panel.empty()) {
    panel = find_panel(opt.panel);
    if (!panel) {
      std::fprintf(stderr, "moescope shot: unknown panel '%s'; panels: %s\n", opt.panel.c_str(), panel_names().c_str());
      return 2;
    }
  }
  UiState layout_ui;
  if (std::string e = gui::parse_layout(opt.layout, layout_ui); !e.empty()) {
    std::fprintf(stderr, "moescope shot: --layout: %s\n", e.c_str());
    return 2;
  }
  const int64_t steps = opt.steps >= 0 ? opt.steps : cfg.steps;
  // --grid: the sweep trains now, on its own threads, while the window is set up.
  std::shared_ptr<SweepView> sweep;
  if (!opt.grid.empty() || !opt.metric.empty()) {
    sweep = std::make_shared<SweepView>();
    if (!opt.metric.empty()) {
      const MetricDef* d = find_metric(opt.metric);
      if (!d || !(d->flags & MetricFlags_Final)) {
        std::string keys;
        for (const MetricDef& m : kMetricTable)
          if (m.flags & MetricFlags_Final) keys += (keys.empty() ? "" : ", ") + std::string(m.key);
        std::fprintf(stderr, "moescope shot: --metric '%s' is not a final metric; allowed: %s\n", opt.metric.c_str(),
                     keys.c_str());
        return 2;
      }
      sweep->metric = opt.metric;
    }
    if (!opt.grid.empty()) {
      if (std::string e = sweep->runner.start(cfg, opt.grid, opt.sweep_seeds(), std::max<int64_t>(1, steps));
          !e.empty()) {
        std::fprintf(stderr, "moescope shot: --grid: %s\n", e.c_str());
        return 2;
      }
      sweep->seeds = opt.sweep_seeds();
      sweep->steps = int(std::max<int64_t>(1, steps));
      std::snprintf(sweep->rows, sizeof sweep->rows, "%s", opt.grid[0].c_str());
      std::snprintf(sweep->cols, sizeof sweep->cols, "%s", opt.grid.size() > 1 ? opt.grid[1].c_str() : "");
    }
  }

  gui::OffscreenGL gl;
  std::string err;
  if (!gl.create(opt.width, opt.height, &err)) {
    std::fprintf(stderr, "moescope shot: cannot render offscreen: %s\n", err.c_str());
    return 1;
  }
  const int lowered = gui::lower_software_renderer_priority();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  gui::load_fonts(opt.scale);
  if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
    std::fprintf(stderr, "moescope shot: the OpenGL 3.3 renderer failed to start (%s)\n", gl.renderer().c_str());
    ImGui::DestroyContext();
    return 1;
  }
  plot::CreateContext();
  int status = 0;
  {
    gui::MainWindow win(cfg, opt.source.preset, scheduled);
    win.interactive = false;
    win.ui().light_theme = opt.theme == "light";
    win.ui().ui_scale = opt.scale;
    win.ui().line_styles_every_series = opt.grayscale_safe;
    win.ui().layout = layout_ui.layout;
    win.ui().single_panel = layout_ui.single_panel;
    win.ui().controls_collapsed = opt.controls_strip;
    win.ui().band_std = opt.band_std;  // before --view, which may set them too (band=, difference=, load-ab=)
    win.ui().difference_view = opt.difference;
    if (opt.load_ab) win.ui().load_view = LoadView_Heatmap, win.ui().load_ab = true;
    for (const std::string& v : opt.fig.views)
      if (std::string e = gui::apply_view(v, win.ui()); !e.empty()) {
        std::fprintf(stderr, "moescope shot: %s\n", e.c_str());
        return 2;
      }
    plot::SetHiddenLabels(win.ui().hidden_series);
    if (sweep) {
      win.ui().sweep = sweep;
      win.show_sweep();
    }
    if (!opt.results.empty()) {
      if (std::string e = win.open_results(opt.results); !e.empty()) {
        std::fprintf(stderr, "moescope shot: --results: %s\n", e.c_str());
        status = 2;
      }
    }
    if (!win.init_gl(&err))
      std::fprintf(stderr, "moescope shot: GPU heatmaps off (%s); drawing them on the CPU\n", err.c_str());
    // The runs side by side: one per --compare, then every run a group of --seeds seeds (not with --grid).
    RunSet& runs = win.runs();
    const int first = runs.first();
    if (status == 0) {  // `key=v@STEP` forks the first run at STEP (trained there first)
      int failed = -1;
      if (std::string e = gui::add_compared_runs(runs, compares, &failed); !e.empty()) {
        std::fprintf(stderr, "moescope shot: --compare %s: %s\n", compare_specs[size_t(failed)].c_str(), e.c_str());
        status = 2;
      }
    }
    if (opt.group_seeds() > 1)
      for (const RunView& v : runs.views())
        if (v.info.group < 0 && v.info.kind == RunKind::Live && status == 0)  // a file's run does not train
          if (std::string e = runs.repeat_over_seeds(v.info.id, opt.group_seeds()); !e.empty()) {
            std::fprintf(stderr, "moescope shot: --seeds %d: %s\n", opt.group_seeds(), e.c_str());
            status = 2;
          }
    // The first run is named by what the others change ("α=0" beside "α=1e-2"): RunSet's labels.
    runs.select(first);
    win.runs_changed();
    for (const RunView& v : runs.views())
      if (Session* s = runs.session(v.info.id)) {
        s->set_map_layer(0);
        s->run_to(steps);
      }
    const auto t0 = Clock::now();
    if (status == 0 && !wait_all_idle(win, steps, 3600.0)) {
      std::fprintf(stderr, "moescope shot: training did not reach step %lld within an hour\n",
                   static_cast<long long>(steps));
      status = 1;
    }
    if (sweep) sweep->runner.wait();  // every run of the grid finished
    const double train_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto snap = win.session().snapshot();
    const bool diverged = snap->diverged;  // the PNG is still written (it shows the banner), then status 1 like `run`
    if (diverged)
      std::fprintf(stderr, "moescope shot: the run diverged (%s); the shot shows it\n", snap->diverged_what.c_str());
    // A few frames so auto-fitted axes, legends and text sizes settle, then the shot.
    if (figure) {
      if (status == 0) status = shot_figure(win, panel, opt, fig_layout, train_s);
    } else {
      for (int i = 0; i < 4; ++i) render_frame(win, panel, opt.width, opt.height, opt.theme == "light");
    }
    if (status == 0 && !figure) {
      err = gui::save_framebuffer_png(opt.out, opt.width, opt.height);
      if (!err.empty()) {
        std::fprintf(stderr, "moescope shot: %s\n", err.c_str());
        status = 1;
      } else {
        std::printf("wrote %s (%dx%d, %s, step %lld, trained in %.2f s)\n", opt.out.c_str(), opt.width, opt.height,
                    panel ? panel->name : "whole window", static_cast<long long>(snap->steps_done), train_s);
      }
    }
    if (status == 0 && opt.timing) {
      // Training speed without drawing, then with a frame drawn continuously, on the same run.
      // Every live run trains (summed steps/s), as they do side by side in the window.
      // paced: as gui_main's loop draws, a frame when some run has published, at most 60 a second.
      auto speed = [&](double seconds, bool draw, std::vector<double>* frames, bool paced = false) {
        const int64_t s0 = steps_of_all(win);
        const auto a = Clock::now();
        win.runs().play_all();
        double el = 0;
        auto next_frame = Clock::now();
        while ((el = std::chrono::duration<double>(Clock::now() - a).count()) < seconds) {
          if (paced) {
            std::this_thread::sleep_until(next_frame);
            next_frame = next_watch_frame(next_frame, win);
            if (win.has_new_snapshot()) {
              const double ms = render_frame(win, panel, opt.width, opt.height, opt.theme == "light");
              if (frames) frames->push_back(ms);
            }
          } else if (draw) {
            const double ms = render_frame(win, panel, opt.width, opt.height, opt.theme == "light");
            if (frames) frames->push_back(ms);
          } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
        win.runs().pause_all();
        wait_all_idle(win, 0, 60.0);
        const int64_t s1 = steps_of_all(win);
        return double(s1 - s0) / std::chrono::duration<double>(Clock::now() - a).count();
      };
      std::vector<double> idle_frames;  // drawing cost alone: the run paused
      std::vector<double> idle_build;
      // CPU time of the whole process over the paused frames: every thread that
      // draws (the UI and llvmpipe's), and unlike the frame time, unaffected by
      // other programs taking the CPU away.
      const double cpu0 = process_cpu_ms();
      constexpr int kIdleFrames = 120;
      for (int i = 0; i < kIdleFrames; ++i) {
        idle_frames.push_back(render_frame(win, panel, opt.width, opt.height, opt.theme == "light"));
        idle_build.push_back(g_last_build_ms);
      }
      const double cpu_per_frame = (process_cpu_ms() - cpu0) / kIdleFrames;
      std::vector<double> frames;
      const double headless = speed(3.0, false, nullptr);
      const double windowed = speed(5.0, true, &frames);
      std::vector<double> paced_frames;
      const double paced = speed(5.0, true, &paced_frames, true);
      const double med = percentile(frames, 0.5), p95 = percentile(frames, 0.95);
      std::printf("frames: %zu at %dx%d on %s; %d vertices in %d draw calls; %d runs\n", frames.size(), opt.width,
                  opt.height, gl.renderer().c_str(), g_last_vertices, g_last_draw_calls, win.runs().size());
      if (lowered > 0)
        std::printf("software renderer: %d threads at nice +%d, below the training thread\n", lowered,
                    gui::kRendererNice);
      const double imed = percentile(idle_frames, 0.5), ip95 = percentile(idle_frames, 0.95);
      std::printf(
          "frame time, run paused: median %.2f ms (%.0f frames/s), p95 %.2f ms; building the UI %.2f ms, drawing it "
          "%.2f ms\n",
          imed, imed > 0 ? 1000.0 / imed : 0.0, ip95, percentile(idle_build, 0.5), imed - percentile(idle_build, 0.5));
      std::printf("CPU time per paused frame: %.2f ms, all threads\n", cpu_per_frame);
      std::printf("frame time: median %.2f ms (%.0f frames/s), p95 %.2f ms while training\n", med,
                  med > 0 ? 1000.0 / med : 0.0, p95);
      std::printf("training: %.0f steps/s while drawing, %.0f steps/s without (%.0f%%)\n", windowed, headless,
                  headless > 0 ? 100.0 * windowed / headless : 0.0);
      std::printf(
          "training as the window draws (a frame per new snapshot, paced as the window paces it): %.0f steps/s (%.0f%% "
          "of "
          "%.0f without drawing), %.0f frames/s\n",
          paced, headless > 0 ? 100.0 * paced / headless : 0.0, headless, double(paced_frames.size()) / 5.0);
      std::printf("history: %.1f MB for %lld steps\n", double(snap->history->memory_bytes()) / 1e6,
                  static_cast<long long>(win.session().snapshot()->steps_done));
    }
    if (status == 0 && diverged) status = 1;
    win.shutdown_gl();
  }
  plot::DestroyContext();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
  return status;
}
}  // namespace

}  // namespace moe

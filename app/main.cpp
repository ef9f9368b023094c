// main.cpp: the one `moescope` binary.
//   moescope                      the window on the default preset (headless summary where there is no display)
//   moescope run|trace|sweep|shot|bench|presets ...   headless subcommands (see --help of each)
// Bad input exits with status 2 and one clear message.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "commands.h"
#include "config_io.h"
#ifdef MOESCOPE_HAVE_GUI
#include "gui/gui_main.h"
#include "gui/lesson_player.h"
#endif

namespace {

constexpr const char* kDefaultPreset = "balanced";

std::string settings_help() {
  std::string s =
      "Settings (config JSON keys and --set names; short names k, E, c, gamma, alpha, beta, lr work too):\n";
  for (const moe::Property& p : moe::properties()) {
    s += "  " + std::string(p.name) + " = " + moe::format_value(p.default_value) + "  (" + p.describe_allowed() +
         (p.live() ? "; live" : "") + ")\n      " + p.help + "\n";
  }
  return s;
}

void add_source(CLI::App* cmd, moe::RunSource& src) {
  cmd->add_option("--preset", src.preset, "Preset name (`moescope presets` lists them)");
  cmd->add_option("--config", src.config_file, "Config JSON file (a preset file works too)");
  cmd->add_option("--set", src.sets, "key=value, or key=value@STEP to change a live setting at that step")->take_all();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "moescope: a laboratory for Mixture-of-Experts routing.\n"
      "With no subcommand it opens the window on the '" +
      std::string(kDefaultPreset) + "' preset."};
  app.require_subcommand(0, 1);
  app.footer(
      "Exit status: 0 ok, 1 the run diverged or an output could not be written, 2 bad input,\n"
      "130 (SIGINT, Ctrl+C) or 143 (SIGTERM): `run` or `sweep` was stopped and wrote what it had finished\n"
      "(the first signal stops at the next step; a second one exits at once, writing nothing).");

  moe::RunOptions run;
  auto* c_run = app.add_subcommand("run", "Train headless, stream per-step metrics, print a summary");
  add_source(c_run, run.source);
  c_run->add_option("--steps", run.steps, "Steps to train (default: the config's `steps`)")
      ->check(CLI::Range(int64_t(1), int64_t(1000000000)));
  c_run->add_option("--out", run.out,
                    "Per-step metrics: FILE.csv or FILE.json (streamed as trained; the file appears atomically at the "
                    "end or on Ctrl+C)");
  c_run->add_option("--log-every", run.log_every, "Write every Nth step")->check(CLI::Range(1, 1000000000));
  c_run->add_flag("--quiet", run.quiet, "No summary");
  c_run->add_option("--compare", run.compare,
                    "Another run: the first one with these overrides, key=value pairs joined by commas; key=value@STEP "
                    "changes it at that step (a fork), e.g. --compare alpha=0 --compare top_k=1,alpha=0@500 "
                    "(repeatable; the CSV gains run and seed columns). A preset with its own \"compare\" list "
                    "(lm-top1-vs-top2) trains those runs unless --compare is given");
  c_run->add_option("--seeds", run.seeds, "Repeat every run over seeds seed..seed+N-1 (the CSV's seed column)");
  c_run->footer(settings_help());

  moe::TraceOptions trace;
  auto* c_trace = app.add_subcommand("trace",
                                     "Write one training step in full (moescope-trace/1) for outside checking");
  add_source(c_trace, trace.source);
  c_trace->add_option("--out", trace.out, "Trace JSON file")->required();
  c_trace->add_option("--after", trace.after, "Train this many steps first, then trace the next")
      ->check(CLI::Range(int64_t(0), int64_t(100000000)));

  moe::SweepOptions sweep;
  auto* c_sweep = app.add_subcommand("sweep", "Run a grid of settings × seeds in parallel, one CSV row per run");
  add_source(c_sweep, sweep.source);
  c_sweep->add_option("--grid", sweep.grid, "key=v1,v2,... (repeatable), e.g. --grid k=1,2,4 --grid alpha=0,1e-3,1e-2");
  c_sweep->add_option("--seeds", sweep.seeds, "Seeds per grid point (seed, seed+1, ...)");
  c_sweep->add_option("--steps", sweep.steps, "Steps per run")->check(CLI::Range(int64_t(1), int64_t(1000000000)));
  c_sweep->add_option("--jobs", sweep.jobs, "Runs at once (0 = all cores)")->check(CLI::Range(0, 1024));
  c_sweep->add_option("--shard", sweep.shard, "i/n: only runs with index % n == i");
  c_sweep->add_option(
      "--max-memory", sweep.max_memory,
      "Memory for the parallel runs together, e.g. 3G (default: 80% of what is available); --jobs is lowered to fit");
  c_sweep->add_option("--out", sweep.out, "Result CSV")->required();
  c_sweep
      ->add_option("--merge", sweep.merge,
                   "Shard CSVs of one sweep (--shard 0/n .. n-1/n): check that they are one complete sweep and "
                   "write its CSV, as the unsharded sweep writes it, to --out (nothing is trained)")
      ->take_all();

  auto* c_presets = app.add_subcommand("presets", "List the presets, one line each");

  moe::LessonOptions lesson;
  auto* c_lesson = app.add_subcommand("lesson",
                                      "Lessons: list, check a lesson file, measure its claims, write handouts");
  c_lesson->add_option("name", lesson.name, "A lesson's name (`moescope lesson --list`) or a lesson .json file");
  c_lesson->add_flag("--list", lesson.list, "List the lessons, one line each");
  c_lesson->add_option("--check", lesson.check, "Check lesson files and report every problem (no window)")->take_all();
  c_lesson->add_flag("--claims", lesson.claims, "Measure every claim of the lesson over --seeds seeds");
  c_lesson->add_option("--seeds", lesson.seeds, "Seeds for --claims (1, 2, ...)")->check(CLI::Range(1, 64));
  c_lesson->add_option("--out", lesson.out, "Write handouts: one PNG per step (light theme) and index.md, into DIR");

  int bench_steps = 200;
  bool bench_no_torch = false;
  std::string bench_json;
  auto* c_bench = app.add_subcommand("bench", "Speed of a training step against PyTorch and Eigen's GEMM rate");
  c_bench->add_option("--steps", bench_steps, "Timed steps")->check(CLI::Range(10, 100000));
  c_bench->add_flag("--no-torch", bench_no_torch, "Skip the PyTorch peer");
  c_bench->add_option("--json", bench_json, "Also write the figures to this JSON file");

#ifdef MOESCOPE_HAVE_GUI
  moe::ShotOptions shot;
  auto* c_shot = app.add_subcommand("shot", "Train, render the window or one panel offscreen, write a PNG");
  add_source(c_shot, shot.source);
  moe::add_shot_options(c_shot, shot);
  moe::GuiOptions gui;
  add_source(&app, gui.source);
  moe::add_window_options(&app, gui);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "moescope: %s\n", e.what());
    return 2;
  }

  if (*c_run) return moe::cmd_run(run);
  if (*c_trace) return moe::cmd_trace(trace);
  if (*c_sweep) return moe::cmd_sweep(sweep);
  if (*c_presets) return moe::cmd_presets();
#ifdef MOESCOPE_HAVE_GUI
  if (*c_lesson) return moe::cmd_lesson(lesson, &moe::gui::write_lesson_handouts);
#else
  if (*c_lesson) return moe::cmd_lesson(lesson, nullptr);
#endif
#ifdef MOESCOPE_HAVE_GUI
  if (*c_bench) return moe::cmd_bench(bench_steps, !bench_no_torch, bench_json, &moe::measure_window_speed);
#else
  if (*c_bench) return moe::cmd_bench(bench_steps, !bench_no_torch, bench_json);
#endif
#ifdef MOESCOPE_HAVE_GUI
  if (*c_shot) return moe::cmd_shot(shot);
  if (moe::display_available()) return moe::gui_main(gui);  // no --preset/--config: the last session's config
  if (gui.source.preset.empty() && gui.source.config_file.empty()) gui.source.preset = kDefaultPreset;
  std::fprintf(stderr, "moescope: no display found (DISPLAY and WAYLAND_DISPLAY are unset); running headless.\n");
  run.source = gui.source;
#else
  std::fprintf(stderr, "moescope: built without the window (MOESCOPE_GUI=OFF); running headless.\n");
  run.source.preset = kDefaultPreset;
#endif
  return moe::cmd_run(run);
}

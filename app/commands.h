// commands.h: the headless subcommands of `moescope`, one file each (cmd_*.cpp).
// Each returns the process exit status: 0 ok, 1 the run diverged or failed, 2 bad input,
// 128 + signal (130 SIGINT, 143 SIGTERM) when run or sweep was interrupted (interrupt.h).
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "results_io.h"
#include "run_source.h"
#include "trainer.h"

namespace moe {

struct RunOptions {
  RunSource source;
  int64_t steps = -1;                // -1: the config's `steps`
  std::string out;                   // .csv or .json, "" = none
  int log_every = 1;                 // write every Nth step
  bool quiet = false;                // no summary
  std::vector<std::string> compare;  // --compare SETTINGS: one more run each (run_compare.h)
  int seeds = 1;                     // --seeds N: every run over seeds seed..seed+N-1
};
int cmd_run(const RunOptions& opt);
int cmd_run_compare(const RunOptions& opt);  // cmd_run with --compare or --seeds > 1

struct TraceOptions {
  RunSource source;
  std::string out;
  int64_t after = 0;  // train this many steps first, then trace the next one
};
int cmd_trace(const TraceOptions& opt);

struct SweepOptions {
  RunSource source;
  std::vector<std::string> grid;  // key=v1,v2,...
  int seeds = 1;
  int64_t steps = -1;
  int jobs = 0;            // 0 = all cores
  std::string shard;       // "i/n"
  std::string max_memory;  // "3G": budget for the parallel runs together ("" = 80% of available)
  std::string out;
  std::vector<std::string> merge;  // --merge: shard CSVs of one sweep, checked and written to `out` as one CSV
};
int cmd_sweep(const SweepOptions& opt);

int cmd_presets();

// The window's training speed with default settings against headless training, on one
// preset, measured in one run by the GUI library (app/gui/shot.cpp); bench prints it.
struct WindowSpeed {
  double headless_steps_per_s = 0;          // a Trainer alone, threads = 0 as configured
  double window_steps_per_s = 0;            // the window's Session while it draws frames as the window does
  double frames_per_s = 0;                  // frames drawn meanwhile
  double frame_ms = 0;                      // median frame time
  double window_all_cores_steps_per_s = 0;  // the same with threads = every core (0: not measured, the default is that)
  int headless_threads = 0, window_threads = 0;  // what threads = 0 became in each
  // Several runs side by side (seeds seed..seed+runs-1 of the preset, a RunSet in the window):
  int runs = 0;                          // 0: not measured
  uint64_t seed = 0;                     // the first run's seed
  double runs_headless_steps_per_s = 0;  // the same runs headless, one after another, summed steps/s
  double runs_window_steps_per_s = 0;    // all of them training at once while the window draws
  double runs_undrawn_steps_per_s = 0;   // all of them at once in the window, with no frame drawn
  double runs_frames_per_s = 0, runs_frame_ms = 0;
  std::string renderer;  // GL_RENDERER
  std::string error;     // non-empty: not measured, and why
};
using WindowSpeedProbe = WindowSpeed (*)(const std::string& preset, double seconds);

// window_probe: nullptr when the binary has no window (MOESCOPE_GUI=OFF).
int cmd_bench(int steps, bool with_torch, const std::string& json_out, WindowSpeedProbe window_probe = nullptr);

// `moescope lesson` (cmd_lesson.cpp): list, check, measure claims, write handouts.
namespace lesson {
struct Lesson;
}
struct LessonOptions {
  std::string name;                // a lesson's name or a .json path
  bool list = false;               // --list
  std::vector<std::string> check;  // --check FILE...
  bool claims = false;             // --claims: measure every claim over `seeds` seeds
  int seeds = 5;
  std::string out;  // --out DIR: handouts
  int width = 1600, height = 1000;
};
// Writes a lesson's handouts (one PNG per step and index.md) into dir; the exit status. The
// window library provides it (app/gui/lesson_handout.cpp); nullptr when built without it.
using LessonHandoutWriter = int (*)(const lesson::Lesson& l, const std::string& dir, int width, int height);
int cmd_lesson(const LessonOptions& opt, LessonHandoutWriter handouts);

// A readable multi-line summary of a finished run.
std::string run_summary(const Trainer& tr, double seconds);

}  // namespace moe

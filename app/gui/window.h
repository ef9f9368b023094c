// window.h: the whole moescope window as one object, independent of the platform.
//
// MainWindow owns the RunSet (every run side by side, each live one a Session with
// its training thread), the UI state and the GPU heatmaps, and draws one ImGui frame:
// menu bar, controls (controls.cpp, for the selected run), the status strip with the
// divergence banner, the run list (run_list.cpp), and every panel, tiled. gui_main.cpp
// drives it from GLFW; shot.cpp drives it offscreen through EGL. Platform
// requests (screenshot, quit, open file) are left as flags for the driver.
#pragma once

#include <imgui.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config_io.h"
#include "export_state.h"
#include "panels/panels.h"
#include "run_set.h"
#include "run_source.h"
#include "session.h"
#include "sweep_grid.h"
#include "ui_state.h"

namespace moe::lesson {
struct Lesson;
}

namespace moe::gui {

class LessonPlayer;  // lesson_player.h

// The colour to clear the framebuffer to: the theme's window background (tiled windows draw none).
ImVec4 clear_colour(bool light);
// Dark or light ("report") theme for ImGui and the plots, at a UI scale.
void apply_theme(bool light, float scale);
// DejaVu Sans from Debian's fonts (Latin, Greek, arrows, maths) at 15 px × scale;
// ImGui's own font if it is missing. Returns the font file used ("" = ImGui's).
std::string load_fonts(float scale);
// The same face at twice the size (load_fonts adds it), for text drawn large: lessons on a
// projector. ImGui's current font when there is none.
ImFont* display_font();

// A slider's value being typed in (Ctrl+click on the slider): which setting, and the text.
struct TypedValue {
  std::string key;  // the setting's name, "" when no field is open
  char text[64] = {};
  bool focus = false;  // give the field the keyboard on its first frame
  bool was_active = false;
};

// Whether a file is a moescope workspace (its "format"), so a drop opens it as one.
bool is_workspace_file(const std::string& path);

// "a.csv; b.csv" (the Open results field) into paths, blanks trimmed.
std::vector<std::string> split_paths(const std::string& text);

// The rows of Help > Keyboard shortcuts: key, what it does.
const std::vector<std::pair<const char*, const char*>>& keyboard_shortcuts();

// `moescope run` arguments that reproduce a run: its config at step 0 as a preset plus
// --set for every setting that differs from it, the changes as --set key=value@STEP
// (exact values), and --steps. `origin` is the preset's config ("" preset: the defaults).
// What a run was opened from, for titles: its preset's name, "default settings" when it is
// moescope's defaults (the window opened without arguments), else "custom config".
std::string origin_name(const RunSnapshot& s);
std::string run_command(const std::string& preset, const Config& origin, const Config& run_config,
                        const std::vector<ScheduledChange>& changes, int64_t steps);

// The window's runs as `moescope shot` / `run` options (window_runs_options.cpp), for a figure's
// provenance and a saved config: the first run as its preset and --set (a file or custom config
// as its differences from the defaults), each other live run as a --compare against it
// ("k=v[,k=v]" from step 0, "k=v@STEP" for a fork at STEP or a change made at STEP), equal seed
// groups as --seeds, a results run read from a file as --results. `notes` says, in plain ASCII,
// what these options cannot: pinned runs, hidden runs, edited labels, runs at other steps, a
// change of the first run another run lacks, seed groups of different sizes...
struct RunsAsOptions {
  RunSource source;                  // the first run: preset and --set
  int64_t steps = 0;                 // the first run's step
  std::vector<std::string> compare;  // one per other live run (a seed group once), in list order
  int seeds = 1;                     // --seeds: every live run's group size, when they agree
  std::vector<std::string> results;  // results runs opened from a file, in list order
  std::vector<std::string> notes;    // what the options above do not reproduce
};

// Where the last frame put one panel (screen pixels), for tests and the layout's own checks.
struct PanelPlacement {
  int index = -1;        // in kPanels
  ImVec2 min, max;       // its rectangle, title bar included
  bool visible = false;  // wholly inside the panel area as scrolled (not cut off by the screen's bottom)
};

// The panels a layout tiles, in display order (indices in kPanels): "all" keeps those
// ticked in the View menu whose PanelInfo::applies(cfg) holds; "four" the kFourPanels;
// "one" ui.single_panel (shown even if it does not apply: it says why).
std::vector<int> panels_in_layout(const UiState& ui, const Config& cfg);
// "all", "four" or "one:NAME" (shot --layout) into ui.layout / ui.single_panel; "" or what is wrong.
std::string parse_layout(const std::string& text, UiState& ui);

// The pause between frames while runs train and nobody touches the window (input draws at
// once, up to 60 frames/s): 1/60 s while one run trains. With several training, each frame's
// drawing takes its CPU time from them (about 18 ms of CPU per 1600x1000 frame on llvmpipe),
// so the window watches them at kWatchFramesPerS: side by side they keep about 90% of their
// headless speed (`moescope bench`, "4 runs in the window").
inline constexpr double kWatchFramesPerS = 10;
inline double watch_frame_interval(int training_runs) {
  return training_runs > 1 ? 1.0 / kWatchFramesPerS : 1.0 / 60.0;
}

class MainWindow {
 public:
  MainWindow(const Config& cfg, const std::string& preset, const std::vector<ScheduledChange>& scheduled = {});
  ~MainWindow();
  MainWindow(const MainWindow&) = delete;
  MainWindow& operator=(const MainWindow&) = delete;

  bool init_gl(std::string* error);  // GPU heatmaps; without it heatmaps are drawn on the CPU
  void shutdown_gl();                // before the GL context goes

  // One frame of the whole window (between ImGui::NewFrame and ImGui::Render).
  void draw();
  // One panel filling the display, with its title (shots of a single panel).
  void draw_single_panel(const PanelInfo& panel);
  // A figure (window_figure.cpp): `panel`, or every panel of the layout in a grid (nullptr),
  // without chrome, titled and keyed for print, heatmaps on the CPU, at UI scale `scale`.
  void draw_figure(const PanelInfo* panel, float scale);
  std::string figure_title(const PanelInfo* panel) const;  // "Per-expert load — collapse, step 1500"
  // figure_export.cpp: the `moescope shot` command a window export records, and exports
  // asked for in a dialog, run by the driver between frames (they draw frames of their own).
  std::string figure_command(const PanelInfo* panel, const std::string& out, const std::string& size, float font_pt,
                             bool figure) const;
  void run_pending_exports();
  // What the export dialogs ask for, without them (tests, scripts): 1 a figure of `panel`
  // (index in kPanels), 2 its data (CSV), 3 every panel of the layout into folder `path`;
  // format 0 SVG, 1 PDF, 2 PNG. Runs at the next run_pending_exports().
  void request_export(int what, const std::string& path, int format = 0, int panel = -1);
  void open_export_all();  // File > Export all panels

  Session& session() { return *session_; }  // the selected run's (the first run's while a pinned one is selected)
  RunSet& runs() { return *runs_; }         // every run; call runs_changed() after adding or removing one
  void runs_changed();                      // re-reads the runs (the selected one, the stop-at of new ones)
  void select_run(int id);                  // the run the controls and per-expert panels show
  // What the run list's "Duplicate with change..." / "Fork here..." popups do with the text typed
  // ("alpha=0.01, top_k=2"): a new run from the selected one, from step 0 or (fork) from its
  // exact state now, recorded as its fork (parent, fork step). "" or what is wrong.
  std::string add_run_with_change(bool fork, const std::string& spec);
  const Comparison& comparison() const { return compare_; }  // the lines the last frame's time plots overlaid
  UiState& ui() { return ui_; }
  const RunSnapshot& snapshot() const { return *snap_; }  // the selected run's, as the last frame drew it
  bool has_new_snapshot() const;                          // some run's training thread published since
  int training_runs() const;                              // live runs whose training thread is running now
  std::string title() const;  // "moescope — collapse (modified: α, k) — step 1200 — running"
  // The settings (short names, table order) in which the run's config differs from
  // the preset or file it was opened from; empty when it is that preset exactly.
  std::vector<std::string> modified_settings() const;
  std::string origin_label() const;  // "collapse", "collapse (modified: α, k)", "default settings", "custom config"
  // The command line that reproduces what the window ran (File > Copy as command).
  std::string command() const;
  RunsAsOptions runs_as_options() const;        // every run as shot's options (window_runs_options.cpp)
  void copy_command();                          // to the clipboard, and shown
  std::string revert_to_preset();               // the preset (or file) shown, exactly, from step 0
  int64_t stop_at() const { return stop_at_; }  // the "stop at" field (0 = never)
  void set_stop_at(int64_t steps);
  // Where the last frame drew a setting's widget (min x, min y, max x, max y); false if not drawn.
  bool setting_rect(const std::string& name, ImVec4* rect) const;
  const std::string& field_error() const { return field_error_; }  // the red note under the last refused widget
  const std::vector<PanelPlacement>& panel_placements() const { return placements_; }  // the last frame's tiles
  float controls_width() const { return controls_w_; }  // the last frame's controls column (or strip) width

  // Opens a config or preset JSON (drop, Ctrl+O, last session). "" or what is wrong (also shown in the status).
  std::string open_config_file(const std::string& path);
  std::string open_preset(const std::string& name);
  std::string save_config_file(const std::string& path);
  void set_status(const std::string& text, bool error = false);
  // The sweep view (window_sweep.cpp): shown in the layout from now on, its state made if none.
  SweepView& show_sweep();
  // Results files (window_sweep.cpp): sweep CSVs (shards of one sweep together) open in the
  // sweep view; a run's CSV or JSON becomes a read-only run (RunSet::add_results). "" or
  // what is wrong (also in the status line).
  std::string open_results(const std::vector<std::string>& paths);
  // window_workspace.cpp: every run, the layout and the sweep's definition in one JSON file
  // (app/workspace.h), and back: the runs replace the window's, live ones training again to
  // their saved step. "" or what is wrong (also in the status line; nothing changes then).
  std::string save_workspace_file(const std::string& path);
  std::string open_workspace_file(const std::string& path);
  nlohmann::json workspace_layout() const;  // the workspace's "layout": the UI state but its scale
  nlohmann::json workspace_sweep() const;   // the workspace's "sweep": the definition, or null
  // Files dropped on the window together: results as open_results, a workspace as
  // open_workspace_file, config JSONs as open_config_file.
  void open_dropped(const std::vector<std::string>& paths);
  // A sweep cell's runs (its seeds, SweepRunner::cell_runs) as live runs of the RunSet, a seed
  // group when there are several, each trained to `steps` (0: left paused at step 0). "" or
  // why not (the run list full: nothing opens).
  std::string open_sweep_cell(const std::vector<SweepRun>& runs, const std::string& label, int64_t steps);
  const std::string& status() const { return status_; }  // the status line's message (errors stay until replaced)
  bool status_is_error() const { return status_error_; }

  // Lessons (issue 13): assets/lessons/ in order, the one being played (nullptr: the laboratory).
  const std::vector<lesson::Lesson>& lessons() const { return lessons_; }
  std::string open_lesson(const std::string& name);  // one of lessons(), at its first step; "" or what is wrong
  void open_lesson(const lesson::Lesson& lesson);    // any lesson (a file, a test's), at its first step
  // Back to the full laboratory; the runs the lesson made (LessonPlayer::own_runs) kept or removed.
  void leave_lesson(bool keep_runs = true);
  LessonPlayer* lesson_player() { return lesson_.get(); }
  PanelGpu* panel_gpu() { return gpu_ok_ ? gpu_.get() : nullptr; }  // the GPU heatmaps, nullptr: draw on the CPU

  // Requests the driver acts on after the frame.
  bool screenshot_requested = false;  // F12 / File > Screenshot
  bool quit_requested = false;
  bool interactive = true;  // false in shots: no keyboard shortcuts, no popups

 private:
  void take_snapshot();
  // One more live run per "compare" entry (`run --compare` text) on cfg with the first run's
  // schedule, from step 0 (a preset's or a config file's list). "" or what is wrong (`where`: its source).
  std::string add_listed_runs(const std::vector<std::string>& compare, const Config& cfg,
                              const std::vector<ScheduledChange>& schedule, const std::string& name,
                              const std::string& where);
  // "" or what could not be restored (a sweep's file gone).
  std::string apply_workspace_layout(const nlohmann::json& layout, const nlohmann::json& sweep);
  void refresh_runs();  // the runs' views, the selected run's session and snapshot
  void handle_shortcuts();
  void draw_menu_bar();
  void draw_status_strip(float width);
  void draw_file_popup();
  void draw_help_popup();
  void draw_command_popup();
  void draw_panels(ImVec2 origin, ImVec2 size);
  void draw_controls_window(ImVec2 origin, ImVec2 size);
  void draw_controls_strip(ImVec2 origin, ImVec2 size);  // the collapsed controls: expand, play/pause
  void draw_layout_menu();                               // View: layouts, the one-panel picker, panel ticks
  // run_list.cpp: the strip of runs above the plots and its popups.
  void draw_run_list(ImVec2 origin, float width);
  void draw_run_popups();
  float run_list_height() const;  // last frame's (one row before the first)
  // controls.cpp: the left column, top to bottom.
  void draw_controls();
  void draw_transport();                 // play/pause, step, reset, new seed, training speed
  void draw_preset_picker();             // the preset combo and the preset's title
  void draw_view_options();              // the MoE layer shown, plot smoothing
  void draw_settings();                  // every row of the property table, by group, advanced ones folded
  void draw_setting(const Property& p);  // one row: name (↻ if structural) and its widget
  void sync_edit_config();
  void apply_edit(bool structural_ok);

  std::unique_ptr<RunSet> runs_;
  Session* session_ = nullptr;  // the selected live run's, else the first run's (owned by runs_)
  std::shared_ptr<const RunSnapshot> snap_;
  std::vector<RunView> views_;  // every run, as this frame draws them
  Comparison compare_;          // the visible runs as the time plots overlay them
  // run list
  float run_list_h_ = 0;
  int change_mode_ = 0;  // 1 duplicate, 2 fork
  bool open_change_ = false, open_seeds_ = false, open_rename_ = false;
  char change_text_[256] = {};
  std::string change_error_;
  int seeds_n_ = 4, rename_id_ = -1;
  UiState ui_;
  std::unique_ptr<PanelGpu> gpu_;
  bool gpu_ok_ = false;
  Config edit_;                 // what the controls show and edit
  uint64_t edit_commands_ = 0;  // session commands sent when edit_ was last changed by the user
  std::string preset_;
  std::vector<Preset> presets_;
  std::map<std::string, Config> origins_;  // config of each preset, and of each file opened, by the name a run carries
  TypedValue typing_;
  std::string field_error_key_, field_error_;  // a refused value: which setting, and why
  std::map<std::string, ImVec4> setting_rects_;
  int64_t stop_at_ = 0;          // the "stop at" field; follows the config's steps when a new config loads
  int64_t stop_sent_ = -1;       // what the session was last told
  int64_t stop_for_steps_ = -1;  // the config `steps` the field last followed
  std::string command_;          // the last copied command, shown in its popup
  bool open_command_ = false;
  std::string status_;
  bool status_error_ = false;
  double status_time_ = -1;
  // file dialog
  int file_mode_ = 0;  // 0 none, 1 open, 2 save
  std::string file_path_;
  bool open_help_ = false, open_file_ = false;
  int theme_applied_ = -1;  // light_theme the styles were last set for
  float scale_applied_ = 0;
  std::vector<PanelPlacement> placements_;  // where draw_panels put each panel last frame
  std::vector<lesson::Lesson> lessons_;
  std::unique_ptr<LessonPlayer> lesson_;
  float controls_w_ = 0;
  void draw_figure_cell(const PanelInfo& panel, ImVec2 size, bool titled);  // window_figure.cpp
  void draw_export_popups();                                                // figure_export.cpp: the dialogs
  void figure_context_menu(int panel_index);                                // figure_export.cpp: right-click in a panel
  ExportState export_;
};

}  // namespace moe::gui

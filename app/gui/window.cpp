// window.cpp: the whole window (see window.h).
//
// [SECTION] Theme and fonts
// [SECTION] MainWindow: construction, snapshot, config files
// [SECTION] Frame: shortcuts, menu bar, status strip
// [SECTION] Layout: panels_in_layout, the tiled panels, the controls column or its strip, View > Layout
// [SECTION] Popups: open/save a config, help
#include "window.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "heatmap_gl.h"
#include "lesson_player.h"
#include "palette.h"
#include "plot.h"
#include "run_list.h"
#include "run_source.h"

namespace moe::gui {

namespace fs = std::filesystem;

namespace {

// Key codes as the GLFW backend fills io.KeysDown (letters are their ASCII capitals).
constexpr int kKeyF12 = 301, kKeyF2 = 291;
constexpr int kKeyR = 'R', kKeyS = 'S', kKeyO = 'O', kKeyC = 'C';

constexpr float kControlsWidth = 340.0f;  // left column, × UI scale (at most 30% of the window)
constexpr float kPanelMinW = 330.0f;      // a tile's readable minimum, × UI scale: two columns beside the
constexpr float kPanelMinH = 250.0f;      // controls at 1024×768, three rows of two at 1280×720 with them folded
constexpr float kStatusHeight = 30.0f;    // strip above the panels, × UI scale

ImVec4 rgba(float r, float g, float b, float a = 1.0f) { return ImVec4(r, g, b, a); }

// A word for a POSIX shell: as is when it is plain, else in single quotes.
std::string shell_word(const std::string& w) {
  const bool plain = !w.empty() &&
                     w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+=@,/:") ==
                         std::string::npos;
  if (plain) return w;
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The tiled windows cover the whole framebuffer, which the driver clears to WindowBg
// (clear_colour): skipping their own backgrounds saves a full-screen fill per frame,
// a third of the frame time under software GL (llvmpipe).
constexpr ImGuiWindowFlags kTiledBackground = ImGuiWindowFlags_NoBackground;

}  // namespace

// [SECTION] Theme and fonts

ImVec4 clear_colour(bool light) { return light ? ImVec4(1.0f, 1.0f, 1.0f, 1) : ImVec4(0.09f, 0.095f, 0.11f, 1); }

void apply_theme(bool light, float scale) {
  ImGuiStyle style;
  if (light) {
    ImGui::StyleColorsLight(&style);
    style.Colors[ImGuiCol_WindowBg] = clear_colour(true);
    style.Colors[ImGuiCol_ChildBg] = rgba(1.0f, 1.0f, 1.0f, 0.0f);
    style.Colors[ImGuiCol_TitleBgActive] = rgba(0.84f, 0.86f, 0.90f);
    style.Colors[ImGuiCol_TitleBg] = rgba(0.90f, 0.91f, 0.93f);
    style.Colors[ImGuiCol_Text] = rgba(0.08f, 0.08f, 0.10f);
    // ImGui's light frames are white: on a near-white window, sliders and radio buttons vanish.
    style.Colors[ImGuiCol_FrameBg] = rgba(0.87f, 0.88f, 0.90f);
    style.Colors[ImGuiCol_FrameBgHovered] = rgba(0.80f, 0.84f, 0.92f);
    style.Colors[ImGuiCol_FrameBgActive] = rgba(0.72f, 0.79f, 0.92f);
  } else {
    ImGui::StyleColorsDark(&style);
    style.Colors[ImGuiCol_WindowBg] = clear_colour(false);
    style.Colors[ImGuiCol_ChildBg] = rgba(0.0f, 0.0f, 0.0f, 0.0f);
    style.Colors[ImGuiCol_TitleBgActive] = rgba(0.16f, 0.20f, 0.28f);
    style.Colors[ImGuiCol_TitleBg] = rgba(0.12f, 0.14f, 0.18f);
  }
  style.WindowRounding = 0.0f;
  // Square frames, as in ImGui's own default: each rounded frame is a fan of
  // anti-aliased triangles, and dropping them took about 1 ms off a frame under
  // llvmpipe while training (59-60 -> 62-66 frames/s on the 64-expert config).
  style.FrameRounding = 0.0f;
  style.GrabRounding = 0.0f;
  style.WindowBorderSize = 1.0f;
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 5);
  style.WindowPadding = ImVec2(8, 6);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
  if (light)
    plot::StyleColorsLight();
  else
    plot::StyleColorsDark();
  // The plot areas show the cleared framebuffer, whose colour is within a few
  // levels of the plot layer's own background (the same white in the light
  // theme): filling them anyway cost llvmpipe about a tenth of a frame.
  plot::GetStyle().plot_bg = 0;
  plot::GetStyle().line_weight = 1.5f;
  plot::GetStyle().weight_scale = std::max(1.0f, scale);  // explicit weights too: lines grow with the UI (issue 12)
  plot::GetStyle().padding = ImVec2(8 * scale, 6 * scale);
  plot::GetStyle().marker_spacing = 56.0f * std::max(1.0f, scale);
}

std::string load_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // Thin lines as geometry, not texture lookups: the atlas is sampled nearest (set_texture_nearest).
  io.Fonts->Flags |= ImFontAtlasFlags_NoBakedLines;
  // Latin-1, Greek (α β γ), general punctuation (— …), arrows (→), maths (− ≤ ≥ ≈ ×), block (▶ ■).
  // Ceilings ⌈ ⌉ (C = ⌈c·k·T/E⌉ in the lessons).
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2010, 0x2044, 0x2190, 0x21FF,
                                   0x2200, 0x22FF, 0x2308, 0x230B, 0x25A0, 0x25FF, 0};
  const char* candidates[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
                              "/usr/share/fonts/dejavu/DejaVuSans.ttf"};
  const float px = std::round(15.0f * scale);
  for (const char* path : candidates) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    ImFontConfig fc;
    fc.OversampleH = 2;
    if (!io.Fonts->AddFontFromFileTTF(path, px, &fc, ranges)) continue;
    io.Fonts->AddFontFromFileTTF(path, 2 * px, &fc, ranges);  // display_font(): lessons at projector size
    return path;
  }
  ImFontConfig fc;
  fc.SizePixels = std::round(13.0f * scale);
  io.Fonts->AddFontDefault(&fc);
  return "";
}

ImFont* display_font() {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  return atlas->Fonts.Size > 1 ? atlas->Fonts[1] : ImGui::GetFont();
}

// [SECTION] MainWindow

MainWindow::MainWindow(const Config& cfg, const std::string& preset, const std::vector<ScheduledChange>& scheduled)
    : runs_(std::make_unique<RunSet>(cfg, preset)), edit_(cfg), preset_(preset) {
  session_ = runs_->session(runs_->first());
  std::vector<std::string> warnings;  // a bad file in the presets folder is skipped and named here
  presets_ = list_presets(&warnings);
  lessons_ = lesson::list_lessons(&warnings);
  if (!warnings.empty())
    set_status(
        warnings.front() + (warnings.size() > 1 ? " (and " + std::to_string(warnings.size() - 1) + " more)" : ""),
        true);
  for (const Preset& p : presets_) {
    Config c = default_config();
    if (apply_json(p.settings, "preset '" + p.name + "'", c).empty()) origins_[p.name] = c;
  }
  if (!scheduled.empty()) {
    if (std::string err = session_->schedule(scheduled); !err.empty()) set_status(err, true);
  }
  snap_ = session_->snapshot();
  views_ = runs_->views();
}

MainWindow::~MainWindow() {
  lesson_.reset();  // before the runs it names
  session_ = nullptr;
  runs_.reset();  // joins the training threads before the UI state goes
}

bool MainWindow::init_gl(std::string* error) {
  gpu_ = std::make_unique<PanelGpu>();
  std::string err;
  gpu_ok_ = gpu_->init(panel_gpu_needs(), &err);
  if (!gpu_ok_) {
    gpu_.reset();
    if (error) *error = err;
  }
  return gpu_ok_;
}

void MainWindow::shutdown_gl() {
  if (gpu_) gpu_->shutdown();
  gpu_.reset();
  gpu_ok_ = false;
}

void MainWindow::runs_changed() {
  refresh_runs();
  stop_sent_ = -1;  // a new run stops where the others do
}

void MainWindow::refresh_runs() {
  const size_t before = views_.size();
  views_ = runs_->views();
  if (views_.size() != before) stop_sent_ = -1;
  const int sel = runs_->selected();
  Session* s = runs_->session(sel);
  session_ = s ? s : runs_->session(runs_->first());
  const auto sn = runs_->snapshot(sel);
  snap_ = sn ? sn : session_->snapshot();
}

void MainWindow::select_run(int id) {
  if (runs_->info(id).id < 0) return;
  runs_->select(id);
  runs_changed();
  edit_ = snap_->cfg;
  if (!snap_->preset.empty()) preset_ = snap_->preset;
}

bool MainWindow::has_new_snapshot() const {
  const std::vector<RunView> now = runs_->views();
  if (now.size() != views_.size()) return true;
  for (size_t i = 0; i < now.size(); ++i)
    if (now[i].snap != views_[i].snap) return true;
  return false;
}

int MainWindow::training_runs() const {
  int n = 0;
  for (const RunView& v : runs_->views()) n += v.info.kind == RunKind::Live && v.snap && v.snap->running;
  return n;
}

void MainWindow::take_snapshot() {
  refresh_runs();
  compare_ = build_comparison(views_, runs_->selected(), runs_->first(), ui_);
  sync_edit_config();
}

// The controls edit `edit_`; it follows the run's config whenever every command
// we sent has been taken up and no widget is being dragged.
void MainWindow::sync_edit_config() {
  if (ImGui::GetCurrentContext() && ImGui::IsAnyItemActive()) return;
  if (snap_->commands_done < session_->commands_queued()) return;
  if (!changed_settings(edit_, snap_->cfg).empty()) edit_ = snap_->cfg;
  if (!snap_->preset.empty()) preset_ = snap_->preset;
}

void MainWindow::apply_edit(bool structural_ok) {
  if (!structural_ok && structural_change(snap_->cfg, edit_)) return;  // wait for the widget's release
  if (changed_settings(snap_->cfg, edit_).empty()) return;
  if (!runs_->session(runs_->selected())) {  // a pinned or opened run does not train
    set_status("the selected run is a reference and does not train: select a live run to change its settings", true);
    edit_ = snap_->cfg;
    return;
  }
  if (std::string err = session_->apply(edit_); !err.empty()) {
    set_status(err, true);
    edit_ = snap_->cfg;  // nothing changes
  }
}

std::vector<std::string> MainWindow::modified_settings() const {
  std::vector<std::string> out;
  const auto it = origins_.find(snap_->preset);
  if (it == origins_.end()) return out;
  for (const std::string& key : changed_settings(it->second, snap_->cfg))
    if (key != "threads") out.push_back(short_name(key));  // threads never changes the numbers
  return out;
}

std::string origin_name(const RunSnapshot& s) {
  if (!s.preset.empty()) return s.preset;
  for (const std::string& key : changed_settings(default_config(), s.cfg))
    if (key != "threads") return "custom config";  // threads never changes the numbers
  return "default settings";
}

std::string MainWindow::origin_label() const {
  if (snap_->preset.empty()) return origin_name(*snap_);
  const std::vector<std::string> changed = modified_settings();
  if (changed.empty()) return snap_->preset;
  std::string t = snap_->preset + " (modified: ";
  for (size_t i = 0; i < changed.size(); ++i) t += (i ? ", " : "") + changed[i];
  return t + ")";
}

std::string run_command(const std::string& preset, const Config& origin, const Config& run_config,
                        const std::vector<ScheduledChange>& changes, int64_t steps) {
  std::string cmd = "moescope run";
  if (!preset.empty()) cmd += " --preset " + shell_word(preset);
  for (const std::string& key : changed_settings(origin, run_config))
    cmd += " --set " + shell_word(key + "=" + format_value_exact(find_property(key)->get(run_config)));
  for (const ScheduledChange& c : changes)
    if (c.step > 0) cmd += " --set " + shell_word(c.key + "=" + c.value + "@" + std::to_string(c.step));
  if (steps > 0 && steps != run_config.steps) cmd += " --steps " + std::to_string(steps);
  return cmd;
}

std::string MainWindow::command() const {
  const RunSnapshot& s = *snap_;
  // A preset by name; a file or custom config as its differences from the defaults.
  const bool is_preset = std::any_of(presets_.begin(), presets_.end(),
                                     [&](const Preset& p) { return p.name == s.preset; });
  const Config origin = is_preset ? origins_.at(s.preset) : default_config();
  return run_command(is_preset ? s.preset : "", origin, s.run_config, s.changes, s.steps_done);
}

void MainWindow::copy_command() {
  command_ = command();
  ImGui::SetClipboardText(command_.c_str());
  set_status("copied to the clipboard: " + command_);
  if (interactive) open_command_ = true;
}

std::string MainWindow::revert_to_preset() {
  const auto it = origins_.find(snap_->preset);
  if (it == origins_.end()) {
    set_status("no preset or file to revert to (a custom config)", true);
    return status_;
  }
  const std::string name = it->first;
  const Config cfg = it->second;
  if (std::string err = session_->restart(cfg, name); !err.empty()) {
    set_status(err, true);
    return err;
  }
  edit_ = cfg;
  preset_ = name;
  set_status("reverted to " + name + ", from step 0");
  return "";
}

void MainWindow::set_stop_at(int64_t steps) { stop_at_ = std::max<int64_t>(0, steps); }

bool MainWindow::setting_rect(const std::string& name, ImVec4* rect) const {
  const auto it = setting_rects_.find(name);
  if (it == setting_rects_.end()) return false;
  *rect = it->second;
  return true;
}

std::string MainWindow::title() const {
  const RunSnapshot& s = *snap_;
  std::string t = "moescope \u2014 ";
  t += origin_label();
  t += " \u2014 step " + std::to_string(s.steps_done);
  t += s.diverged ? " \u2014 diverged" : s.running ? " \u2014 running" : " \u2014 paused";
  return t;
}

void MainWindow::set_status(const std::string& text, bool error) {
  status_ = text;
  status_error_ = error;
  status_time_ = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0.0;
}

std::string MainWindow::open_config_file(const std::string& path) {
  // As `moescope run --config` reads it: settings, then a saved session's schedule of changes.
  // A bad file (malformed, 1e400, too deep, a FIFO or a folder) only sets the status line:
  // the live run and its settings stay as they were.
  Config cfg;
  std::vector<ScheduledChange> schedule;
  RunSource src;
  src.config_file = path;
  std::vector<std::string> warnings;  // duplicate keys: named in the status line
  std::string err = resolve_config(src, cfg, &schedule, &warnings);
  if (!err.empty()) {
    set_status(err, true);
    return err;
  }
  // A preset file keeps its name as the preset; any other file is a custom config.
  std::string preset;
  for (const Preset& p : presets_) {
    std::error_code ec;
    if (fs::equivalent(fs::path(assets_dir()) / "presets" / (p.name + ".json"), path, ec)) preset = p.name;
  }
  const std::string name = preset.empty() ? "file " + fs::path(path).filename().string() : preset;
  err = session_->restart(cfg, name, schedule);
  if (!err.empty()) {
    set_status(err, true);
    return err;
  }
  if (preset.empty()) origins_[name] = cfg;
  edit_ = cfg;
  preset_ = name;
  // The file's own comparison ("compare", as a saved comparison writes it): runs beside it, as `run --config`.
  std::vector<std::string> compare;
  err = read_config_compare(path, &compare);
  if (err.empty()) err = add_listed_runs(compare, cfg, schedule, name, "config file " + path);
  if (!err.empty()) {
    set_status(err, true);
    return err;
  }
  set_status("opened " + path +
             (schedule.empty() ? "" : ", with " + std::to_string(schedule.size()) + " scheduled changes") +
             (compare.empty() ? "" : ", beside " + std::to_string(compare.size()) + " more run(s)") +
             (warnings.empty() ? "" : " (warning: " + warnings.front() + ")"));
  return "";
}

std::string MainWindow::add_listed_runs(const std::vector<std::string>& compare, const Config& cfg,
                                        const std::vector<ScheduledChange>& schedule, const std::string& name,
                                        const std::string& where) {
  std::string err;
  for (size_t i = 0; i < compare.size() && err.empty(); ++i) {
    std::vector<ScheduledChange> changes, plan = schedule;  // the first run's changes, then the entry's
    Config run = cfg;
    err = parse_compare_spec(compare[i], cfg, &changes);
    for (const ScheduledChange& c : changes)
      if (err.empty() && c.step > 0)
        plan.push_back(c);
      else if (err.empty())
        err = find_property(c.key)->set_from_text(run, c.value);
    if (err.empty()) err = validate(run);
    if (err.empty() && runs_->add_run(run, plan, name, RunInfo{}, &err) < 0 && err.empty())
      err = "the run list is full";
    if (!err.empty()) err = where + ": compare '" + compare[i] + "': " + err;
  }
  if (!compare.empty()) runs_changed();
  return err;
}

std::string MainWindow::open_preset(const std::string& name) {
  Config cfg;
  Preset preset;
  std::string err = load_preset(name, cfg, &preset);
  if (err.empty())
    err = session_->restart(cfg, name);  // exactly the preset, from step 0, even when it is the one running
  // A preset's own comparison (its "compare" list, e.g. lm-top1-vs-top2): one more run beside it per entry,
  // made from the preset's config (the restarted run's snapshot may still show the old one).
  if (err.empty()) err = add_listed_runs(preset.compare, cfg, {}, name, "preset " + name);
  if (!err.empty()) {
    set_status(err, true);
    return err;
  }
  edit_ = cfg;
  preset_ = name;
  set_status("preset " + name + ", from step 0" +
             (preset.compare.empty() ? "" : ", beside " + std::to_string(preset.compare.size()) + " more run(s)"));
  return "";
}

// The run's config at step 0 and, as "schedule", every change it made after (the
// schedule and the user's live changes, "key=value@STEP" as --set reads them), so that
// opening the file, or `moescope run --config FILE`, replays the run.
// With runs side by side the file is the first run's, and "compare" lists every other run as
// `run --compare` takes it (runs_as_options), so `run --config FILE`, `shot --config FILE` and
// opening it here make the same comparison; what a compare list cannot hold is in the status.
std::string MainWindow::save_config_file(const std::string& path) {
  const bool several = runs_->entries() > 1;
  Config run_config = snap_->run_config;
  std::vector<ScheduledChange> changes = snap_->changes;
  if (several) runs_->describe(runs_->first(), &run_config, &changes);
  nlohmann::json j = config_to_json(run_config);
  j["schedule"] = nlohmann::json::array();
  int scheduled = 0;
  for (const ScheduledChange& c : changes)
    if (c.step > 0) j["schedule"].push_back(c.key + "=" + c.value + "@" + std::to_string(c.step)), ++scheduled;
  RunsAsOptions runs;
  if (several) {
    runs = runs_as_options();
    if (!runs.compare.empty()) j["compare"] = runs.compare;
    if (runs.seeds > 1) runs.notes.insert(runs.notes.begin(), "seed groups (a config holds no --seeds)");
    if (!runs.results.empty()) runs.notes.insert(runs.notes.begin(), "results runs (open their files again)");
  }
  std::string err = write_file_atomic(path, j.dump(2) + "\n");
  if (!err.empty()) {
    set_status(err, true);
    return err;
  }
  std::string said = "saved " + path;
  if (several) said += " (the first run's config)";
  if (scheduled > 0) said += ", with " + std::to_string(scheduled) + " scheduled changes";
  if (!runs.compare.empty()) said += ", and " + std::to_string(runs.compare.size()) + " more run(s) as \"compare\"";
  if (!runs.notes.empty()) {
    said += "; not saved: ";
    for (size_t i = 0; i < runs.notes.size(); ++i) said += (i ? "; " : "") + runs.notes[i];
  }
  set_status(said);
  return "";
}

std::string MainWindow::open_lesson(const std::string& name) {
  for (const lesson::Lesson& l : lessons_)
    if (l.name == name) {
      open_lesson(l);
      return "";
    }
  const std::string err = "no lesson '" + name + "' in " + assets_dir() + "/lessons";
  set_status(err, true);
  return err;
}

void MainWindow::open_lesson(const lesson::Lesson& l) {
  // Another lesson replaces the runs this one made, as its next step would; a run A the
  // lesson made goes on as the next lesson's A (it is selected), still a lesson's run.
  bool owns_a = false;
  if (lesson_) {
    owns_a = lesson_->owns_run_a();
    lesson_->drop_step_runs();
  }
  lesson_.reset();
  lesson_ = std::make_unique<LessonPlayer>(*this, l, owns_a);
  lesson_->go_to(0);
  set_status("lesson: " + l.title + " (PageDown / PageUp to move, Esc to leave)");
}

void MainWindow::leave_lesson(bool keep_runs) {
  if (!lesson_) return;
  const std::vector<int> own = lesson_->own_runs();
  lesson_.reset();
  int removed = 0;
  if (!keep_runs)
    for (int id : own)
      if (runs_->info(id).id >= 0 && runs_->size() > 1) runs_->remove(id), ++removed;
  runs_changed();
  stop_sent_ = -1;  // the lesson drove the session; the "stop at" field applies again
  if (own.empty())
    set_status("left the lesson");
  else if (keep_runs)
    set_status("left the lesson; its " + std::to_string(own.size()) + " run(s) are kept in the run list");
  else
    set_status("left the lesson; its " + std::to_string(removed) + " run(s) removed, your own runs kept");
}

// [SECTION] Frame

void MainWindow::draw() {
  take_snapshot();
  if (theme_applied_ != int(ui_.light_theme) || scale_applied_ != ui_.ui_scale) {
    apply_theme(ui_.light_theme, ui_.ui_scale);
    theme_applied_ = int(ui_.light_theme);
    scale_applied_ = ui_.ui_scale;
  }
  plot::GetStyle().style_every_series = ui_.line_styles_every_series;
  palette::set_scheme(palette::Scheme(ui_.palette));
  // The "stop at" field follows the config's steps whenever a config with other steps loads.
  if (snap_->cfg.steps != stop_for_steps_) stop_for_steps_ = snap_->cfg.steps, stop_at_ = snap_->cfg.steps;
  if (interactive && !lesson_ &&
      stop_at_ != stop_sent_) {  // every live run stops at the same step (a lesson's at its steps)
    for (const RunView& v : views_)
      if (Session* s = runs_->session(v.info.id)) s->set_stop_at(stop_at_);
    stop_sent_ = stop_at_;
  }
  if (lesson_) {  // a lesson takes the area under the menu bar (lesson_player.h)
    if (interactive) lesson_->handle_keys();
    draw_menu_bar();
    const ImGuiViewport* lv = ImGui::GetMainViewport();
    if (lesson_) lesson_->draw(lv->WorkPos, lv->WorkSize);
    if (lesson_ && lesson_->leave_requested) {  // Esc, "Leave lesson": ask what becomes of the lesson's runs
      lesson_->leave_requested = false;
      if (interactive && !lesson_->own_runs().empty())
        lesson_->ask_to_leave();
      else
        leave_lesson(true);
    }
    if (lesson_ && lesson_->leave_with >= 0) leave_lesson(lesson_->leave_with == 0);
    return;
  }
  if (interactive) handle_shortcuts();
  draw_menu_bar();

  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float s = ui_.ui_scale;
  const float top = vp->WorkPos.y;
  const ImVec2 work(vp->WorkSize.x, vp->WorkSize.y);
  // The controls column, or the strip it folds to (F2), which leaves the panels the width.
  const float strip_w = std::round(ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.x);
  const float controls_w = ui_.controls_collapsed ? strip_w : std::round(std::min(kControlsWidth * s, work.x * 0.3f));
  controls_w_ = controls_w;
  if (ui_.controls_collapsed)
    draw_controls_strip(ImVec2(vp->WorkPos.x, top), ImVec2(controls_w, work.y));
  else
    draw_controls_window(ImVec2(vp->WorkPos.x, top), ImVec2(controls_w, work.y));

  // Status strip and panels to the right of the controls.
  const ImVec2 right_pos(vp->WorkPos.x + controls_w, top);
  const ImVec2 right_size(work.x - controls_w, work.y);
  const float strip_h = (snap_->diverged ? 2.0f : 1.0f) * kStatusHeight * s + 8.0f * s;
  ImGui::SetNextWindowPos(right_pos);
  ImGui::SetNextWindowSize(ImVec2(right_size.x, strip_h));
  ImGui::Begin("##status", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | kTiledBackground);
  draw_status_strip(right_size.x);
  ImGui::End();
  const float list_h = run_list_height();  // last frame's: the strip wraps to as many rows as its runs need
  draw_run_list(ImVec2(right_pos.x, right_pos.y + strip_h), right_size.x);
  draw_panels(ImVec2(right_pos.x, right_pos.y + strip_h + list_h),
              ImVec2(right_size.x, right_size.y - strip_h - list_h));

  if (interactive) {
    draw_export_popups();
    draw_file_popup();
    draw_help_popup();
    draw_command_popup();
  }
}

void MainWindow::draw_single_panel(const PanelInfo& panel) {
  take_snapshot();
  plot::GetStyle().style_every_series = ui_.line_styles_every_series;
  palette::set_scheme(palette::Scheme(ui_.palette));
  if (theme_applied_ != int(ui_.light_theme) || scale_applied_ != ui_.ui_scale) {
    apply_theme(ui_.light_theme, ui_.ui_scale);
    theme_applied_ = int(ui_.light_theme);
    scale_applied_ = ui_.ui_scale;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  std::string title = panel.title;
  title += " \u2014 ";
  title += origin_name(*snap_);
  title += ", step " + std::to_string(snap_->steps_done);
  title += "###single";
  ImGui::Begin(title.c_str(), nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings | kTiledBackground);
  PanelContext ctx{*snap_, ui_, gpu_ok_ ? gpu_.get() : nullptr, &compare_};
  panel.draw(ctx);
  ImGui::End();
}

void MainWindow::handle_shortcuts() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;  // typing in a field
  const bool ctrl = io.KeyCtrl;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false) && !ctrl) session_->toggle();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), true) && !ctrl) session_->step_once();
  if (ImGui::IsKeyPressed(kKeyR, false) && !ctrl) session_->reset();
  if (ImGui::IsKeyPressed(kKeyF12, false)) screenshot_requested = true;
  if (ctrl && io.KeyShift && ImGui::IsKeyPressed(kKeyC, false)) copy_command();
  if (ImGui::IsKeyPressed(kKeyF2, false)) ui_.controls_collapsed = !ui_.controls_collapsed;
  // 1-9: select the n-th run of the run list (a seed group counts once), the quick switch.
  if (!ctrl)
    for (int n = 1; n <= 9; ++n) {
      if (!ImGui::IsKeyPressed('0' + n, false)) continue;
      int entry = 0;
      std::vector<int> groups;
      for (const RunView& v : views_) {
        if (v.info.group >= 0) {
          if (std::find(groups.begin(), groups.end(), v.info.group) != groups.end()) continue;
          groups.push_back(v.info.group);
        }
        if (++entry == n) {
          select_run(v.info.id);
          break;
        }
      }
    }
  if (ctrl && ImGui::IsKeyPressed(kKeyS, false)) {
    file_mode_ = io.KeyShift ? 4 : 2;  // Ctrl+Shift+S: the workspace
    open_file_ = true;
  }
  if (ctrl && ImGui::IsKeyPressed(kKeyO, false)) {
    file_mode_ = 1;
    open_file_ = true;
  }
}

void MainWindow::draw_menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open config...", "Ctrl+O")) file_mode_ = 1, open_file_ = true;
    if (ImGui::MenuItem("Save config and its changes...", "Ctrl+S")) file_mode_ = 2, open_file_ = true;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The run's config and every change made during it, as a JSON that replays the run");
    if (ImGui::MenuItem("Open results...")) file_mode_ = 3, open_file_ = true;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "A `moescope run --out` CSV/JSON as a read-only run, or a `moescope sweep` CSV (or its shards)");
    if (ImGui::MenuItem("Open workspace...")) file_mode_ = 5, open_file_ = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Every run of a saved workspace, trained again, with its layout");
    if (ImGui::MenuItem("Save workspace...", "Ctrl+Shift+S")) file_mode_ = 4, open_file_ = true;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Every run (config, seed, changes, label, fork), the layout and the sweep's definition in one JSON");
    if (ImGui::MenuItem("Copy as command", "Ctrl+Shift+C")) copy_command();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The `moescope run` line that reproduces this run, to the clipboard");
    if (ImGui::MenuItem("Screenshot", "F12")) screenshot_requested = true;
    if (ImGui::MenuItem("Export all panels...")) open_export_all();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Every panel as a figure (SVG, PDF or PNG) and its data (CSV) into a folder");
    ImGui::Separator();
    if (ImGui::MenuItem("Quit")) quit_requested = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Run")) {
    if (ImGui::MenuItem(snap_->running ? "Pause" : "Play", "Space")) session_->toggle();
    if (ImGui::MenuItem("Step", "Right arrow")) session_->step_once();
    if (ImGui::MenuItem("Reset", "R")) session_->reset();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Restart the current settings from step 0");
    if (ImGui::MenuItem("Revert to preset", nullptr, false, !modified_settings().empty())) revert_to_preset();
    if (ImGui::MenuItem("New seed")) session_->new_seed();
    ImGui::Separator();
    if (ImGui::MenuItem("Sweep...")) show_sweep();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "A grid of one or two settings × seeds, trained in the background: a heatmap of a final metric");
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Presets")) {
    // In teaching order, each with its title; the description on hover. Picking one
    // (even the one shown) loads it exactly and restarts.
    for (const Preset& p : presets_) {
      if (ImGui::MenuItem(p.name.c_str(), p.title.c_str(), p.name == preset_)) open_preset(p.name);
      if (ImGui::IsItemHovered() && !p.description.empty()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
        ImGui::TextUnformatted(p.description.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
      }
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Revert to preset", nullptr, false, !modified_settings().empty())) revert_to_preset();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Lessons")) {
    // In teaching order; each opens at its first step in the lesson player.
    for (size_t i = 0; i < lessons_.size(); ++i) {
      const lesson::Lesson& l = lessons_[i];
      const std::string label = std::to_string(i + 1) + ". " + l.title;
      if (ImGui::MenuItem(label.c_str(), nullptr, lesson_ && lesson_->lesson().name == l.name)) open_lesson(l.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%zu steps)", l.summary.c_str(), l.steps.size());
    }
    if (lessons_.empty()) ImGui::TextDisabled("no lessons found in %s/lessons", assets_dir().c_str());
    ImGui::Separator();
    if (ImGui::MenuItem("Leave lesson", "Esc", false, lesson_ != nullptr)) lesson_->leave_requested = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    draw_layout_menu();
    ImGui::Separator();
    ImGui::MenuItem("Light \"report\" theme", nullptr, &ui_.light_theme);
    ImGui::MenuItem("Dashes and markers for every series", nullptr, &ui_.line_styles_every_series);  // grayscale-safe
    bool safe = ui_.palette == Palette_ColourBlindSafe;
    if (ImGui::MenuItem("Colour-blind-safe expert colours", nullptr, &safe))
      ui_.palette = safe ? Palette_ColourBlindSafe : Palette_Classic;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "On: Okabe & Ito's 8 colours, then a set chosen to stay apart under deutan and protan vision.\n"
          "Off: the classic hues (experts 0 and 4 look alike to deutans).");
    if (ImGui::MenuItem("Larger text", "Ctrl++")) ui_.ui_scale = std::min(3.0f, ui_.ui_scale * 1.15f);
    if (ImGui::MenuItem("Smaller text", "Ctrl+-")) ui_.ui_scale = std::max(0.6f, ui_.ui_scale / 1.15f);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keyboard shortcuts")) open_help_ = true;
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

void MainWindow::draw_status_strip(float width) {
  const RunSnapshot& s = *snap_;
  const float sc = ui_.ui_scale;
  const ImVec4 ok_col = ui_.light_theme ? rgba(0.05f, 0.45f, 0.15f) : rgba(0.45f, 0.85f, 0.5f);
  const ImVec4 dim = ImGui::GetStyle().Colors[ImGuiCol_TextDisabled];
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(s.diverged  ? rgba(0.95f, 0.3f, 0.3f)
                     : s.running ? ok_col
                                 : dim,
                     "%s",
                     s.diverged  ? "\u25A0 diverged"
                     : s.running ? "\u25B6 running"
                                 : "\u25A0 paused");
  ImGui::SameLine();
  ImGui::Text("step %lld", static_cast<long long>(s.steps_done));
  if (s.running && s.steps_per_s > 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("%.0f steps/s", s.steps_per_s);
  }
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  ImGui::Text("%s", origin_label().c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("E=%d  k=%d  %s", s.cfg.routed_experts(), s.cfg.active_k(),
                      find_property("router")->choices[size_t(s.cfg.router)].c_str());
  // The latest message: ours (errors stay until replaced) or the session's notice.
  const double now = ImGui::GetTime();
  std::string msg = s.notice;
  bool err = msg.rfind("refused", 0) == 0;
  if (!status_.empty() && (status_error_ || now - status_time_ < 6.0)) msg = status_, err = status_error_;
  if (!msg.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, err ? rgba(0.95f, 0.35f, 0.3f) : ImGui::GetStyle().Colors[ImGuiCol_Text]);
    ImGui::PushTextWrapPos(width - 10 * sc);
    ImGui::TextUnformatted(msg.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", msg.c_str());
  }
  if (s.diverged) {
    // The banner: what diverged, when, and the way out.
    const double smaller = std::max(1e-6, s.cfg.lr / 10.0);
    ImGui::PushStyleColor(ImGuiCol_ChildBg, rgba(0.55f, 0.08f, 0.08f, 1.0f));
    ImGui::BeginChild("##diverged", ImVec2(0, kStatusHeight * sc), false, ImGuiWindowFlags_NoScrollbar);
    ImGui::SetCursorPos(ImVec2(8 * sc, 4 * sc));
    ImGui::PushStyleColor(ImGuiCol_Text, rgba(1, 1, 1));
    ImGui::AlignTextToFramePadding();
    ImGui::Text("The run diverged: %s. Training paused; plots end at the last finite step.", s.diverged_what.c_str());
    ImGui::SameLine();
    char label[96];
    std::snprintf(label, sizeof label, "Reset with lr = %s", format_value(smaller).c_str());
    if (ImGui::SmallButton(label)) session_->reset_with_lr(smaller);
    ImGui::PopStyleColor();
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
}

// [SECTION] Layout: which panels, where; the controls column or its strip

std::vector<int> panels_in_layout(const UiState& ui, const Config& cfg) {
  std::vector<int> shown;
  if (ui.layout == PanelLayout_One) {
    shown.push_back(std::clamp(ui.single_panel, 0, kPanelCount - 1));
  } else if (ui.layout == PanelLayout_Four) {
    for (const char* name : kFourPanels)
      if (const int i = panel_index(name); i >= 0) shown.push_back(i);
  } else {
    for (int i = 0; i < kPanelCount; ++i)
      if (ui.show_panel[size_t(i)] && kPanels[i].applies(cfg) && (ui.sweep || i != panel_index("sweep")))
        shown.push_back(i);  // the sweep panel once a sweep is defined (Run > Sweep...) or opened
  }
  return shown;
}

std::string parse_layout(const std::string& text, UiState& ui) {
  if (text == "all") {
    ui.layout = PanelLayout_All;
  } else if (text == "four") {
    ui.layout = PanelLayout_Four;
  } else if (text.rfind("one:", 0) == 0 && panel_index(text.substr(4)) >= 0) {
    ui.layout = PanelLayout_One;
    ui.single_panel = panel_index(text.substr(4));
  } else {
    return "layout '" + text + "' is not all, four or one:NAME with NAME one of " + panel_names();
  }
  return "";
}

// Panels tile the area right of the controls: up to 3 columns, rows share the
// height, but never smaller than a readable minimum; when they would be, the area
// scrolls (a small projector or laptop screen keeps every panel legible).
void MainWindow::draw_panels(ImVec2 origin, ImVec2 size) {
  placements_.clear();
  int n = 0;
  const PanelInfo* panels = panel_list(&n);
  const std::vector<int> shown = panels_in_layout(ui_, snap_->cfg);
  const float sc = ui_.ui_scale;
  const float min_w = kPanelMinW * sc, min_h = kPanelMinH * sc;
  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("##panels", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | kTiledBackground);
  ImGui::PopStyleVar();
  if (shown.empty()) {
    ImGui::SetCursorPos(ImVec2(20 * sc, 20 * sc));
    ImGui::TextDisabled("No panel is ticked in the View menu.");
    ImGui::End();
    return;
  }
  const int count = int(shown.size());
  // Columns: as many as fit at min_w (at most 3); the scrollbar's width is kept free if rows overflow.
  // The window's own width (its padding is zero): the content region would already exclude
  // last frame's scrollbar, which the overflow test below takes off once more.
  const float avail_w = size.x;
  int cols = std::clamp(int(avail_w / min_w), 1, 3);
  if (count <= 2) cols = std::min(cols, count);
  if (count == 4) cols = std::min(cols, 2);
  const int rows = (count + cols - 1) / cols;
  const float rh = std::floor(std::max(min_h, size.y / float(rows)));
  const float width = (rh * float(rows) > size.y + 0.5f) ? avail_w - ImGui::GetStyle().ScrollbarSize : avail_w;
  const ImU32 title_bg = ImGui::GetColorU32(ImGuiCol_TitleBgActive);
  const bool closable = ui_.layout == PanelLayout_All;  // the × unticks the panel in View, which only "all" reads
  PanelContext ctx{*snap_, ui_, gpu_ok_ ? gpu_.get() : nullptr, &compare_};
  // With runs side by side, the per-expert panels name the run they show (the selected one).
  std::string run_label;
  if (compare_.lines.size() >= 2)
    for (const RunView& v : views_)
      if (v.info.id == runs_->selected()) run_label = v.info.label.empty() ? "first run" : v.info.label;
  auto overlays = [](const PanelInfo& panel) {  // the time plots that draw every run
    const std::string_view n = panel.name;
    return n == "entropy" || n == "collapse" || n == "losses";
  };
  for (int j = 0; j < count; ++j) {
    const int index = shown[size_t(j)];
    const PanelInfo& p = panels[index];
    const int r = j / cols, c = j % cols;
    const int in_row = (r == rows - 1) ? count - r * cols : cols;  // the last row stretches across
    const float w = std::floor(width / float(in_row));
    ImGui::SetCursorPos(ImVec2(w * float(c), rh * float(r)));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImGui::GetStyle().WindowPadding);
    ImGui::BeginChild(p.name, ImVec2(w, rh), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleVar();
    const ImVec2 wp = ImGui::GetWindowPos();
    PanelPlacement& place = placements_.emplace_back();
    place.index = index;
    place.min = wp;
    place.max = ImVec2(wp.x + w, wp.y + rh);
    place.visible = place.min.y >= origin.y - 0.5f && place.max.y <= origin.y + size.y + 0.5f;
    // Title bar: the panel's name and a close button (View brings it back).
    const float bar = ImGui::GetFrameHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(wp, ImVec2(wp.x + w, wp.y + bar), title_bg);
    ImGui::SetCursorScreenPos(
        ImVec2(wp.x + ImGui::GetStyle().WindowPadding.x, wp.y + ImGui::GetStyle().FramePadding.y));
    ImGui::TextUnformatted(p.title);
    if (!run_label.empty() && !overlays(p)) {  // a per-expert view: which run it shows
      ImGui::SameLine(0, 0);
      ImGui::TextDisabled(" \u2014 %s", run_label.c_str());
    }
    if (closable) {
      ImGui::SetCursorScreenPos(ImVec2(wp.x + w - bar, wp.y));
      ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
      if (ImGui::Button("\u00D7", ImVec2(bar, bar))) ui_.show_panel[size_t(index)] = false;
      ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Hide this panel (View menu brings it back)");
    }
    ImGui::SetCursorScreenPos(
        ImVec2(wp.x + ImGui::GetStyle().WindowPadding.x, wp.y + bar + ImGui::GetStyle().ItemSpacing.y));
    ImGui::BeginGroup();
    p.draw(ctx);
    ImGui::EndGroup();
    figure_context_menu(index);  // right-click: Export figure / data (figure_export.cpp)
    ImGui::EndChild();
  }
  ImGui::End();
}

void MainWindow::draw_controls_window(ImVec2 origin, ImVec2 size) {
  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(size);
  ImGui::Begin("Controls", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus | kTiledBackground);
  // A fold button at the right of the title bar (drawn over it: the clip rect is widened to the bar).
  {
    const ImVec2 wp = ImGui::GetWindowPos(), keep = ImGui::GetCursorScreenPos();
    const float bar = ImGui::GetFrameHeight();
    ImGui::PushClipRect(wp, ImVec2(wp.x + size.x, wp.y + bar), false);
    ImGui::SetCursorScreenPos(ImVec2(wp.x + size.x - bar - 1, wp.y));
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
    if (ImGui::Button("\u00AB##fold", ImVec2(bar, bar))) ui_.controls_collapsed = true;
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fold the controls to a strip, giving the panels the width (F2)");
    ImGui::PopClipRect();
    ImGui::SetCursorScreenPos(keep);
  }
  draw_controls();
  ImGui::End();
}

void MainWindow::draw_controls_strip(ImVec2 origin, ImVec2 size) {
  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(size);
  ImGui::Begin("##controls_strip", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | kTiledBackground);
  const ImVec2 button(ImGui::GetContentRegionAvail().x, ImGui::GetFrameHeight());
  if (ImGui::Button("\u00BB##unfold", button)) ui_.controls_collapsed = false;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show the controls (F2)");
  if (ImGui::Button(snap_->running ? "\u25A0##toggle" : "\u25B6##toggle", button)) session_->toggle();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(snap_->running ? "Pause (Space)" : "Play (Space)");
  if (ImGui::Button("\u21BA##reset", button)) session_->reset();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Reset to step 0 (R)");
  ImGui::End();
}

void MainWindow::draw_layout_menu() {
  int n = 0;
  const PanelInfo* panels = panel_list(&n);
  ImGui::TextDisabled("Layout");
  if (ImGui::MenuItem("All panels", nullptr, ui_.layout == PanelLayout_All)) ui_.layout = PanelLayout_All;
  if (ImGui::MenuItem("Four: load, entropy, collapse, losses", nullptr, ui_.layout == PanelLayout_Four))
    ui_.layout = PanelLayout_Four;
  const std::string one = ui_.layout == PanelLayout_One
                              ? std::string("One big panel: ") + panels[std::clamp(ui_.single_panel, 0, n - 1)].title
                              : std::string("One big panel");
  if (ImGui::BeginMenu(one.c_str())) {
    for (int i = 0; i < n; ++i)
      if (ImGui::MenuItem(panels[i].title, nullptr, ui_.layout == PanelLayout_One && ui_.single_panel == i)) {
        ui_.layout = PanelLayout_One, ui_.single_panel = i;
        if (i == panel_index("sweep")) show_sweep();
      }
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem("Controls folded to a strip", "F2", ui_.controls_collapsed))
    ui_.controls_collapsed = !ui_.controls_collapsed;
  ImGui::Separator();
  ImGui::TextDisabled(ui_.layout == PanelLayout_All ? "Panels" : "Panels (of the all-panels layout)");
  for (int i = 0; i < n; ++i) {
    if (panels[i].applies(snap_->cfg)) {
      if (ImGui::MenuItem(panels[i].title, nullptr, &ui_.show_panel[size_t(i)], ui_.layout == PanelLayout_All) &&
          ui_.show_panel[size_t(i)] && i == panel_index("sweep"))
        show_sweep();  // ticking Sweep defines one (the panel is tiled once a sweep exists)
      continue;
    }
    // Greyed: it has nothing to show for this run, and is hidden; say what it needs, once, here.
    const std::string label = std::string(panels[i].title) + " (" + panels[i].needs + ")";
    ImGui::MenuItem(label.c_str(), nullptr, false, false);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("Hidden: this run gives it nothing to show (it %s); it returns when the config does",
                        panels[i].needs);
  }
}

// [SECTION] Popups

void MainWindow::draw_file_popup() {
  const char* id = file_mode_ == 2   ? "Save config"
                   : file_mode_ == 3 ? "Open results"
                   : file_mode_ == 4 ? "Save workspace"
                   : file_mode_ == 5 ? "Open workspace"
                                     : "Open config";
  const bool saving = file_mode_ == 2 || file_mode_ == 4;
  if (open_file_) {
    if (file_path_.empty()) {
      std::error_code ec;
      file_path_ = (fs::current_path(ec) / (file_mode_ == 2   ? "moescope-config.json"
                                            : file_mode_ == 4 ? "moescope-workspace.json"
                                                              : ""))
                       .string();
    }
    ImGui::OpenPopup(id);
    open_file_ = false;
  }
  if (!ImGui::BeginPopupModal(id, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  char buf[1024];
  std::snprintf(buf, sizeof buf, "%s", file_path_.c_str());
  ImGui::TextUnformatted(file_mode_ == 2   ? "Save the current config as JSON:"
                         : file_mode_ == 3 ? "Open run or sweep results (CSV, JSON; shard CSVs joined by ;):"
                         : file_mode_ == 4 ? "Save every run, the layout and the sweep as a workspace JSON:"
                         : file_mode_ == 5 ? "Open a workspace JSON (its runs replace these):"
                                           : "Open a config or preset JSON:");
  ImGui::SetNextItemWidth(560 * ui_.ui_scale);
  const bool enter = ImGui::InputText("##path", buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue);
  file_path_ = buf;
  // The .json files next to the path, to pick from.
  fs::path dir = fs::path(file_path_);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  std::vector<fs::path> files;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".json" || (file_mode_ == 3 && it->path().extension() == ".csv"))
      files.push_back(it->path());
  std::sort(files.begin(), files.end());
  ImGui::BeginChild("##files", ImVec2(560 * ui_.ui_scale, 180 * ui_.ui_scale), true);
  if (files.empty()) ImGui::TextDisabled("no .json files in %s", dir.string().c_str());
  for (const fs::path& f : files)
    if (ImGui::Selectable(f.filename().string().c_str(), f.string() == file_path_)) file_path_ = f.string();
  ImGui::EndChild();
  bool done = false;
  if (ImGui::Button(saving ? "Save" : "Open") || enter) {
    const std::string err = file_mode_ == 2   ? save_config_file(file_path_)
                            : file_mode_ == 3 ? open_results(split_paths(file_path_))
                            : file_mode_ == 4 ? save_workspace_file(file_path_)
                            : file_mode_ == 5 ? open_workspace_file(file_path_)
                                              : open_config_file(file_path_);
    done = err.empty();
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) done = true;
  if (status_error_ && !status_.empty()) ImGui::TextColored(rgba(0.95f, 0.35f, 0.3f), "%s", status_.c_str());
  if (done) {
    if (!status_error_) file_mode_ = 0;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

const std::vector<std::pair<const char*, const char*>>& keyboard_shortcuts() {
  static const std::vector<std::pair<const char*, const char*>> rows = {
      {"Space", "play / pause (Continue past the stop)"},
      {"Right arrow", "one step"},
      {"R", "restart the current settings from step 0"},
      {"F2", "fold / unfold the controls"},
      {"1 \u2026 9", "select run 1 \u2026 9 of the run list"},
      {"Ctrl+click a slider", "type its value"},
      {"F12", "screenshot (PNG, to the pictures folder)"},
      {"Ctrl+S", "save the config and its changes"},
      {"Ctrl+Shift+S", "save the workspace: every run, the layout, the sweep"},
      {"Ctrl+O", "open a config"},
      {"Ctrl+Shift+C", "copy the run as a command"},
      {"Ctrl+= / Ctrl++", "larger text"},
      {"Ctrl+\u2212", "smaller text"},
      {"drop a .json", "open it (a config, a run's results or a workspace)"},
      {"double-click a plot", "fit"},
      {"drag / Ctrl+wheel", "pan / zoom (or click a plot, then the wheel)"},
      {"right-drag", "box zoom"},
      {"click a legend entry", "hide/show"},
  };
  return rows;
}

void MainWindow::draw_command_popup() {
  if (open_command_) {
    ImGui::OpenPopup("Command");
    open_command_ = false;
  }
  if (!ImGui::BeginPopupModal("Command", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::TextUnformatted("This run as a command (copied to the clipboard):");
  const float w = std::min(720.0f * ui_.ui_scale, ImGui::GetMainViewport()->WorkSize.x * 0.8f);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
  ImGui::TextUnformatted(command_.c_str());
  ImGui::PopTextWrapPos();
  if (ImGui::Button("Copy again")) ImGui::SetClipboardText(command_.c_str());
  ImGui::SameLine();
  if (ImGui::Button("Close") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void MainWindow::draw_help_popup() {
  if (open_help_) {
    ImGui::OpenPopup("Keyboard shortcuts");
    open_help_ = false;
  }
  if (!ImGui::BeginPopupModal("Keyboard shortcuts", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg)) {
    for (const auto& [key, what] : keyboard_shortcuts()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(key);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(what);
    }
    ImGui::EndTable();
  }
  if (ImGui::Button("Close") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

}  // namespace moe::gui

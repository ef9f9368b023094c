// lesson_player.cpp: see lesson_player.h.
//
// [SECTION] Steps: entering a step, its runs, answers
// [SECTION] Keys
// [SECTION] Drawing: header and progress strip, text column, predict first, focus layout
#include "lesson_player.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string_view>

#include "lesson_formula.h"
#include "math_text.h"
#include "metrics.h"
#include "palette.h"
#include "panels/panel_common.h"
#include "panels/panels.h"
#include "plot.h"
#include "run_list.h"
#include "window.h"

namespace moe::gui {

namespace {

constexpr int kKeyR = 'R';

// The words a panel's key uses for a metric (panel_entropy, panel_losses), so set_emphasis finds it.
std::string key_label_of(const std::string& metric) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"router_entropy", "router entropy"},
      {"load_entropy", "load entropy"},
      {"routing_churn", "routing churn"},
      {"loss_task", "task ("},
      {"loss_balance", "L_bal"},
      {"loss_z", "L_z"},
      {"loss_importance", "L_imp"},
      {"loss_total", "total L"},
      {"accuracy", "task accuracy"},
  };
  for (const auto& [key, label] : kLabels)
    if (metric == key) return label;
  const MetricDef* d = find_metric(metric);
  return d ? d->label : metric;
}

// "look at: expert 3 (most tokens), load entropy, the line at 0.5 (collapse alert)"
std::string look_at(const lesson::Highlight& h, const RunSnapshot& s, int expert) {
  std::string t;
  if (h.expert == lesson::kMostLoaded && expert >= 0)
    t += "expert " + std::to_string(expert) + " (the most tokens)";
  else if (h.expert >= 0)
    t += "expert " + std::to_string(h.expert);
  if (!h.series.empty()) {
    const MetricDef* d = find_metric(h.series);
    t += (t.empty() ? "" : ", ") + std::string(d ? d->label : h.series.c_str());
  }
  if (!std::isnan(h.threshold)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "the line at %g", h.threshold);
    t += (t.empty() ? "" : ", ") + std::string(buf) + (h.threshold_label.empty() ? "" : " (" + h.threshold_label + ")");
  }
  (void)s;
  return t;
}

// The expert with the largest load in the snapshot's layer 0, -1 if none.
int most_loaded(const RunSnapshot& s, int layer) {
  if (s.last.layers.empty()) return -1;
  const auto& load = s.last.layers[size_t(std::clamp(layer, 0, int(s.last.layers.size()) - 1))].load;
  if (load.empty()) return -1;
  return int(std::max_element(load.begin(), load.end()) - load.begin());
}

// Panels that overlay the runs in one plot (they read PanelContext::compare): the time plots,
// and the load panel (A's steps × experts heatmap over B's). The others are drawn per run.
bool overlays_runs(std::string_view panel) {
  return panel == "entropy" || panel == "collapse" || panel == "losses" || panel == "load";
}

bool run_settled(const Session& s, int64_t target) {
  const auto snap = s.snapshot();
  return snap->commands_done >= s.commands_queued() && !snap->running &&
         (snap->steps_done >= target || snap->diverged || snap->notice.rfind("refused", 0) == 0);
}

}  // namespace

// [SECTION] Steps

LessonPlayer::LessonPlayer(MainWindow& window, lesson::Lesson lesson, bool owns_selected)
    : window_(window), lesson_(std::move(lesson)) {
  RunSet& rs = window_.runs();
  // Run A: the selected run, unless it cannot be restarted on its own (a reference, a seed
  // group's member); then a run of the lesson's own, made at its first step.
  if (const int sel = rs.selected(); rs.session(sel) && rs.info(sel).group < 0) a_id_ = sel, own_a_ = owns_selected;
  // The laboratory's other runs wait while the class watches the lesson's.
  for (const RunView& v : rs.views())
    if (v.info.id != a_id_ && v.info.kind == RunKind::Live && v.snap && v.snap->running) rs.set_paused(v.info.id, true);
}

LessonPlayer::~LessonPlayer() {
  panel::set_emphasis({});
  window_.runs().set_label(a_id_, "");  // A's label follows its settings again in the laboratory
}

Session* LessonPlayer::session_b() { return b_id_ >= 0 ? window_.runs().session(b_id_) : nullptr; }

std::vector<int> LessonPlayer::own_runs() const {
  std::vector<int> ids = made_;
  if (owns_run_a()) ids.insert(ids.begin(), a_id_);
  return ids;
}

std::vector<int> LessonPlayer::runs() const {
  std::vector<int> ids;
  if (a_id_ >= 0) ids.push_back(a_id_);
  if (b_id_ >= 0) ids.push_back(b_id_);
  for (int id : made_)
    if (id != b_id_) ids.push_back(id);
  return ids;
}

Comparison LessonPlayer::comparison() const {
  const std::vector<int> ids = runs();
  std::vector<RunView> views;
  for (RunView& v : window_.runs().views())
    if (std::find(ids.begin(), ids.end(), v.info.id) != ids.end()) {
      v.info.visible = true;
      views.push_back(std::move(v));
    }
  UiState plain = window_.ui();
  plain.difference_view = false;  // a lesson shows the runs' values, not their differences
  return build_comparison(views, a_id_, a_id_, plain);
}

void LessonPlayer::go_to(int index) {
  if (index < 0 || index >= step_count()) return;
  step_ = index;
  answered_ = -1;
  error_.clear();
  drop_made_runs();
  phase_ = Phase::ready;
  lesson::RunPlan plan;
  if (std::string e = lesson::plan_for_step(lesson_, index, plan); !e.empty()) {
    error_ = e;
    return;
  }
  plan_ = std::move(plan);
  const lesson::Step& s = lesson_.steps[size_t(index)];
  waiting_ = (s.has_predict || plan_.hold) && plan_.play_to > plan_.start_from;
  start_runs(!waiting_);
}

void LessonPlayer::drop_made_runs() {
  RunSet& rs = window_.runs();
  for (int id : made_) rs.remove(id);
  made_.clear();
  b_id_ = -1;
  if (a_id_ >= 0) rs.set_label(a_id_, "");
  window_.runs_changed();
}

// Run A restarts from step 0 on the step's plan; B and the seed groups are made from it once
// it has taken the restart (poll), so every run of the step is the plan's, from step 0.
void LessonPlayer::start_runs(bool train) {
  target_ = train ? plan_.play_to : plan_.start_from;
  RunSet& rs = window_.runs();
  std::string e;
  if (!rs.session(a_id_)) {
    a_id_ = rs.add_run(plan_.cfg, plan_.schedule, plan_.preset, RunInfo{}, &e);
    own_a_ = a_id_ >= 0;  // the lesson's own run A: removed with its runs if the user says so
  }
  Session* a = rs.session(a_id_);
  if (!a) {
    error_ = "run A: " + e;
    return;
  }
  if (e = a->restart(plan_.cfg, plan_.preset, plan_.schedule); !e.empty()) {
    error_ = e;
    return;
  }
  a->set_stop_at(0);
  if (rs.selected() != a_id_) window_.select_run(a_id_);
  phase_ = Phase::restarting;
  poll();
}

namespace {

// The settings in which `to` differs from `from`, as step-0 changes (exact values).
std::vector<ScheduledChange> settings_between(const Config& from, const Config& to) {
  std::vector<ScheduledChange> out;
  for (const Property& p : properties())
    if (p.get(from) != p.get(to)) out.push_back({0, p.name, format_value_exact(p.get(to))});
  return out;
}

// The changes of `run` that `base` does not make too.
std::vector<ScheduledChange> changes_beyond(const std::vector<ScheduledChange>& run,
                                            const std::vector<ScheduledChange>& base) {
  std::vector<ScheduledChange> out;
  for (const ScheduledChange& c : run)
    if (std::none_of(base.begin(), base.end(), [&](const ScheduledChange& b) {
          return b.step == c.step && b.key == c.key && b.value == c.value;
        }))
      out.push_back(c);
  return out;
}

// "α = 0.01": run A's values of the settings in which B differs from it.
std::string label_of_a(const Config& a, const Config& b, const std::vector<ScheduledChange>& b_changes) {
  std::string label;
  auto add = [&](const Property& p) {
    const std::string part = std::string(short_name(p.name)) + " = " + format_value(p.get(a));
    if (label.find(part) == std::string::npos) label += (label.empty() ? "" : ", ") + part;
  };
  for (const Property& p : properties())
    if (p.get(a) != p.get(b)) add(p);
  for (const ScheduledChange& c : b_changes)
    if (const Property* p = find_property(c.key)) add(*p);
  return label.empty() ? "the lesson's run" : label;
}

}  // namespace

std::string LessonPlayer::make_b() {
  RunSet& rs = window_.runs();
  std::string e;
  const std::vector<ScheduledChange> extra = changes_beyond(plan_.schedule_b, plan_.schedule);
  if (plan_.fork_step == 0) {
    std::vector<ScheduledChange> changes = settings_between(plan_.cfg, plan_.cfg_b);
    changes.insert(changes.end(), extra.begin(), extra.end());
    b_id_ = rs.duplicate(a_id_, changes, &e);
  } else {
    std::vector<ScheduledChange> at_fork;
    for (const ScheduledChange& c : extra)
      if (c.step == plan_.fork_step) at_fork.push_back(c);
    b_id_ = rs.fork(a_id_, at_fork, &e);
  }
  if (b_id_ < 0) return "run B: " + e;
  made_.push_back(b_id_);
  rs.set_label(b_id_, "B: " + (plan_.label_b.empty() ? std::string("the comparison") : plan_.label_b));
  rs.set_label(a_id_, "A: " + label_of_a(plan_.cfg, plan_.cfg_b, extra));
  return "";
}

std::string LessonPlayer::make_group(int id) {
  RunSet& rs = window_.runs();
  if (std::string e = rs.repeat_over_seeds(id, plan_.seeds); !e.empty()) return e;
  for (int m : rs.group_members(rs.info(id).group))
    if (m != id) made_.push_back(m);
  return "";
}

void LessonPlayer::poll() {
  if (!error_.empty()) {
    phase_ = Phase::ready;
    return;
  }
  RunSet& rs = window_.runs();
  Session* a = rs.session(a_id_);
  if (!a) return;
  if (phase_ == Phase::restarting) {
    if (a->snapshot()->commands_done < a->commands_queued()) return;  // A is not the plan's run yet
    const bool fork = plan_.has_b && plan_.fork_step > 0;
    std::string e;
    if (plan_.has_b && !fork) e = make_b();
    if (e.empty() && plan_.seeds > 1) e = make_group(a_id_);
    if (e.empty() && b_id_ >= 0 && plan_.seeds > 1) e = make_group(b_id_);
    error_ = e;
    phase_ = fork && e.empty() ? Phase::to_fork : Phase::ready;
    window_.runs_changed();
    drive();
  }
  if (phase_ == Phase::to_fork) {
    const auto s = a->snapshot();
    if (s->commands_done < a->commands_queued() || s->running) return;
    if (s->steps_done != plan_.fork_step) {
      if (s->diverged)
        error_ = "run A diverged before step " + std::to_string(plan_.fork_step) + ", where B parts from it";
      if (s->diverged || s->steps_done > plan_.fork_step) phase_ = Phase::ready;
      return;
    }
    std::string e = make_b();
    if (e.empty() && plan_.seeds > 1) e = make_group(b_id_);
    error_ = e;
    phase_ = Phase::ready;
    window_.runs_changed();
    drive();
  }
}

void LessonPlayer::drive() {
  RunSet& rs = window_.runs();
  for (int id : runs())
    if (Session* s = rs.session(id)) {
      s->set_stop_at(0);
      const bool a_before_fork = id == a_id_ && phase_ == Phase::to_fork;
      if (target_ > 0) s->run_to(a_before_fork ? std::min(target_, plan_.fork_step) : target_);
    }
}

void LessonPlayer::answer(int choice) {
  const lesson::Step& s = lesson_.steps[size_t(step_)];
  if (!s.has_predict || choice < 0 || choice >= int(s.predict.answers.size())) return;
  answered_ = choice;
  if (waiting_) play();  // a step whose run is already there (a compare) has nothing more to play
}

void LessonPlayer::play() {
  if (waiting_) {
    waiting_ = false;
    target_ = plan_.play_to;
    if (phase_ != Phase::restarting) drive();  // else poll drives them once they are made
    return;
  }
  if (phase_ != Phase::ready) return;
  RunSet& rs = window_.runs();
  bool any_running = false;
  for (int id : runs())
    if (const auto s = rs.snapshot(id)) any_running = any_running || s->running;
  for (int id : runs())
    if (Session* s = rs.session(id)) any_running ? s->pause() : s->play();
}

bool LessonPlayer::settled() {
  poll();
  if (!error_.empty()) return true;
  if (phase_ != Phase::ready) return false;
  RunSet& rs = window_.runs();
  for (int id : runs())
    if (const Session* s = rs.session(id); s && !run_settled(*s, target_)) return false;
  return true;
}

// [SECTION] Keys

void LessonPlayer::handle_keys() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || io.KeyCtrl || asking_leave_) return;  // the leave question takes the keys
  auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
  if (pressed(ImGui::GetKeyIndex(ImGuiKey_PageDown)) || pressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)) ||
      pressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow)))
    next();
  else if (pressed(ImGui::GetKeyIndex(ImGuiKey_PageUp)) || pressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)) ||
           pressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow)))
    previous();
  if (pressed(ImGui::GetKeyIndex(ImGuiKey_Space))) play();
  if (pressed(kKeyR)) restart_step();
  if (pressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) leave_requested = true;
}

// [SECTION] Drawing

void LessonPlayer::draw(ImVec2 origin, ImVec2 size) {
  poll();  // run B and the seed groups are made, and the runs set going, once run A is ready
  const float F = ImGui::GetFontSize();
  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(ImVec2(size.x, 0));
  ImGui::Begin("##lesson_header", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoBringToFrontOnFocus);
  draw_header(size.x - 2 * ImGui::GetStyle().WindowPadding.x);
  const float header_h = ImGui::GetWindowSize().y;
  ImGui::End();

  const ImVec2 body(origin.x, origin.y + header_h);
  const ImVec2 body_size(size.x, std::max(F * 10, size.y - header_h));
  const float text_w = std::round(std::clamp(body_size.x * 0.36f, std::min(F * 22, body_size.x * 0.5f), F * 44));
  ImGui::SetNextWindowPos(body);
  ImGui::SetNextWindowSize(ImVec2(text_w, body_size.y));
  ImGui::Begin("##lesson_text", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  draw_text_column(text_w - 2 * ImGui::GetStyle().WindowPadding.x, body_size.y);
  ImGui::End();
  draw_focus(ImVec2(body.x + text_w, body.y), ImVec2(body_size.x - text_w, body_size.y));
  draw_leave_popup();
}

// "Leave the lesson": keep the runs the lesson made in the run list, or remove them; Esc stays.
void LessonPlayer::draw_leave_popup() {
  if (!asking_leave_) return;
  const char* id = "Leave the lesson";
  if (open_leave_popup_) {
    ImGui::OpenPopup(id);
    open_leave_popup_ = false;
  }
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(id, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
    asking_leave_ = false;  // closed some other way: stay in the lesson
    return;
  }
  // What the lesson made: "run A, run B and 8 seed-group members".
  const int n = int(own_runs().size());
  const int members = int(made_.size()) - (b_id_ >= 0 ? 1 : 0);
  std::vector<std::string> parts;
  if (owns_run_a()) parts.push_back("run A");
  if (b_id_ >= 0) parts.push_back("run B");
  if (members > 0) parts.push_back(std::to_string(members) + " seed-group member" + (members == 1 ? "" : "s"));
  std::string what;
  for (size_t i = 0; i < parts.size(); ++i) what += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  ImGui::Text("This lesson made %d run%s: %s.", n, n == 1 ? "" : "s", what.c_str());
  ImGui::TextUnformatted("Keep them in the run list beside your own runs, or remove them?");
  ImGui::TextDisabled("Your own and pinned runs stay either way.");
  if (ImGui::Button("Keep the lesson's runs")) choose_leave(true);
  ImGui::SameLine();
  if (ImGui::Button("Remove them")) choose_leave(false);
  ImGui::SameLine();
  if (ImGui::Button("Stay in the lesson") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
    asking_leave_ = false;
  if (!asking_leave_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void LessonPlayer::draw_header(float width) {
  const float F = ImGui::GetFontSize();
  const int n = step_count();
  ImGui::AlignTextToFramePadding();
  ImGui::Text("Lesson %d: %s", lesson_.order, lesson_.title.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("  step %d of %d", step_ + 1, n);
  // Buttons at the right: previous, restart, next, leave.
  const char* labels[] = {"\u25C0 Previous", "\u21BA Restart step", "Next \u25B6", "Leave lesson"};
  float bw = 0;
  for (const char* l : labels) bw += ImGui::CalcTextSize(l).x + 2 * ImGui::GetStyle().FramePadding.x;
  bw += 3 * ImGui::GetStyle().ItemSpacing.x;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + F, width - bw + ImGui::GetStyle().WindowPadding.x));
  ImGui::BeginDisabled(step_ == 0);
  if (ImGui::Button(labels[0])) previous();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("PageUp, \u2190 or \u2191");
  ImGui::SameLine();
  if (ImGui::Button(labels[1])) restart_step();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Replay this step's run from the start (R)");
  ImGui::SameLine();
  ImGui::BeginDisabled(step_ + 1 >= n);
  if (ImGui::Button(labels[2])) next();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("PageDown, \u2192 or \u2193");
  ImGui::SameLine();
  if (ImGui::Button(labels[3])) leave_requested = true;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Back to the full laboratory (Esc); asks whether to keep the runs the lesson made");

  // Progress strip: one segment per step, done / current / to come; click one to go there.
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = std::round(F * 0.45f), gap = std::round(F * 0.25f);
  const float seg = (width - gap * float(n - 1)) / float(n);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 done = ImGui::GetColorU32(ImGuiCol_PlotHistogram), current = ImGui::GetColorU32(ImGuiCol_CheckMark),
              todo = ImGui::GetColorU32(ImGuiCol_FrameBg);
  for (int i = 0; i < n; ++i) {
    const ImVec2 a(std::round(p.x + float(i) * (seg + gap)), p.y), b(std::round(a.x + seg), p.y + h);
    dl->AddRectFilled(a, b, i < step_ ? done : i == step_ ? current : todo, h * 0.5f);
    ImGui::SetCursorScreenPos(a);
    ImGui::PushID(i);
    if (ImGui::InvisibleButton("##seg", ImVec2(std::max(1.0f, seg), h + 2))) go_to(i);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%d. %s", i + 1, lesson_.steps[size_t(i)].title.c_str());
    ImGui::PopID();
  }
  ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + h + gap));
  ImGui::Dummy(ImVec2(width, 1));
}

void LessonPlayer::draw_text_column(float width, float height) {
  (void)height;
  const float F = ImGui::GetFontSize();
  ImFont* big = display_font();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const lesson::Step& s = lesson_.steps[size_t(step_)];
  // Title and prose at projector size, wrapped to the column.
  const float title_size = std::round(F * 1.9f), prose_size = std::round(F * 1.45f);
  auto wrapped = [&](const std::string& t, float size, ImU32 col) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 ts = big->CalcTextSizeA(size, FLT_MAX, width, t.c_str());
    dl->AddText(big, size, p, col, t.c_str(), nullptr, width);
    ImGui::Dummy(ImVec2(width, ts.y));
  };
  wrapped(s.title, title_size, text);
  ImGui::Dummy(ImVec2(1, F * 0.4f));
  wrapped(s.prose, prose_size, text);
  if (!error_.empty()) {
    ImGui::Dummy(ImVec2(1, F * 0.5f));
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(220, 60, 60, 255));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    ImGui::TextUnformatted(("This step's run could not start: " + error_).c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }

  // The formula, and under it the same formula with this step's numbers, live.
  const RunSnapshot& snap = window_.snapshot();
  if (!s.formula.empty()) {
    ImGui::Dummy(ImVec2(1, F * 0.8f));
    const lesson::FormulaLines f = lesson::evaluate_formula(s.formula, snap, window_.ui().layer);
    const ImVec2 box0 = ImGui::GetCursorScreenPos();
    ImGui::Indent(F * 0.6f);
    ImGui::Dummy(ImVec2(1, F * 0.4f));
    const float inner = width - F * 1.2f;
    gui::math_block(f.symbolic, big, std::round(F * 1.6f), std::round(F * 1.0f), inner, text);
    ImGui::Dummy(ImVec2(1, F * 0.2f));
    gui::math_block(f.live, big, std::round(F * 1.25f), std::round(F * 1.15f), inner, text);
    if (!f.note.empty()) {
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + inner);
      ImGui::TextDisabled("%s", f.note.c_str());
      ImGui::PopTextWrapPos();
    }
    ImGui::TextDisabled("step %lld of run A%s", static_cast<long long>(snap.steps_done),
                        snap.running ? ", training" : "");
    ImGui::Unindent(F * 0.6f);
    const ImVec2 box1(box0.x + width, ImGui::GetCursorScreenPos().y + F * 0.2f);
    dl->AddRect(box0, box1, ImGui::GetColorU32(ImGuiCol_Border), F * 0.3f, 0, 1.0f);
    ImGui::Dummy(ImVec2(1, F * 0.4f));
  }

  if (s.has_predict) {
    ImGui::Dummy(ImVec2(1, F * 0.6f));
    draw_predict(width, std::round(F * 1.25f));
  }

  // What to look at, and how the run is doing.
  ImGui::Dummy(ImVec2(1, F * 0.6f));
  const std::string look = look_at(s.focus.highlight, snap, most_loaded(snap, window_.ui().layer));
  if (!look.empty()) wrapped("Look at: " + look, std::round(F * 1.15f), dim);
  draw_run_key(width);
  if (waiting_ && !s.has_predict) ImGui::TextDisabled("Press Space (or Play) to run this step.");
  if (snap.diverged) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(220, 60, 60, 255));
    ImGui::TextWrapped("The run diverged: %s", snap.diverged_what.c_str());
    ImGui::PopStyleColor();
  }
}

// The step's runs as the plots draw them: a swatch in each run's colour and dash, its label,
// and where it comes from; a seed group says what its line and band are.
void LessonPlayer::draw_run_key(float width) {
  const Comparison cmp = comparison();
  if (!cmp.active()) return;
  const float F = ImGui::GetFontSize();
  ImFont* big = display_font();
  const float ts = std::round(F * 1.1f);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const palette::Theme theme = window_.ui().light_theme ? palette::Theme::light : palette::Theme::dark;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::Dummy(ImVec2(1, F * 0.3f));
  const float sw = std::round(F * 2.2f), gap = std::round(F * 0.5f);
  for (const RunLine& line : cmp.lines) {
    std::string t = line.label;
    if (line.id == b_id_)
      t += plan_.fork_step > 0 ? ", parted from A at step " + std::to_string(plan_.fork_step) : ", from the same start";
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 size = big->CalcTextSizeA(ts, FLT_MAX, width - sw - gap, t.c_str());
    plot::DrawListRecorder rec(dl);
    const float mid = p.y + ts * 0.55f;
    plot::DrawLineSwatch(rec, ImVec2(p.x, mid - F * 0.4f), ImVec2(p.x + sw, mid + F * 0.4f),
                         palette::run_colour(line.slot, theme), plot::RunLineStyle(line.slot), 3.0f);
    dl->AddText(big, ts, ImVec2(p.x + sw + gap, p.y), text, t.c_str(), nullptr, width - sw - gap);
    ImGui::Dummy(ImVec2(width, size.y + F * 0.15f));
  }
  std::string note;
  if (plan_.seeds > 1) {
    const int64_t seed = plan_.cfg.seed;
    note = std::to_string(plan_.seeds) + " seeds each (" + std::to_string(seed) + "\u2013" +
           std::to_string(seed + plan_.seeds - 1) + "): the line is their mean, the band " +
           (cmp.band_std ? "\u00b1 1 standard deviation." : "their lowest to highest value.");
  }
  const auto& panels = lesson_.steps[size_t(step_)].focus.panels;
  if (b_id_ >= 0 && std::any_of(panels.begin(), panels.end(), [](const std::string& p) { return !overlays_runs(p); }))
    note += std::string(note.empty() ? "" : " ") + "Panels of one run: A left, B right.";
  if (!note.empty()) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddText(big, std::round(F * 1.0f), p, dim, note.c_str(), nullptr, width);
    ImGui::Dummy(ImVec2(width, big->CalcTextSizeA(std::round(F * 1.0f), FLT_MAX, width, note.c_str()).y));
  }
}

void LessonPlayer::draw_predict(float width, float text_size) {
  const float F = ImGui::GetFontSize();
  ImFont* big = display_font();
  const lesson::Step& s = lesson_.steps[size_t(step_)];
  const lesson::Predict& p = s.predict;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const bool light = window_.ui().light_theme;
  const ImU32 good = light ? IM_COL32(20, 120, 50, 255) : IM_COL32(110, 210, 130, 255);
  const ImU32 bad = light ? IM_COL32(190, 40, 40, 255) : IM_COL32(240, 110, 110, 255);
  const ImVec2 q = ImGui::GetCursorScreenPos();
  const std::string question = "Predict first: " + p.question;
  dl->AddText(big, text_size, q, text, question.c_str(), nullptr, width);
  ImGui::Dummy(ImVec2(width, big->CalcTextSizeA(text_size, FLT_MAX, width, question.c_str()).y + F * 0.3f));
  const bool revealed = answered_ >= 0 && settled();
  for (int i = 0; i < int(p.answers.size()); ++i) {
    ImGui::PushID(i);
    const bool right = i == p.correct;
    int colours = 0;
    if (revealed && (right || i == answered_)) {
      ImGui::PushStyleColor(ImGuiCol_Button, palette::with_alpha(right ? good : bad, 0.35f));
      ImGui::PushStyleColor(ImGuiCol_ButtonHovered, palette::with_alpha(right ? good : bad, 0.5f));
      colours = 2;
    } else if (answered_ == i) {
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetColorU32(ImGuiCol_ButtonActive));
      colours = 1;
    }
    char label[16];
    std::snprintf(label, sizeof label, "%c", 'A' + i);
    ImGui::BeginDisabled(answered_ >= 0);
    const bool clicked = ImGui::Button(label, ImVec2(F * 2.2f, F * 2.0f));
    ImGui::EndDisabled();
    if (colours) ImGui::PopStyleColor(colours);
    ImGui::SameLine();
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float aw = width - F * 2.2f - ImGui::GetStyle().ItemSpacing.x;
    const float ts = std::round(F * 1.15f);
    dl->AddText(big, ts, ImVec2(a.x, a.y + F * 0.2f), text, p.answers[size_t(i)].c_str(), nullptr, aw);
    ImGui::Dummy(ImVec2(aw, std::max(F * 2.0f, big->CalcTextSizeA(ts, FLT_MAX, aw, p.answers[size_t(i)].c_str()).y)));
    if (clicked) answer(i);
    ImGui::PopID();
  }
  if (answered_ < 0) {
    ImGui::TextDisabled("The run plays once the class has answered.");
  } else if (!revealed) {
    ImGui::TextDisabled("Playing...");
  } else {
    const std::string verdict = std::string(answered_ == p.correct ? "Right. " : "Not quite: the answer is ") +
                                (answered_ == p.correct ? "" : std::string(1, char('A' + p.correct)) + ". ") + p.why;
    const ImVec2 v = ImGui::GetCursorScreenPos();
    dl->AddText(big, std::round(F * 1.15f), v, answered_ == p.correct ? good : bad, verdict.c_str(), nullptr, width);
    ImGui::Dummy(ImVec2(width, big->CalcTextSizeA(std::round(F * 1.15f), FLT_MAX, width, verdict.c_str()).y));
  }
}

// The step's panels, large: one fills the area, two side by side (stacked when the area is
// tall), three or four in a 2 × 2 grid. The highlight goes to the panels' keys (set_emphasis)
// and a threshold to the collapse alert line that entropy and collapse panels draw. With a run
// B or a seed group the time plots overlay the runs (comparison()), the load panel stacks A's
// steps × experts heatmap over B's, and each other per-expert panel is drawn for A beside B.
void LessonPlayer::draw_focus(ImVec2 origin, ImVec2 size) {
  const lesson::Step& s = lesson_.steps[size_t(step_)];
  const RunSnapshot& snap = window_.snapshot();
  UiState& ui = window_.ui();
  const lesson::Highlight& h = s.focus.highlight;
  std::vector<std::string> emphasis;
  int expert = h.expert == lesson::kMostLoaded ? most_loaded(snap, ui.layer) : h.expert;
  if (expert >= 0) emphasis.push_back(std::to_string(expert));
  if (!h.series.empty()) emphasis.push_back(key_label_of(h.series));
  panel::set_emphasis(emphasis);
  const UiState saved = ui;
  if (!std::isnan(h.threshold) && h.threshold >= 0 && h.threshold <= 1) ui.collapse_alert = float(h.threshold);

  const Comparison cmp = comparison();
  const std::shared_ptr<const RunSnapshot> sb = b_id_ >= 0 ? window_.runs().snapshot(b_id_) : nullptr;
  const bool ab = sb != nullptr && cmp.lines.size() >= 2;
  enum class Who { a, b, both };
  struct Tile {
    const PanelInfo* panel;
    Who who;
  };
  std::vector<std::vector<Tile>> rows;
  std::vector<Tile> singles;
  bool split = false;
  for (const std::string& name : s.focus.panels) {
    const PanelInfo* p = find_panel(name);
    if (!p) continue;
    if (ab && !overlays_runs(name)) {
      split = true;
      rows.push_back({{p, Who::a}, {p, Who::b}});
    } else {
      rows.push_back({{p, ab ? Who::both : Who::a}});
      singles.push_back(rows.back().front());
    }
  }
  if (split) {
    if (rows.size() > 2) rows.resize(2);  // A beside B: at most two rows
  } else if (singles.size() == 2 && size.x >= size.y) {
    rows = {singles};
  } else if (singles.size() >= 3) {
    rows = {{singles[0], singles[1]}, {singles.begin() + 2, singles.end()}};
  }
  if (ab) ui.load_view = LoadView_Heatmap, ui.load_ab = true;  // A's load over B's, on the same steps
  // A's bars beside B's on one scale: the larger of the two runs' loads and importances.
  if (ab) {
    double top = 0;
    for (const RunSnapshot* r : {&snap, sb.get()}) {
      if (r->last.layers.empty()) continue;
      const LayerMetrics& m = r->last.layers[size_t(std::clamp(ui.layer, 0, int(r->last.layers.size()) - 1))];
      for (double v : m.load) top = std::max(top, v);
      for (double v : m.importance) top = std::max(top, v);
    }
    if (top > 0) ui.this_step_y_max = top * 1.08;
  }
  // The losses panel overlays one term per run: the one the step points at.
  static constexpr const char* kLossTerms[] = {"loss_task", "loss_balance", "loss_z", "loss_importance", "loss_total"};
  bool term_set = false;
  for (int t = 0; t < int(std::size(kLossTerms)); ++t)
    if (h.series == kLossTerms[t]) ui.loss_compare_term = t, term_set = true;

  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("##lesson_focus", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  const ImU32 title_bg = ImGui::GetColorU32(ImGuiCol_TitleBgActive);
  const palette::Theme theme = ui.light_theme ? palette::Theme::light : palette::Theme::dark;
  const float hgt = std::floor(size.y / float(std::max<size_t>(1, rows.size())));
  for (size_t r = 0; r < rows.size(); ++r) {
    const float tw = std::floor(size.x / float(rows[r].size()));
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const Tile& t = rows[r][c];
      const PanelInfo& p = *t.panel;
      // Run B's copy draws its heatmaps on the CPU: the GPU ones hold run A's texture this frame.
      PanelContext ctx{t.who == Who::b ? *sb : snap, ui, t.who == Who::b ? nullptr : window_.panel_gpu(),
                       t.who == Who::b ? nullptr : &cmp};
      ImGui::SetCursorPos(ImVec2(tw * float(c), hgt * float(r)));
      ImGui::PushID(t.who == Who::b ? "B" : "A");
      ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImGui::GetStyle().WindowPadding);
      ImGui::BeginChild(p.name, ImVec2(tw, hgt), true,
                        ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
      ImGui::PopStyleVar();
      const ImVec2 wp = ImGui::GetWindowPos();
      const float bar = ImGui::GetFrameHeight();
      ImGui::GetWindowDrawList()->AddRectFilled(wp, ImVec2(wp.x + tw, wp.y + bar), title_bg);
      ImGui::SetCursorScreenPos(
          ImVec2(wp.x + ImGui::GetStyle().WindowPadding.x, wp.y + ImGui::GetStyle().FramePadding.y));
      std::string title = p.title;
      const RunLine* line = nullptr;  // the run a per-run tile draws: its colour underlines the title bar
      if (t.who != Who::both && ab)
        for (const RunLine& l : cmp.lines)
          if (l.id == (t.who == Who::a ? a_id_ : b_id_)) line = &l;
      if (line) {
        const ImU32 colour = palette::run_colour(line->slot, theme);
        const float F = ImGui::GetFontSize(), sw = std::round(F * 2.0f);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(ImVec2(wp.x, wp.y + bar - 3), ImVec2(wp.x + tw, wp.y + bar), colour);
        const ImVec2 c = ImGui::GetCursorScreenPos();
        plot::DrawListRecorder rec(dl);
        plot::DrawLineSwatch(rec, ImVec2(c.x, c.y + F * 0.1f), ImVec2(c.x + sw, c.y + F * 0.9f), colour,
                             plot::RunLineStyle(line->slot), 3.0f);
        ImGui::SetCursorScreenPos(ImVec2(c.x + sw + F * 0.4f, c.y));
        title += "  \u2014  " + line->label;
      } else if (t.who == Who::both) {
        title += "  \u2014  A and B";
      }
      if (plan_.seeds > 1 && t.who != Who::b && overlays_runs(p.name))
        title += "  (mean of " + std::to_string(plan_.seeds) + " seeds, band)";
      ImGui::TextUnformatted(title.c_str());
      ImGui::SetCursorScreenPos(
          ImVec2(wp.x + ImGui::GetStyle().WindowPadding.x, wp.y + bar + ImGui::GetStyle().ItemSpacing.y));
      ImGui::BeginGroup();
      p.draw(ctx);
      ImGui::EndGroup();
      ImGui::EndChild();
      ImGui::PopID();
    }
  }
  ImGui::End();
  // What the lesson changed for this frame goes back (the laboratory's choices stay as they were),
  // except what the user changed in a panel (a radio button) that the lesson did not set.
  ui.collapse_alert = saved.collapse_alert;
  if (ab) ui.load_view = saved.load_view, ui.load_ab = saved.load_ab, ui.this_step_y_max = saved.this_step_y_max;
  if (term_set) ui.loss_compare_term = saved.loss_compare_term;
  panel::set_emphasis({});
}

}  // namespace moe::gui

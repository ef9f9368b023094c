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

#include "lesson_formula.h"
#include "math_text.h"
#include "metrics.h"
#include "palette.h"
#include "panels/panel_common.h"
#include "panels/panels.h"
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

bool run_settled(const Session& s, int64_t target) {
  const auto snap = s.snapshot();
  return snap->commands_done >= s.commands_queued() && !snap->running &&
         (snap->steps_done >= target || snap->diverged || snap->notice.rfind("refused", 0) == 0);
}

}  // namespace

// [SECTION] Steps

LessonPlayer::LessonPlayer(MainWindow& window, lesson::Lesson lesson) : window_(window), lesson_(std::move(lesson)) {}

LessonPlayer::~LessonPlayer() { panel::set_emphasis({}); }

void LessonPlayer::go_to(int index) {
  if (index < 0 || index >= step_count()) return;
  step_ = index;
  answered_ = -1;
  error_.clear();
  lesson::RunPlan plan;
  if (std::string e = lesson::plan_for_step(lesson_, index, plan); !e.empty()) {
    error_ = e;
    b_.reset();
    return;
  }
  plan_ = std::move(plan);
  const lesson::Step& s = lesson_.steps[size_t(index)];
  waiting_ = (s.has_predict || plan_.hold) && plan_.play_to > plan_.start_from;
  start_runs(!waiting_);
}

// Run A in the window's Session, run B (a compare action) in the player's, both from step 0;
// trained to the step's play_to, or, while the step waits for the class, to where the previous
// step left the run.
void LessonPlayer::start_runs(bool train) {
  const int64_t target = train ? plan_.play_to : plan_.start_from;
  Session& a = window_.session();
  if (std::string e = a.restart(plan_.cfg, plan_.preset, plan_.schedule); !e.empty()) {
    error_ = e;
    return;
  }
  a.set_stop_at(0);
  if (target > 0) a.run_to(target);
  b_.reset();
  if (plan_.has_b) {
    b_ = std::make_unique<Session>(plan_.cfg_b, plan_.label_b.empty() ? std::string("B") : plan_.label_b);
    if (std::string e = b_->schedule(plan_.schedule_b); !e.empty()) error_ = "run B: " + e;
    if (target > 0) b_->run_to(target);
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
    window_.session().run_to(plan_.play_to);
    if (b_) b_->run_to(plan_.play_to);
    return;
  }
  window_.session().toggle();
  if (b_) b_->toggle();
}

bool LessonPlayer::settled() const {
  if (!error_.empty()) return true;
  const int64_t target = waiting_ ? plan_.start_from : plan_.play_to;
  return run_settled(window_.session(), target) && (!b_ || run_settled(*b_, target));
}

// [SECTION] Keys

void LessonPlayer::handle_keys() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || io.KeyCtrl) return;
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
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to the full laboratory, this run kept (Esc)");

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
  if (b_) {
    const auto sb = b_->snapshot();
    ImGui::Dummy(ImVec2(1, F * 0.3f));
    wrapped("A: the lesson's run (left).  B: " + plan_.label_b + " (right), at step " + std::to_string(sb->steps_done) +
                (plan_.fork_step > 0 ? ", parted from A at step " + std::to_string(plan_.fork_step) : ", from step 0") +
                ".",
            std::round(F * 1.1f), dim);
  }
  if (waiting_ && !s.has_predict) ImGui::TextDisabled("Press Space (or Play) to run this step.");
  if (snap.diverged) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(220, 60, 60, 255));
    ImGui::TextWrapped("The run diverged: %s", snap.diverged_what.c_str());
    ImGui::PopStyleColor();
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
// and a threshold to the collapse alert line that entropy and collapse panels draw.
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
  const float saved_alert = ui.collapse_alert;
  if (!std::isnan(h.threshold) && h.threshold >= 0 && h.threshold <= 1) ui.collapse_alert = float(h.threshold);

  std::vector<const PanelInfo*> panels;
  for (const std::string& name : s.focus.panels)
    if (const PanelInfo* p = find_panel(name)) panels.push_back(p);
  // With a run B, each panel twice: run A on the left, run B on the right (at most two rows).
  const bool ab = b_ != nullptr;
  if (ab && panels.size() > 2) panels.resize(2);
  struct Tile {
    const PanelInfo* panel;
    bool b;
  };
  std::vector<Tile> tiles;
  for (const PanelInfo* p : panels) {
    tiles.push_back({p, false});
    if (ab) tiles.push_back({p, true});
  }
  const int n = int(tiles.size());
  int cols = 1, rows = 1;
  if (ab) {
    cols = 2, rows = int(panels.size());
  } else {
    if (n == 2) (size.x >= size.y ? cols : rows) = 2;
    if (n >= 3) cols = rows = 2;
  }
  const float w = std::floor(size.x / float(cols)), hgt = std::floor(size.y / float(rows));
  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("##lesson_focus", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  const std::shared_ptr<const RunSnapshot> sb = ab ? b_->snapshot() : nullptr;
  const ImU32 title_bg = ImGui::GetColorU32(ImGuiCol_TitleBgActive);
  for (int i = 0; i < n; ++i) {
    const PanelInfo& p = *tiles[size_t(i)].panel;
    const bool is_b = tiles[size_t(i)].b;
    // Run B's copy draws its heatmaps on the CPU: the GPU ones hold run A's texture this frame.
    PanelContext ctx{is_b ? *sb : snap, ui, is_b ? nullptr : window_.panel_gpu()};
    const int r = i / cols, c = i % cols;
    const int in_row = (r == rows - 1) ? n - r * cols : cols;  // the last row stretches across
    const float tw = std::floor(size.x / float(in_row));
    ImGui::SetCursorPos(ImVec2(tw * float(c), hgt * float(r)));
    ImGui::PushID(is_b ? "B" : "A");
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImGui::GetStyle().WindowPadding);
    ImGui::BeginChild(p.name, ImVec2(tw, hgt), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleVar();
    const ImVec2 wp = ImGui::GetWindowPos();
    const float bar = ImGui::GetFrameHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(wp, ImVec2(wp.x + tw, wp.y + bar), title_bg);
    ImGui::SetCursorScreenPos(
        ImVec2(wp.x + ImGui::GetStyle().WindowPadding.x, wp.y + ImGui::GetStyle().FramePadding.y));
    std::string title = p.title;
    if (ab) title += is_b ? "  \u2014  B: " + plan_.label_b : "  \u2014  A: the lesson's run";
    ImGui::TextUnformatted(title.c_str());
    ImGui::SetCursorScreenPos(
        ImVec2(wp.x + ImGui::GetStyle().WindowPadding.x, wp.y + bar + ImGui::GetStyle().ItemSpacing.y));
    ImGui::BeginGroup();
    p.draw(ctx);
    ImGui::EndGroup();
    ImGui::EndChild();
    ImGui::PopID();
  }
  (void)w;
  ImGui::End();
  ui.collapse_alert = saved_alert;
  panel::set_emphasis({});
}

}  // namespace moe::gui

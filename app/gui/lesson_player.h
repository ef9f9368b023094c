// lesson_player.h: a lesson in the window (issue 13). The player takes over the
// window's area below the menu bar: the step's prose at projector size, its formula
// with the live values substituted (updating as the run trains), an optional
// "predict first" question, and the focus layout (only the panels the step names,
// large, with what to look at highlighted). The lesson's runs are runs of the window's
// RunSet: run A is the run selected when the lesson opened (restarted for each step); a
// compare action makes run B (RunSet::duplicate from step 0, RunSet::fork at a step), a
// seeds action turns A (and B) into seed groups (RunSet::repeat_over_seeds). The focus
// overlays the runs in the time plots (the lab's compare path: a line per run in its run
// colour, a group as mean and band, the legend by run), stacks the load heatmaps of A and B,
// and draws the other per-expert panels for A beside B. Entering a step replaces the runs
// the previous step made, so going back or restarting gives the same runs, and opening another
// lesson replaces the runs this one made (its run A, when the lesson made A itself, goes on as
// the next lesson's A). Leaving asks whether to keep the lesson's own runs (B, the seed groups'
// members, an A it made) in the run list or remove them; runs the user made or pinned, and
// run A when it was the user's run, are never removed.
//
// Keys (what presentation clickers send): PageDown / → / ↓ next step, PageUp / ← / ↑
// previous, Space play/pause, R restart the step, Esc leave the lesson.
#pragma once

#include <imgui.h>

#include <memory>
#include <string>
#include <vector>

#include "lesson.h"
#include "panels/panels.h"
#include "session.h"

namespace moe::gui {

class MainWindow;

class LessonPlayer {
 public:
  // `owns_selected`: the selected run was made by a lesson before this one (it is this lesson's to remove).
  LessonPlayer(MainWindow& window, lesson::Lesson lesson, bool owns_selected = false);
  ~LessonPlayer();
  LessonPlayer(const LessonPlayer&) = delete;
  LessonPlayer& operator=(const LessonPlayer&) = delete;

  // Enters step `index` (0-based): replays its run (lesson::plan_for_step) from step 0 and,
  // unless it asks the class first or holds for Play, trains it to the step's play_to.
  void go_to(int index);
  void next() { go_to(step_ + 1); }
  void previous() { go_to(step_ - 1); }
  void restart_step() { go_to(step_); }
  void answer(int choice);  // a predict-first answer: remembered, then the run plays
  void play();              // the step's run(s) to its play_to (after a pause action), or resume

  int step() const { return step_; }
  int step_count() const { return int(lesson_.steps.size()); }
  const lesson::Lesson& lesson() const { return lesson_; }
  const lesson::RunPlan& plan() const { return plan_; }
  const std::string& error() const { return error_; }  // the step's run could not be built ("" = fine)
  int run_a() const { return a_id_; }                  // run A's id in the window's RunSet (-1: none)
  int run_b() const { return b_id_; }                  // run B's id, -1 while the step has none
  Session* session_b();                                // run B's Session, nullptr if none
  // Every run of this step: A, B, then the seed groups' other members (ids in the RunSet).
  std::vector<int> runs() const;
  // The lines the focus layout's time plots overlay: the step's runs, A selected (not active()
  // for a single run, as in the laboratory).
  Comparison comparison() const;
  // Moves the step's runs on (B is made once A has taken its restart, a fork once A stands at
  // the fork step); then true when every run has reached its target (the step's play_to, or
  // where the previous step left the run while the step waits) or cannot go on.
  bool settled();
  int answered() const { return answered_; }  // the predict-first choice, -1 before one
  bool waiting() const { return waiting_; }   // the step holds for an answer or for Play before training

  // The runs the lesson made (B, seed members, A when the lesson made it), none of the user's.
  std::vector<int> own_runs() const;
  bool owns_run_a() const { return own_a_ && a_id_ >= 0; }
  void drop_step_runs() { drop_made_runs(); }  // the current step's B and seed members leave the RunSet
  // Leaving: asks (a modal in draw) whether to keep the lesson's own runs; choose_leave answers it
  // (the popup's buttons, tests): keep or remove them, then the window ends the lesson.
  void ask_to_leave() { asking_leave_ = true, open_leave_popup_ = true; }
  bool asking_to_leave() const { return asking_leave_; }
  void choose_leave(bool keep_runs) { asking_leave_ = false, leave_with = keep_runs ? 0 : 1; }
  int leave_with = -1;  // the answer: -1 none yet, 0 keep the lesson's runs, 1 remove them

  void handle_keys();                     // the lesson's shortcuts (interactive windows only)
  void draw(ImVec2 origin, ImVec2 size);  // the whole lesson view in that rectangle
  bool leave_requested = false;  // Esc / "Leave lesson": after the frame the window asks (ask_to_leave) or leaves

 private:
  void start_runs(bool train);
  void poll();                     // the next phase of making the step's runs, when its time has come
  void drive();                    // every run of the step towards target_ (A to the fork step first)
  void drop_made_runs();           // the runs the previous step made (B, seed members) leave the RunSet
  std::string make_b();            // run B: a duplicate of A from step 0, or a fork of A at the fork step
  std::string make_group(int id);  // a seed group of plan_.seeds around run `id`
  void draw_header(float width);
  void draw_text_column(float width, float height);
  void draw_predict(float width, float text_size);
  void draw_run_key(float width);
  void draw_focus(ImVec2 origin, ImVec2 size);
  void draw_leave_popup();

  MainWindow& window_;
  lesson::Lesson lesson_;
  int step_ = 0;
  lesson::RunPlan plan_;
  std::string error_;
  int a_id_ = -1, b_id_ = -1;
  std::vector<int> made_;  // runs this step made: B and the seed groups' members
  enum class Phase { ready, restarting, to_fork } phase_ = Phase::ready;
  int64_t target_ = 0;  // where the step's runs train to now
  int answered_ = -1;
  bool waiting_ = false;  // the step holds before training (predict first or a pause action)
  bool own_a_ = false;    // run A was made by a lesson (not the user's run)
  bool asking_leave_ = false, open_leave_popup_ = false;
};

// `moescope lesson NAME --out DIR`: renders every step of the lesson offscreen (EGL, light theme,
// width × height) into DIR/step-01.png ... and writes DIR/index.md with each step's text and its
// evaluated formula. Returns the exit status (0 ok, 1 render or write failed).
int write_lesson_handouts(const lesson::Lesson& lesson, const std::string& dir, int width, int height);

}  // namespace moe::gui

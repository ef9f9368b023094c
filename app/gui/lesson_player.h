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
// the previous step made, so going back or restarting gives the same runs; leaving the
// lesson keeps them in the run list.
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
  LessonPlayer(MainWindow& window, lesson::Lesson lesson);
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

  void handle_keys();                     // the lesson's shortcuts (interactive windows only)
  void draw(ImVec2 origin, ImVec2 size);  // the whole lesson view in that rectangle
  bool leave_requested = false;           // Esc / "Leave lesson": the window ends the lesson after the frame

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
};

// `moescope lesson NAME --out DIR`: renders every step of the lesson offscreen (EGL, light theme,
// width × height) into DIR/step-01.png ... and writes DIR/index.md with each step's text and its
// evaluated formula. Returns the exit status (0 ok, 1 render or write failed).
int write_lesson_handouts(const lesson::Lesson& lesson, const std::string& dir, int width, int height);

}  // namespace moe::gui

// lesson_player.h: a lesson in the window (issue 13). The player takes over the
// window's area below the menu bar: the step's prose at projector size, its formula
// with the live values substituted (updating as the run trains), an optional
// "predict first" question, and the focus layout (only the panels the step names,
// large, with what to look at highlighted). The lesson's run is the window's own
// Session (run A); a compare action trains run B in a Session of the player's, and the
// focus shows each panel twice, A beside B. Leaving the lesson gives the full laboratory back with run A kept.
//
// Keys (what presentation clickers send): PageDown / → / ↓ next step, PageUp / ← / ↑
// previous, Space play/pause, R restart the step, Esc leave the lesson.
#pragma once

#include <imgui.h>

#include <memory>
#include <string>

#include "lesson.h"
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
  Session* session_b() { return b_.get(); }            // run B of a compare action, nullptr if none
  // Both runs have reached the step's play_to (or cannot go on) and took every command.
  bool settled() const;
  int answered() const { return answered_; }  // the predict-first choice, -1 before one
  bool waiting() const { return waiting_; }   // the step holds for an answer or for Play before training

  void handle_keys();                     // the lesson's shortcuts (interactive windows only)
  void draw(ImVec2 origin, ImVec2 size);  // the whole lesson view in that rectangle
  bool leave_requested = false;           // Esc / "Leave lesson": the window ends the lesson after the frame

 private:
  void start_runs(bool train);
  void draw_header(float width);
  void draw_text_column(float width, float height);
  void draw_predict(float width, float text_size);
  void draw_focus(ImVec2 origin, ImVec2 size);

  MainWindow& window_;
  lesson::Lesson lesson_;
  int step_ = 0;
  lesson::RunPlan plan_;
  std::string error_;
  std::unique_ptr<Session> b_;
  int answered_ = -1;
  bool waiting_ = false;  // the step holds before training (predict first or a pause action)
};

// `moescope lesson NAME --out DIR`: renders every step of the lesson offscreen (EGL, light theme,
// width × height) into DIR/step-01.png ... and writes DIR/index.md with each step's text and its
// evaluated formula. Returns the exit status (0 ok, 1 render or write failed).
int write_lesson_handouts(const lesson::Lesson& lesson, const std::string& dir, int width, int height);

}  // namespace moe::gui

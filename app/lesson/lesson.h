// lesson.h: a lesson, a short guided sequence of steps that loads the right run,
// shows only the panels that matter, puts a formula on screen with this step's
// numbers in it, asks the class to predict, then plays and shows (issue 13).
//
// A lesson is data, not code: one JSON file in assets/lessons/ (README, "Writing a
// lesson"). This header holds the parsed form, the parser/validator (every problem
// with its file, line, field and what is allowed) and the run a step stands for
// (plan_for_step), shared by the window's lesson player, `moescope lesson` and the
// claim tests. No GUI code.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "trainer.h"

namespace moe::lesson {

// [SECTION] The parsed lesson

enum class ActionKind {
  preset,    // {"do": "preset", "name": "collapse"}: load a preset from step 0
  config,    // {"do": "config", "file": "x.json"}: load a config file (relative to the lesson's folder)
  set,       // {"do": "set", "settings": {"alpha": 0}}: before any play: the run's settings; after: a change now
  schedule,  // {"do": "schedule", "at": 300, "settings": {...}}: a change at a later step (a marker on the plots)
  play_to,   // {"do": "play_to", "step": 400}: train until steps_done = 400, then pause
  compare,   // {"do": "compare", "at": 0, "settings": {...}, "label": "α = 0.01"}: run B = run A with these changes
  seeds,     // {"do": "seeds", "count": 5}: the run as a group of seeds (claims hold over seeds 1..5 anyway)
  pause,     // {"do": "pause"}: the step's play_to waits for Play (Space) instead of starting at once
};
const char* action_name(ActionKind k);

struct Action {
  ActionKind kind = ActionKind::pause;
  std::string name;                                           // preset name, config file, or compare label
  std::vector<std::pair<std::string, std::string>> settings;  // set/schedule/compare: key (table name), value text
  int64_t step = 0;                                           // play_to: the target; schedule/compare: "at"
  int count = 0;                                              // seeds
  int line = 0;
};

// What the focus layout points at. Every field optional.
struct Highlight {
  int expert = -1;                  // an expert's series drawn thick (-1: none; kMostLoaded: the one with most load)
  std::string series;               // a metric key whose curve is emphasised ("load_entropy")
  double threshold = std::nan("");  // a horizontal line at this value (NaN: none)
  std::string threshold_label;      // its label ("collapse alert")
  bool any() const { return expert != -1 || !series.empty() || !std::isnan(threshold); }
};
inline constexpr int kMostLoaded = -2;

struct Focus {
  std::vector<std::string> panels;  // panel names (app/panel_names.h), 1..4
  Highlight highlight;
};

struct Predict {
  std::string question;
  std::vector<std::string> answers;  // 2 or 3
  int correct = 0;                   // index into answers
  std::string why;                   // shown after the run has played
};

enum class Compare { lt, le, gt, ge, between };
const char* compare_text(Compare c);  // "<", "<=", ">", ">=", "between"

// A machine-checkable sentence: `metric` of `run` after `step` steps, over seeds 1..5.
struct Claim {
  std::string metric;     // a key of kMetricTable, a derived one (derived_metrics()), or a published model's
  int layer = 0;          // MoE layer for layer and expert metrics
  int expert = -1;        // expert metrics: an index, or kExpertMax / kExpertMin over the experts
  int64_t step = 0;       // the metrics when steps_done == step (the step with index step-1)
  int window = 1;         // mean over the last `window` steps up to there (noisy metrics: drop rate)
  std::string run = "a";  // "a": the lesson's run; "b": the comparison run of a compare action
  std::string ratio_to;   // "" or "a"/"b": the claim is on value(run) / value(ratio_to)
  Compare cmp = Compare::lt;
  double value = 0, value2 = 0;  // the threshold; between: [value, value2]
  std::string text;              // the sentence it backs, as the step says it
  int line = 0;
};
inline constexpr int kExpertMax = -2, kExpertMin = -3;

struct Step {
  std::string title;
  std::string prose;    // two or three short sentences
  std::string formula;  // a built-in formula's name (lesson_formula.h), "" = none
  std::vector<Action> actions;
  Focus focus;
  bool has_predict = false;
  Predict predict;
  std::vector<Claim> claims;
  int line = 0;
};

struct Lesson {
  std::string name;  // file stem: "collapse"
  std::string path;  // the file it was read from
  std::string title;
  std::string summary;  // one line
  int order = 1000;     // place in the Lessons menu and `moescope lesson --list`
  std::vector<Step> steps;
};

// [SECTION] Parsing and validation

// One thing wrong with a lesson file.
struct Problem {
  std::string file;
  int line = 0;       // 1-based, 0 if unknown
  std::string field;  // "steps[2].actions[0].do"
  std::string message;
  std::string text() const;  // "x.json:12: steps[2].actions[0].do: 'plya' is not ...; allowed: ..."
};

// Parses and validates a lesson's text; `path` names it (its stem is the lesson's name). Every
// problem found goes to *problems (not only the first); returns true when there is none.
bool parse_lesson(const std::string& text, const std::string& path, Lesson& out, std::vector<Problem>* problems);
// Reads and parses a lesson file (a regular file of at most 64 MiB).
bool read_lesson_file(const std::string& path, Lesson& out, std::vector<Problem>* problems);
// assets/lessons/*.json in order ("order", then name); files with problems are skipped and each
// problem goes to *warnings (stderr when null).
std::vector<Lesson> list_lessons(std::vector<std::string>* warnings = nullptr);
// A lesson by name (or a path to a .json file). "" or an error listing the lessons.
std::string load_lesson(const std::string& name_or_path, Lesson& out);

// [SECTION] The run a step stands for

// A step's run, found by replaying the actions from the last step at or before it that loads a
// preset or config, so entering a step (forwards, backwards, or "restart step") gives the same run.
struct RunPlan {
  Config cfg;                             // run A at step 0
  std::string preset;                     // the preset it came from ("" for a config file)
  std::vector<ScheduledChange> schedule;  // run A's changes after step 0
  int64_t play_to = 0;                    // where the step's run stops (0: it does not train)
  int64_t start_from = 0;                 // steps_done the previous step left the run at (0: from scratch)
  bool hold = false;                      // a pause action: wait for Play before training
  bool has_b = false;                     // a compare action made run B
  Config cfg_b;                           // run B at step 0
  std::vector<ScheduledChange> schedule_b;
  int64_t fork_step = 0;  // B parts from A here (0: from the start)
  std::string label_b;    // "α = 0.01"
  int seeds = 1;          // a seeds action: the group's size
};
// The plan for steps[index]. "" or an error (a preset that does not exist, a setting out of range).
std::string plan_for_step(const Lesson& lesson, int index, RunPlan& out);

}  // namespace moe::lesson

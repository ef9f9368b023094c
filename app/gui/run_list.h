// run_list.h: the runs side by side, as the window shows them (run_list.cpp).
//
//   parse_compare_spec  "alpha=0.01,top_k=2@500" (`--compare`, the Duplicate/Fork popup)
//                       into the changes a new run makes
//   build_comparison    the window's runs (RunSet views) into the lines every time plot
//                       overlays: visible runs, a seed group as one line, the reference
// MainWindow::draw_run_list (run_list.cpp) draws the strip above the plots from them.
#pragma once

#include <string>
#include <vector>

#include "panels/panels.h"
#include "run_set.h"
#include "ui_state.h"

namespace moe::gui {

// "key=value[@STEP],key=value[@STEP]..." as `run --compare` reads it: each setting checked
// against the property table (its name and its value); a change without @STEP is at step 0.
// "" or what is wrong.
std::string parse_compare_spec(const std::string& spec, const Config& base, std::vector<ScheduledChange>* changes);

// The runs `--compare` adds beside the first run (shot, in list order): a spec whose every
// change is at one step S > 0 ("alpha=0@500") is a fork of the first run at S, made when the
// first run has been trained there (a true fork: it shares the first run's past and is marked
// at S on every plot; the same numbers as the change scheduled at S); any other spec is a
// duplicate from step 0. When the first run is already past S (an earlier fork at a later
// step), the run is the first run's with the changes scheduled at S, marked as its fork at S.
// "" or the first problem, and *failed its index in `compares`.
std::string add_compared_runs(RunSet& runs, const std::vector<std::vector<ScheduledChange>>& compares,
                              int* failed = nullptr);

// Lines for the comparison plots: every visible run in list order, a seed group's members
// as one line (its first member's label, slot and id). The reference (difference view on
// and two lines or more) is the line holding the first run, else the first line.
Comparison build_comparison(const std::vector<RunView>& views, int selected, int first, const UiState& ui);

}  // namespace moe::gui

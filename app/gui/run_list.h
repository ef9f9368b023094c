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

// Lines for the comparison plots: every visible run in list order, a seed group's members
// as one line (its first member's label, slot and id). The reference (difference view on
// and two lines or more) is the line holding the first run, else the first line.
Comparison build_comparison(const std::vector<RunView>& views, int selected, int first, const UiState& ui);

}  // namespace moe::gui

// sweep_view.h: the window's sweep (the "sweep" panel, panel_sweep.cpp): its definition as
// typed, the runner training it (or a sweep CSV opened), the metric shown, and the callback
// through which a clicked cell opens its runs in the comparison.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sweep_runner.h"

namespace moe {

struct SweepView {
  SweepRunner runner;
  char rows[160] = "k=1,2,4";            // first setting and its values (heatmap rows)
  char cols[160] = "alpha=0,1e-3,1e-2";  // second setting (columns); empty: a line plot over the first
  int seeds = 3;                         // runs per grid point
  int steps = 500;                       // steps per run
  std::string metric = "load_entropy";   // final metric shown (a key of the table's columns)
  std::string error;                     // why Run was refused, shown in red
  std::string notice;                    // what the last click did
  std::vector<std::string> files;        // the sweep CSV(s) last opened (absolute), for a workspace to open again
  // A clicked cell's runs (its seeds, configs as the sweep trains them) and a label such as
  // "k=2, alpha=1e-3": the window opens them in the comparison (RunSet::duplicate). Null: the
  // panel says that this window cannot open runs.
  std::function<std::string(const std::vector<SweepRun>& runs, const std::string& label)> open_cell;
};

}  // namespace moe

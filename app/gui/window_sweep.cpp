// window_sweep.cpp: the window's side of the sweep view (panel_sweep.cpp): making it
// visible and what a clicked cell does.
//
// open_cell: the window holds one live run here, so a clicked cell's first seed becomes the
// live run (its config from step 0). A window with a run list (RunSet) replaces this
// callback by one that opens every seed of the cell side by side (RunSet::duplicate).
#include <memory>

#include "sweep_view.h"
#include "window.h"

namespace moe::gui {

SweepView& MainWindow::show_sweep() {
  if (!ui_.sweep) ui_.sweep = std::make_shared<SweepView>();
  SweepView& v = *ui_.sweep;
  if (!v.open_cell)
    v.open_cell = [this](const std::vector<SweepRun>& runs, const std::string& label) -> std::string {
      if (runs.empty()) return "no runs in that cell";
      Config cfg = runs.front().cfg;
      cfg.threads = snap_->cfg.threads;  // the sweep trains one thread per run; the live run as configured
      if (std::string e = session_->restart(cfg, preset_); !e.empty()) return "cannot open " + label + ": " + e;
      set_status("opened " + label + ", seed " + std::to_string(runs.front().seed) + " as the live run");
      return "";
    };
  const int sweep = panel_index("sweep");
  if (sweep >= 0) ui_.show_panel[size_t(sweep)] = true;
  return v;
}

}  // namespace moe::gui

// window_sweep.cpp: the window's side of the sweep view (panel_sweep.cpp): making it
// visible, what a clicked cell does, and results files opened or dropped.
//
// open_cell: the window holds one live run here, so a clicked cell's first seed becomes the
// live run (its config from step 0). A window with a run list (RunSet) replaces this
// callback by one that opens every seed of the cell side by side (RunSet::duplicate).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "results_read.h"
#include "sweep_results.h"
#include "sweep_view.h"
#include "window.h"

namespace moe::gui {

namespace fs = std::filesystem;

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

namespace moe::gui {

std::vector<std::string> split_paths(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t semi = text.find(';', pos);
    std::string p = text.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
    while (!p.empty() && p.front() == ' ') p.erase(0, 1);
    while (!p.empty() && p.back() == ' ') p.pop_back();
    if (!p.empty()) out.push_back(p);
    if (semi == std::string::npos) break;
    pos = semi + 1;
  }
  return out;
}

std::string MainWindow::open_results(const std::vector<std::string>& paths) {
  std::vector<std::string> sweeps;
  std::string err, opened;
  for (const std::string& path : paths) {
    std::string e;
    const ResultsKind kind = results_kind(path, &e);
    if (kind == ResultsKind::sweep_csv) {
      sweeps.push_back(path);
    } else if (kind == ResultsKind::run_csv || kind == ResultsKind::run_json) {
      auto snap = read_run_results(path, &e);
      if (snap && !add_results_run)
        e = "'" + path + "' is a run's results: this window shows one live run; read-only runs open in the run list";
      else if (snap && add_results_run(snap, fs::path(path).stem().string(), &e) >= 0)
        opened += (opened.empty() ? "" : ", ") + fs::path(path).filename().string();
    }
    if (!e.empty() && err.empty()) err = e;
  }
  if (!sweeps.empty()) {
    SweepTable table;
    // Every run there, or else what is there (an interrupted sweep, a shard still running) with the reason why not.
    std::string incomplete = read_sweep_csv(sweeps, &table);
    std::string e = incomplete.empty() ? "" : read_sweep_csv(sweeps, &table, /*allow_partial=*/true);
    if (!e.empty()) {
      if (err.empty()) err = incomplete.empty() ? e : incomplete;  // what is missing says more than a guessed grid
    } else {
      if (!incomplete.empty() && err.empty()) err = "opened with runs missing: " + incomplete;
      std::string names;
      for (const std::string& p : sweeps) names += (names.empty() ? "" : ", ") + fs::path(p).filename().string();
      const int64_t runs = int64_t(table.rows.size()), total = table.run_count();
      SweepView& v = show_sweep();
      // The definition fields show the opened grid, so Run trains it again in the window.
      auto axis_text = [&](size_t a) {
        std::string t = a < table.axes.size() ? table.axes[a].key + "=" : "";
        for (size_t i = 0; a < table.axes.size() && i < table.axes[a].values.size(); ++i)
          t += (i ? "," : "") + table.axes[a].values[i];
        return t;
      };
      std::snprintf(v.rows, sizeof v.rows, "%s", axis_text(0).c_str());
      std::snprintf(v.cols, sizeof v.cols, "%s", axis_text(1).c_str());
      v.seeds = std::clamp(table.seeds, 1, 16);
      v.runner.show(std::move(table), names, snap_->cfg);
      if (v.runner.steps() > 0) v.steps = int(std::min<int64_t>(v.runner.steps(), 100000000));
      opened += (opened.empty() ? "" : ", ") + names +
                (runs < total ? " (" + std::to_string(runs) + " of " + std::to_string(total) + " runs)" : "");
    }
  }
  if (!err.empty()) {
    set_status(opened.empty() ? err : "opened " + opened + "; " + err, true);
    return err;
  }
  set_status("opened " + opened);
  return "";
}

void MainWindow::open_dropped(const std::vector<std::string>& paths) {
  std::vector<std::string> results;
  for (const std::string& p : paths) {
    const std::string ext = fs::path(p).extension().string();
    std::string e;
    if (ext == ".csv" || (ext == ".json" && results_kind(p, &e) == ResultsKind::run_json))
      results.push_back(p);
    else
      open_config_file(p);
  }
  if (!results.empty()) open_results(results);
}

}  // namespace moe::gui

// window_sweep.cpp: the window's side of the sweep view (panel_sweep.cpp): making it
// visible, what a clicked cell does, and results files opened or dropped.
//
// open_cell: a clicked cell's runs (every seed, the configs the sweep trained) open in the
// RunSet as live runs, a seed group when the sweep has more than one seed, and train to the
// sweep's steps: each is the sweep's run exactly, so its final metrics are the cell's.
// Run results files (`moescope run --out` CSV/JSON) become read-only runs of the RunSet.
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
      const int64_t steps = ui_.sweep ? ui_.sweep->runner.steps() : 0;
      return open_sweep_cell(runs, label, steps);
    };
  const int sweep = panel_index("sweep");
  if (sweep >= 0) ui_.show_panel[size_t(sweep)] = true;
  return v;
}

std::string MainWindow::open_sweep_cell(const std::vector<SweepRun>& runs, const std::string& label, int64_t steps) {
  if (runs.empty()) return "no runs in that cell";
  const int n = int(runs.size());
  // Open already (a second click): selected, not opened twice.
  for (const RunView& v : runs_->views()) {
    Config have;
    std::vector<ScheduledChange> changes;
    if (v.info.kind != RunKind::Live || !runs_->describe(v.info.id, &have, &changes) || !changes.empty()) continue;
    const std::vector<std::string> differ = changed_settings(have, runs.front().cfg);
    if (std::any_of(differ.begin(), differ.end(), [](const std::string& k) { return k != "threads"; })) continue;
    const int members = v.info.group >= 0 ? int(runs_->group_members(v.info.group).size()) : 1;
    if (members != n) continue;
    runs_->select(v.info.id);  // the next frame shows it (this one is being drawn)
    return label +
           " is open already ("
           " + v.info.label + "
           "): selected it";
  }
  if (runs_->entries() + 1 > runs_->max_runs())
    return "cannot open " + label + ": the run list holds at most " + std::to_string(runs_->max_runs()) +
           " runs; remove one first";
  if (runs_->size() + n > runs_->max_total_runs())
    return "cannot open " + label + ": its " + std::to_string(n) + " seeds would pass the " +
           std::to_string(runs_->max_total_runs()) + " runs this machine's memory allows (" +
           std::to_string(runs_->size()) + " now); remove some first";
  // A new seed group (an id no run has) when the cell has several seeds.
  int group = -1;
  if (n > 1) {
    group = 0;
    for (const RunView& v : runs_->views()) group = std::max(group, v.info.group + 1);
  }
  const std::string preset = snap_->preset;
  std::vector<int> made;
  for (const SweepRun& r : runs) {
    Config cfg = r.cfg;
    cfg.threads = snap_->cfg.threads;  // the sweep trains one thread per run; the numbers do not depend on it
    RunInfo like;
    like.group = group;
    std::string err;
    const int id = runs_->add_run(cfg, {}, preset, like, &err);
    if (id < 0) {
      for (auto it = made.rbegin(); it != made.rend(); ++it) runs_->remove(*it);
      return "cannot open " + label + ": " + err;
    }
    made.push_back(id);
  }
  for (int id : made)
    if (Session* s = runs_->session(id); s && steps > 0) s->run_to(steps);
  // Called while the panels draw (a click in the sweep view): the frame's snapshot stays as it
  // is, the next frame reads the new runs (and tells them where to stop).
  stop_sent_ = -1;
  set_status("opened " + label + (n > 1 ? " (" + std::to_string(n) + " seeds)" : "") + " beside the runs" +
             (steps > 0 ? ", training to step " + std::to_string(steps) + " as the sweep did" : ""));
  return "";
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
      // A read-only run beside the live ones; its path kept (absolute) so a workspace opens it again.
      std::error_code ec;
      const fs::path abs = fs::absolute(path, ec);
      if (auto snap = read_run_results(path, &e);
          snap && runs_->add_results(snap, fs::path(path).stem().string(), &e, ec ? path : abs.string()) >= 0) {
        runs_changed();
        opened += (opened.empty() ? "" : ", ") + fs::path(path).filename().string();
      }
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
      v.files.clear();
      for (const std::string& p : sweeps) {
        std::error_code ec;
        const fs::path abs = fs::absolute(p, ec);
        v.files.push_back(ec ? p : abs.string());
      }
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
    else if (is_workspace_file(p))
      open_workspace_file(p);
    else
      open_config_file(p);
  }
  if (!results.empty()) open_results(results);
}

}  // namespace moe::gui

// window_workspace.cpp: File > Save workspace / Open workspace (Ctrl+Shift+S, or a workspace
// JSON dropped on the window): every run of the RunSet (app/workspace.h) with the window's
// layout and the sweep view's definition as the workspace's "layout" and "sweep".
//
//   "layout": ui_to_json (panels, layout, theme, smoothing...; ui_state_json.h) without the UI
//             scale, which belongs to the screen, plus the comparison's view: band, difference
//             to first, load A/B, the MoE layer shown
//   "sweep":  {"rows", "cols", "seeds", "steps", "metric"}: the definition as typed (Run trains
//             it again), and "files" when the sweep shown was opened from CSV files (opened
//             again); null when no sweep is defined
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "config_io.h"
#include "results_read.h"
#include "sweep_view.h"
#include "ui_state_json.h"
#include "window.h"
#include "workspace.h"

namespace moe::gui {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <class T>
void read_field(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
  }
}

}  // namespace

json MainWindow::workspace_layout() const {
  json j = ui_to_json(ui_);
  j.erase("ui_scale");
  j["band_std"] = ui_.band_std;
  j["difference_view"] = ui_.difference_view;
  j["load_ab"] = ui_.load_ab;
  j["layer"] = ui_.layer;
  return j;
}

json MainWindow::workspace_sweep() const {
  if (!ui_.sweep) return nullptr;
  const SweepView& v = *ui_.sweep;
  json j = {{"rows", v.rows}, {"cols", v.cols}, {"seeds", v.seeds}, {"steps", v.steps}, {"metric", v.metric}};
  if (v.runner.from_file() && !v.files.empty()) j["files"] = v.files;
  return j;
}

std::string MainWindow::apply_workspace_layout(const json& layout, const json& sweep) {
  std::string problem;
  if (layout.is_object()) {
    const float scale = ui_.ui_scale;  // the screen's, not the file's
    ui_from_json(layout, ui_);
    ui_.ui_scale = scale;
    read_field(layout, "band_std", ui_.band_std);
    read_field(layout, "difference_view", ui_.difference_view);
    read_field(layout, "load_ab", ui_.load_ab);
    read_field(layout, "layer", ui_.layer);
    ui_.layer = std::clamp(ui_.layer, 0, std::max(0, snap_->cfg.n_layers - 1));
  }
  if (sweep.is_object()) {
    std::vector<std::string> files;
    read_field(sweep, "files", files);
    if (!files.empty()) problem = open_results(files);  // the table shown again, or what is gone
    SweepView& v = show_sweep();
    std::string rows = v.rows, cols = v.cols;
    read_field(sweep, "rows", rows);
    read_field(sweep, "cols", cols);
    std::snprintf(v.rows, sizeof v.rows, "%s", rows.c_str());
    std::snprintf(v.cols, sizeof v.cols, "%s", cols.c_str());
    read_field(sweep, "seeds", v.seeds);
    read_field(sweep, "steps", v.steps);
    read_field(sweep, "metric", v.metric);
    v.seeds = std::clamp(v.seeds, 1, 16);
    v.steps = std::max(1, v.steps);
  } else {
    ui_.sweep.reset();  // the workspace has none: the one shown goes (a sweep running is cancelled)
  }
  return problem.empty() ? "" : "the sweep: " + problem;
}

std::string MainWindow::save_workspace_file(const std::string& path) {
  const std::string err = save_workspace(path, *runs_, workspace_layout(), workspace_sweep());
  if (!err.empty()) {
    set_status(err, true);
    return err;
  }
  set_status("saved the workspace (" + std::to_string(runs_->size()) + " runs" + (ui_.sweep ? ", the sweep" : "") +
             ", the layout) to " + path);
  return "";
}

std::string MainWindow::open_workspace_file(const std::string& path) {
  Workspace ws;
  const std::string err = load_workspace(path, ws,
                                         [](const std::string& p, std::string* e) { return read_run_results(p, e); });
  if (!err.empty()) {
    set_status(err, true);  // the runs open now stay as they are
    return err;
  }
  session_ = nullptr;
  runs_ = std::move(ws.runs);  // the old runs' threads stop; this frame's snapshots stay alive until replaced
  runs_changed();
  edit_ = snap_->cfg;
  preset_ = snap_->preset;
  stop_for_steps_ = -1;  // "stop at" follows the opened run's config
  if (std::string e = apply_workspace_layout(ws.layout, ws.sweep); !e.empty()) ws.warnings.push_back(e);
  std::string note = "opened the workspace " + path + " (" + std::to_string(runs_->size()) + " runs, training again " +
                     "to their steps)";
  if (!ws.warnings.empty())
    note += "; " + ws.warnings.front() +
            (ws.warnings.size() > 1 ? " (and " + std::to_string(ws.warnings.size() - 1) + " more)" : "");
  set_status(note, !ws.warnings.empty());
  return "";
}

bool is_workspace_file(const std::string& path) {
  std::string text, err;
  if (fs::path(path).extension() != ".json" || !read_file(path, &text, &err)) return false;
  // "format" is the document's first key (nlohmann writes keys in order); a bad workspace is
  // still a workspace, and open_workspace_file names what is wrong in it.
  return text.substr(0, 256).find("\"moescope-workspace/") != std::string::npos;
}

}  // namespace moe::gui

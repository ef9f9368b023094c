// workspace.h: every run of a RunSet in one JSON file, and back (issue 11, "Results open again").
//
// {"format": "moescope-workspace/1",
//  "runs": [{"id", "kind": "live"|"pinned"|"results", "label", "label_edited", "visible",
//            "group", "parent", "fork_step", "steps", "preset", "config": {...},
//            "changes": [{"step", "key", "value"}], "source"}],
//  "selected", "layout": {...}, "sweep": {...}}
// A run is its config at step 0, every change after it with exact values, and the step it
// had reached; runs are deterministic, so opening the file trains each again to that step
// (Live runs in the background, as the window does; Pinned ones before load returns, then
// pinned) and gives the same histories bit for bit. Results runs are read again from their
// `source` file through the caller's opener. "layout" and "sweep" are the window's and the
// sweep view's own JSON, kept as they are.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_set.h"

namespace moe {

// Reads a results file (`moescope run --out`) as a read-only run; nullptr and *error if it cannot.
using ResultsOpener = std::function<std::shared_ptr<const RunSnapshot>(const std::string& path, std::string* error)>;

struct Workspace {
  std::unique_ptr<RunSet> runs;
  nlohmann::json layout, sweep;       // as saved (null if absent)
  std::vector<std::string> warnings;  // what could not be restored (a results file gone...), one line each
};

nlohmann::json workspace_json(const RunSet& set, const nlohmann::json& layout = nullptr,
                              const nlohmann::json& sweep = nullptr);
// Writes workspace_json atomically. "" or an error naming the file.
std::string save_workspace(const std::string& path, const RunSet& set, const nlohmann::json& layout = nullptr,
                           const nlohmann::json& sweep = nullptr);

// Recreates the runs of a workspace document; "" or an error naming what is wrong (out.runs null then).
// Live runs are asked to train to their saved step (RunSet::session(id)->run_to) and pause there.
std::string workspace_from_json(const nlohmann::json& doc, const std::string& where, Workspace& out,
                                const ResultsOpener& open_results = nullptr);
std::string load_workspace(const std::string& path, Workspace& out, const ResultsOpener& open_results = nullptr);

}  // namespace moe

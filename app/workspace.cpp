// workspace.cpp: see workspace.h.
#include "workspace.h"

#include <chrono>
#include <thread>

#include "config_io.h"
#include "json_reader.h"

namespace moe {

using nlohmann::json;

namespace {

const char* kind_name(RunKind k) {
  switch (k) {
    case RunKind::Live: return "live";
    case RunKind::Pinned: return "pinned";
    case RunKind::Results: return "results";
  }
  return "live";
}

// Waits until a session took its commands and stands paused at `steps` (or diverged).
void wait_until_paused_at(Session& s, int64_t steps) {
  for (;;) {
    const auto snap = s.snapshot();
    if (snap->commands_done >= s.commands_queued() && !snap->running && (snap->steps_done >= steps || snap->diverged))
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Reads one field with a type check; "" or an error naming it.
template <class T>
std::string get(const json& obj, const char* key, const std::string& where, T& out, bool required = true) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return required ? where + ": '" + key + "' is missing" : "";
  try {
    out = it->get<T>();
  } catch (const std::exception&) {
    return where + ": '" + key + "' has the wrong type";
  }
  return "";
}

}  // namespace

json workspace_json(const RunSet& set, const json& layout, const json& sweep) {
  const std::vector<RunView> views = set.views();
  auto index_of = [&](int id) {
    for (size_t i = 0; i < views.size(); ++i)
      if (views[i].info.id == id) return int(i);
    return -1;
  };
  json runs = json::array();
  for (const RunView& v : views) {
    Config cfg;
    std::vector<ScheduledChange> changes;
    set.describe(v.info.id, &cfg, &changes);
    json ch = json::array();
    for (const ScheduledChange& c : changes) ch.push_back({{"step", c.step}, {"key", c.key}, {"value", c.value}});
    const int parent = index_of(v.info.parent);
    runs.push_back({{"kind", kind_name(v.info.kind)},
                    {"label", v.info.label},
                    {"label_edited", v.info.label_edited},
                    {"visible", v.info.visible},
                    {"group", v.info.group},
                    {"parent", parent},
                    {"fork_step", parent >= 0 ? v.info.fork_step : -1},
                    {"steps", v.snap ? v.snap->steps_done : 0},
                    {"preset", v.snap ? v.snap->preset : ""},
                    {"config", config_to_json(cfg)},
                    {"changes", ch},
                    {"source", v.info.source}});
  }
  return {{"format", "moescope-workspace/1"},
          {"runs", runs},
          {"selected", index_of(set.selected())},
          {"layout", layout},
          {"sweep", sweep}};
}

std::string save_workspace(const std::string& path, const RunSet& set, const json& layout, const json& sweep) {
  return write_file_atomic(path, workspace_json(set, layout, sweep).dump(1) + "\n");
}

std::string workspace_from_json(const json& doc, const std::string& where, Workspace& out,
                                const ResultsOpener& open_results) {
  out = Workspace{};
  if (!doc.is_object() || doc.value("format", "") != "moescope-workspace/1")
    return where + ": not a moescope workspace (\"format\": \"moescope-workspace/1\" expected)";
  const auto runs_it = doc.find("runs");
  if (runs_it == doc.end() || !runs_it->is_array() || runs_it->empty())
    return where + ": 'runs' must be a non-empty array of runs";
  const json& runs = *runs_it;
  struct Saved {
    RunKind kind = RunKind::Live;
    RunInfo like;
    int parent_index = -1;
    int64_t steps = 0;
    std::string preset;
    Config cfg;
    std::vector<ScheduledChange> changes;
  };
  std::vector<Saved> saved;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string at = where + ": run " + std::to_string(i);
    const json& r = runs[i];
    if (!r.is_object()) return at + ": expected an object";
    Saved s;
    std::string kind = "live";
    std::string err = get(r, "kind", at, kind, false);
    if (err.empty()) {
      if (kind == "live")
        s.kind = RunKind::Live;
      else if (kind == "pinned")
        s.kind = RunKind::Pinned;
      else if (kind == "results")
        s.kind = RunKind::Results;
      else
        err = at + ": 'kind' is '" + kind + "'; allowed: live, pinned, results";
    }
    if (err.empty()) err = get(r, "label", at, s.like.label, false);
    if (err.empty()) err = get(r, "label_edited", at, s.like.label_edited, false);
    if (err.empty()) err = get(r, "visible", at, s.like.visible, false);
    if (err.empty()) err = get(r, "group", at, s.like.group, false);
    if (err.empty()) err = get(r, "parent", at, s.parent_index, false);
    if (err.empty()) err = get(r, "fork_step", at, s.like.fork_step, false);
    if (err.empty()) err = get(r, "steps", at, s.steps, false);
    if (err.empty()) err = get(r, "preset", at, s.preset, false);
    if (err.empty()) err = get(r, "source", at, s.like.source, false);
    if (!err.empty()) return err;
    if (s.steps < 0 || s.steps > 1000000000) return at + ": 'steps' must be in [0, 1000000000]";
    if (s.parent_index >= int(i)) return at + ": 'parent' must name an earlier run";
    if (s.like.group < -1 || s.like.group > 100000) return at + ": 'group' must be -1 or a group number";
    s.cfg = default_config();
    const auto cfg_it = r.find("config");
    if (cfg_it == r.end() || !cfg_it->is_object()) return at + ": 'config' must be an object of settings";
    if (err = apply_json(*cfg_it, at + " config", s.cfg); !err.empty()) return err;
    if (err = validate(s.cfg); !err.empty()) return at + ": " + err;
    const auto ch_it = r.find("changes");
    if (ch_it != r.end() && !ch_it->is_array()) return at + ": 'changes' must be an array";
    if (ch_it != r.end())
      for (const json& c : *ch_it) {
        ScheduledChange sc;
        if (!c.is_object()) return at + ": a change must be {\"step\", \"key\", \"value\"}";
        if (err = get(c, "step", at + " change", sc.step); !err.empty()) return err;
        if (err = get(c, "key", at + " change", sc.key); !err.empty()) return err;
        if (err = get(c, "value", at + " change", sc.value); !err.empty()) return err;
        s.changes.push_back(std::move(sc));
      }
    if (err = check_schedule(s.cfg, s.changes); !err.empty()) return at + ": " + err;
    saved.push_back(std::move(s));
  }

  std::vector<int> ids(saved.size(), -1);  // [saved index] run id in the new set
  auto like_of = [&](const Saved& s) {
    RunInfo like = s.like;
    like.parent = s.parent_index >= 0 ? ids[size_t(s.parent_index)] : -1;
    return like;
  };
  const Saved& first = saved.front();
  auto set = std::make_unique<RunSet>(first.cfg, first.preset);
  ids[0] = set->first();
  if (!first.changes.empty()) set->session(ids[0])->schedule(first.changes);
  set->restore_info(ids[0], like_of(first));
  for (size_t i = 1; i < saved.size(); ++i) {
    const Saved& s = saved[i];
    const std::string at = where + ": run " + std::to_string(i);
    std::string err;
    if (s.kind == RunKind::Live) {
      ids[i] = set->add_run(s.cfg, s.changes, s.preset, like_of(s), &err);
    } else if (s.kind == RunKind::Pinned) {  // trained again to its step, then pinned
      const int temp = set->add_run(s.cfg, s.changes, s.preset, RunInfo{}, &err);
      if (temp >= 0) {
        set->session(temp)->run_to(s.steps);
        wait_until_paused_at(*set->session(temp), s.steps);
        ids[i] = set->pin(temp, &err);
        set->remove(temp);
        if (ids[i] >= 0) set->restore_info(ids[i], like_of(s));
      }
    } else {
      std::shared_ptr<const RunSnapshot> snap;
      if (s.like.source.empty())
        err = "a results run with no 'source' file";
      else if (!open_results)
        err = "results file " + s.like.source + " not opened (no reader here)";
      else
        snap = open_results(s.like.source, &err);
      if (snap) ids[i] = set->add_results(snap, s.like.label, &err, s.like.source);
      if (ids[i] >= 0) set->restore_info(ids[i], like_of(s));
      if (ids[i] < 0) {  // the others open anyway: a results file may be gone
        out.warnings.push_back(at + " (" + s.like.label + ") skipped: " + err);
        continue;
      }
    }
    if (ids[i] < 0) return at + ": " + err;
  }
  // Live runs train again to their saved step, all at once, and pause there.
  for (size_t i = 0; i < saved.size(); ++i)
    if (saved[i].kind == RunKind::Live && saved[i].steps > 0 && ids[i] >= 0)
      set->session(ids[i])->run_to(saved[i].steps);
  int selected = -1;
  if (get(doc, "selected", where, selected, false).empty() && selected >= 0 && selected < int(ids.size()))
    set->select(ids[size_t(selected)]);
  out.runs = std::move(set);
  out.layout = doc.value("layout", json());
  out.sweep = doc.value("sweep", json());
  return "";
}

std::string load_workspace(const std::string& path, Workspace& out, const ResultsOpener& open_results) {
  std::string text, err;
  if (!read_file(path, &text, &err)) return err;
  json doc;
  if (err = parse_json_text(text, path, doc, &out.warnings); !err.empty()) return err;
  std::vector<std::string> warnings = std::move(out.warnings);
  err = workspace_from_json(doc, path, out, open_results);
  out.warnings.insert(out.warnings.begin(), warnings.begin(), warnings.end());
  return err;
}

}  // namespace moe

// window_runs_options.cpp: MainWindow::runs_as_options (window.h): the window's runs as the
// options `moescope shot` takes (--preset/--set, --compare, --seeds, --results), and what
// those options cannot say, for a figure's provenance and a saved config.
//
// shot makes its runs like this (shot.cpp): the first run; each --results file as a read-only
// run; each --compare as a run from step 0 with its changes, or, when every change is at one
// step S > 0, a fork of the first run at S; then every live run as a group of --seeds seeds
// (seed, seed+1, ...), all trained to --steps. A window run that this cannot make is named
// in the notes, in plain ASCII (the PDF's metadata keeps only ASCII as text).
#include <algorithm>
#include <set>

#include "window.h"

namespace moe::gui {

namespace {

bool same_change(const ScheduledChange& a, const ScheduledChange& b) {
  return a.step == b.step && a.key == b.key && a.value == b.value;
}

bool has_change(const std::vector<ScheduledChange>& list, const ScheduledChange& c) {
  return std::any_of(list.begin(), list.end(), [&](const ScheduledChange& x) { return same_change(x, c); });
}

std::string change_text(const ScheduledChange& c) { return c.key + "=" + c.value + "@" + std::to_string(c.step); }

}  // namespace

RunsAsOptions MainWindow::runs_as_options() const {
  RunsAsOptions o;
  const int first = runs_->first();
  Config fc;
  std::vector<ScheduledChange> fch;
  runs_->describe(first, &fc, &fch);
  const auto fsnap = runs_->snapshot(first);
  const std::string preset = fsnap ? fsnap->preset : "";
  const auto preset_it = std::find_if(presets_.begin(), presets_.end(),
                                      [&](const Preset& p) { return p.name == preset; });
  const bool is_preset = preset_it != presets_.end() && origins_.count(preset);
  // A preset by name; a file or custom config as its differences from the defaults (as command()).
  const Config origin = is_preset ? origins_.at(preset) : default_config();
  if (is_preset) o.source.preset = preset;
  for (const std::string& key : changed_settings(origin, fc))
    o.source.sets.push_back(key + "=" + format_value_exact(find_property(key)->get(fc)));
  for (const ScheduledChange& c : fch)
    if (c.step > 0) o.source.sets.push_back(change_text(c));
  o.steps = fsnap ? fsnap->steps_done : 0;
  if (runs_->info(first).kind != RunKind::Live)
    o.notes.push_back("the first run does not train (pinned or read from a file); the command trains its config");

  const std::vector<RunView> views = runs_->views();
  std::set<int> groups_seen;
  std::vector<int> sizes;           // seed-group size of each live entry, list order
  std::vector<std::string> names;   // how the notes name each live entry
  std::vector<int> shot_styles[2];  // colour slots in the order shot makes the entries: results, then live ones
  bool results_after_live = false;
  int position = 0;
  for (const RunView& v : views) {
    if (v.info.group >= 0 && !groups_seen.insert(v.info.group).second) continue;  // a group is one entry
    ++position;
    const bool is_first = v.info.id == first;
    std::string name = is_first ? "run 1 (the first)" : "run " + std::to_string(position);
    if (!v.info.visible) o.notes.push_back(name + " is hidden in the window; the command shows it");
    if (v.info.label_edited) o.notes.push_back(name + " has a label typed in the window; the command labels it itself");
    if (v.info.kind == RunKind::Pinned) {
      o.notes.push_back(name + " is pinned (a frozen copy at step " + std::to_string(v.snap ? v.snap->steps_done : 0) +
                        "); the command cannot make it");
      continue;
    }
    if (v.info.kind == RunKind::Results) {
      if (v.info.source.empty()) {
        o.notes.push_back(name + " was read from results that name no file; the command cannot open it");
        continue;
      }
      o.results.push_back(v.info.source);
      shot_styles[0].push_back(v.info.style);
      if (sizes.size() > 1) results_after_live = true;
      continue;
    }
    if (is_first) {
      shot_styles[1].insert(shot_styles[1].begin(), v.info.style);
    } else {
      shot_styles[1].push_back(v.info.style);
    }
    const std::vector<int> members = v.info.group >= 0 ? runs_->group_members(v.info.group)
                                                       : std::vector<int>{v.info.id};
    Config cfg;
    std::vector<ScheduledChange> ch;
    runs_->describe(v.info.id, &cfg, &ch);
    // Seeds: shot repeats a run over seed, seed+1, ..., seed+N-1 from the run's own seed.
    std::set<int64_t> seeds;
    for (int m : members) {
      Config c;
      runs_->describe(m, &c, nullptr);
      seeds.insert(c.seed);
    }
    if (int(seeds.size()) != int(members.size()) || *seeds.begin() != cfg.seed ||
        *seeds.rbegin() != cfg.seed + int64_t(members.size()) - 1)
      o.notes.push_back(name + "'s " + std::to_string(members.size()) +
                        " seeds are not seed, seed+1, ...: the command repeats it over those");
    sizes.push_back(int(members.size()));
    if (v.snap && v.snap->steps_done != o.steps)
      o.notes.push_back(name + " is at step " + std::to_string(v.snap->steps_done) +
                        "; the command trains every run to step " + std::to_string(o.steps));
    if (is_first) continue;
    // The run against the first: settings at step 0, then its changes the first does not make.
    std::vector<std::string> items;
    bool step0 = false;
    for (const std::string& key : changed_settings(fc, cfg)) {
      if (key == "threads") continue;  // never changes the numbers
      items.push_back(key + "=" + format_value_exact(find_property(key)->get(cfg)));
      step0 = true;
    }
    std::set<int64_t> at;
    for (const ScheduledChange& c : ch)
      if (c.step > 0 && !has_change(fch, c)) {
        items.push_back(change_text(c));
        at.insert(c.step);
      }
    for (const ScheduledChange& c : fch)
      if (c.step > 0 && !has_change(ch, c))
        o.notes.push_back(name + " does not make the first run's change " + change_text(c) + "; the command's run " +
                          std::to_string(position) + " makes it too");
    if (items.empty()) {
      o.notes.push_back(name + " is the first run again; the command cannot add a run that changes nothing");
      continue;
    }
    std::string spec;
    for (const std::string& item : items) spec += (spec.empty() ? "" : ",") + item;
    o.compare.push_back(spec);
    // The fork mark: shot forks the first run at S when every change is at S (none at step 0).
    const bool shot_fork = !step0 && at.size() == 1;
    const bool window_fork = v.info.parent == first && v.info.fork_step > 0 && shot_fork &&
                             *at.begin() == v.info.fork_step;
    if (v.info.fork_step > 0 && !window_fork)
      o.notes.push_back(name + " was forked at step " + std::to_string(v.info.fork_step) +
                        (v.info.parent == first ? "" : " from another run than the first") +
                        "; the command makes it from the first run with " + spec +
                        (shot_fork ? " (a fork at step " + std::to_string(*at.begin()) + ")"
                                   : " from step 0 (the same numbers, no fork mark)"));
    else if (v.info.fork_step <= 0 && shot_fork)
      o.notes.push_back(name + " runs from step 0 with its change at step " + std::to_string(*at.begin()) +
                        "; the command makes it a fork there (the same numbers, a fork mark)");
  }
  // Seeds: one --seeds for every live run.
  if (!sizes.empty()) {
    o.seeds = sizes.front();
    if (std::any_of(sizes.begin(), sizes.end(), [&](int n) { return n != o.seeds; })) {
      std::string list;
      for (size_t i = 0; i < sizes.size(); ++i) list += (i ? ", " : "") + std::to_string(sizes[i]);
      o.notes.push_back("the live runs have " + list + " seeds; --seeds gives each " + std::to_string(o.seeds));
    }
  }
  // Colours: shot opens results first, then the compared runs, each the next free colour slot.
  std::vector<int> order = shot_styles[1].empty() ? std::vector<int>{} : std::vector<int>{shot_styles[1].front()};
  order.insert(order.end(), shot_styles[0].begin(), shot_styles[0].end());
  if (shot_styles[1].size() > 1) order.insert(order.end(), shot_styles[1].begin() + 1, shot_styles[1].end());
  bool slots_match = true;
  for (size_t i = 0; i < order.size(); ++i) slots_match = slots_match && order[i] == int(i);
  if (results_after_live || !slots_match)
    o.notes.push_back(
        "the command opens results files before the compared runs and gives each run the next colour; the window's "
        "colours or order differ");
  if (position > 1 && runs_->selected() != first) {
    const RunInfo sel = runs_->info(runs_->selected());
    if (sel.group < 0 || sel.group != runs_->info(first).group)
      o.notes.push_back("the window shows the selected run's per-expert panels; the command shows the first run's");
  }
  if (is_preset && o.compare.empty() && !preset_it->compare.empty())
    o.notes.push_back("the preset's own compare list adds runs the window does not hold");
  return o;
}

}  // namespace moe::gui

// run_compare.cpp: see run_compare.h.
#include "run_compare.h"

#include <algorithm>

#include "config_io.h"

namespace moe {

namespace {

// "alpha=0,top_k=2@500" → {"alpha=0", "top_k=2@500"}; "" or an error.
std::string split_settings(const std::string& text, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ',') {
      cur += text[i];
      continue;
    }
    if (cur.empty()) return "--compare '" + text + "': an empty setting; give key=value pairs joined by commas";
    if (cur.find('=') == std::string::npos)
      return "--compare '" + text + "': '" + cur + "' is not key=value (e.g. --compare alpha=0,top_k=2 or alpha=0@500)";
    out.push_back(cur);
    cur.clear();
  }
  return "";
}

}  // namespace

std::vector<std::string> compare_or_preset(const RunSource& src, const std::vector<std::string>& given) {
  if (!given.empty()) return given;
  if (!src.config_file.empty()) {  // a config file's own "compare" list (a saved comparison)
    std::vector<std::string> list;
    if (src.preset.empty() && read_config_compare(src.config_file, &list).empty()) return list;
    return given;
  }
  if (src.preset.empty()) return given;
  Config cfg;
  Preset p;
  if (!load_preset(src.preset, cfg, &p).empty()) return given;
  return p.compare;
}

std::string plan_compared_runs(const RunSource& src, const std::vector<std::string>& compare, int seeds,
                               std::vector<ComparedRun>& out) {
  out.clear();
  if (seeds < 1 || seeds > kMaxCompareSeeds)
    return "--seeds " + std::to_string(seeds) + ": allowed: 1 to " + std::to_string(kMaxCompareSeeds);
  std::vector<ComparedRun> base;  // one per run, at its own seed
  for (size_t r = 0; r <= compare.size(); ++r) {
    ComparedRun run;
    run.run = int(r);
    RunSource s = src;
    if (r > 0) {
      run.compare = compare[r - 1];
      std::vector<std::string> sets;
      if (std::string err = split_settings(run.compare, sets); !err.empty()) return err;
      s.sets.insert(s.sets.end(), sets.begin(), sets.end());
    }
    std::vector<std::string> warnings;
    if (std::string err = resolve_config(s, run.cfg, &run.schedule, &warnings); !err.empty())
      return r > 0 ? "--compare '" + run.compare + "': " + err : err;
    if (std::string err = check_schedule(run.cfg, run.schedule); !err.empty())
      return r > 0 ? "--compare '" + run.compare + "': " + err : err;
    base.push_back(std::move(run));
  }
  const ComparedRun& first = base.front();
  for (ComparedRun& run : base) {
    for (const std::string& key : changed_settings(first.cfg, run.cfg))
      if (!(find_property(key)->flags & PropFlags_Seed)) run.changed.push_back(key);
    for (const ScheduledChange& c : run.schedule) {
      const bool shared = std::any_of(first.schedule.begin(), first.schedule.end(), [&](const ScheduledChange& f) {
        return f.step == c.step && f.key == c.key && f.value == c.value;
      });
      if (!shared) run.scheduled.push_back(c);
    }
  }
  const Property& seed = *find_property("seed");
  for (const ComparedRun& run : base) {
    for (int i = 0; i < seeds; ++i) {
      ComparedRun r = run;
      if (std::string err = seed.set_from_text(r.cfg, std::to_string(run.cfg.seed + i)); !err.empty())
        return "--seeds " + std::to_string(seeds) + ": run " + std::to_string(run.run) + " would need " + err;
      Config first_cfg = first.cfg;
      first_cfg.seed = r.cfg.seed;  // the label names the seed only where runs of one seed differ in it
      r.label = difference_label(first_cfg, r.cfg, r.scheduled);
      if (r.label.empty()) r.label = run.run == 0 ? "first run" : "same as run 0";
      out.push_back(std::move(r));
    }
  }
  return "";
}

std::unique_ptr<RunSet> make_run_set(const std::vector<ComparedRun>& plan, const std::string& preset,
                                     std::string* error) {
  if (plan.empty()) {
    if (error) *error = "no runs to compare";
    return nullptr;
  }
  auto set = std::make_unique<RunSet>(plan.front().cfg, preset);
  if (!plan.front().schedule.empty()) set->session(set->first())->schedule(plan.front().schedule);
  for (size_t i = 0; i < plan.size(); ++i) {
    const ComparedRun& r = plan[i];
    const bool grouped = (i + 1 < plan.size() && plan[i + 1].run == r.run) || (i > 0 && plan[i - 1].run == r.run);
    RunInfo like;
    like.group = grouped ? r.run : -1;  // one group per run of the plan
    if (i == 0) {
      set->restore_info(set->first(), like);
      continue;
    }
    std::string err;
    if (set->add_run(r.cfg, r.schedule, preset, like, &err) < 0) {
      if (error) *error = "run " + std::to_string(r.run) + " seed " + std::to_string(r.cfg.seed) + ": " + err;
      return nullptr;
    }
  }
  return set;
}

}  // namespace moe

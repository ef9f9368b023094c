// lesson_plan.cpp: the run a lesson step stands for (lesson.h, plan_for_step), found by
// replaying the actions from the last step at or before it that loads a preset or config.
#include <algorithm>

#include "config_io.h"
#include "lesson.h"

namespace moe::lesson {

namespace {

bool loads_run(const Step& s) {
  return std::any_of(s.actions.begin(), s.actions.end(),
                     [](const Action& a) { return a.kind == ActionKind::preset || a.kind == ActionKind::config; });
}

// Applies settings onto cfg now (before step 0). "" or the setting's error.
std::string apply_settings(const Action& a, Config& cfg) {
  for (const auto& [key, value] : a.settings)
    if (std::string e = find_property(key)->set_from_text(cfg, value); !e.empty()) return e;
  return "";
}

// Every change after step 0 must be a live setting, and the config must stay valid after
// each step's changes (k <= E ...), as Trainer::schedule checks them.
std::string check_schedule(const Config& start, std::vector<ScheduledChange> changes) {
  std::stable_sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.step < b.step; });
  Config c = start;
  for (size_t i = 0; i < changes.size(); ++i) {
    const ScheduledChange& ch = changes[i];
    const Property* p = find_property(ch.key);
    if (!p->live())
      return "setting '" + ch.key + "' changes the model and cannot change mid-run (at step " +
             std::to_string(ch.step) + "); allowed: a live setting, or set it before the run plays";
    if (std::string e = p->set_from_text(c, ch.value); !e.empty()) return e;
    if (i + 1 == changes.size() || changes[i + 1].step != ch.step)
      if (std::string e = validate(c); !e.empty()) return "at step " + std::to_string(ch.step) + ": " + e;
  }
  return "";
}

}  // namespace

std::string plan_for_step(const Lesson& lesson, int index, RunPlan& out) {
  if (index < 0 || index >= int(lesson.steps.size())) return "no step " + std::to_string(index + 1);
  int first = index;
  while (first >= 0 && !loads_run(lesson.steps[size_t(first)])) --first;
  if (first < 0)
    return "no step up to this one loads a run; allowed: a first step with {\"do\": \"preset\", \"name\": ...} or "
           "{\"do\": \"config\", \"file\": ...}";
  RunPlan p;
  int64_t pos = 0;  // steps_done after the actions so far
  for (int si = first; si <= index; ++si) {
    const Step& s = lesson.steps[size_t(si)];
    if (si == index) p.start_from = pos, p.hold = false;
    const std::string where = "step " + std::to_string(si + 1) + " (" + s.title + ")";
    for (const Action& a : s.actions) {
      std::string e;
      switch (a.kind) {
        case ActionKind::preset: {
          Config cfg;
          e = load_preset(a.name, cfg);
          const int seeds = p.seeds;
          p = RunPlan{};
          p.cfg = cfg, p.preset = a.name, p.seeds = seeds;
          pos = 0;
          if (si == index) p.start_from = 0;
          break;
        }
        case ActionKind::config: {
          Config cfg = default_config();
          std::vector<std::string> warn;
          e = load_config_file(a.name, cfg, &warn);
          p = RunPlan{};
          p.cfg = cfg;
          pos = 0;
          if (si == index) p.start_from = 0;
          break;
        }
        case ActionKind::set:
          if (pos == 0) {
            e = apply_settings(a, p.cfg);
            if (e.empty() && p.has_b && p.fork_step == 0) e = apply_settings(a, p.cfg_b);
          } else {
            for (const auto& [key, value] : a.settings) {
              p.schedule.push_back({pos, key, value});
              if (p.has_b) p.schedule_b.push_back({pos, key, value});
            }
          }
          break;
        case ActionKind::schedule:
          if (a.step < pos) {
            e = "schedule at step " + std::to_string(a.step) + " is before the run's step " + std::to_string(pos) +
                "; allowed: at >= " + std::to_string(pos);
            break;
          }
          for (const auto& [key, value] : a.settings) {
            p.schedule.push_back({a.step, key, value});
            if (p.has_b) p.schedule_b.push_back({a.step, key, value});
          }
          break;
        case ActionKind::play_to:
          if (a.step <= pos) {
            e = "play_to " + std::to_string(a.step) + " is not after the run's step " + std::to_string(pos) +
                "; allowed: a step > " + std::to_string(pos);
            break;
          }
          pos = a.step;
          break;
        case ActionKind::compare:
          p.has_b = true;
          p.cfg_b = p.cfg;
          p.schedule_b = p.schedule;
          p.fork_step = a.step;
          p.label_b = a.name;
          if (a.step == 0) {
            e = apply_settings(a, p.cfg_b);
          } else {
            for (const auto& [key, value] : a.settings) p.schedule_b.push_back({a.step, key, value});
          }
          if (p.label_b.empty())
            for (const auto& [key, value] : a.settings)
              p.label_b += (p.label_b.empty() ? "" : ", ") + std::string(short_name(key)) + " = " + value;
          break;
        case ActionKind::seeds: p.seeds = a.count; break;
        case ActionKind::pause:
          if (si == index) p.hold = true;
          break;
      }
      if (!e.empty()) return where + ", action " + action_name(a.kind) + ": " + e;
    }
  }
  p.play_to = pos;
  if (std::string e = validate(p.cfg); !e.empty()) return e;
  if (std::string e = check_schedule(p.cfg, p.schedule); !e.empty()) return e;
  if (p.has_b) {
    if (std::string e = validate(p.cfg_b); !e.empty()) return "run b: " + e;
    if (std::string e = check_schedule(p.cfg_b, p.schedule_b); !e.empty()) return "run b: " + e;
  }
  out = std::move(p);
  return "";
}

}  // namespace moe::lesson

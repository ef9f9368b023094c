// run_source.cpp: see run_source.h.
#include "run_source.h"

#include <cerrno>
#include <cstdlib>

#include "config_io.h"

namespace moe {

std::string resolve_config(const RunSource& src, Config& cfg, std::vector<ScheduledChange>* scheduled,
                           std::vector<std::string>* warnings) {
  cfg = default_config();
  if (!src.preset.empty() && !src.config_file.empty()) return "give either --preset or --config, not both";
  std::string err;
  // A saved session's "schedule" applies like --set before the command line's own --set.
  std::vector<std::string> sets;
  if (!src.preset.empty())
    err = load_preset(src.preset, cfg);
  else if (!src.config_file.empty())
    err = load_config_file(src.config_file, cfg, warnings);
  if (err.empty() && !src.config_file.empty()) err = read_config_schedule(src.config_file, &sets);
  if (!err.empty()) return err;
  sets.insert(sets.end(), src.sets.begin(), src.sets.end());
  for (const std::string& s : sets) {
    const auto at = s.rfind('@');
    if (at != std::string::npos) {
      const std::string when = s.substr(at + 1), assignment = s.substr(0, at);
      errno = 0;
      char* end = nullptr;
      const long long step = std::strtoll(when.c_str(), &end, 10);
      if (when.empty() || when.find_first_not_of("0123456789") != std::string::npos || *end != '\0' || errno)
        return "--set '" + s + "': expected key=value@STEP with STEP a step number >= 0";
      const auto eq = assignment.find('=');
      if (eq == std::string::npos) return "--set '" + s + "': expected key=value@STEP, e.g. --set top_k=1@500";
      const Property* p = find_property(assignment.substr(0, eq));
      if (!p) return "--set: unknown setting '" + assignment.substr(0, eq) + "' (`moescope run --help` lists them)";
      if (step == 0) {  // at the start it is an ordinary setting
        err = apply_set(assignment, cfg);
        if (!err.empty()) return err;
        continue;
      }
      if (!scheduled) return "--set '" + s + "': @STEP is not available for this command";
      scheduled->push_back({step, p->name, assignment.substr(eq + 1)});
      continue;
    }
    err = apply_set(s, cfg);
    if (!err.empty()) return err;
  }
  return validate(cfg);
}

}  // namespace moe

// run_source.h: where a training command's config comes from (a preset or a config file,
// then --set overrides), shared by run, sweep, trace, shot and the window.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "trainer.h"

namespace moe {

// What every training command shares: where the config comes from and its overrides.
struct RunSource {
  std::string preset;             // --preset NAME
  std::string config_file;        // --config FILE
  std::vector<std::string> sets;  // --set key=value and key=value@STEP
};

// Builds the config (preset or file, then --set), and the scheduled changes from @STEP sets.
// Returns "" or an error naming what is wrong.
std::string resolve_config(
    const RunSource& src, Config& cfg, std::vector<ScheduledChange>* scheduled,
    std::vector<std::string>* warnings = nullptr);  // warnings: duplicate keys (stderr when null)

}  // namespace moe

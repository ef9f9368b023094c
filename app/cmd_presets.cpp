// cmd_presets.cpp: `moescope presets`: the teaching presets of assets/presets/, one line each (name, title).
#include <algorithm>
#include <cstdio>

#include "commands.h"
#include "config_io.h"

namespace moe {

int cmd_presets() {
  const auto presets = list_presets();
  if (presets.empty()) {
    std::fprintf(stderr, "moescope presets: none found in '%s/presets' (set MOESCOPE_ASSETS)\n", assets_dir().c_str());
    return 2;
  }
  size_t w = 0;
  for (const Preset& p : presets) w = std::max(w, p.name.size());
  for (const Preset& p : presets) std::printf("%-*s  %s\n", int(w), p.name.c_str(), p.title.c_str());
  return 0;
}

}  // namespace moe

// config_io.h: configs and presets as JSON files, and where the assets live.
//
// A config file is a JSON object of settings (any subset; the rest keep their
// defaults), or a preset: {"name", "title", "description", "config": {...}}.
// Every error names the file, the setting and what is allowed.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config.h"
#include "json_reader.h"
#include "safe_io.h"

namespace moe {

struct Preset {
  std::string name;         // file stem, e.g. "collapse"
  std::string title;        // one line for `moescope presets` and the GUI picker
  std::string description;  // what it shows and the numbers measured over 5 seeds
  int order = 1000;         // place in teaching order ("order" in the file; menus and `moescope presets` list by it)
  nlohmann::json settings;  // the "config" object
  // Optional "compare": more runs beside the preset's own, each a string as `run --compare` takes
  // ("top_k=2", "alpha=0,top_k=1@500"). `run` and `shot --preset` train them unless given their
  // own --compare; the window opens them as runs side by side.
  std::vector<std::string> compare;
};

// Applies a JSON object of settings onto cfg. Returns "" or "<where>: <error>".
std::string apply_json(const nlohmann::json& obj, const std::string& where, Config& cfg);
// The whole config as a JSON object in table order (what `--config` reads back).
nlohmann::json config_to_json(const Config& cfg);
// Reads a config or preset file (a regular file of at most 64 MiB) onto cfg; a saved session's
// "schedule" and a "compare" list (below) are not settings: the compare entries are checked
// against the file's config (an error names the entry), then skipped here. Returns "" or an
// error naming the file; warnings (duplicate keys) go to *warnings, or to stderr when null.
std::string load_config_file(const std::string& path, Config& cfg, std::vector<std::string>* warnings = nullptr);
// The "schedule" of a saved session (the window's Ctrl+S): the changes its run made after
// step 0, in --set syntax, e.g. "schedule": ["alpha=0.01@500", "top_k=1@800"]. Appends them
// to *schedule (none if the file has no schedule); "" or an error naming the file.
std::string read_config_schedule(const std::string& path, std::vector<std::string>* schedule);

// The "compare" list of a config file (a preset file, or a comparison saved by the window):
// more runs beside the file's own, as `run --compare` takes them. *compare is empty when the
// file has none; "" or an error naming the file and the field. (load_config_file checks each
// entry against the file's config.)
std::string read_config_compare(const std::string& path, std::vector<std::string>* compare);

std::string assets_dir();  // MOESCOPE_ASSETS, the installed share folder, or the source tree
// A preset file's text (`path` names it and gives its stem as the name). "" or an error naming the file.
std::string preset_from_text(const std::string& text, const std::filesystem::path& path, Preset& out,
                             std::vector<std::string>* warnings = nullptr);
// assets/presets/*.json in teaching order (each file's "order"), then by name. A file that cannot be read or parsed is
// skipped, and a warning naming it goes to *warnings (stderr when null).
std::vector<Preset> list_presets(std::vector<std::string>* warnings = nullptr);
// Finds a preset by name and applies it onto the defaults. "" or an error listing the presets, or
// naming a "compare" entry whose settings are not allowed on the preset's config.
std::string load_preset(const std::string& name, Config& cfg, Preset* out = nullptr);
// Applies "key=value" (value text) onto cfg; "" or an error naming the key.
std::string apply_set(const std::string& assignment, Config& cfg);

// Reads a whole regular file of at most kMaxConfigFileBytes; false and *error naming the path on failure.
bool read_file(const std::string& path, std::string* data, std::string* error);

}  // namespace moe

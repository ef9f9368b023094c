// config_io.cpp: see config_io.h.
#include "config_io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "file_read.h"

namespace moe {

namespace fs = std::filesystem;
using nlohmann::json;

std::string apply_json(const json& obj, const std::string& where, Config& cfg) {
  if (!obj.is_object()) return where + ": expected a JSON object of settings, e.g. {\"top_k\": 2}";
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const Property* p = find_property(it.key());
    if (!p) return where + ": unknown setting '" + it.key() + "' (`moescope run --help` lists them)";
    const json& v = it.value();
    PropValue pv;
    if (v.is_boolean())
      pv = v.get<bool>();
    else if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))
      pv = v.get<double>();  // would wrap negative
    else if (v.is_number_integer())
      pv = v.get<int64_t>();
    else if (v.is_number_float())
      pv = v.get<double>();
    else if (v.is_string())
      pv = v.get<std::string>();
    else
      return where + ": setting '" + it.key() + "': expected " + p->describe_allowed() + ", got " + v.type_name();
    std::string err = p->set(cfg, pv);
    if (!err.empty()) return where + ": " + err;
  }
  return "";
}

json config_to_json(const Config& cfg) {
  json out = json::object();
  for (const Property& p : properties()) {
    const PropValue v = p.get(cfg);
    std::visit([&](const auto& x) { out[p.name] = x; }, v);
  }
  return out;
}

bool read_file(const std::string& path, std::string* data, std::string* error) {
  if (std::string e = read_regular_file(path, kMaxConfigFileBytes, data); !e.empty()) {
    *error = "'" + path + "' " + e;
    return false;
  }
  return true;
}

namespace {

// The "compare" field of a preset or config file (absent: none): a non-empty list of non-empty
// strings. "" or what is wrong, naming `where`, the field and what is allowed.
std::string parse_compare_list(const json& j, const std::string& where, std::vector<std::string>& out) {
  out.clear();
  if (!j.is_object() || !j.contains("compare")) return "";
  const std::string allowed =
      where +
      ": \"compare\": expected a list of runs as `run --compare` takes them, each key=value pairs joined by "
      "commas, e.g. [\"top_k=2\"] or [\"alpha=0\", \"top_k=1,alpha=0@500\"]";
  if (!j["compare"].is_array() || j["compare"].empty()) return allowed + ", got " + j["compare"].dump();
  for (const json& item : j["compare"]) {
    if (!item.is_string() || item.get<std::string>().empty()) return allowed + ", got the entry " + item.dump();
    out.push_back(item.get<std::string>());
  }
  return "";
}

// Each "compare" entry on the file's config: key=value[@STEP] items joined by commas, every
// key a setting, every value allowed, the config with the step-0 items valid. `where` names
// the file ("preset 'x'", "config file 'f.json'"). "" or the problem.
std::string check_compare_list(const std::vector<std::string>& compare, const std::string& where, const Config& cfg) {
  for (size_t i = 0; i < compare.size(); ++i) {
    const std::string& spec = compare[i];
    const std::string entry = where + ": \"compare\" entry " + std::to_string(i + 1) + " '" + spec + "'";
    Config probe = cfg;
    size_t from = 0;
    while (from <= spec.size()) {
      const size_t comma = spec.find(',', from);
      std::string item = spec.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
      from = comma == std::string::npos ? spec.size() + 1 : comma + 1;
      bool at_step_zero = true;
      if (const size_t at = item.rfind('@'); at != std::string::npos) {
        const std::string step = item.substr(at + 1);
        if (step.empty() || step.size() > 12 || step.find_first_not_of("0123456789") != std::string::npos)
          return entry + ": '" + item + "': the step after @ must be a whole number >= 0, e.g. alpha=0@500";
        at_step_zero = std::stoll(step) == 0;
        item = item.substr(0, at);
      }
      Config scratch = probe;
      if (std::string err = apply_set(item, at_step_zero ? probe : scratch); !err.empty()) {
        if (err.rfind("--set: ", 0) == 0) err.erase(0, 7);
        return entry + ": " + err;
      }
    }
    if (std::string err = validate(probe); !err.empty()) return entry + ": " + err;
  }
  return "";
}

}  // namespace

std::string load_config_file(const std::string& path, Config& cfg, std::vector<std::string>* warnings) {
  std::string text, err;
  if (!read_file(path, &text, &err)) return "config file " + err;
  const std::string where = "config file '" + path + "'";
  if (text.find_first_not_of(" \t\r\n", 0) == std::string::npos)
    return where + " is empty" + (text.empty() ? "" : " (only white space)") +
           "; expected a JSON object of settings, e.g. {\"top_k\": 2}";
  if (text.find('\0') != std::string::npos)
    return where + " holds a NUL byte at offset " + std::to_string(text.find('\0')) +
           "; expected JSON text (a JSON object of settings)";
  json j;
  err = parse_json_text(text, where, j, warnings);
  if (!err.empty()) return err;
  if (!j.is_object()) return where + ": expected a JSON object of settings, got " + j.type_name();
  // A "compare" list (a preset's, or a saved comparison's) is checked on the file's own config.
  std::vector<std::string> compare;
  if (err = parse_compare_list(j, where, compare); !err.empty()) return err;
  if (j.contains("config") && j["config"].is_object()) {
    err = apply_json(j["config"], where, cfg);
  } else {
    j.erase("format");    // a saved config may carry a format tag, a schedule (read_config_schedule)
    j.erase("schedule");  // and a compare list (read_config_compare); everything else must be a setting
    j.erase("compare");
    err = apply_json(j, where, cfg);
  }
  if (err.empty()) err = check_compare_list(compare, where, cfg);
  return err;
}

namespace {
// A config file's JSON, read again for one of its lists (load_config_file has already read and
// warned about it: duplicate keys are not said twice). "" or what is wrong.
std::string read_config_json(const std::string& path, json& j) {
  std::string text, err;
  if (!read_file(path, &text, &err)) return "config file " + err;
  std::vector<std::string> said;
  return parse_json_text(text, "config file '" + path + "'", j, &said);
}
}  // namespace

std::string read_config_compare(const std::string& path, std::vector<std::string>* compare) {
  compare->clear();
  json j;
  if (std::string err = read_config_json(path, j); !err.empty()) return err;
  return parse_compare_list(j, "config file '" + path + "'", *compare);
}

std::string read_config_schedule(const std::string& path, std::vector<std::string>* schedule) {
  json j;
  if (std::string err = read_config_json(path, j); !err.empty()) return err;
  if (!j.is_object() || !j.contains("schedule")) return "";
  const json& sch = j["schedule"];
  const std::string where = "config file '" + path + "': 'schedule'";
  if (!sch.is_array()) return where + ": expected an array of \"key=value@STEP\" strings, e.g. [\"alpha=0.01@500\"]";
  for (const json& item : sch) {
    if (!item.is_string()) return where + ": expected \"key=value@STEP\" strings, got " + std::string(item.type_name());
    schedule->push_back(item.get<std::string>());
  }
  return "";
}

std::string assets_dir() {
  if (const char* env = std::getenv("MOESCOPE_ASSETS"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "moescope" / "assets";
    if (fs::exists(installed / "presets", ec)) return installed.string();
  }
  return std::string(MOESCOPE_SOURCE_DIR) + "/assets";
}

std::string preset_from_text(const std::string& text, const fs::path& path, Preset& out,
                             std::vector<std::string>* warnings) {
  const std::string where = "preset file '" + path.string() + "'";
  json j;
  if (std::string err = parse_json_text(text, where, j, warnings); !err.empty()) return err;
  const auto text_field = [&](const char* key) { return !j.contains(key) || j[key].is_string(); };
  if (!j.is_object() || !text_field("title") || !text_field("description") ||
      (j.contains("config") && !j["config"].is_object()))
    return where + ": expected {\"title\": text, \"description\": text, \"config\": {settings}}";
  out.name = path.stem().string();
  out.title = j.value("title", out.name);
  out.description = j.value("description", "");
  out.settings = j.value("config", json::object());
  if (j.contains("order") && j["order"].is_number_integer()) out.order = j["order"].get<int>();
  return parse_compare_list(j, where, out.compare);
}

std::vector<Preset> list_presets(std::vector<std::string>* warnings) {
  std::vector<Preset> out;
  std::vector<std::string> skipped;
  std::error_code ec;
  const fs::path dir = fs::path(assets_dir()) / "presets";
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path path = it->path();
    if (path.extension() != ".json") continue;
    // One bad file costs only itself: it is skipped with a warning naming it.
    std::string text, err;
    Preset p;
    if (!read_file(path.string(), &text, &err))
      err = "preset file " + err;
    else
      err = preset_from_text(text, path, p, warnings);
    if (!err.empty()) {
      skipped.push_back(err + "; skipped");
      continue;
    }
    out.push_back(std::move(p));
  }
  for (const std::string& w : skipped) {
    if (warnings)
      warnings->push_back(w);
    else
      std::fprintf(stderr, "moescope: warning: %s\n", w.c_str());
  }
  std::sort(out.begin(), out.end(),
            [](const Preset& a, const Preset& b) { return a.order != b.order ? a.order < b.order : a.name < b.name; });
  return out;
}

std::string load_preset(const std::string& name, Config& cfg, Preset* out) {
  const auto presets = list_presets();
  for (const Preset& p : presets)
    if (p.name == name) {
      cfg = default_config();
      std::string err = apply_json(p.settings, "preset '" + name + "'", cfg);
      if (err.empty()) err = check_compare_list(p.compare, "preset '" + p.name + "'", cfg);
      if (!err.empty()) return err;
      if (out) *out = p;
      return "";
    }
  std::string names;
  for (const Preset& p : presets) names += (names.empty() ? "" : ", ") + p.name;
  if (names.empty())
    return "no presets found in '" + assets_dir() + "/presets' (set MOESCOPE_ASSETS to the assets folder)";
  return "unknown preset '" + name + "'; allowed: " + names;
}

std::string apply_set(const std::string& assignment, Config& cfg) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) return "--set '" + assignment + "': expected key=value, e.g. --set top_k=2";
  const std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  const Property* p = find_property(key);
  if (!p) return "--set: unknown setting '" + key + "' (`moescope run --help` lists them)";
  std::string err = p->set_from_text(cfg, value);
  return err.empty() ? "" : "--set: " + err;
}

}  // namespace moe

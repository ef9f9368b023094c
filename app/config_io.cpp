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

namespace moe {

namespace fs = std::filesystem;
using nlohmann::json;

std::string parse_json_text(const std::string& text, const std::string& where, json& out) {
  try {
    out = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann says "parse error at line 3, column 7: syntax error while parsing object - ..."
    std::string what = e.what();
    const auto at = what.find("at line");
    return where + ": malformed JSON " + (at != std::string::npos ? what.substr(at) : what);
  }
  return "";
}

std::string apply_json(const json& obj, const std::string& where, Config& cfg) {
  if (!obj.is_object()) return where + ": expected a JSON object of settings, e.g. {\"top_k\": 2}";
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const Property* p = find_property(it.key());
    if (!p) return where + ": unknown setting '" + it.key() + "' (`moescope run --help` lists them)";
    const json& v = it.value();
    PropValue pv;
    if (v.is_boolean()) pv = v.get<bool>();
    else if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) pv = v.get<double>();  // would wrap negative
    else if (v.is_number_integer()) pv = v.get<int64_t>();
    else if (v.is_number_float()) pv = v.get<double>();
    else if (v.is_string()) pv = v.get<std::string>();
    else return where + ": setting '" + it.key() + "': expected " + p->describe_allowed() + ", got " + v.type_name();
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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "'" + path + "': cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    *error = "'" + path + "': cannot read";
    return false;
  }
  *data = ss.str();
  return true;
}

std::string load_config_file(const std::string& path, Config& cfg) {
  std::string text, err;
  if (!read_file(path, &text, &err)) return "config file " + err;
  json j;
  err = parse_json_text(text, "config file '" + path + "'", j);
  if (!err.empty()) return err;
  if (j.is_object() && j.contains("config") && j["config"].is_object()) return apply_json(j["config"], "config file '" + path + "'", cfg);
  if (j.is_object()) {  // a saved config may carry a format tag and a schedule (read_config_schedule); the rest are settings
    json settings = j;
    settings.erase("format");
    settings.erase("schedule");
    return apply_json(settings, "config file '" + path + "'", cfg);
  }
  return "config file '" + path + "': expected a JSON object of settings";
}

std::string read_config_schedule(const std::string& path, std::vector<std::string>* schedule) {
  std::string text, err;
  if (!read_file(path, &text, &err)) return "config file " + err;
  json j;
  err = parse_json_text(text, "config file '" + path + "'", j);
  if (!err.empty()) return err;
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

std::vector<Preset> list_presets() {
  std::vector<Preset> out;
  std::error_code ec;
  const fs::path dir = fs::path(assets_dir()) / "presets";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::string text, err;
    if (!read_file(entry.path().string(), &text, &err)) continue;
    json j;
    if (!parse_json_text(text, entry.path().string(), j).empty() || !j.is_object()) continue;
    Preset p;
    p.name = entry.path().stem().string();
    p.title = j.value("title", p.name);
    p.description = j.value("description", "");
    p.settings = j.value("config", json::object());
    if (j.contains("order") && j["order"].is_number_integer()) p.order = j["order"].get<int>();
    out.push_back(std::move(p));
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
      if (!err.empty()) return err;
      if (out) *out = p;
      return "";
    }
  std::string names;
  for (const Preset& p : presets) names += (names.empty() ? "" : ", ") + p.name;
  if (names.empty()) return "no presets found in '" + assets_dir() + "/presets' (set MOESCOPE_ASSETS to the assets folder)";
  return "unknown preset '" + name + "'; allowed: " + names;
}

std::string apply_set(const std::string& assignment, Config& cfg) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    return "--set '" + assignment + "': expected key=value, e.g. --set top_k=2";
  const std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  const Property* p = find_property(key);
  if (!p) return "--set: unknown setting '" + key + "' (`moescope run --help` lists them)";
  std::string err = p->set_from_text(cfg, value);
  return err.empty() ? "" : "--set: " + err;
}

std::string write_file_atomic(const std::string& path, const std::string& data) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string tmp = (dir / ("." + target.filename().string() + ".tmp" + std::to_string(::getpid()))).string();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write '" + path + "': " + std::strerror(errno);
    out.write(data.data(), std::streamsize(data.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return "cannot write '" + path + "': " + std::strerror(errno);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return "cannot write '" + path + "': " + why;
  }
  return "";
}

}  // namespace moe

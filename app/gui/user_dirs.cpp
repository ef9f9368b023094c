// user_dirs.cpp: see user_dirs.h.
#include "user_dirs.h"

#include <cstdlib>
#include <fstream>
#include <vector>

namespace moe::gui {

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// XDG_PICTURES_DIR="$HOME/Bilder" from user-dirs.dirs, "$HOME/" expanded; "" if absent.
std::string from_user_dirs_file(const fs::path& home) {
  const std::string config_home = env("XDG_CONFIG_HOME");
  const fs::path file = (config_home.empty() ? home / ".config" : fs::path(config_home)) / "user-dirs.dirs";
  std::ifstream in(file);
  std::string line;
  const std::string key = "XDG_PICTURES_DIR=";
  while (std::getline(in, line)) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, key.size(), key) != 0) continue;
    std::string v = line.substr(start + key.size());
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.rfind("$HOME", 0) == 0) v = home.string() + v.substr(5);
    if (fs::path(v).lexically_normal() == home.lexically_normal()) return "";  // $HOME itself: the folder is disabled
    if (!fs::path(v).is_absolute()) return "";  // the file format allows only $HOME/... or absolute paths
    return v;
  }
  return "";
}

}  // namespace

fs::path pictures_dir(std::string* why) {
  const std::string home = env("HOME");
  std::vector<fs::path> candidates;
  if (const std::string x = env("XDG_PICTURES_DIR"); !x.empty()) candidates.emplace_back(x);
  if (!home.empty()) {
    if (const std::string f = from_user_dirs_file(home); !f.empty()) candidates.emplace_back(f);
    candidates.push_back(fs::path(home) / "Pictures");
  }
  std::string failed;
  for (const fs::path& dir : candidates) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (fs::is_directory(dir, ec)) return dir;
    failed += (failed.empty() ? "" : "; ") + ("cannot create '" + dir.string() + "'" + (ec ? ": " + ec.message() : ""));
  }
  std::error_code ec;
  if (why) *why = candidates.empty() ? "HOME is not set" : failed;
  return fs::current_path(ec);
}

}  // namespace moe::gui

// user_dirs.h: where the window puts files for the user (XDG user directories).
#pragma once

#include <filesystem>
#include <string>

namespace moe::gui {

// The folder F12 screenshots go to, created if missing: $XDG_PICTURES_DIR, else the
// XDG_PICTURES_DIR line of $XDG_CONFIG_HOME/user-dirs.dirs (what `xdg-user-dir PICTURES`
// reads; "$HOME/..." expanded, a value of $HOME itself means "not set"), else ~/Pictures.
// When none of them can be made, the current folder, and *why says what failed.
std::filesystem::path pictures_dir(std::string* why);

}  // namespace moe::gui

// ui_state_json.h: the UI state (ui_state.h) as JSON and back: the last session's layout and
// theme (gui_main.cpp, settings.json) and a workspace's "layout" (window_workspace.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include "ui_state.h"

namespace moe {

// Theme, scale, smoothing, the load view, the palette, the layout (panels by name) and the
// folded controls. Everything a session keeps; nothing of the runs.
nlohmann::json ui_to_json(const UiState& ui);
// Reads what ui_to_json wrote into ui; missing or mistyped fields keep their values, numbers
// are clamped to their ranges.
void ui_from_json(const nlohmann::json& j, UiState& ui);

}  // namespace moe

// ui_state_json.cpp: see ui_state_json.h.
#include "ui_state_json.h"

#include <algorithm>
#include <iterator>

namespace moe {

using nlohmann::json;

namespace {

template <class T>
void read_field(const json& j, const char* key, T& out) {
  if (!j.contains(key)) return;
  try {
    out = j[key].get<T>();
  } catch (const json::exception&) {
  }
}

}  // namespace

void ui_from_json(const json& j, UiState& ui) {
  read_field(j, "light_theme", ui.light_theme);
  read_field(j, "ui_scale", ui.ui_scale);
  read_field(j, "ema", ui.ema);
  read_field(j, "log_y_losses", ui.log_y_losses);
  read_field(j, "load_view", ui.load_view);
  read_field(j, "sort_gates_by_top1", ui.sort_gates_by_top1);
  read_field(j, "collapse_alert", ui.collapse_alert);
  read_field(j, "palette", ui.palette);
  ui.palette = ui.palette == Palette_Classic ? Palette_Classic : Palette_ColourBlindSafe;
  read_field(j, "layout", ui.layout);
  read_field(j, "controls_collapsed", ui.controls_collapsed);
  if (j.contains("single_panel") && j["single_panel"].is_string())  // by name: survives panels being added
    ui.single_panel = std::max(0, panel_index(j["single_panel"].get<std::string>()));
  if (j.contains("show_panel") && j["show_panel"].is_array())
    for (size_t i = 0; i < j["show_panel"].size() && i < std::size(ui.show_panel); ++i)
      if (j["show_panel"][i].is_boolean()) ui.show_panel[i] = j["show_panel"][i].get<bool>();
  ui.ui_scale = std::clamp(ui.ui_scale, 0.6f, 3.0f);
  ui.ema = std::clamp(ui.ema, 0.0f, 0.999f);
  ui.load_view = std::clamp(ui.load_view, 0, 2);
  ui.collapse_alert = std::clamp(ui.collapse_alert, 0.0f, 1.0f);
  ui.layout = std::clamp(ui.layout, 0, int(PanelLayout_COUNT) - 1);
}

json ui_to_json(const UiState& ui) {
  json j;
  j["light_theme"] = ui.light_theme;
  j["ui_scale"] = ui.ui_scale;
  j["ema"] = ui.ema;
  j["log_y_losses"] = ui.log_y_losses;
  j["load_view"] = ui.load_view;
  j["sort_gates_by_top1"] = ui.sort_gates_by_top1;
  j["collapse_alert"] = ui.collapse_alert;
  j["palette"] = ui.palette;
  j["layout"] = ui.layout;
  j["single_panel"] = kPanels[std::clamp(ui.single_panel, 0, kPanelCount - 1)].name;
  j["controls_collapsed"] = ui.controls_collapsed;
  j["show_panel"] = json::array();
  for (bool b : ui.show_panel) j["show_panel"].push_back(b);
  return j;
}

}  // namespace moe

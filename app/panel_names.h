// panel_names.h: the window's panels by name, in display order. One list for all who name a
// panel: the GUI's panel table (app/gui/panels/panels.h, kPanels reads its names from here),
// `moescope shot --panel NAME` and a lesson step's focus "panels" (lesson_parse.cpp), which
// is checked without the GUI.
#pragma once

#include <iterator>

namespace moe {

inline constexpr const char* kPanelNames[] = {"load",    "entropy",        "collapse",    "losses",   "this-step",
                                              "gates",   "specialisation", "routing-map", "sparsity", "text-by-expert",
                                              "samples", "attention",      "sweep"};
inline constexpr int kPanelNameCount = int(std::size(kPanelNames));

}  // namespace moe

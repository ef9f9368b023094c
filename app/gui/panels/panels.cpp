// panels.cpp: the list of panels, in display order (names are `moescope shot --panel NAME`).
#include "panels.h"

namespace moe {

const PanelInfo* panel_list(int* count) {
  static const PanelInfo kPanels[] = {
      {"load", "Per-expert load", &draw_load},
      {"entropy", "Routing entropy", &draw_entropy},
      {"collapse", "Collapse", &draw_collapse},
      {"losses", "Losses and accuracy", &draw_losses},
      {"this-step", "This step", &draw_this_step},
      {"gates", "Gate probabilities", &draw_gates},
      {"specialisation", "Specialisation", &draw_specialisation},
      {"routing-map", "Routing map", &draw_routing_map},
      {"sparsity", "Sparsity", &draw_sparsity},
  };
  if (count) *count = int(sizeof kPanels / sizeof kPanels[0]);
  return kPanels;
}

}  // namespace moe

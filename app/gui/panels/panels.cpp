// panels.cpp: what the panel list (panels.h) answers: lookups by name, the
// names for `moescope shot --panel`, the GPU heatmaps the panels need and
// whether a panel applies to a config.
#include "panels.h"

namespace moe {

bool panel_applies_always(const Config&) { return true; }

bool routing_map_applies(const Config& cfg) { return cfg.task == Task::blobs; }

const PanelInfo* panel_list(int* count) {
  if (count) *count = kPanelCount;
  return kPanels;
}

const PanelInfo* find_panel(std::string_view name) {
  for (const PanelInfo& p : kPanels)
    if (name == p.name) return &p;
  return nullptr;
}

std::string panel_names(const char* separator) {
  std::string names;
  for (const PanelInfo& p : kPanels) {
    if (!names.empty()) names += separator;
    names += p.name;
  }
  return names;
}

PanelGpuFlags panel_gpu_needs() {
  PanelGpuFlags all = PanelGpu_None;
  for (const PanelInfo& p : kPanels) all |= p.gpu;
  return all;
}

gui::HeatmapGL* PanelGpu::heatmap(PanelGpuFlags slot) {
  switch (slot) {
    case PanelGpu_Gates: return &gates;
    case PanelGpu_Load: return &load;
    case PanelGpu_Routing: return &routing;
    case PanelGpu_Specialisation: return &specialisation;
    default: return nullptr;
  }
}

bool PanelGpu::init(PanelGpuFlags slots, std::string* error) {
  for (PanelGpuFlags bit = 1; bit <= slots; bit <<= 1)
    if ((slots & bit) && heatmap(bit) && !heatmap(bit)->init(error)) return false;
  return true;
}

void PanelGpu::shutdown() {
  gates.shutdown();
  load.shutdown();
  routing.shutdown();
  specialisation.shutdown();
}

}  // namespace moe

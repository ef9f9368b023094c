// panels.cpp: what the panel list (panels.h) answers: lookups by name, the
// names for `moescope shot --panel`, the GPU heatmaps the panels need and
// whether a panel applies to a config.
#include "panels.h"

namespace moe {

bool panel_applies_always(const Config&) { return true; }

// The labels each task gives its tokens (TaskData::n_labels): blob classes, teacher
// experts, character classes (always several).
bool specialisation_applies(const Config& cfg) {
  switch (cfg.task) {
    case Task::blobs: return cfg.blob_classes > 1;
    case Task::teacher: return cfg.teacher_experts > 1;
    default: return true;
  }
}

const PanelInfo* panel_list(int* count) {
  if (count) *count = kPanelCount;
  return kPanels;
}

const PanelInfo* find_panel(std::string_view name) {
  for (const PanelInfo& p : kPanels)
    if (name == p.name) return &p;
  return nullptr;
}

int panel_index(std::string_view name) {
  for (int i = 0; i < kPanelCount; ++i)
    if (name == kPanels[i].name) return i;
  return -1;
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

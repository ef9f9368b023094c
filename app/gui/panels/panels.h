// panels.h: every panel of the window, one draw_* function per file
// (app/gui/panel_<name>.cpp). Each draws into the current ImGui window from a
// snapshot and UI state only; none touches the trainer.
#pragma once

#include "heatmap_gl.h"
#include "session.h"
#include "ui_state.h"

namespace moe {

// GPU heatmaps, one per plot that needs one (each owns its output texture).
// Created by the window (or the shot command) once a GL context is current.
struct PanelGpu {
  gui::HeatmapGL gates;           // 3. probe tokens × experts
  gui::HeatmapGL load;            // 1. steps × experts (heatmap view)
  gui::HeatmapGL routing;         // 8. the input plane by winning expert
  gui::HeatmapGL specialisation;  // 7. label × expert
};

struct PanelContext {
  const RunSnapshot& snap;
  UiState& ui;
  PanelGpu* gpu;  // nullptr: draw heatmaps on the CPU (plot::PlotHeatmap)
};

void draw_load(PanelContext& ctx);            // 1. per-expert load over steps (lines | stacked | heatmap), ideal 1/E
void draw_entropy(PanelContext& ctx);         // 2. router entropy and load entropy (normalised) over steps
void draw_gates(PanelContext& ctx);           // 3. probe batch tokens × experts gate heatmap + top-1 gate histogram
void draw_collapse(PanelContext& ctx);        // 4. dead experts, MaxVio, load CV over steps; collapse alert
void draw_losses(PanelContext& ctx);          // 5. every loss term and accuracy
void draw_this_step(PanelContext& ctx);       // 6. load and importance per expert as bars, 1/E line, aux-free bias
void draw_specialisation(PanelContext& ctx);  // 7. label × expert matrix and its MI
void draw_routing_map(PanelContext& ctx);     // 8. blobs: the plane coloured by the winning expert
void draw_sparsity(PanelContext& ctx);        // 10. total vs active parameters per token against real MoE models

struct PanelInfo {
  const char* name;   // --panel NAME of `moescope shot`, e.g. "load"
  const char* title;  // window title, e.g. "Per-expert load"
  void (*draw)(PanelContext&);
};
// All panels in display order (the layer selector, item 9, lives in the controls).
const PanelInfo* panel_list(int* count);

}  // namespace moe

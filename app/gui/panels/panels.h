// panels.h: every panel of the window, one draw_* function per file
// (app/gui/panels/panel_<name>.cpp), and the panel list: what the window, the
// View menu, the GPU set-up and `moescope shot --panel` read about each panel.
// Each panel draws into the current ImGui window from a snapshot and UI state
// only; none touches the trainer.
#pragma once

#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "heatmap_gl.h"
#include "panel_names.h"
#include "session.h"

namespace moe {

struct UiState;  // ui_state.h (which sizes its per-panel arrays from this list)

enum PanelGpu_ {
  PanelGpu_None = 0,
  PanelGpu_Gates = 1 << 0,           // PanelGpu::gates
  PanelGpu_Load = 1 << 1,            // PanelGpu::load
  PanelGpu_Routing = 1 << 2,         // PanelGpu::routing
  PanelGpu_Specialisation = 1 << 3,  // PanelGpu::specialisation
};
using PanelGpuFlags = int;

// GPU heatmaps, one per plot that needs one (each owns its output texture).
// Created by the window (or the shot command) once a GL context is current.
struct PanelGpu {
  gui::HeatmapGL gates;           // 3. probe tokens × experts
  gui::HeatmapGL load;            // 1. steps × experts (heatmap view)
  gui::HeatmapGL routing;         // 8. the input plane by winning expert
  gui::HeatmapGL specialisation;  // 7. label × expert

  gui::HeatmapGL* heatmap(PanelGpuFlags slot);  // the heatmap of one PanelGpu_ bit; nullptr for anything else
  bool init(PanelGpuFlags slots,
            std::string* error);  // creates the heatmaps `slots` names; false + reason if one fails
  void shutdown();                // frees every heatmap's GL objects
};

// One line of the comparison plots: a run, or a seed group drawn as its mean and a band.
struct RunLine {
  int id = -1;        // the run's id in the window's RunSet (a group: its first member's)
  std::string label;  // its run-list label ("α=0.01", "k=2 × 8 seeds")
  int slot = 0;       // run palette slot: palette::run_colour and plot::RunLineStyle
  std::vector<std::shared_ptr<const RunSnapshot>> members;  // the run; a seed group: every member (mean + band)
  int64_t fork_step = -1;  // where it parted from the run it was forked from (-1: not a fork), marked on every plot
  bool selected = false;   // the run the per-expert views show
};

// Every visible run, as the scalar time plots overlay them (window.cpp builds it each frame).
struct Comparison {
  std::vector<RunLine> lines;  // in run-list order
  int reference = -1;          // index in lines of the difference view's reference (-1: plain values)
  bool band_std = false;       // seed groups' band: mean ± 1 std (else min–max over the seeds)
  // Overlay mode: two lines or more, or one seed group (its band). One plain run draws as always.
  bool active() const { return lines.size() >= 2 || (lines.size() == 1 && lines[0].members.size() > 1); }
};

struct PanelContext {
  const RunSnapshot& snap;  // the selected run: per-expert views and the single-run time plots
  UiState& ui;
  PanelGpu* gpu;                        // nullptr: draw heatmaps on the CPU (plot::PlotHeatmap)
  const Comparison* compare = nullptr;  // the runs side by side (nullptr or !active(): one run, as before)
  bool comparing() const { return compare && compare->active(); }
};

void draw_load(PanelContext& ctx);            // 1. per-expert load over steps (lines | stacked | heatmap), ideal 1/E
void draw_entropy(PanelContext& ctx);         // 2. router entropy and load entropy (normalised) over steps
void draw_gates(PanelContext& ctx);           // 3. probe batch tokens × experts gate heatmap + top-1 gate histogram
void draw_collapse(PanelContext& ctx);        // 4. dead experts, MaxVio, load CV over steps; collapse alert
void draw_losses(PanelContext& ctx);          // 5. every loss term and accuracy
void draw_this_step(PanelContext& ctx);       // 6. load and importance per expert as bars, 1/E line, aux-free bias
void draw_specialisation(PanelContext& ctx);  // 7. label × expert matrix and its MI
void draw_routing_map(PanelContext& ctx);     // 8. blobs: the plane coloured by the winning expert
void draw_sweep(PanelContext& ctx);           // 11. a grid of settings × seeds: heatmap (or line) of a final metric
void draw_sparsity(PanelContext& ctx);        // 10. total vs active parameters per token against real MoE models
void draw_text_by_expert(PanelContext& ctx);  // lm: held-out text coloured by top-1 expert, gates on hover
void draw_samples(PanelContext& ctx);         // lm: text the model writes at this step
void draw_attention(PanelContext& ctx);       // lm: one head's attention over the passage's first window

// Whether a panel has something to show for a config (PanelInfo::applies).
bool panel_applies_always(const Config& cfg);    // true
bool specialisation_applies(const Config& cfg);  // the task has two labels or more (teacher_experts = 1 has one)
bool lm_panel_applies(const Config& cfg);        // task = lm (panel_text_by_expert.cpp)

struct PanelInfo {
  const char* name;                    // --panel NAME of `moescope shot`, e.g. "load"
  const char* title;                   // window title and View menu entry, e.g. "Per-expert load"
  void (*draw)(PanelContext&);         // draws the panel into the current window
  PanelGpuFlags gpu;                   // GPU heatmaps it draws with (PanelGpu_); without them it draws on the CPU
  bool (*applies)(const Config& cfg);  // whether it has anything to show for cfg (the window hides it when not)
  const char* needs;                   // what applies() asks for, shown beside the greyed View entry ("" if always)
};

// All panels in display order (the layer selector, item 9, lives in the controls); entry i is
// called kPanelNames[i] (panel_names.h: "load", "entropy", ...).
inline constexpr PanelInfo kPanels[] = {
    {kPanelNames[0], "Per-expert load", &draw_load, PanelGpu_Load, &panel_applies_always, ""},
    {kPanelNames[1], "Routing entropy", &draw_entropy, PanelGpu_None, &panel_applies_always, ""},
    {kPanelNames[2], "Collapse", &draw_collapse, PanelGpu_None, &panel_applies_always, ""},
    {kPanelNames[3], "Losses and accuracy", &draw_losses, PanelGpu_None, &panel_applies_always, ""},
    {kPanelNames[4], "This step", &draw_this_step, PanelGpu_None, &panel_applies_always, ""},
    {kPanelNames[5], "Gate probabilities", &draw_gates, PanelGpu_Gates, &panel_applies_always, ""},
    {kPanelNames[6], "Specialisation", &draw_specialisation, PanelGpu_Specialisation, &specialisation_applies,
     "needs 2+ task labels"},
    {kPanelNames[7], "Routing map", &draw_routing_map, PanelGpu_Routing, &panel_applies_always, ""},
    {kPanelNames[8], "Sparsity", &draw_sparsity, PanelGpu_None, &panel_applies_always, ""},
    {kPanelNames[9], "Text by expert", &draw_text_by_expert, PanelGpu_None, &lm_panel_applies, "needs task = lm"},
    {kPanelNames[10], "Samples", &draw_samples, PanelGpu_None, &lm_panel_applies, "needs task = lm"},
    {kPanelNames[11], "Attention", &draw_attention, PanelGpu_None, &lm_panel_applies, "needs task = lm"},
    {kPanelNames[12], "Sweep", &draw_sweep, PanelGpu_None, &panel_applies_always, ""},  // tiled once a sweep exists
};
// The "four that matter" layout (PanelLayout_Four): how the routing balances and what it costs.
inline constexpr const char* kFourPanels[] = {"load", "entropy", "collapse", "losses"};
inline constexpr int kPanelCount = int(std::size(kPanels));  // sizes per-panel state (UiState::show_panel)
// Entry i of kPanels is named kPanelNames[i], one entry per name: an index written twice or
// a name left out does not compile.
constexpr bool panels_named_in_order() {
  if (kPanelCount != kPanelNameCount) return false;
  for (int i = 0; i < kPanelCount; ++i)
    if (std::string_view(kPanels[i].name) != kPanelNames[i]) return false;
  return true;
}
static_assert(panels_named_in_order(), "kPanels: entry i must be named kPanelNames[i] (panel_names.h)");

const PanelInfo* panel_list(int* count);                // kPanels; *count = kPanelCount (count may be nullptr)
const PanelInfo* find_panel(std::string_view name);     // the panel called `name` (--panel), nullptr if none
int panel_index(std::string_view name);                 // its index in kPanels, -1 if none
std::string panel_names(const char* separator = ", ");  // every panel's name in order, e.g. for --panel's help
PanelGpuFlags panel_gpu_needs();                        // every GPU heatmap some panel draws with

}  // namespace moe

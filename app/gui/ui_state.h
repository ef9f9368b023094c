// ui_state.h: UI-only state (apart from the model's config), one plain struct.
// Panels read and write it; it is saved with the layout between runs.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "panels/panels.h"
#include "plot.h"

namespace moe {

struct SweepView;  // sweep_view.h

enum LoadView_ { LoadView_Lines = 0, LoadView_Stacked, LoadView_Heatmap };
enum Palette_ { Palette_ColourBlindSafe = 0, Palette_Classic };  // = palette::Scheme, for the View menu

// Which panels the window tiles (View > Layout).
enum PanelLayout_ {
  PanelLayout_All = 0,  // every panel ticked in the View menu that applies to the run
  PanelLayout_Four,     // the four that matter for routing: load, entropy, collapse, losses (kFourPanels)
  PanelLayout_One,      // one panel filling the area: UiState::single_panel
  PanelLayout_COUNT
};

// One flag per panel of the list, all set.
constexpr std::array<bool, kPanelCount> every_panel_shown() {
  std::array<bool, kPanelCount> shown{};
  shown.fill(true);
  return shown;
}

struct UiState {
  bool light_theme = false;  // "report" theme for projectors and papers
  int palette =
      Palette_ColourBlindSafe;  // expert colours: Okabe-Ito + glasbey-style, or the classic hues (palette::set_scheme)
  float ui_scale = 1.0f;        // font and spacing scale (monitor content scale × user zoom)
  int layer = 0;                // MoE layer shown by per-layer panels
  float ema = 0.0f;             // EMA smoothing of time plots, 0 = raw, up to 0.999
  bool log_y_losses = true;     // losses on a log axis
  int load_view = LoadView_Lines;  // per-expert load: lines, stacked area, steps × experts heatmap
  bool sort_gates_by_top1 = true;  // gate heatmap rows sorted by top-1 expert
  float collapse_alert = 0.5f;     // alert when load entropy falls below this
  bool line_styles_every_series =
      false;  // View: "grayscale-safe" dashes and markers for every series (else only past the first 8 colours)
  plot::AxisLink steps_link;  // the x axis (steps) every time plot shares; follows the newest step until panned
  std::array<bool, kPanelCount> show_panel = every_panel_shown();  // View menu: panel i of kPanels is shown
  int layout = PanelLayout_All;     // PanelLayout_: all panels, the four that matter, one big panel
  int single_panel = 0;             // index in kPanels of the panel the "one" layout shows
  bool controls_collapsed = false;  // the controls column folded to a thin strip (F2), giving the panels its width
  bool specialisation_by_expert = false;  // specialisation: shares of each expert (else of each label)
  // Figures (issue 12): figure mode drops the window chrome; --view y-range and hide=LABEL.
  bool figure = false;       // drawing a figure: no buttons, radio rows, sliders, readouts
  bool handout = false;      // a lesson handout (the whole window, printed): no view switches (load lines/stacked/...)
  bool view_y_set = false;   // time plots' y axes fixed to view_y_range
  plot::Range view_y_range;  // --view y-range=A:B
  std::vector<std::string> hidden_series;  // --view hide=LABEL: series not drawn (any plot)
  std::shared_ptr<SweepView>
      sweep;                     // the sweep view (sweep_view.h): null until a sweep is defined or opened; not saved
  bool band_std = false;         // seed groups' band on the time plots: mean ± 1 std (else min–max over seeds)
  bool difference_view = false;  // time plots show each run minus the reference (the first run)
  bool load_ab = false;          // load heatmap: the selected run stacked over another run (A/B)
  int attention_head = 0;        // lm: the head the attention panel shows (--view head=N)
  int loss_compare_term = 0;     // losses with runs side by side: the term every run's line shows (task, L_bal,
                                 // L_z, L_imp, total; --view loss-term=)
  double this_step_y_max = 0;    // this step's load/importance bars: y axis 0..this when > 0 (a lesson's A beside B
                                 // share one scale), else fitted to the run's own bars
};

}  // namespace moe

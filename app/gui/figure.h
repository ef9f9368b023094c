// figure.h: figures for reports (issue 12). The options `moescope shot` and the
// window's "Export figure…" share: the format from the file's extension, figure
// mode (no window chrome, a title and keys laid out for print), a size in
// pixels, inches or millimetres, the font size in points, the DPI, and the
// panel's view (--view key=value); and the provenance command written into every
// figure so `moescope shot --from F.svg` makes it again.
//
// A figure is laid out by ImGui in layout pixels (dpi of them per inch) and drawn
// once: to the screen's draw lists (for a PNG) and, through plot::TeeRecorder, to
// a cairo SVG or PDF surface whose unit is 72/dpi points per layout pixel.
#pragma once

#include <string>
#include <vector>

#include "plot.h"

namespace moe {

struct ShotOptions;
struct UiState;

struct FigureOptions {
  bool figure = false;             // --figure: no chrome, print layout (implied by .svg and .pdf)
  std::string size_text;           // --size as given ("" = 1600x1000 px)
  float font_pt = 0;               // --font-pt (0: 8 pt with a physical size, else the UI font at --scale)
  int dpi = 0;                     // --dpi (0: 300 with a physical size, 96 with pixels)
  std::vector<std::string> views;  // --view key=value, in order
  std::string from;                // --from FILE: make the figure FILE's provenance command makes
  bool no_csv = false;             // --no-csv: no F.csv beside a figure
  std::string command;             // the provenance: shot_command of the options as given (set by cmd_shot)
  std::string provenance_out;      // --out as the provenance records it ("" = --out's file name; --from keeps the old)
};

namespace gui {

// The layout a figure is drawn at.
struct FigureLayout {
  int width = 1600, height = 1000;               // layout pixels (the PNG's pixels)
  double dpi = 96;                               // layout pixels per inch
  float ui_scale = 1;                            // ImGui font size / 15 px: fonts, spacing, line widths
  double unit_pt() const { return 72.0 / dpi; }  // points per layout pixel (SVG, PDF)
};

// "1600x1000" (pixels), "3.5x2.4in", "89x60mm" (optionally with a space before the unit).
// Fills width/height in layout pixels at `dpi` (0: the default for the unit). "" or what is wrong.
std::string parse_figure_size(const std::string& text, int dpi, FigureLayout& out, bool* physical = nullptr);
// The whole layout from the options: size, dpi, and the UI scale giving font_pt-point text
// (or `scale` when no font size is asked for with a pixel size). "" or what is wrong.
std::string figure_layout(const FigureOptions& fo, float scale, FigureLayout& out);

// --view key=value into the UI state (load=lines|stacked|heatmap, smoothing=0..0.999,
// log-y=on|off, sort-gates=on|off, alert=0..1, layer=N, palette=colour-blind-safe|classic,
// grayscale-safe=on|off, shares=label|expert, x-range=A:B, y-range=A:B, hide=LABEL, band=minmax|std,
// difference=on|off, load-ab=on|off, head=N).
// "" or what is wrong, naming the key and what it allows.
std::string apply_view(const std::string& key_value, UiState& ui);
std::string view_help();  // the keys and values, for --view's help

// The `moescope shot` command that makes this figure (every option that changes it).
std::string shot_command(const ShotOptions& opt);
// Splits a command as shot_command quotes it ('…' with '\'' for a quote); an unquoted # at a
// word's start begins a comment to the end, as in a shell. "" or what is wrong.
std::string split_command(const std::string& command, std::vector<std::string>& args);

}  // namespace gui
}  // namespace moe

// figure.cpp: figure sizes and layout, --view options and the provenance
// command (figure.h).
#include "figure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "gui_main.h"
#include "ui_state.h"

namespace moe::gui {

namespace {
constexpr double kLineHeightPerEm = 2384.0 / 2048.0;  // DejaVu Sans: ImGui's font size (ascent + descent) per em
constexpr float kBaseFontPx = 15.0f;                  // load_fonts: 15 px x the UI scale

bool parse_double(const std::string& s, double& v) {
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return !s.empty() && end && *end == '\0' && std::isfinite(v);
}

bool on_off(const std::string& v, bool& out) {
  if (v == "on" || v == "true" || v == "1" || v == "yes") return out = true, true;
  if (v == "off" || v == "false" || v == "0" || v == "no") return out = false, true;
  return false;
}

bool parse_range(const std::string& v, plot::Range& r) {
  const size_t colon = v.find(':');
  if (colon == std::string::npos) return false;
  double a = 0, b = 0;
  if (!parse_double(v.substr(0, colon), a) || !parse_double(v.substr(colon + 1), b) || !(b > a)) return false;
  r = plot::Range{a, b};
  return true;
}
}  // namespace

std::string parse_figure_size(const std::string& text, int dpi, FigureLayout& out, bool* physical) {
  const std::string allowed = "'" + text +
                              "' is not a size: WxH in pixels (200..8192, e.g. 1600x1000), inches (e.g. 3.5x2.4in) or "
                              "millimetres (e.g. 89x60mm)";
  double w = 0, h = 0;
  char x = 0;
  char unit[8] = {};
  const int got = std::sscanf(text.c_str(), "%lf%c%lf %7s", &w, &x, &h, unit);
  if (got < 3 || (x != 'x' && x != 'X') || !(w > 0) || !(h > 0)) return allowed;
  const std::string u = got == 4 ? unit : "";
  double per_unit = 0;  // inches per unit
  if (u == "in")
    per_unit = 1;
  else if (u == "mm")
    per_unit = 1 / 25.4;
  else if (u == "cm")
    per_unit = 1 / 2.54;
  else if (!u.empty() && u != "px")
    return allowed;
  if (physical) *physical = per_unit > 0;
  if (per_unit > 0) {
    out.dpi = dpi > 0 ? dpi : 300;
    w = std::round(w * per_unit * out.dpi);
    h = std::round(h * per_unit * out.dpi);
  } else {
    out.dpi = dpi > 0 ? dpi : 96;
    if (w != std::round(w) || h != std::round(h)) return allowed;
  }
  if (w < 200 || h < 150 || w > 8192 || h > 8192)
    return "'" + text + "' is " + std::to_string(int(w)) + "x" + std::to_string(int(h)) + " pixels at " +
           std::to_string(int(out.dpi)) + " dpi; allowed: 200..8192 x 150..8192 (change the size or --dpi)";
  out.width = int(w);
  out.height = int(h);
  return "";
}

std::string figure_layout(const FigureOptions& fo, float scale, FigureLayout& out) {
  bool physical = false;
  out = FigureLayout{};
  if (fo.dpi != 0 && (fo.dpi < 50 || fo.dpi > 1200)) return "--dpi " + std::to_string(fo.dpi) + " is outside 50..1200";
  if (fo.size_text.empty()) {
    out.dpi = fo.dpi > 0 ? fo.dpi : 96;
  } else if (std::string e = parse_figure_size(fo.size_text, fo.dpi, out, &physical); !e.empty()) {
    return e;
  }
  const float pt = fo.font_pt > 0 ? fo.font_pt : physical ? 8.0f : 0.0f;
  if (pt > 0)
    out.ui_scale = float(pt * out.dpi / 72.0 * kLineHeightPerEm) / kBaseFontPx;
  else
    out.ui_scale = scale;
  if (out.ui_scale < 0.5f || out.ui_scale > 12.0f)
    return "the font size comes to " + std::to_string(out.ui_scale * kBaseFontPx) +
           " px at this dpi; choose --font-pt or --dpi so it is 7.5..180 px";
  return "";
}

// [SECTION] --view

std::string view_help() {
  return "load=lines|stacked|heatmap, smoothing=0..0.999, log-y=on|off (losses), sort-gates=on|off, "
         "alert=0..1 (collapse), layer=N, palette=colour-blind-safe|classic, grayscale-safe=on|off, "
         "shares=label|expert (specialisation), x-range=A:B (steps), y-range=A:B, hide=LABEL (a series or a run, "
         "repeatable), band=minmax|std (seed groups), difference=on|off (runs minus the first), load-ab=on|off (load "
         "heatmaps of two runs stacked), loss-term=task|balance|z|importance|total (losses of runs side by side), "
         "head=N (lm attention)";
}

std::string apply_view(const std::string& kv, UiState& ui) {
  const size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) return "--view '" + kv + "' is not key=value; keys: " + view_help();
  const std::string key = kv.substr(0, eq), v = kv.substr(eq + 1);
  auto bad = [&](const std::string& allowed) { return "--view " + key + "='" + v + "': allowed " + allowed; };
  double d = 0;
  bool b = false;
  if (key == "load") {
    if (v == "lines")
      ui.load_view = LoadView_Lines;
    else if (v == "stacked")
      ui.load_view = LoadView_Stacked;
    else if (v == "heatmap")
      ui.load_view = LoadView_Heatmap;
    else
      return bad("lines, stacked or heatmap");
  } else if (key == "smoothing") {
    if (!parse_double(v, d) || d < 0 || d > 0.999) return bad("a number in [0, 0.999]");
    ui.ema = float(d);
  } else if (key == "log-y") {
    if (!on_off(v, b)) return bad("on or off");
    ui.log_y_losses = b;
  } else if (key == "sort-gates") {
    if (!on_off(v, b)) return bad("on or off");
    ui.sort_gates_by_top1 = b;
  } else if (key == "alert") {
    if (!parse_double(v, d) || d < 0 || d > 1) return bad("a number in [0, 1]");
    ui.collapse_alert = float(d);
  } else if (key == "layer") {
    if (!parse_double(v, d) || d < 0 || d != std::floor(d) || d > 1000) return bad("a layer number 0, 1, ...");
    ui.layer = int(d);
  } else if (key == "palette") {
    if (v == "colour-blind-safe" || v == "color-blind-safe")
      ui.palette = Palette_ColourBlindSafe;
    else if (v == "classic")
      ui.palette = Palette_Classic;
    else
      return bad("colour-blind-safe or classic");
  } else if (key == "grayscale-safe") {
    if (!on_off(v, b)) return bad("on or off");
    ui.line_styles_every_series = b;
  } else if (key == "shares") {
    if (v == "label")
      ui.specialisation_by_expert = false;
    else if (v == "expert")
      ui.specialisation_by_expert = true;
    else
      return bad("label or expert");
  } else if (key == "x-range") {
    plot::Range r;
    if (!parse_range(v, r)) return bad("A:B with A < B (steps), e.g. 0:2000");
    ui.steps_link.range = r;
    ui.steps_link.follow = false;
    ui.steps_link.set = true;
  } else if (key == "y-range") {
    if (!parse_range(v, ui.view_y_range)) return bad("A:B with A < B, e.g. 0:0.5");
    ui.view_y_set = true;
  } else if (key == "hide") {
    if (v.empty()) return bad("a series' label, e.g. hide=expert 3");
    ui.hidden_series.push_back(v);
  } else if (key == "band") {
    if (v == "minmax" || v == "min-max")
      ui.band_std = false;
    else if (v == "std")
      ui.band_std = true;
    else
      return bad("minmax or std");
  } else if (key == "difference") {
    if (!on_off(v, b)) return bad("on or off");
    ui.difference_view = b;
  } else if (key == "load-ab") {
    if (!on_off(v, b)) return bad("on or off");
    ui.load_ab = b;
    if (b) ui.load_view = LoadView_Heatmap;  // A/B is a view of the heatmap
  } else if (key == "loss-term") {
    static const char* const kTerms[] = {"task", "balance", "z", "importance", "total"};
    int t = -1;
    for (int i = 0; i < 5; ++i)
      if (v == kTerms[i]) t = i;
    if (t < 0) return bad("task, balance, z, importance or total");
    ui.loss_compare_term = t;
  } else if (key == "head") {
    if (!parse_double(v, d) || d < 0 || d != std::floor(d) || d > 1000) return bad("a head number 0, 1, ...");
    ui.attention_head = int(d);
  } else {
    return "--view: unknown key '" + key + "'; keys: " + view_help();
  }
  return "";
}

// [SECTION] Provenance command

namespace {
std::string quote(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    plain = plain &&
            (std::isalnum(static_cast<unsigned char>(c)) || std::string("-_=.,:/@+%").find(c) != std::string::npos);
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string basename_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string format_float(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

std::string shot_command(const ShotOptions& o) {
  std::string c = "moescope shot";
  auto add = [&](const std::string& flag, const std::string& value) { c += " " + flag + " " + quote(value); };
  if (!o.source.preset.empty()) add("--preset", o.source.preset);
  if (!o.source.config_file.empty()) add("--config", o.source.config_file);
  for (const std::string& s : o.source.sets) add("--set", s);
  if (o.steps >= 0) add("--steps", std::to_string(o.steps));
  add("--out", basename_of(o.fig.provenance_out.empty() ? o.out : o.fig.provenance_out));
  if (!o.panel.empty()) add("--panel", o.panel);
  if (o.panel.empty() && o.layout != "all") add("--layout", o.layout);
  if (o.theme != "dark") add("--theme", o.theme);
  if (o.grayscale_safe) c += " --grayscale-safe";
  if (o.fig.figure) c += " --figure";
  if (!o.fig.size_text.empty()) add("--size", o.fig.size_text);
  if (o.scale != 1.0f) add("--scale", format_float(o.scale));
  if (o.fig.font_pt > 0) add("--font-pt", format_float(o.fig.font_pt));
  if (o.fig.dpi > 0) add("--dpi", std::to_string(o.fig.dpi));
  if (o.controls_strip) c += " --controls-strip";
  // The runs side by side (issue 11): every option that adds a run or changes how runs are drawn.
  for (const std::string& spec : o.compare) add("--compare", spec);
  if (o.seeds > 1) add("--seeds", std::to_string(o.seeds));
  if (o.band_std) add("--band", "std");
  if (o.difference) c += " --difference";
  if (o.load_ab) c += " --load-ab";
  // The sweep view and results files opened with it.
  for (const std::string& g : o.grid) add("--grid", g);
  if (!o.metric.empty()) add("--metric", o.metric);
  for (const std::string& r : o.results) add("--results", r);
  for (const std::string& v : o.fig.views) add("--view", v);
  return c;
}

std::string split_command(const std::string& command, std::vector<std::string>& args) {
  args.clear();
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < command.size(); ++i) {
    const char ch = command[i];
    if (ch == '\'') {
      const size_t close = command.find('\'', i + 1);
      if (close == std::string::npos) return "unterminated quote in '" + command + "'";
      cur += command.substr(i + 1, close - i - 1);
      i = close;
      in_word = true;
    } else if (ch == '\\' && i + 1 < command.size()) {
      cur += command[++i];
      in_word = true;
    } else if (ch == '#' && !in_word) {
      break;  // a shell comment to the end: a window export's "# not in this command: ..."
    } else if (ch == ' ' || ch == '\t' || ch == '\n') {
      if (in_word) args.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += ch;
      in_word = true;
    }
  }
  if (in_word) args.push_back(cur);
  return "";
}

}  // namespace moe::gui

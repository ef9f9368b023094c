// controls.cpp: the left column of the window.
//
//   transport   play/pause, step, reset, new seed, training speed
//   preset      picker with the preset's description
//   layer       which MoE layer the per-layer panels show, when there are several; plot smoothing
//   settings    every row of the core's property table, grouped as the table groups
//               them, help text (naming the paper) as tooltip. Live settings apply
//               at the next step boundary (an event on every time plot); structural
//               ones (marked ↻) restart the run when the widget is released.
//
// Each row is drawn as the table says (Property::widget); an Int slider ends at
// Property::upper_bound (k: 1..E). A setting the run does not read under the
// current config (Property::irrelevance) is drawn disabled, its tooltip saying
// why; another task's settings are not drawn. PropFlags_Advanced rows fold
// under an "Advanced" node at the end of their group, closed by default.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "window.h"

namespace moe::gui {

namespace {

constexpr float kZeroZone = 0.04f;  // left part of a log slider that means exactly 0

ImVec4 structural_colour(bool light) { return light ? ImVec4(0.75f, 0.38f, 0.0f, 1) : ImVec4(1.0f, 0.65f, 0.25f, 1); }

std::string escape_percent(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

// A logarithmic slider over [lo, hi] whose leftmost kZeroZone is exactly 0.
bool log_slider_with_zero(const char* id, double* v, double lo, double hi, bool allow_zero) {
  float u;
  if (allow_zero && *v <= 0)
    u = 0.0f;
  else {
    const double t = std::log(std::clamp(*v, lo, hi) / lo) / std::log(hi / lo);
    u = allow_zero ? float(kZeroZone + (1 - kZeroZone) * t) : float(t);
  }
  std::string text = (allow_zero && *v <= 0) ? "0 (off)" : format_value(*v);
  ImGui::SetNextItemWidth(-1);
  if (!ImGui::SliderFloat(id, &u, 0.0f, 1.0f, escape_percent(text).c_str(),
                          ImGuiSliderFlags_NoRoundToFormat | ImGuiSliderFlags_NoInput))
    return false;
  if (allow_zero && u < kZeroZone * 0.5f) {
    *v = 0;
  } else {
    const double t = allow_zero ? std::max(0.0, (double(u) - kZeroZone) / (1 - kZeroZone)) : double(u);
    double x = lo * std::pow(hi / lo, t);
    // Round to 3 significant digits, so values read cleanly ("0.00316", not "0.003162277").
    const double mag = std::pow(10.0, std::floor(std::log10(x)) - 2);
    x = std::round(x / mag) * mag;
    *v = std::clamp(x, lo, hi);
  }
  return true;
}

bool is_slider(Widget w) {
  return w == Widget::IntSlider || w == Widget::IntLogSlider || w == Widget::Slider || w == Widget::LogSlider ||
         w == Widget::LogSliderZero;
}

// why_off: "" or why the run does not read the setting now (its row is disabled).
void tooltip_for(const Property& p, bool light, const std::string& why_off) {
  if (!ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
  ImGui::Text("%s", p.name);
  if (!why_off.empty()) ImGui::Text("not used now: %s", why_off.c_str());
  ImGui::TextUnformatted(p.help);
  ImGui::TextDisabled("allowed: %s", p.describe_allowed().c_str());
  if (is_slider(p.widget)) ImGui::TextDisabled("Ctrl+click the slider to type a value");
  if (p.live())
    ImGui::TextDisabled("live: applies at the next step and is marked on every time plot");
  else
    ImGui::TextColored(structural_colour(light), "\u21BB structural: changing it restarts the run");
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

// A slider's value typed in. Ctrl+click on a slider opens this field in its place
// (the slider itself never sees that click, so it cannot jump to the mouse); the
// text is the setting's VALUE, read by Property::set_from_text and checked against
// the table's range and validate() (k <= E...). Enter or a click elsewhere commits,
// Escape cancels. Returns true when a value was accepted into `edit`.
bool typed_value_field(const Property& p, Config& edit, TypedValue& typing, std::string* error) {
  ImGui::SetNextItemWidth(-1);
  if (typing.focus) {
    ImGui::SetKeyboardFocusHere();
    typing.focus = false;
  }
  const bool enter = ImGui::InputText("##typed", typing.text, sizeof typing.text,
                                      ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Type a value, Enter to set it, Escape to cancel");
  const bool escape = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false);
  const bool left = ImGui::IsItemDeactivated() && typing.was_active;
  typing.was_active = ImGui::IsItemActive();
  if (escape && !enter) {
    typing.key.clear();
    return false;
  }
  if (!enter && !left) return false;
  typing.key.clear();
  Config trial = edit;
  *error = p.set_from_text(trial, typing.text);
  if (error->empty()) *error = validate(trial);
  if (!error->empty()) return false;
  edit = trial;
  return true;
}

// One widget for p's value in `edit`, as the table's widget hint says. Sets `edit` when
// the user changes it; *released: the edit is finished (slider let go, Enter, a pick).
// Returns true when the value changed this frame; a refused value goes to *error.
bool setting_widget(const Property& p, Config& edit, bool disabled, TypedValue& typing, bool* released,
                    std::string* error) {
  const PropValue before = p.get(edit);
  bool changed = false;
  *released = false;
  if (is_slider(p.widget)) {
    // Ctrl+click (the slider's own text input would read the text as the slider's position).
    ImGui::SetNextItemWidth(-1);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const ImVec2 size(ImGui::CalcItemWidth(), ImGui::GetFrameHeight());
    const ImGuiIO& io = ImGui::GetIO();
    if (!disabled && typing.key != p.name && io.KeyCtrl && ImGui::IsMouseClicked(0) && ImGui::IsWindowHovered() &&
        ImGui::IsMouseHoveringRect(pos, ImVec2(pos.x + size.x, pos.y + size.y))) {
      typing.key = p.name;
      std::snprintf(typing.text, sizeof typing.text, "%s", format_value_exact(before).c_str());
      typing.focus = true;
      typing.was_active = false;
    }
    if (typing.key == p.name) {
      changed = *released = typed_value_field(p, edit, typing, error);
      return changed;
    }
  }
  switch (p.widget) {
    case Widget::Checkbox: {
      bool b = std::get<bool>(before);
      changed = ImGui::Checkbox("##v", &b);
      if (changed) p.set(edit, b);
      *released = changed;
      break;
    }
    case Widget::Combo: {
      const std::string cur = choice_name(p, edit);
      if (ImGui::BeginCombo("##v", cur.c_str())) {
        for (const std::string& c : p.choices) {
          if (ImGui::Selectable(c.c_str(), c == cur) && c != cur) {
            *error = p.set(edit, c);
            changed = *released = error->empty();
          }
        }
        ImGui::EndCombo();
      }
      break;
    }
    case Widget::IntField:
    case Widget::IntSlider:
    case Widget::IntLogSlider: {
      const int lo = int(p.min), hi = int(std::clamp<int64_t>(p.upper_bound(edit), lo, 2147483647));
      int x = int(std::clamp<int64_t>(std::get<int64_t>(before), lo, hi));
      if (p.widget == Widget::IntField) {
        x = int(std::get<int64_t>(before));
        if (ImGui::InputInt("##v", &x)) {
          Config trial = edit;  // a typed value out of range is refused with the reason, not clamped
          *error = p.set(trial, int64_t(x));
          if (error->empty()) edit = trial, changed = *released = true;
        }
        break;
      }
      const ImGuiSliderFlags log = p.widget == Widget::IntLogSlider ? ImGuiSliderFlags_Logarithmic : 0;
      changed = ImGui::SliderInt("##v", &x, lo, hi, "%d", log | ImGuiSliderFlags_NoInput);
      *released = ImGui::IsItemDeactivatedAfterEdit();
      if (changed) p.set(edit, int64_t(x));
      break;
    }
    case Widget::Slider:
    case Widget::LogSlider:
    case Widget::LogSliderZero: {
      double x = std::get<double>(before);
      if (p.widget == Widget::LogSliderZero) {
        changed = log_slider_with_zero("##v", &x, p.min > 0 ? p.min : p.log_min, p.max, p.min <= 0);
      } else {
        ImGui::SetNextItemWidth(-1);
        const double lo = p.min, hi = p.max;
        const ImGuiSliderFlags log = p.widget == Widget::LogSlider ? ImGuiSliderFlags_Logarithmic : 0;
        changed = ImGui::SliderScalar("##v", ImGuiDataType_Double, &x, &lo, &hi, "%.3g",
                                      log | ImGuiSliderFlags_NoInput);
      }
      *released = ImGui::IsItemDeactivatedAfterEdit();
      if (changed) p.set(edit, x);
      break;
    }
    case Widget::TextField: {
      char buf[512];
      std::snprintf(buf, sizeof buf, "%s", std::get<std::string>(before).c_str());
      if (ImGui::InputTextWithHint("##v", "generated text", buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue)) {
        p.set(edit, std::string(buf));
        changed = *released = true;
      }
      break;
    }
  }
  return changed;
}

// A two-column table (name | value) for one run of rows; false when ImGui clips it away.
bool begin_settings_table(const char* id, float label_w) {
  if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingStretchProp)) return false;
  ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthFixed, label_w);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  return true;
}

}  // namespace

void MainWindow::draw_controls() {
  draw_transport();
  ImGui::Separator();
  draw_preset_picker();
  draw_view_options();
  ImGui::Separator();
  draw_settings();
}

void MainWindow::draw_transport() {
  Session& session = *session_;
  const float s = ui_.ui_scale;
  const float bw = (ImGui::GetContentRegionAvail().x - 3 * ImGui::GetStyle().ItemSpacing.x) / 4;
  // At the "stop at" step the button goes on past it.
  const bool at_stop = !snap_->running && stop_at_ > 0 && snap_->steps_done == stop_at_;
  if (ImGui::Button(snap_->running ? "Pause" : at_stop ? "\u25B6 Continue" : "\u25B6 Play", ImVec2(bw, 0)))
    session.toggle();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(at_stop ? "Train on past the stop (Space)" : "Space");
  ImGui::SameLine();
  if (ImGui::Button("Step", ImVec2(bw, 0))) session.step_once();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One training step (right arrow)");
  ImGui::SameLine();
  if (ImGui::Button("Reset", ImVec2(bw, 0))) session.reset();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Restart the current settings from step 0 (R)");
  ImGui::SameLine();
  if (ImGui::Button("Seed+1", ImVec2(bw, 0))) session.new_seed();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Restart with the next seed");

  const double rate = session.rate();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Speed");
  ImGui::SameLine(70 * s);
  // 0 = as fast as possible; otherwise steps per second, 0.5..5000 on a log scale.
  float u = rate <= 0 ? 1.0f : float(std::log(rate / 0.5) / std::log(10000.0) * 0.96);
  char text[64];
  if (rate <= 0)
    std::snprintf(text, sizeof text, "as fast as possible");
  else
    std::snprintf(text, sizeof text, "%s steps/s", format_value(rate).c_str());
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderFloat("##rate", &u, 0.0f, 1.0f, text, ImGuiSliderFlags_NoRoundToFormat)) {
    if (u > 0.98f)
      session.set_rate(0);
    else {
      const double r = 0.5 * std::pow(10000.0, double(u) / 0.96);
      const double mag = std::pow(10.0, std::floor(std::log10(r)) - 1);
      session.set_rate(std::round(r / mag) * mag);
    }
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Training steps per second; right end = as fast as the machine can");

  // Where playing pauses: the config's steps unless changed here; 0 = never.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Stop at");
  ImGui::SameLine(70 * s);
  ImGui::SetNextItemWidth(-1);
  long long stop = stop_at_;
  if (ImGui::InputScalar("##stop", ImGuiDataType_S64, &stop, nullptr, nullptr, stop > 0 ? "%lld" : "never",
                         ImGuiInputTextFlags_EnterReturnsTrue))
    set_stop_at(std::clamp<long long>(stop, 0, 1000000000));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Training pauses at this step (the config's steps = %lld); Continue goes on past it. 0 = never.",
                      static_cast<long long>(snap_->cfg.steps));
}

void MainWindow::draw_preset_picker() {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Preset");
  ImGui::SameLine(70 * ui_.ui_scale);
  ImGui::SetNextItemWidth(-1);
  // "collapse (modified: α, k)" whenever the run no longer is the preset it is named after.
  const std::string current = origin_label();
  const std::vector<std::string> modified = modified_settings();
  if (ImGui::BeginCombo("##preset", current.c_str(), ImGuiComboFlags_HeightLarge)) {
    for (const Preset& p : presets_) {  // teaching order; picking one, even the current, loads it exactly
      if (ImGui::Selectable(p.name.c_str(), p.name == preset_)) open_preset(p.name);
      if (ImGui::IsItemHovered() && !p.title.empty()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
        ImGui::TextUnformatted(p.title.c_str());
        ImGui::TextDisabled("%s", p.description.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
      }
    }
    ImGui::EndCombo();
  }
  if (!modified.empty()) {
    ImGui::TextColored(structural_colour(ui_.light_theme), "modified");
    ImGui::SameLine();
    if (ImGui::SmallButton("Revert to preset")) revert_to_preset();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Load %s exactly and restart from step 0", snap_->preset.c_str());
  }
  const Preset* shown = nullptr;
  for (const Preset& p : presets_)
    if (p.name == preset_) shown = &p;
  if (!shown || shown->title.empty()) return;
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(shown->title.c_str());
  if (!shown->description.empty()) {
    // The description, wrapped; folded at first on a short screen, where the settings below matter more.
    const bool tall = ImGui::GetMainViewport()->WorkSize.y >= 900 * ui_.ui_scale;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(0, 0));
    if (ImGui::TreeNodeEx("What it shows",
                          ImGuiTreeNodeFlags_NoTreePushOnOpen | (tall ? ImGuiTreeNodeFlags_DefaultOpen : 0)))
      ImGui::TextDisabled("%s", shown->description.c_str());
    ImGui::PopStyleVar();
  }
  ImGui::PopTextWrapPos();
}

void MainWindow::draw_view_options() {
  const float s = ui_.ui_scale;
  const int n_layers = std::max(1, snap_->cfg.n_layers);
  ui_.layer = std::clamp(ui_.layer, 0, n_layers - 1);
  if (n_layers > 1) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Layer");
    ImGui::SameLine(70 * s);
    ImGui::SetNextItemWidth(-1);
    int shown_layer = ui_.layer + 1;
    if (ImGui::SliderInt("##layer", &shown_layer, 1, n_layers, "MoE layer %d")) {
      ui_.layer = shown_layer - 1;
      session_->set_map_layer(ui_.layer);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Which MoE layer the per-layer panels show");
  }
  // EMA smoothing of every time plot (TensorBoard's "smoothing"); the min..max band stays raw.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Smooth");
  ImGui::SameLine(70 * s);
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderFloat("##ema", &ui_.ema, 0.0f, 0.99f, ui_.ema <= 0 ? "raw curves" : "EMA %.2f");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Exponential moving average of the time plots (0 = raw).\nThe shaded band keeps each bucket's min..max.");
}

void MainWindow::draw_settings() {
  ImGui::BeginChild("##settings", ImVec2(0, 0), false);
  const float label_w = 118 * ui_.ui_scale;
  const std::vector<Property>& table = properties();
  for (size_t first = 0; first < table.size();) {
    // rows [first, last) share a group; another task's settings are not drawn
    const char* group = table[first].group;
    size_t last = first;
    std::vector<const Property*> basic, advanced;
    for (; last < table.size() && std::strcmp(table[last].group, group) == 0; ++last) {
      const Property& p = table[last];
      if (p.task_specific() && !p.relevant(edit_)) continue;
      (p.advanced() ? advanced : basic).push_back(&p);
    }
    first = last;
    const bool default_open = std::strcmp(group, "Metrics") != 0;
    if (!ImGui::CollapsingHeader(group, default_open ? ImGuiTreeNodeFlags_DefaultOpen : 0)) continue;
    ImGui::PushID(group);
    if (!basic.empty() && begin_settings_table("##basic", label_w)) {
      for (const Property* p : basic) draw_setting(*p);
      ImGui::EndTable();
    }
    if (!advanced.empty() && ImGui::TreeNodeEx("Advanced", ImGuiTreeNodeFlags_NoTreePushOnOpen)) {
      if (begin_settings_table("##advanced", label_w)) {
        for (const Property* p : advanced) draw_setting(*p);
        ImGui::EndTable();
      }
    }
    ImGui::PopID();
  }
  ImGui::Spacing();
  ImGui::TextDisabled("\u21BB restarts the run; other settings apply live.");
  ImGui::EndChild();
}

void MainWindow::draw_setting(const Property& p) {
  const float s = ui_.ui_scale;
  const std::string why_off = p.irrelevance(edit_);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  const char* sn = short_name(p.name);
  char label[96];
  if (std::strcmp(sn, p.name) != 0)
    std::snprintf(label, sizeof label, "%s  %s", p.name, sn);
  else
    std::snprintf(label, sizeof label, "%s", p.name);
  if (!p.live()) {
    ImGui::TextColored(structural_colour(ui_.light_theme), "\u21BB");
    ImGui::SameLine(0, 4 * s);
  }
  if (why_off.empty())
    ImGui::TextUnformatted(label);
  else
    ImGui::TextDisabled("%s", label);
  tooltip_for(p, ui_.light_theme, why_off);
  ImGui::TableNextColumn();
  ImGui::PushID(p.name);
  ImGui::SetNextItemWidth(-1);
  ImGui::BeginDisabled(!why_off.empty());
  bool released = false;
  std::string error;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const bool changed = setting_widget(p, edit_, !why_off.empty(), typing_, &released, &error);
  setting_rects_[p.name] = ImVec4(at.x, at.y, at.x + ImGui::GetItemRectSize().x, at.y + ImGui::GetFrameHeight());
  ImGui::EndDisabled();
  if (!error.empty()) {  // refused: the reason in the status line and, in red, under the widget
    set_status(error, true);
    field_error_key_ = p.name;
    field_error_ = error;
  } else if (changed && field_error_key_ == p.name) {
    field_error_key_.clear();
  }
  tooltip_for(p, ui_.light_theme, why_off);
  if (field_error_key_ == p.name) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(ImVec4(0.95f, 0.35f, 0.3f, 1), "%s", field_error_.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::PopID();
  if (changed || released) apply_edit(released || p.live());
}

}  // namespace moe::gui

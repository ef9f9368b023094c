// controls.cpp: the left column of the window.
//
//   transport   play/pause, step, reset, new seed, training speed
//   preset      picker with the preset's description
//   layer       which MoE layer the per-layer panels show (item 9), when there are several
//   settings    every row of the core's property table, grouped as the table groups
//               them, help text (naming the paper) as tooltip. Live settings apply
//               at the next step boundary (an event on every time plot); structural
//               ones (marked ↻) restart the run when the widget is released.
//
// Widgets: Int → slider (k: 1..E; wide ranges logarithmic), Float with
// PropFlags_Log → logarithmic slider whose left end is an explicit 0 ("off"),
// other Float → slider, Choice → combo, Bool → checkbox, String → text field
// applied on Enter.
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

// Smallest positive value of a log slider when the table allows 0.
double log_low(const Property& p) {
  if (p.min > 0) return p.min;
  if (std::strcmp(p.name, "lr") == 0) return 1e-5;
  return std::max(1e-6, p.max * 1e-6);
}

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
  if (!ImGui::SliderFloat(id, &u, 0.0f, 1.0f, escape_percent(text).c_str(), ImGuiSliderFlags_NoRoundToFormat))
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

bool task_matches(const Property& p, Task t) {
  if (p.flags & PropFlags_TaskBlobs) return t == Task::blobs;
  if (p.flags & PropFlags_TaskTeacher) return t == Task::teacher;
  if (p.flags & PropFlags_TaskChars) return t == Task::chars;
  return true;
}

bool meaningful(const Property& p, const Config& c) {
  const std::string n = p.name;
  if (n == "momentum") return c.optimizer == Optimizer::sgd;
  if (n == "weight_decay") return c.optimizer == Optimizer::adamw;
  if (n == "drop_policy") return c.capacity_factor > 0 && c.router == RouterKind::topk;
  return true;
}

void tooltip_for(const Property& p, bool light) {
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
  ImGui::Text("%s", p.name);
  ImGui::TextUnformatted(p.help);
  ImGui::TextDisabled("allowed: %s", p.describe_allowed().c_str());
  if (p.live())
    ImGui::TextDisabled("live: applies at the next step and is marked on every time plot");
  else
    ImGui::TextColored(structural_colour(light), "\u21BB structural: changing it restarts the run");
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

}  // namespace

void draw_controls(MainWindow& w) {
  Session& session = *w.session_;
  const RunSnapshot& snap = *w.snap_;
  UiState& ui = w.ui_;
  const float s = ui.ui_scale;

  // [transport]
  const float bw = (ImGui::GetContentRegionAvail().x - 3 * ImGui::GetStyle().ItemSpacing.x) / 4;
  if (ImGui::Button(snap.running ? "Pause" : "\u25B6 Play", ImVec2(bw, 0))) session.toggle();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Space");
  ImGui::SameLine();
  if (ImGui::Button("Step", ImVec2(bw, 0))) session.step_once();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One training step (right arrow)");
  ImGui::SameLine();
  if (ImGui::Button("Reset", ImVec2(bw, 0))) session.reset();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to step 0, same config and seed (R)");
  ImGui::SameLine();
  if (ImGui::Button("Seed+1", ImVec2(bw, 0))) session.new_seed();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Restart with the next seed");
  {
    double rate = session.rate();
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
  }

  // [preset]
  ImGui::Separator();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Preset");
  ImGui::SameLine(70 * s);
  ImGui::SetNextItemWidth(-1);
  const std::string current = w.preset_.empty() ? std::string("(custom)") : w.preset_;
  const Preset* shown = nullptr;
  if (ImGui::BeginCombo("##preset", current.c_str(), ImGuiComboFlags_HeightLarge)) {
    for (const Preset& p : w.presets_) {
      if (ImGui::Selectable(p.name.c_str(), p.name == w.preset_)) w.open_preset(p.name);
      if (ImGui::IsItemHovered() && !p.title.empty()) ImGui::SetTooltip("%s", p.title.c_str());
    }
    ImGui::EndCombo();
  }
  for (const Preset& p : w.presets_)
    if (p.name == w.preset_) shown = &p;
  if (shown && !shown->title.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", shown->title.c_str());
    ImGui::PopTextWrapPos();
    if (ImGui::IsItemHovered() && !shown->description.empty()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
      ImGui::TextUnformatted(shown->description.c_str());
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  }

  // [layer] (item 9 of the issue)
  const int n_layers = std::max(1, snap.cfg.n_layers);
  ui.layer = std::clamp(ui.layer, 0, n_layers - 1);
  if (n_layers > 1) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Layer");
    ImGui::SameLine(70 * s);
    ImGui::SetNextItemWidth(-1);
    int shown_layer = ui.layer + 1;
    if (ImGui::SliderInt("##layer", &shown_layer, 1, n_layers, "MoE layer %d")) {
      ui.layer = shown_layer - 1;
      session.set_map_layer(ui.layer);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Which MoE layer the per-layer panels show");
  }
  {
    // EMA smoothing of every time plot (TensorBoard's "smoothing"); the min..max band stays raw.
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Smooth");
    ImGui::SameLine(70 * s);
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderFloat("##ema", &ui.ema, 0.0f, 0.99f, ui.ema <= 0 ? "raw curves" : "EMA %.2f");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Exponential moving average of the time plots (0 = raw).\nThe shaded band keeps each bucket's min..max.");
  }
  ImGui::Separator();

  // [settings]
  ImGui::BeginChild("##settings", ImVec2(0, 0), false);
  Config& edit = w.edit_;
  const std::vector<Property>& table = properties();
  const char* group = nullptr;
  bool group_open = false;
  bool table_open = false;
  const float label_w = 118 * s;
  for (const Property& p : table) {
    if (!group || std::strcmp(group, p.group) != 0) {
      if (table_open) ImGui::EndTable(), table_open = false;
      group = p.group;
      const bool default_open = std::strcmp(group, "Metrics") != 0;
      group_open = ImGui::CollapsingHeader(group, default_open ? ImGuiTreeNodeFlags_DefaultOpen : 0);
      if (group_open) {
        table_open = ImGui::BeginTable(group, 2, ImGuiTableFlags_SizingStretchProp);
        if (table_open) {
          ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthFixed, label_w);
          ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
        }
      }
    }
    if (!group_open || !table_open) continue;
    if (!task_matches(p, edit.task)) continue;
    if (edit.router == RouterKind::dense && std::strcmp(p.group, "Router") == 0 && std::strcmp(p.name, "router") != 0)
      continue;  // the dense baseline has no router to set
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    const bool dim = !meaningful(p, edit);
    const char* sn = short_name(p.name);
    char label[96];
    if (std::strcmp(sn, p.name) != 0)
      std::snprintf(label, sizeof label, "%s  %s", p.name, sn);
    else
      std::snprintf(label, sizeof label, "%s", p.name);
    if (!p.live()) {
      ImGui::TextColored(structural_colour(ui.light_theme), "\u21BB");
      ImGui::SameLine(0, 4 * s);
    }
    if (dim)
      ImGui::TextDisabled("%s", label);
    else
      ImGui::TextUnformatted(label);
    tooltip_for(p, ui.light_theme);
    ImGui::TableNextColumn();
    ImGui::PushID(p.name);
    ImGui::SetNextItemWidth(-1);
    const PropValue before = p.get(edit);
    bool changed = false, released = false;
    switch (p.type) {
      case PropType::Bool: {
        bool b = std::get<bool>(before);
        changed = ImGui::Checkbox("##v", &b);
        if (changed) p.set(edit, b);
        released = changed;
        break;
      }
      case PropType::Choice: {
        const std::string cur = choice_name(p, edit);
        if (ImGui::BeginCombo("##v", cur.c_str())) {
          for (const std::string& c : p.choices) {
            if (ImGui::Selectable(c.c_str(), c == cur) && c != cur) {
              const std::string err = p.set(edit, c);
              if (!err.empty()) w.set_status(err, true);
              changed = released = err.empty();
            }
          }
          ImGui::EndCombo();
        }
        break;
      }
      case PropType::Int: {
        const int64_t v = std::get<int64_t>(before);
        int lo = int(p.min), hi = int(std::min(p.max, 2147483647.0));
        if (std::strcmp(p.name, "top_k") == 0) hi = std::max(1, edit.num_experts);  // k in 1..E
        if (std::strcmp(p.name, "seed") == 0) {
          int x = int(v);
          changed = ImGui::InputInt("##v", &x);
          released = changed;
          if (changed) p.set(edit, int64_t(std::clamp(x, lo, hi)));
          break;
        }
        int x = int(std::clamp<int64_t>(v, lo, hi));
        const bool wide = double(hi) / std::max(1, lo) > 300.0;
        changed = ImGui::SliderInt("##v", &x, lo, hi, "%d", wide ? ImGuiSliderFlags_Logarithmic : 0);
        released = ImGui::IsItemDeactivatedAfterEdit();
        if (changed) p.set(edit, int64_t(x));
        break;
      }
      case PropType::Float: {
        double x = std::get<double>(before);
        if (p.flags & PropFlags_Log) {
          changed = log_slider_with_zero("##v", &x, log_low(p), p.max, p.min <= 0);
        } else {
          ImGui::SetNextItemWidth(-1);
          const double lo = p.min, hi = p.max;
          const bool wide = lo >= 0 && hi > 100 * std::max(lo, 1e-3);
          changed = ImGui::SliderScalar("##v", ImGuiDataType_Double, &x, &lo, &hi, "%.3g",
                                        wide ? ImGuiSliderFlags_Logarithmic : 0);
        }
        released = ImGui::IsItemDeactivatedAfterEdit();
        if (changed) p.set(edit, x);
        break;
      }
      case PropType::String: {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%s", std::get<std::string>(before).c_str());
        if (ImGui::InputTextWithHint("##v", "generated text", buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue)) {
          p.set(edit, std::string(buf));
          changed = released = true;
        }
        break;
      }
    }
    tooltip_for(p, ui.light_theme);
    ImGui::PopID();
    if (changed || released) w.apply_edit(released || p.live());
  }
  if (table_open) ImGui::EndTable();
  ImGui::Spacing();
  ImGui::TextDisabled("\u21BB restarts the run; other settings apply live.");
  ImGui::EndChild();
}

}  // namespace moe::gui

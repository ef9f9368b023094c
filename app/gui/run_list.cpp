// run_list.cpp: the runs side by side (see run_list.h), and the run list strip above the plots.
//
// [SECTION] Compare specs and the comparison lines
// [SECTION] The strip: one chip per run, then the actions
// [SECTION] Popups: duplicate / fork with a change, repeat over seeds, rename
#include "run_list.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "palette.h"
#include "plot.h"
#include "window.h"
#include "window.h"

namespace moe::gui {

// [SECTION] Compare specs and the comparison lines

namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

}  // namespace

std::string parse_compare_spec(const std::string& spec, const Config& base, std::vector<ScheduledChange>* changes) {
  changes->clear();
  if (trim(spec).empty())
    return "'" + spec + "' names no setting; write key=value[@STEP] pairs joined by commas, e.g. alpha=0.01";
  Config probe = base;
  size_t from = 0;
  while (from <= spec.size()) {
    const size_t comma = spec.find(',', from);
    std::string item = trim(spec.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    from = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    int64_t step = 0;
    if (const size_t at = item.rfind('@'); at != std::string::npos) {
      const std::string s = trim(item.substr(at + 1));
      char* end = nullptr;
      const long long v = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || v < 0)
        return "'" + item + "' in '" + spec + "': the step after @ must be a whole number >= 0, e.g. alpha=0.01@500";
      step = v;
      item = trim(item.substr(0, at));
    }
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      return "'" + item + "' in '" + spec + "' is not key=value (e.g. alpha=0.01, top_k=2 or alpha=0@500)";
    const std::string key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
    const Property* p = find_property(key);
    if (!p) return "'" + key + "' in '" + spec + "' is not a setting (see `moescope presets --settings`)";
    if (std::string err = p->set_from_text(probe, value); !err.empty()) return err;
    changes->push_back(ScheduledChange{step, key, value});
  }
  return "";
}

namespace {

// The one step every change is at, when it is after step 0 (a fork there); else -1.
int64_t fork_step_of(const std::vector<ScheduledChange>& changes) {
  if (changes.empty() || changes.front().step <= 0) return -1;
  for (const ScheduledChange& c : changes)
    if (c.step != changes.front().step) return -1;
  return changes.front().step;
}

// Trains a run to `steps` and waits until it stands paused there (or diverged).
void train_to(Session& s, int64_t steps) {
  s.run_to(steps);
  for (;;) {
    const auto snap = s.snapshot();
    if (snap->commands_done >= s.commands_queued() && !snap->running && (snap->steps_done >= steps || snap->diverged))
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

std::string add_compared_runs(RunSet& runs, const std::vector<std::vector<ScheduledChange>>& compares, int* failed) {
  const int first = runs.first();
  for (size_t i = 0; i < compares.size(); ++i) {
    const std::vector<ScheduledChange>& changes = compares[i];
    const int64_t at = fork_step_of(changes);
    std::string err;
    int made = -1;
    Session* s = runs.session(first);
    const bool live = std::all_of(changes.begin(), changes.end(), [](const ScheduledChange& c) {
      const Property* p = find_property(c.key);
      return p && p->live();
    });
    if (at > 0 && live && s && s->snapshot()->steps_done <= at) {
      train_to(*s, at);
      if (s->snapshot()->steps_done == at)
        made = runs.fork(first, changes, &err);
      else
        err = "the first run diverged before step " + std::to_string(at) + ", where it was to fork";
    } else if (at > 0 && live) {
      Config cfg;
      std::vector<ScheduledChange> plan;
      runs.describe(first, &cfg, &plan);
      plan.insert(plan.end(), changes.begin(), changes.end());
      RunInfo like;
      like.parent = first;
      like.fork_step = at;
      made = runs.add_run(cfg, plan, s ? s->snapshot()->preset : "", like, &err);
    } else {
      made = runs.duplicate(first, changes, &err);
    }
    if (made < 0) {
      if (failed) *failed = int(i);
      return err;
    }
  }
  return "";
}

Comparison build_comparison(const std::vector<RunView>& views, int selected, int first, const UiState& ui) {
  Comparison c;
  c.band_std = ui.band_std;
  std::vector<int> group_line;  // [group] index in c.lines of the group's line, -1 none yet
  for (const RunView& v : views) {
    if (!v.info.visible || !v.snap) continue;
    const int g = v.info.group;
    if (g >= 0) {
      if (size_t(g) >= group_line.size()) group_line.resize(size_t(g) + 1, -1);
      if (group_line[size_t(g)] >= 0) {
        RunLine& line = c.lines[size_t(group_line[size_t(g)])];
        line.members.push_back(v.snap);
        line.selected = line.selected || v.info.id == selected;
        continue;
      }
      group_line[size_t(g)] = int(c.lines.size());
    }
    RunLine line;
    line.id = v.info.id;
    line.label = v.info.label.empty()
                     ? (v.info.id == first ? std::string("first run") : "run " + std::to_string(v.info.id))
                     : v.info.label;
    line.slot = v.info.style;
    line.members.push_back(v.snap);
    line.fork_step = v.info.fork_step;
    line.selected = v.info.id == selected;
    c.lines.push_back(std::move(line));
  }
  if (ui.difference_view && c.lines.size() >= 2) {
    c.reference = 0;
    for (size_t i = 0; i < c.lines.size(); ++i)
      if (c.lines[i].id == first) c.reference = int(i);
  }
  return c;
}

// [SECTION] The strip

namespace {

// A run's swatch: its colour as a short line in its dash pattern.
void run_swatch(int slot, bool light) {
  const float F = ImGui::GetFontSize();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = std::round(F * 2.0f), h = ImGui::GetFrameHeight();
  ImGui::Dummy(ImVec2(w, h));
  plot::DrawListRecorder rec(ImGui::GetWindowDrawList());
  plot::DrawLineSwatch(rec, ImVec2(p.x, p.y + h * 0.5f - F * 0.4f), ImVec2(p.x + w, p.y + h * 0.5f + F * 0.4f),
                       palette::run_colour(slot, light ? palette::Theme::light : palette::Theme::dark),
                       plot::RunLineStyle(slot), 3.0f);
}

const char* kind_word(RunKind k) { return k == RunKind::Pinned ? "pinned" : k == RunKind::Results ? "file" : ""; }

}  // namespace

float MainWindow::run_list_height() const {
  return std::max(run_list_h_, ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.y);
}

void MainWindow::draw_run_list(ImVec2 origin, float width) {
  const float F = ImGui::GetFontSize();
  ImGui::SetNextWindowPos(origin);
  ImGui::SetNextWindowSize(ImVec2(width, run_list_height()));
  ImGui::Begin("##runs", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground);
  const std::vector<RunView>& views = views_;
  const int selected = runs_->selected();
  const ImGuiStyle& gs = ImGui::GetStyle();
  const float right = ImGui::GetWindowPos().x + width - gs.WindowPadding.x;
  // Wraps the next item of width w to a new line when it would pass the right edge.
  auto fit = [&](float w, bool first_on_line) {
    if (first_on_line) return;
    ImGui::SameLine(0, gs.ItemSpacing.x);
    if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
  };
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("Runs");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Click a run to select it: the controls and the per-expert panels show the selected run.");
  std::vector<int> group_seen;
  int remove_id = -1;
  for (const RunView& v : views) {
    const RunInfo& info = v.info;
    // A seed group's later members are folded into its first one's chip.
    if (info.group >= 0) {
      if (std::find(group_seen.begin(), group_seen.end(), info.group) != group_seen.end()) continue;
      group_seen.push_back(info.group);
    }
    const std::vector<int> members = info.group >= 0 ? runs_->group_members(info.group) : std::vector<int>{info.id};
    const bool is_sel = std::find(members.begin(), members.end(), selected) != members.end();
    std::string name = info.label.empty() ? (info.id == runs_->first() ? "first run" : "run " + std::to_string(info.id))
                                          : info.label;
    if (members.size() > 1) name += " \xC3\x97 " + std::to_string(members.size()) + " seeds";
    char step[48];
    std::snprintf(step, sizeof step, "%s%s%lld", kind_word(info.kind), *kind_word(info.kind) ? ", " : "",
                  v.snap ? static_cast<long long>(v.snap->steps_done) : 0LL);
    const float chip_w = F * 2.0f + ImGui::CalcTextSize(name.c_str()).x + ImGui::CalcTextSize(step).x +
                         3 * ImGui::GetFrameHeight() + 8 * gs.ItemSpacing.x;
    fit(chip_w, false);
    ImGui::PushID(info.id);
    ImGui::BeginGroup();
    const ImVec2 chip_min = ImGui::GetCursorScreenPos();
    run_swatch(info.style, ui_.light_theme);
    ImGui::SameLine(0, 4);
    if (ImGui::Selectable(name.c_str(), is_sel, ImGuiSelectableFlags_AllowDoubleClick,
                          ImVec2(ImGui::CalcTextSize(name.c_str()).x, ImGui::GetFrameHeight()))) {
      select_run(info.id);
      if (ImGui::IsMouseDoubleClicked(0) && interactive) rename_id_ = info.id, open_rename_ = true;
    }
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::Text("%s: click to select, double-click to rename", name.c_str());
      if (v.snap) ImGui::TextDisabled("%s", origin_name(*v.snap).c_str());
      if (info.fork_step >= 0) ImGui::TextDisabled("forked at step %lld", static_cast<long long>(info.fork_step));
      ImGui::EndTooltip();
    }
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", step);
    ImGui::SameLine();
    bool vis = info.visible;
    if (ImGui::Checkbox("##visible", &vis))
      for (int m : members) runs_->set_visible(m, vis);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(vis ? "Shown on the plots: click to hide" : "Hidden: click to show");
    if (info.kind == RunKind::Live) {
      ImGui::SameLine();
      const bool running = v.snap && v.snap->running;
      if (ImGui::Button(running ? "\u25A0##pause" : "\u25B6##play", ImVec2(ImGui::GetFrameHeight(), 0)))
        for (int m : members) runs_->set_paused(m, running);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip(running ? "Pause this run" : "Play this run");
    }
    if (runs_->size() > 1) {
      ImGui::SameLine();
      if (ImGui::Button("\u00D7##remove", ImVec2(ImGui::GetFrameHeight(), 0))) remove_id = info.id;
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip(members.size() > 1 ? "Remove this run and its seeds" : "Remove this run");
    }
    ImGui::EndGroup();
    if (is_sel && views.size() > 1) {  // the selected run's chip is outlined
      const ImVec2 mx = ImGui::GetItemRectMax();
      ImGui::GetWindowDrawList()->AddRect(ImVec2(chip_min.x - 3, chip_min.y - 1), ImVec2(mx.x + 3, mx.y + 1),
                                          ImGui::GetColorU32(ImGuiCol_Text), 3.0f, 0, 1.5f);
    }
    ImGui::PopID();
  }
  if (remove_id >= 0) {
    const RunInfo info = runs_->info(remove_id);
    const std::vector<int> members = info.group >= 0 ? runs_->group_members(info.group) : std::vector<int>{remove_id};
    for (auto it = members.rbegin(); it != members.rend(); ++it) runs_->remove(*it);
    runs_changed();
  }

  // Actions on the selected run.
  const bool room = runs_->size() < runs_->max_runs();
  const bool live = runs_->session(selected) != nullptr;
  auto action = [&](const char* label, bool enabled, const char* tip) {
    fit(ImGui::CalcTextSize(label).x + 2 * gs.FramePadding.x, false);
    if (!enabled) ImGui::BeginDisabled();
    const bool clicked = ImGui::Button(label);
    if (!enabled) ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tip);
    return clicked;
  };
  // Narrow windows (a 1280×720 projector beside the controls) get the short names; tooltips say the rest.
  const bool narrow = width < 1100.0f * ui_.ui_scale;
  if (action(narrow ? "Duplicate\u2026" : "Duplicate with change\u2026", room,
             "Duplicate with change: a new run from step 0 with one or more settings changed (the selected run's "
             "config otherwise)"))
    change_mode_ = 1, open_change_ = true;
  if (action(
          narrow ? "Fork\u2026" : "Fork here\u2026", room && live,
          "Fork here: a new run from the selected run's exact state now, with a setting changed; both share the past"))
    change_mode_ = 2, open_change_ = true;
  if (action("Pin", room, "Keep the selected run as it is now, as a reference")) {
    std::string err;
    if (runs_->pin(selected, &err) < 0) set_status(err, true);
    runs_changed();
  }
  if (action(narrow ? "Seeds\u2026" : "Repeat over seeds\u2026", live,
             "Repeat over seeds: the selected run as a group of seeds, drawn as mean and band"))
    open_seeds_ = true;
  if (compare_.lines.size() >= 2 || std::any_of(compare_.lines.begin(), compare_.lines.end(),
                                                [](const RunLine& l) { return l.members.size() > 1; })) {
    if (std::any_of(compare_.lines.begin(), compare_.lines.end(),
                    [](const RunLine& l) { return l.members.size() > 1; })) {
      const char* band = ui_.band_std ? "band: \xC2\xB1"
                                        "1 std"
                                      : "band: min\xE2\x80\x93max";
      if (action(band, true, "Seed groups' band: min–max over the seeds, or mean ± 1 standard deviation"))
        ui_.band_std = !ui_.band_std;
    }
    if (compare_.lines.size() >= 2) {
      fit(ImGui::CalcTextSize("difference to first").x + ImGui::GetFrameHeight() * 2, false);
      ImGui::Checkbox("difference to first", &ui_.difference_view);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Plot every run minus the first run (the reference) at each step");
    }
    if (action("\u25B6 all", true, "Play every live run")) runs_->play_all();
    if (action("\u25A0 all", true, "Pause every run")) runs_->pause_all();
  }
  run_list_h_ = std::ceil(ImGui::GetCursorPosY() - gs.ItemSpacing.y + gs.WindowPadding.y);
  ImGui::End();
  if (interactive) draw_run_popups();
}

// [SECTION] Popups

std::string MainWindow::add_run_with_change(bool fork, const std::string& spec) {
  std::vector<ScheduledChange> changes;
  std::string err = parse_compare_spec(spec, snap_->cfg, &changes);
  if (!err.empty()) return err;
  const int id = runs_->selected();
  const int made = fork ? runs_->fork(id, changes, &err) : runs_->duplicate(id, changes, &err);
  if (made < 0) return err;
  runs_changed();
  return "";
}

void MainWindow::draw_run_popups() {
  const float F = ImGui::GetFontSize();
  const char* change_id = change_mode_ == 2 ? "Fork here" : "Duplicate with change";
  if (open_change_) {
    ImGui::OpenPopup(change_id);
    open_change_ = false;
    change_text_[0] = '\0';
    change_error_.clear();
  }
  if (ImGui::BeginPopupModal(change_id, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(change_mode_ == 2 ? "A new run from the selected run's exact state at this step, with:"
                                             : "A new run from step 0: the selected run's settings, with:");
    ImGui::SetNextItemWidth(F * 28);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool enter = ImGui::InputTextWithHint("##change", "alpha=0.01, top_k=2", change_text_, sizeof change_text_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::TextDisabled("key=value pairs, commas between; %s",
                        change_mode_ == 2 ? "they apply from this step" : "@STEP schedules a change later");
    if (!change_error_.empty()) {
      ImGui::PushTextWrapPos(F * 30);
      ImGui::TextColored(ImVec4(0.95f, 0.35f, 0.3f, 1), "%s", change_error_.c_str());
      ImGui::PopTextWrapPos();
    }
    if (ImGui::Button(change_mode_ == 2 ? "Fork" : "Duplicate") || enter) {
      change_error_ = add_run_with_change(change_mode_ == 2, change_text_);
      if (change_error_.empty()) ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  if (open_seeds_) {
    ImGui::OpenPopup("Repeat over seeds");
    open_seeds_ = false;
  }
  if (ImGui::BeginPopupModal("Repeat over seeds", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted("The selected run as a group of seeds (seed, seed + 1, ...),");
    ImGui::TextUnformatted("drawn as their mean with a band:");
    ImGui::SetNextItemWidth(F * 12);
    ImGui::SliderInt("seeds", &seeds_n_, 2, 16, "%d", ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::Button("Repeat")) {
      if (std::string err = runs_->repeat_over_seeds(runs_->selected(), seeds_n_); !err.empty()) set_status(err, true);
      runs_changed();
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  if (open_rename_) {
    ImGui::OpenPopup("Rename run");
    open_rename_ = false;
    std::snprintf(change_text_, sizeof change_text_, "%s", runs_->info(rename_id_).label.c_str());
  }
  if (ImGui::BeginPopupModal("Rename run", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::SetNextItemWidth(F * 20);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool enter = ImGui::InputText("label", change_text_, sizeof change_text_,
                                        ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button("OK") || enter) {
      runs_->set_label(rename_id_, change_text_);
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

}  // namespace moe::gui

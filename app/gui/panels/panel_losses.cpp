// panel_losses.cpp: 5. every term of the loss, and the task accuracy.
//
// L = L_task + α·L_bal + β·L_z + w_imp·L_imp; each term is plotted unweighted
// (as core/ reports it), the total weighted. A router term whose weight is 0 is
// still computed and drawn, labelled "not trained" so nobody reads it as the
// cause of what the router does. Losses sit on a log y axis (ui.log_y_losses);
// accuracy, for the classification tasks only (NaN for regression), gets its
// own small 0..1 plot underneath with the chance level dashed.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panel_common.h"
#include "panel_compare.h"
#include "panels.h"

namespace moe {

namespace {

enum Term { TermTask = 0, TermBalance, TermZ, TermImportance, TermTotal, kTerms };

// UI-only: which terms the key has hidden (not saved with the layout).
bool g_shown[kTerms] = {true, true, true, true, true};

// Okabe-Ito hues (palette::series_colour): task and L_z used to be two blues that merge for deutan viewers.
ImU32 term_colour(int t) {
  static constexpr palette::Series kSeries[kTerms] = {palette::Series::task_loss, palette::Series::balance_loss,
                                                      palette::Series::z_loss, palette::Series::importance_loss,
                                                      palette::Series::total_loss};
  return palette::series_colour(kSeries[t], panel::theme());
}

ImU32 accuracy_colour() { return palette::series_colour(palette::Series::accuracy, panel::theme()); }

// "L_bal (α=0.01)", "L_bal (α=0, not trained)".
void weighted_label(char* buf, size_t n, const char* name, const char* weight_name, double weight) {
  if (weight == 0)
    std::snprintf(buf, n, "%s (%s=0, not trained)", name, weight_name);
  else
    std::snprintf(buf, n, "%s (%s=%g)", name, weight_name, weight);
}

// Runs side by side: one term of the loss, a line per run, and accuracy underneath.
void draw_losses_compare(PanelContext& ctx, bool has_acc) {
  const float F = ImGui::GetFontSize();
  const bool diff = ctx.compare->reference >= 0;  // differences go negative: no log axis
  static const char* const kTermNames[kTerms] = {"task loss", "L_bal", "L_z", "L_imp", "total L"};
  static const int kTermMetric[kTerms] = {metric_index("loss_task"), metric_index("loss_balance"),
                                          metric_index("loss_z"), metric_index("loss_importance"),
                                          metric_index("loss_total")};
  // Which term the comparison plots (one line per run; five terms per run would be mush):
  // UiState, so a figure chooses it too (--view loss-term=).
  int& compare_term = ctx.ui.loss_compare_term;
  ImGui::AlignTextToFramePadding();
  if (!panel::figure_mode(ctx)) {  // a figure: the choices show in the y label, no widgets
    if (!diff) {
      ImGui::Checkbox("log y", &ctx.ui.log_y_losses);
      ImGui::SameLine(0, F);
    }
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("total L").x + ImGui::GetFrameHeight() * 2);
    ImGui::Combo("##term", &compare_term, kTermNames, kTerms);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The loss term every run's line shows");
    ImGui::SameLine(0, F);
  }
  panel::run_key_row(ctx);
  const int term = std::clamp(compare_term, 0, kTerms - 1);
  const bool log_y = ctx.ui.log_y_losses && !diff;
  const float avail_h = std::max(ImGui::GetContentRegionAvail().y, F * 12);
  const float w = ImGui::GetContentRegionAvail().x;
  const float acc_h = has_acc ? std::max(F * 6, std::round(avail_h * 0.3f)) : 0;
  const float loss_h = has_acc ? avail_h - acc_h - ImGui::GetStyle().ItemSpacing.y : avail_h;
  static panel::ColumnAlign align;
  const float loss_w = has_acc ? align.begin(0, w - panel::x_labels_right_inset(ctx)) : w;
  char y_label[64];
  std::snprintf(y_label, sizeof y_label, "%s%s%s", diff ? "\xCE\x94 " : "", kTermNames[term],
                log_y ? " (log scale)" : "");
  if (panel::begin_time_plot(ctx, "##losses_cmp", ImVec2(loss_w, loss_h), y_label,
                             plot::AxisFlags_AutoFit | (log_y ? plot::AxisFlags_Log : plot::AxisFlags_FitZero),
                             plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
    if (has_acc) plot::SetupAxis(plot::Axis_X, nullptr, plot::AxisFlags_AutoFit | plot::AxisFlags_NoTickLabels);
    align.record(0);
    if (panel::plot_runs(ctx, {-1, kTermMetric[term]}) == 0)
      panel::no_data_note("No steps yet: each run's loss appears here as it trains.");
    panel::plot_run_marks(ctx);
    plot::EndPlot();
  }
  if (!has_acc) return;
  const float acc_w = align.begin(1, w);
  if (panel::begin_time_plot(ctx, "##accuracy_cmp", ImVec2(acc_w, std::max(acc_h, ImGui::GetContentRegionAvail().y)),
                             diff ? "\xCE\x94 accuracy|\xCE\x94 acc." : "accuracy|acc.",
                             diff ? plot::AxisFlags_AutoFit : plot::AxisFlags_Lock,
                             plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
    if (!diff) plot::SetupAxisLimits(plot::Axis_Y, -0.04, 1.06, ImGuiCond_Always);
    align.record(1);
    if (panel::plot_runs(ctx, {-1, metric_index("accuracy")}) == 0) panel::no_data_note("No steps yet.");
    panel::plot_run_marks(ctx, false);
    plot::EndPlot();
  }
}

}  // namespace

void draw_losses(PanelContext& ctx) {
  const RunSnapshot& snap = ctx.snap;
  const Config& cfg = snap.cfg;
  const float F = ImGui::GetFontSize();
  const bool dense = cfg.router == RouterKind::dense;
  const bool classification = cfg.task != Task::teacher;  // blobs and chars have classes; teacher is regression (MSE)
  const HistoryIds& ids = snap.ids;
  if (ctx.comparing()) {
    draw_losses_compare(ctx, classification && ids.of(metric_index("accuracy")) >= 0);
    return;
  }

  // Labels that say what each term is and whether it trains the router.
  char labels[kTerms][96];
  if ((cfg.task == Task::chars || cfg.task == Task::lm) && snap.steps_done > 0)  // text: the figure people quote
    std::snprintf(labels[TermTask], sizeof labels[TermTask], "task (cross-entropy, nats; now %.2f bits/char)",
                  snap.last.losses.task / std::log(2.0));
  else
    std::snprintf(labels[TermTask], sizeof labels[TermTask], "%s",
                  classification ? "task (cross-entropy)" : "task (MSE)");
  if (cfg.router == RouterKind::expert_choice)
    std::snprintf(labels[TermBalance], sizeof labels[TermBalance], "L_bal (expert choice: no gradient)");
  else
    weighted_label(labels[TermBalance], sizeof labels[TermBalance], "L_bal", "\xCE\xB1", cfg.alpha);
  weighted_label(labels[TermZ], sizeof labels[TermZ], "L_z", "\xCE\xB2", cfg.beta);
  weighted_label(labels[TermImportance], sizeof labels[TermImportance], "L_imp = CV\xC2\xB2", "w", cfg.w_importance);
  std::snprintf(labels[TermTotal], sizeof labels[TermTotal], "total L (weighted)");
  const SeriesId series[kTerms] = {ids.of(metric_index("loss_task")), ids.of(metric_index("loss_balance")),
                                   ids.of(metric_index("loss_z")), ids.of(metric_index("loss_importance")),
                                   ids.of(metric_index("loss_total"))};

  // Controls: log axis, the key (click to hide a term), the latest values.
  const bool figure = panel::figure_mode(ctx);
  ImGui::AlignTextToFramePadding();
  if (!figure) {
    ImGui::Checkbox("log y", &ctx.ui.log_y_losses);
    ImGui::SameLine(0, F * 1.2f);
  }
  panel::KeyItem key[kTerms];
  int order[kTerms];
  int n_key = 0;
  for (int t : {TermTask, TermBalance, TermZ, TermImportance, TermTotal}) {
    if (dense && t != TermTask && t != TermTotal) continue;  // no router: its terms are 0
    key[n_key] = {labels[t], term_colour(t)};
    order[n_key++] = t;
  }
  bool shown[kTerms];
  for (int k = 0; k < n_key; ++k) shown[k] = g_shown[order[k]];
  const int hovered_key = panel::key_row(key, n_key, shown);
  for (int k = 0; k < n_key; ++k) g_shown[order[k]] = shown[k];
  const int hovered = hovered_key >= 0 ? order[hovered_key] : -1;
  if (dense && !figure) {
    ImGui::SameLine(0, F);
    ImGui::TextDisabled("(dense: no router terms)");
  }
  const double acc = snap.last.losses.accuracy;
  const SeriesId accuracy_id = ids.of(metric_index("accuracy"));
  const bool has_acc = classification && accuracy_id >= 0;
  if (snap.steps_done > 0 && !figure) {
    char now[96];
    if (has_acc && std::isfinite(acc))
      std::snprintf(now, sizeof now, "now: task %.3g, accuracy %.1f%%", snap.last.losses.task, 100.0 * acc);
    else
      std::snprintf(now, sizeof now, "now: task %.3g", snap.last.losses.task);
    ImGui::SameLine(0, F * 1.2f);
    if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(now).x) ImGui::NewLine();
    ImGui::TextDisabled("%s", now);
  }

  // Losses on top; accuracy underneath (classification only), sharing the step axis.
  const float avail_h = std::max(ImGui::GetContentRegionAvail().y, F * (figure ? 5 : 12));  // a figure keeps its size
  const float w = ImGui::GetContentRegionAvail().x;
  const float acc_h = has_acc ? std::max(F * 6, std::round(avail_h * 0.28f)) : 0;
  const float loss_h = has_acc ? avail_h - acc_h - ImGui::GetStyle().ItemSpacing.y : avail_h;
  const plot::AxisFlags y_flags = plot::AxisFlags_AutoFit |
                                  (ctx.ui.log_y_losses ? plot::AxisFlags_Log : plot::AxisFlags_FitZero);
  static panel::ColumnAlign align;  // losses and accuracy start at the same x
  const float loss_w = has_acc ? align.begin(0, w - panel::x_labels_right_inset(ctx)) : w;
  if (panel::begin_time_plot(ctx, "##losses", ImVec2(loss_w, loss_h), ctx.ui.log_y_losses ? "loss (log scale)" : "loss",
                             y_flags, plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
    if (has_acc) plot::SetupAxis(plot::Axis_X, nullptr, plot::AxisFlags_AutoFit | plot::AxisFlags_NoTickLabels);
    align.record(0);
    int drawn = 0;
    if (snap.history) {
      // Back to front: the thick total first (the task line shows inside it when the
      // router terms weigh nothing), the hovered term on top of everything.
      for (int t : {TermTotal, TermImportance, TermZ, TermBalance, TermTask}) {
        if (!g_shown[t] || t == hovered || series[t] < 0 || (dense && t != TermTask && t != TermTotal)) continue;
        panel::SeriesStyle st;
        st.colour = palette::with_alpha(term_colour(t), hovered >= 0 ? 0.3f : 1.0f);
        st.weight = t == TermTotal ? 3.0f : 1.5f;
        st.band = t == TermTask;  // the task loss's noise envelope; five overlapping bands would be mush
        drawn += panel::plot_series(ctx, labels[t], series[t], st);
      }
      if (hovered >= 0 && g_shown[hovered] && series[hovered] >= 0) {
        panel::SeriesStyle st;
        st.colour = term_colour(hovered);
        st.weight = 3.0f;
        drawn += panel::plot_series(ctx, labels[hovered], series[hovered], st);
      }
    }
    if (drawn == 0) panel::no_data_note("No steps yet: every term of the loss appears here as the run trains.");
    panel::plot_events(ctx);
    plot::EndPlot();
  }
  if (!has_acc) return;
  const float acc_w = align.begin(1, w);
  if (panel::begin_time_plot(ctx, "##accuracy", ImVec2(acc_w, std::max(acc_h, ImGui::GetContentRegionAvail().y)),
                             "accuracy|acc.", plot::AxisFlags_Lock,
                             plot::PlotFlags_NoLegend | plot::PlotFlags_NoTitle)) {
    plot::SetupAxisLimits(plot::Axis_Y, -0.04, 1.06, ImGuiCond_Always);  // 0 and 1 stay off the frame
    align.record(1);
    panel::SeriesStyle st;
    st.colour = accuracy_colour();
    st.weight = 2.0f;
    const int drawn = snap.history
                          ? panel::plot_series(ctx, kMetricTable[metric_index("accuracy")].label, accuracy_id, st)
                          : 0;
    if (cfg.task == Task::blobs && cfg.blob_classes > 1) {  // chance: always guessing one class
      plot::SetNextLineStyle(palette::with_alpha(panel::reference_colour(), 0.8f), 1.0f);
      plot::PlotHLine("chance", 1.0 / cfg.blob_classes, plot::ItemFlags_Dashed | plot::ItemFlags_NoLegend);
    }
    // Named in the bottom-right corner: accuracy climbs towards 1, so that corner stays empty.
    const ImVec2 pos = plot::GetPlotPos(), size = plot::GetPlotSize();
    plot::Recorder& rec = plot::GetPlotRecorder();
    const char* name = cfg.task == Task::blobs && cfg.blob_classes > 1 ? "task accuracy (dashed: chance)"
                                                                       : "task accuracy";
    const ImVec2 ts = ImGui::CalcTextSize(name);
    const ImVec2 at(std::round(pos.x + size.x - ts.x - 6), std::round(pos.y + size.y - ts.y - 4));
    if (size.y > ts.y * 2.5f && at.x > pos.x) {
      rec.RectFilled(ImVec2(at.x - 3, at.y - 1), ImVec2(at.x + ts.x + 3, at.y + ts.y + 1),
                     plot::GetStyle().marker_text_bg, 2.0f);
      plot::AddPlotText(at, accuracy_colour(), name);
    }
    if (drawn == 0) panel::no_data_note("No steps yet.");
    panel::plot_events(ctx);
    plot::EndPlot();
  }
}

}  // namespace moe

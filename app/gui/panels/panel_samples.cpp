// panel_samples.cpp: lm only. Text the model writes at this step, one character at a
// time from softmax(logits / T) (Trainer::generate), after a prompt of held-out text:
// noise at step 0, then spaces and frequent letters, then words. The temperature T is
// the live setting sample_temperature (Settings, Task), so a run's samples are reproducible.
#include <imgui.h>

#include <cstdio>
#include <string>

#include "panel_common.h"
#include "panels.h"

namespace moe {

void draw_samples(PanelContext& ctx) {
  const RunSnapshot& s = ctx.snap;
  if (s.sample_prompt.empty() && s.sample.empty()) {
    if (panel::figure_mode(ctx))
      panel::recorded_paragraph("Samples appear after the first probe (task = lm).", true);
    else
      ImGui::TextDisabled("Samples appear after the first probe (task = lm).");
    return;
  }
  if (panel::figure_mode(ctx)) {  // a figure: the same text through the plot layer's recorder, no help line
    char head[128];
    std::snprintf(head, sizeof head, "Written by the model at step %lld, temperature %.2f", (long long)s.steps_done,
                  s.cfg.sample_temperature);
    panel::recorded_paragraph(head);
    ImGui::Spacing();
    panel::recorded_paragraph("Prompt (held-out text):", true);
    panel::recorded_paragraph(s.sample_prompt.c_str(), true);
    ImGui::Spacing();
    panel::recorded_paragraph("The model continues:");
    panel::recorded_paragraph(s.sample.c_str());
    return;
  }
  ImGui::Text("Written by the model at step %lld, temperature %.2f", (long long)s.steps_done, s.cfg.sample_temperature);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("Temperature: the sample_temperature slider under Task (0 = always the likeliest character).");
  ImGui::PopTextWrapPos();
  ImGui::Separator();
  ImGui::BeginChild("##sample", ImVec2(0, 0), false);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("Prompt (held-out text):");
  ImGui::TextDisabled("%s", s.sample_prompt.c_str());
  ImGui::Spacing();
  ImGui::Text("The model continues:");
  ImGui::TextUnformatted(s.sample.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
}

}  // namespace moe

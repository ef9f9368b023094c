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
    ImGui::TextDisabled("Samples appear after the first probe (task = lm).");
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

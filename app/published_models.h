// published_models.h: parameter counts of published Mixture-of-Experts models, the one
// table the sparsity panel (app/gui/panels/panel_sparsity.cpp) and the lessons
// (assets/lessons/, checked by tests/lesson_test_claims.cpp) both read.
//   Mixtral 8x7B (Jiang et al. 2024): 46.7B total, 12.9B active per token
//   DeepSeek-V3 / R1 (DeepSeek-AI 2024): 671B total, 37B active per token
//   GPT-4: never published. Third-party reports: ~1.8T total, ~280B active; popular
//   articles repeat "about 2% of 1.8T per token". Both kept, both marked unofficial.
#pragma once

#include <iterator>
#include <string_view>

namespace moe {

struct PublishedModel {
  const char* key;         // what a lesson claim names: "mixtral", "deepseek", "gpt4_reports", "gpt4_popular"
  const char* name;        // "Mixtral 8x7B"
  const char* short_name;  // for narrow columns
  double total, active;    // parameters, and those one token uses
  bool unofficial;         // never published by its maker (marked *)
  const char* note;        // source
};

inline constexpr PublishedModel kPublishedModels[] = {
    {"mixtral", "Mixtral 8x7B", "Mixtral", 46.7e9, 12.9e9, false, "Jiang et al. 2024: 8 experts, top-2"},
    {"deepseek", "DeepSeek-V3/R1", "DeepSeek", 671e9, 37e9, false,
     "DeepSeek-AI 2024: 256 routed experts, top-8, + 1 shared (R1 shares V3's weights)"},
    {"gpt4_reports", "GPT-4, reports*", "GPT-4*", 1.8e12, 280e9, true,
     "third-party reports (e.g. SemiAnalysis 2023): ~1.8T total, ~280B active; unofficial"},
    {"gpt4_popular", "GPT-4, popular*", "GPT-4**", 1.8e12, 0.02 * 1.8e12, true,
     "the \"about 2% of 1.8T per token\" figure of popular articles; unofficial"},
};
inline constexpr int kPublishedModelCount = int(std::size(kPublishedModels));

// The row whose key is `key`, nullptr if none.
inline const PublishedModel* find_published_model(std::string_view key) {
  for (const PublishedModel& m : kPublishedModels)
    if (key == m.key) return &m;
  return nullptr;
}

}  // namespace moe

// lesson_claims.h: what a lesson's claims measure, and checking them over seeds.
//
// A claim's metric is a key of kMetricTable (core/metrics.h; run, layer or expert scope),
// one of the derived figures below, or a published model's figure from
// app/published_models.h ("mixtral.active_share"), the table the sparsity panel draws.
#pragma once

#include <string>
#include <vector>

#include "lesson.h"

namespace moe::lesson {

// Figures of a run that are not per-step metrics: "active_share" (active / total parameters),
// "active_params", "total_params", "flops_ratio" (a dense FFN as wide as all experts / this model).
const std::vector<std::string>& derived_metric_names();
// "" when `metric` names something a claim can measure, else what is wrong and what is allowed.
std::string claim_metric_problem(const std::string& metric);
bool claim_metric_is_per_expert(const std::string& metric);  // an expert-scope key of kMetricTable
bool claim_metric_needs_run(const std::string& metric);      // false for published models' figures

// One claim measured on seeds first_seed.., with whether every seed holds it.
struct ClaimCheck {
  const Claim* claim = nullptr;
  int step_index = 0;          // the lesson step it belongs to (0-based)
  std::vector<double> values;  // one per seed
  bool holds = false;
  std::string error;  // a run that could not be built or diverged
};

// Runs every claim of the lesson over `seeds` seeds (1, 2, ...), each distinct run (a step's
// plan, run a or b, seed) trained once and shared between the claims that read it.
std::vector<ClaimCheck> check_claims(const Lesson& lesson, int seeds = 5);
// "steps[2] claim 1 (load entropy < 0.5 ...): 0.01 .. 0.09 over 5 seeds: holds"
std::string describe(const ClaimCheck& c);

}  // namespace moe::lesson

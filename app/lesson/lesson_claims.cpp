// lesson_claims.cpp: see lesson_claims.h.
#include "lesson_claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "metrics.h"
#include "published_models.h"

namespace moe::lesson {

const std::vector<std::string>& derived_metric_names() {
  static const std::vector<std::string> names = {"active_share", "active_params", "total_params", "flops_ratio"};
  return names;
}

namespace {

const char* const kPublishedFields[] = {"active_share", "active", "total"};

bool split_published(const std::string& metric, const PublishedModel** model, std::string* field) {
  const auto dot = metric.find('.');
  if (dot == std::string::npos) return false;
  *model = find_published_model(metric.substr(0, dot));
  *field = metric.substr(dot + 1);
  return *model != nullptr;
}

}  // namespace

std::string claim_metric_problem(const std::string& metric) {
  const auto& derived = derived_metric_names();
  if (std::find(derived.begin(), derived.end(), metric) != derived.end()) return "";
  const PublishedModel* m = nullptr;
  std::string field;
  if (split_published(metric, &m, &field)) {
    for (const char* f : kPublishedFields)
      if (field == f) return "";
    return "'" + field + "' is not a figure of " + m->name + "; allowed: active_share, active, total";
  }
  if (const MetricDef* d = find_metric(metric)) {
    if (d->scope == MetricScope::layer_bins)
      return "'" + metric + "' is a histogram; allowed: a metric with one value per step, layer or expert";
    return "";
  }
  std::string published;
  for (const PublishedModel& pm : kPublishedModels) published += std::string(published.empty() ? "" : ", ") + pm.key;
  return "'" + metric +
         "' is not a metric; allowed: a key of the metric table (load_entropy, router_entropy, max_vio, "
         "dead_experts, drop_rate, load, loss_z, ...), active_share, active_params, total_params, flops_ratio, or "
         "MODEL.active_share / MODEL.active / MODEL.total with MODEL one of " +
         published;
}

bool claim_metric_is_per_expert(const std::string& metric) {
  const MetricDef* d = find_metric(metric);
  return d && d->scope == MetricScope::expert;
}

bool claim_metric_needs_run(const std::string& metric) {
  const PublishedModel* m = nullptr;
  std::string field;
  return !split_published(metric, &m, &field);
}

namespace {

// One claim's value from one step's metrics (history metrics only).
double step_value(const Claim& c, const StepMetrics& m) {
  const MetricDef* d = find_metric(c.metric);
  if (d->scope == MetricScope::run) return d->run(m);
  if (c.layer >= int(m.layers.size())) return std::nan("");
  const LayerMetrics& lm = m.layers[size_t(c.layer)];
  if (d->scope == MetricScope::layer) return d->layer(lm);
  const std::span<const double> v = d->values(lm);
  if (v.empty()) return std::nan("");
  if (c.expert == kExpertMax) return *std::max_element(v.begin(), v.end());
  if (c.expert == kExpertMin) return *std::min_element(v.begin(), v.end());
  return c.expert < int(v.size()) ? v[size_t(c.expert)] : std::nan("");
}

double run_figure(const std::string& metric, const SparsityFigures& sp) {
  if (metric == "active_share") return sp.total_params > 0 ? sp.active_params / sp.total_params : std::nan("");
  if (metric == "active_params") return sp.active_params;
  if (metric == "total_params") return sp.total_params;
  if (metric == "flops_ratio") return sp.flops_per_token > 0 ? sp.dense_equal_flops / sp.flops_per_token : std::nan("");
  return std::nan("");
}

bool holds(const Claim& c, double v) {
  if (!std::isfinite(v)) return false;
  switch (c.cmp) {
    case Compare::lt: return v < c.value;
    case Compare::le: return v <= c.value;
    case Compare::gt: return v > c.value;
    case Compare::ge: return v >= c.value;
    case Compare::between: return v >= c.value && v <= c.value2;
  }
  return false;
}

// A trained run: every step's metrics (only what the claims read is small enough to keep whole).
struct Trained {
  std::vector<StepMetrics> steps;  // [step index]
  SparsityFigures sparsity;
  std::string error;
};

Trained train(const Config& cfg, const std::vector<ScheduledChange>& schedule, int64_t steps) {
  Trained t;
  std::string e;
  auto tr = Trainer::create(cfg, &e);
  if (!tr) {
    t.error = e;
    return t;
  }
  if (!schedule.empty())
    if (std::string se = tr->schedule(schedule); !se.empty()) {
      t.error = se;
      return t;
    }
  t.steps.reserve(size_t(steps));
  for (int64_t s = 0; s < steps; ++s) {
    const StepMetrics& m = tr->step();
    if (!m.finite) {
      t.error = "diverged at step " + std::to_string(s) + " (" + m.diverged + ")";
      return t;
    }
    t.steps.push_back(m);
  }
  t.sparsity = tr->model().sparsity();
  return t;
}

// The claim's value in one trained run: the mean over its window ending at its step.
double value_in(const Claim& c, const Trained& t) {
  if (!claim_metric_needs_run(c.metric)) return std::nan("");
  if (find_metric(c.metric) == nullptr) return run_figure(c.metric, t.sparsity);
  double sum = 0;
  for (int64_t s = c.step - c.window; s < c.step; ++s) {
    if (s < 0 || s >= int64_t(t.steps.size())) return std::nan("");
    sum += step_value(c, t.steps[size_t(s)]);
  }
  return sum / double(c.window);
}

double published_value(const std::string& metric) {
  const PublishedModel* m = nullptr;
  std::string field;
  split_published(metric, &m, &field);
  if (field == "active") return m->active;
  if (field == "total") return m->total;
  return m->active / m->total;
}

}  // namespace

std::vector<ClaimCheck> check_claims(const Lesson& lesson, int seeds) {
  std::vector<ClaimCheck> out;
  for (size_t si = 0; si < lesson.steps.size(); ++si) {
    const Step& step = lesson.steps[si];
    if (step.claims.empty()) continue;
    RunPlan plan;
    const std::string plan_error = plan_for_step(lesson, int(si), plan);
    // Runs a and b of this step, per seed, trained to the furthest step a claim reads.
    int64_t need = 0;
    for (const Claim& c : step.claims) need = std::max(need, c.step);
    std::map<std::pair<std::string, int>, Trained> runs;
    auto get = [&](const std::string& which, int seed) -> const Trained& {
      auto key = std::make_pair(which, seed);
      auto it = runs.find(key);
      if (it != runs.end()) return it->second;
      Config cfg = which == "b" ? plan.cfg_b : plan.cfg;
      cfg.seed = seed;
      return runs[key] = train(cfg, which == "b" ? plan.schedule_b : plan.schedule, need);
    };
    for (const Claim& c : step.claims) {
      ClaimCheck r;
      r.claim = &c;
      r.step_index = int(si);
      if (!plan_error.empty()) {
        r.error = plan_error;
        out.push_back(r);
        continue;
      }
      if (!claim_metric_needs_run(c.metric)) {
        r.values.push_back(published_value(c.metric));
      } else {
        for (int seed = 1; seed <= seeds && r.error.empty(); ++seed) {
          const Trained& t = get(c.run, seed);
          if (!t.error.empty()) {
            r.error = "run " + c.run + ", seed " + std::to_string(seed) + ": " + t.error;
            break;
          }
          double v = value_in(c, t);
          if (!c.ratio_to.empty()) {
            const Trained& u = get(c.ratio_to, seed);
            if (!u.error.empty()) {
              r.error = "run " + c.ratio_to + ", seed " + std::to_string(seed) + ": " + u.error;
              break;
            }
            v /= value_in(c, u);
          }
          r.values.push_back(v);
        }
      }
      r.holds = r.error.empty() && !r.values.empty() &&
                std::all_of(r.values.begin(), r.values.end(), [&](double v) { return holds(c, v); });
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::string describe(const ClaimCheck& c) {
  char head[96];
  std::snprintf(head, sizeof head, "step %d, line %d: ", c.step_index + 1, c.claim->line);
  std::string s = head + c.claim->metric + (c.claim->run == "b" ? " (run b)" : "") +
                  (c.claim->ratio_to.empty() ? "" : " / run " + c.claim->ratio_to) + " " + compare_text(c.claim->cmp);
  char buf[160];
  if (c.claim->cmp == Compare::between)
    std::snprintf(buf, sizeof buf, " [%.4g, %.4g]", c.claim->value, c.claim->value2);
  else
    std::snprintf(buf, sizeof buf, " %.4g", c.claim->value);
  s += buf;
  if (c.claim->step > 0 && claim_metric_needs_run(c.claim->metric)) s += " at step " + std::to_string(c.claim->step);
  if (!c.error.empty()) return s + ": " + c.error;
  const auto [lo, hi] = std::minmax_element(c.values.begin(), c.values.end());
  std::snprintf(buf, sizeof buf, ": measured %.4g .. %.4g over %zu seed%s: %s", *lo, *hi, c.values.size(),
                c.values.size() == 1 ? "" : "s", c.holds ? "holds" : "FAILS");
  return s + buf + "  (\"" + c.claim->text + "\")";
}

}  // namespace moe::lesson

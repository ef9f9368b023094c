// run_stats.cpp: see run_stats.h.
#include "run_stats.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace moe {

namespace {

// One member's values folded into buckets of 2^level rows, keyed by the bucket index.
// A finer sample (raw value or bucket of 2^j rows) lies wholly in one coarse bucket, so a
// coarse bucket's mean is the mean of its finer means weighted by their rows (exact when
// they hold no NaN/Inf; the bucket still filling counts the rows it has).
struct Folded {
  double sum = 0, weight = 0;
};

void fold(const std::vector<HistorySample>& samples, int sample_level, int level, const History& h,
          std::map<int64_t, Folded>& out) {
  const HistoryOptions& opt = h.options();
  const double rows = double(h.steps());
  const double width = std::ldexp(1.0, sample_level);
  for (const HistorySample& s : samples) {
    if (!s.finite()) continue;
    // A bucket's x is the centre of its rows (of those filled, for the last one), so its first
    // row is its index times its width.
    const double row = (s.x - double(opt.first_step)) / double(opt.step_stride);
    const double first_row = std::floor(row / width + 1e-9) * width;
    const int64_t k = int64_t(std::floor(first_row / std::ldexp(1.0, level) + 1e-9));
    const double filled = std::clamp(rows - first_row, 0.0, width);  // the last bucket may be filling
    Folded& f = out[k];
    f.sum += s.mean * filled;
    f.weight += filled;
  }
}

}  // namespace

SeedBand seed_band(const std::vector<std::shared_ptr<const History>>& members, const std::vector<SeriesId>& ids,
                   double x_min, double x_max, int max_points) {
  SeedBand band;
  if (members.empty() || members.size() != ids.size()) return band;
  // The common range: from the latest first step to the earliest last step of the members.
  double lo = x_min, hi = x_max;
  for (const auto& h : members) {
    if (!h || h->steps() == 0) return band;
    const auto [first, last] = h->x_extent();
    lo = std::max(lo, first);
    hi = std::min(hi, last);
  }
  if (!(lo <= hi)) return band;
  std::vector<std::vector<HistorySample>> samples(members.size());
  std::vector<int> levels(members.size(), -1);
  int level = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    levels[i] = members[i]->fetch(ids[i], lo, hi, std::max(2, max_points), samples[i]);
    if (levels[i] < 0) return band;
    level = std::max(level, levels[i]);
  }
  std::vector<std::map<int64_t, Folded>> folded(members.size());
  for (size_t i = 0; i < members.size(); ++i) fold(samples[i], levels[i], level, *members[i], folded[i]);
  // Buckets whose centre lies in the common range, in step order.
  const HistoryOptions& opt = members.front()->options();
  const double width = std::ldexp(1.0, level);
  std::map<int64_t, bool> keys;
  for (const auto& f : folded)
    for (const auto& kv : f) keys[kv.first] = true;
  std::vector<double> values;
  for (const auto& kv : keys) {
    const int64_t k = kv.first;
    const double first_row = double(k) * width, last_row = first_row + width - 1;
    const double x_first = double(opt.first_step) + first_row * double(opt.step_stride);
    const double x_last = double(opt.first_step) + last_row * double(opt.step_stride);
    if (x_last < lo || x_first > hi) continue;
    std::vector<double>& v = values;
    v.clear();
    for (const auto& f : folded) {
      const auto it = f.find(k);
      if (it != f.end() && it->second.weight > 0) v.push_back(it->second.sum / it->second.weight);
    }
    if (v.empty()) continue;
    const int n = int(v.size());
    double sum = 0;
    for (double a : v) sum += a;
    const double mean = sum / n;
    double sq = 0;  // two passes: no cancellation when the spread is small against the mean
    for (double a : v) sq += (a - mean) * (a - mean);
    band.x.push_back(double(opt.first_step) + (first_row + (width - 1) / 2) * double(opt.step_stride));
    band.mean.push_back(mean);
    band.min.push_back(*std::min_element(v.begin(), v.end()));
    band.max.push_back(*std::max_element(v.begin(), v.end()));
    band.std.push_back(std::sqrt(sq / n));
    band.n.push_back(n);
  }
  band.level = band.x.empty() ? -1 : level;
  return band;
}

}  // namespace moe

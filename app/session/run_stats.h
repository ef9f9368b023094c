// run_stats.h: a seed group's statistics over its members, for the mean-and-band plot
// papers draw (issue 11, "Repeat over seeds").
//
// The members' Histories are read over the steps every member has reached (members may
// be at different steps), at one common resolution: each member's points are folded into
// buckets of 2^level steps, level being the coarsest any member's fetch needed, so the
// same x means the same steps for every member. Per bucket: the mean over members of
// their values, the smallest and largest member value, and the population standard
// deviation. A member whose bucket holds no finite value (NaN/Inf, or a diverged run)
// is left out of that bucket; a bucket no member has a finite value in is dropped.
#pragma once

#include <memory>
#include <vector>

#include "history.h"

namespace moe {

struct SeedBand {
  int level = -1;                           // buckets are 2^level steps (0: every step); -1: nothing to show
  std::vector<double> x;                    // step at the bucket's centre, ascending
  std::vector<double> mean, min, max, std;  // over members, per x
  std::vector<int> n;                       // members with a finite value at x
};

// One series per member: members[i] read at ids[i] (a group's runs share a layout, so the
// ids are usually equal). Over [x_min, x_max] ∩ the common range, at most about max_points
// buckets (>= 2).
SeedBand seed_band(const std::vector<std::shared_ptr<const History>>& members, const std::vector<SeriesId>& ids,
                   double x_min, double x_max, int max_points);

}  // namespace moe

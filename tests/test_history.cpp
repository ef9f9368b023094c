// test_history.cpp: the multi-resolution metric history (core/history.h).
// Proves: bounded memory at 10^6 steps of the full series set, fetch never
// returns more than max_points, every bucket's min/mean/max equal a brute-force
// computation over its raw rows, NaN/Inf are stored but ignored by the stats,
// the stored-bucket count is bounded (so append cost does not grow), and a
// reader thread can query while the writer appends.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "history.h"

namespace {

using moe::History;
using moe::HistoryOptions;
using moe::HistorySample;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// A known sequence with NaN and Inf sprinkled in (rows 10, 333..339, 1000, every 97th from 2000).
float known_value(int64_t i) {
  if (i == 10 || i == 1000) return kInf;
  if (i >= 333 && i <= 339) return kNaN;
  if (i >= 2000 && i % 97 == 0) return -kInf;
  return float(100.0 * std::sin(0.37 * double(i)) + 0.01 * double(i));
}

struct Brute {
  double min = INFINITY, max = -INFINITY, sum = 0;
  int64_t finite = 0;
};

Brute brute_force(int64_t first_row, int64_t end_row) {
  Brute b;
  for (int64_t i = first_row; i < end_row; ++i) {
    const float v = known_value(i);
    if (!std::isfinite(v)) continue;
    b.min = std::min(b.min, double(v));
    b.max = std::max(b.max, double(v));
    b.sum += double(v);
    ++b.finite;
  }
  return b;
}

// Every returned bucket of `level` against the brute force over its rows.
void expect_buckets_exact(const std::vector<HistorySample>& pts, int level, int64_t rows) {
  const int64_t width = int64_t(1) << level;
  for (const HistorySample& p : pts) {
    const int64_t k = int64_t(std::floor(p.x)) / width;  // x = row (first_step 0, stride 1)
    const int64_t end = std::min(rows, (k + 1) * width);
    ASSERT_DOUBLE_EQ(p.x, double(k * width) + 0.5 * double(end - k * width - 1)) << "bucket centre, level " << level;
    const Brute b = brute_force(k * width, end);
    if (b.finite == 0) {
      EXPECT_FALSE(p.finite()) << "level " << level << " bucket " << k << " holds only NaN/Inf";
      EXPECT_TRUE(std::isnan(p.min) && std::isnan(p.max));
      continue;
    }
    ASSERT_TRUE(p.finite()) << "level " << level << " bucket " << k;
    EXPECT_EQ(p.min, b.min) << "level " << level << " bucket " << k;
    EXPECT_EQ(p.max, b.max) << "level " << level << " bucket " << k;
    const double mean = b.sum / double(b.finite);
    EXPECT_NEAR(p.mean, mean, 1e-6 * std::max(1.0, std::abs(mean))) << "level " << level << " bucket " << k;
  }
}

}  // namespace

TEST(History, MemoryStaysUnder64MBForAMillionStepsOf64ExpertsAnd30Scalars) {
  History h;  // default options: what the app uses
  h.add_series_group("load", 64);
  h.add_series_group("importance", 64);
  h.add_series_group("bias", 64);
  h.add_series_group("scalar", 30);
  const int n_series = h.series_count();
  ASSERT_EQ(n_series, 222);
  const int64_t kSteps = 1'000'000;
  std::vector<float> row(static_cast<size_t>(n_series));
  int64_t stored_at_half = 0;
  double first_100k_s = 0, last_100k_s = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t step = 0; step < kSteps; ++step) {
    for (int s = 0; s < n_series; ++s) row[size_t(s)] = float((step * 7 + s * 13) % 101) * 0.01f;
    h.append(row);
    if (step + 1 == 100'000 || step + 1 == 900'000) {
      auto t1 = std::chrono::steady_clock::now();
      if (step + 1 == 100'000) first_100k_s = std::chrono::duration<double>(t1 - t0).count();
      t0 = t1;
    }
    if (step + 1 == kSteps / 2) stored_at_half = h.stored_values();
  }
  last_100k_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double mb = double(h.memory_bytes()) / (1024.0 * 1024.0);
  std::printf(
      "[ history  ] 222 series x 1M steps: %.1f MB, %d levels, %lld stored values; "
      "append first 100k %.3f s, last 100k %.3f s\n",
      mb, h.levels(), (long long)h.stored_values(), first_100k_s, last_100k_s);
  RecordProperty("memory_mb", std::to_string(mb));
  EXPECT_LE(h.memory_bytes(), size_t(64) << 20);
  EXPECT_EQ(h.steps(), kSteps);

  // Bounded storage: at most C values per level, and doubling the run adds one level's worth.
  const int64_t C = h.options().capacity;
  EXPECT_LE(h.stored_values(), int64_t(n_series) * C * h.levels());
  EXPECT_LE(h.stored_values() - stored_at_half, int64_t(n_series) * C);

  // The whole run still answers in at most max_points.
  std::vector<HistorySample> pts;
  const int level = h.fetch(0, 0, double(kSteps - 1), 2000, pts);
  EXPECT_GE(level, 1);
  EXPECT_LE(pts.size(), 2000u);
  EXPECT_GE(pts.size(), 250u) << "the finest level that fits should use a good part of the budget";
  EXPECT_LE(pts.front().x, 1024.0);
  EXPECT_GE(pts.back().x, double(kSteps - 1024));
}

TEST(History, FetchNeverReturnsMoreThanMaxPointsAndIsSortedAndCoversTheRange) {
  HistoryOptions opt;
  opt.capacity = 256;
  History h(opt);
  const auto id = h.add_series("x");
  const int64_t rows = 100'000;
  for (int64_t i = 0; i < rows; ++i) {
    const float v = float(i % 1000);
    h.append(std::span<const float>(&v, 1));
  }
  std::vector<HistorySample> pts;
  for (int max_points : {2, 3, 7, 64, 500, 5000}) {
    for (auto [lo, hi] : {std::pair{0.0, 99'999.0},
                          {99'000.0, 99'999.0},
                          {50'000.0, 50'010.0},
                          {-500.0, 200.0},
                          {99'990.0, 200'000.0},
                          {12'345.5, 12'345.5}}) {
      const int level = h.fetch(id, lo, hi, max_points, pts);
      ASSERT_GE(level, 0) << lo << ".." << hi;
      ASSERT_FALSE(pts.empty());
      EXPECT_LE(int(pts.size()), max_points) << lo << ".." << hi << " level " << level;
      for (size_t i = 1; i < pts.size(); ++i) ASSERT_LT(pts[i - 1].x, pts[i].x);
      const double half = 0.5 * double(int64_t(1) << level);
      // The first bucket starts at or before the range (or at the data), the last ends at or after it.
      EXPECT_LE(pts.front().x - half, std::max(lo, 0.0) + 0.5) << lo << ".." << hi << " level " << level;
      EXPECT_GE(pts.back().x + half, std::min(hi, double(rows - 1)) - 0.5) << lo << ".." << hi << " level " << level;
    }
  }
  const double inf = std::numeric_limits<double>::infinity();
  ASSERT_GE(h.fetch(id, -inf, inf, 100, pts), 0) << "infinite bounds mean the whole run";
  EXPECT_LE(pts.size(), 100u);
  EXPECT_LE(pts.front().x, 1024.0);
  EXPECT_GE(pts.back().x, double(rows - 1024));
  EXPECT_EQ(h.fetch(id, std::nan(""), 10.0, 100, pts), -1) << "NaN bounds answer nothing";
  EXPECT_EQ(h.fetch(id, 200'000.0, 300'000.0, 100, pts), -1) << "no data there";
  EXPECT_TRUE(pts.empty());
}

TEST(History, EveryBucketsMinMeanMaxMatchABruteForceOverItsRows) {
  HistoryOptions opt;
  opt.capacity = 64;
  History h(opt);
  const auto id = h.add_series("known");
  const int64_t rows = 5000;  // not a power of two: every level has a filling bucket
  for (int64_t i = 0; i < rows; ++i) {
    const float v = known_value(i);
    h.append(std::span<const float>(&v, 1));
  }
  std::set<int> levels_seen;
  std::vector<HistorySample> pts;
  std::vector<double> starts;
  for (double lo = 0; lo < double(rows); lo += 173) starts.push_back(lo);
  for (double lo : {4930.0, 4960.0, 4990.0}) starts.push_back(lo);  // inside the raw ring
  for (int max_points : {2, 5, 16, 40, 64, 200}) {
    for (double lo : starts) {
      for (double span : {10.0, 100.0, 1000.0, 5000.0}) {
        const int level = h.fetch(id, lo, lo + span, max_points, pts);
        ASSERT_GE(level, 0);
        levels_seen.insert(level);
        expect_buckets_exact(pts, level, rows);
        if (HasFatalFailure()) return;
      }
    }
  }
  for (int j = 0; j < h.levels(); ++j) EXPECT_TRUE(levels_seen.count(j)) << "level " << j << " never exercised";
}

TEST(History, NonFiniteValuesAreStoredButSkippedByStatsAndFlaggedWhenABucketHasNoOther) {
  HistoryOptions opt;
  opt.capacity = 512;
  History h(opt);
  const auto id = h.add_series("loss");
  for (int64_t i = 0; i < 300; ++i) {
    float v = float(i);
    if (i == 10) v = kInf;
    if (i >= 128 && i < 192) v = kNaN;  // exactly level-6 bucket 2
    h.append(std::span<const float>(&v, 1));
  }
  EXPECT_EQ(h.nonfinite_count(id), 65);
  EXPECT_EQ(h.first_nonfinite_step(id), 10);
  std::vector<HistorySample> pts;
  // Raw level: row 10 is Inf, reported as a skipped point.
  ASSERT_EQ(h.fetch(id, 8, 12, 10, pts), 0);
  ASSERT_EQ(pts.size(), 7u);  // rows 7..13 (one extra either side)
  EXPECT_FALSE(pts[3].finite());
  EXPECT_EQ(pts[3].x, 10.0);
  EXPECT_TRUE(pts[2].finite());
  // Level 3 bucket 1 = rows 8..15 without row 10: min 8, max 15, mean of the other seven.
  ASSERT_EQ(h.fetch(id, 0, 299, 40, pts), 3);
  const HistorySample& b = pts[1];
  EXPECT_EQ(b.min, 8.0);
  EXPECT_EQ(b.max, 15.0);
  EXPECT_FLOAT_EQ(float(b.mean), float((8.0 + 9 + 11 + 12 + 13 + 14 + 15) / 7.0)) << "stored as float";
  // Rows 128..191 are all NaN: their level-3 buckets (16..23) are flagged, neighbours are not.
  for (int k = 16; k < 24; ++k) EXPECT_FALSE(pts[size_t(k)].finite()) << k;
  EXPECT_TRUE(pts[15].finite());
  EXPECT_TRUE(pts[24].finite());
  // The level-6 bucket 2 is flagged too; the last raw value reads back as given.
  ASSERT_EQ(h.fetch(id, 0, 299, 5, pts), 6);
  EXPECT_FALSE(pts[2].finite());
  EXPECT_TRUE(pts[1].finite());
  const float inf = kInf;
  h.append(std::span<const float>(&inf, 1));
  EXPECT_EQ(h.latest(id), kInf);
}

TEST(History, StoredBucketsStayBoundedSoAppendCostDoesNotGrowWithRunLength) {
  HistoryOptions opt;
  opt.capacity = 64;
  History h(opt);
  h.add_series_group("s", 8);
  std::vector<float> row(8, 1.0f);
  int64_t prev_stored = 0;
  for (int64_t rows = 1; rows <= (int64_t(1) << 20); ++rows) {
    h.append(row);
    if ((rows & (rows - 1)) == 0 && rows >= 1024) {  // at every power of two
      const int64_t stored = h.stored_values();
      // One new level per doubling, each at most C buckets; the lower levels are full rings.
      EXPECT_LE(stored, 8 * 64 * h.levels()) << rows;
      if (prev_stored > 0) {
        EXPECT_LE(stored - prev_stored, 8 * 64) << rows;
      }
      prev_stored = stored;
    }
  }
  EXPECT_EQ(h.levels(), 21);
}

TEST(History, TheFillingBucketIsReturnedSoLiveCurvesDoNotLag) {
  HistoryOptions opt;
  opt.capacity = 16;
  History h(opt);
  const auto id = h.add_series("live");
  for (int i = 0; i < 1000; ++i) {
    const float v = float(i);
    h.append(std::span<const float>(&v, 1));
  }
  std::vector<HistorySample> pts;
  const int level = h.fetch(id, 0, 999, 3, pts);
  ASSERT_GE(level, 0);
  EXPECT_EQ(pts.back().max, 999.0) << "the newest row is part of the answer";
  const int top = h.fetch(id, 0, 999, 2, pts);
  EXPECT_EQ(top, 9) << "512-step buckets: one complete and one filling";
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[1].mean, (512.0 + 999.0) / 2.0);
}

TEST(History, FetchManyGivesEverySeriesTheSameStepsAndStepStrideScalesX) {
  HistoryOptions opt;
  opt.capacity = 32;
  opt.first_step = 100;
  opt.step_stride = 10;
  History h(opt);
  h.add_series_group("e", 4);
  for (int i = 0; i < 1000; ++i) {
    const float row[4] = {float(i), float(2 * i), float(3 * i), float(4 * i)};
    h.append(row);
  }
  EXPECT_EQ(h.x_extent(), std::make_pair(100.0, 100.0 + 999 * 10.0));
  std::vector<moe::SeriesId> ids = {0, 1, 2, 3};
  std::vector<std::vector<HistorySample>> out;
  const int level = h.fetch_many(ids, 100, 10'090, 100, out);
  ASSERT_GE(level, 0);
  ASSERT_EQ(out.size(), 4u);
  for (size_t s = 1; s < 4; ++s) {
    ASSERT_EQ(out[s].size(), out[0].size());
    for (size_t i = 0; i < out[0].size(); ++i) {
      EXPECT_EQ(out[s][i].x, out[0][i].x);
      EXPECT_DOUBLE_EQ(out[s][i].mean, double(s + 1) * out[0][i].mean);
    }
  }
  EXPECT_EQ(h.find("e[2]"), 2);
  EXPECT_EQ(h.find("nope"), -1);
  h.clear();
  EXPECT_EQ(h.steps(), 0);
  EXPECT_EQ(h.fetch(0, 0, 1e9, 10, out[0]), -1);
}

TEST(History, AReaderThreadCanFetchWhileTheWriterAppends) {
  HistoryOptions opt;
  opt.capacity = 128;
  History h(opt);
  h.add_series_group("e", 16);
  std::atomic<bool> done{false};
  std::atomic<int64_t> fetches{0};
  std::atomic<bool> malformed{false};
  std::thread reader([&] {
    std::vector<std::vector<HistorySample>> out;
    std::vector<moe::SeriesId> ids(16);
    for (int i = 0; i < 16; ++i) ids[size_t(i)] = i;
    while (!done.load()) {
      const auto [lo, hi] = h.x_extent();
      if (h.fetch_many(ids, lo, hi, 300, out) >= 0) {
        for (const auto& pts : out) {
          if (pts.size() > 300 || pts.size() != out[0].size()) malformed = true;
          for (size_t i = 1; i < pts.size(); ++i)
            if (!(pts[i - 1].x < pts[i].x)) malformed = true;
        }
      }
      ++fetches;
    }
  });
  std::vector<float> row(16);
  for (int64_t i = 0; i < 200'000; ++i) {
    for (int s = 0; s < 16; ++s) row[size_t(s)] = float(i % (s + 7));
    h.append(row);
  }
  done = true;
  reader.join();
  EXPECT_FALSE(malformed.load());
  EXPECT_GT(fetches.load(), 0);
  EXPECT_EQ(h.steps(), 200'000);
}

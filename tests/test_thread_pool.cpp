// test_thread_pool.cpp: the step's worker pool (core/thread_pool.h); .ci/test also runs
// it under ThreadSanitizer.
// Proves: parallel_for runs every index exactly once for any pool size and item count
// (more items than threads, fewer, none; more threads than cores, where workers that
// wake after the caller took every item must not run anything nor hold the caller up),
// across many back-to-back jobs with the workers' writes visible to the caller on
// return; a training step gives the same numbers with 1 and 3 threads; threads = 0
// follows auto_threads() without changing a single number.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <numeric>
#include <vector>

#include "config.h"
#include "config_io.h"
#include "thread_pool.h"
#include "trainer.h"

namespace moe {
namespace {

TEST(ThreadPool, EveryItemOfEveryJobRunsExactlyOnceWithMoreThreadsThanCores) {
  const int threads = hardware_threads() * 3;  // oversubscribed: workers often arrive after the job closed
  ThreadPool pool(threads);
  ASSERT_EQ(pool.size(), threads);
  std::vector<int> hits(64);
  long total = 0, expected = 0;
  for (int job = 0; job < 20000; ++job) {
    const int n = 1 + job % 64;
    std::fill(hits.begin(), hits.end(), 0);
    pool.parallel_for(n, [&](int i) { ++hits[size_t(i)]; });  // disjoint writes: item i alone writes hits[i]
    for (int i = 0; i < 64; ++i) ASSERT_EQ(hits[size_t(i)], i < n ? 1 : 0) << "job " << job << " item " << i;
    for (int i = 0; i < n; ++i) total += hits[size_t(i)];
    expected += n;
  }
  EXPECT_EQ(total, expected);
}

TEST(ThreadPool, UnevenItemsEachRunOnceAndGiveTheSameSumsEveryRound) {
  ThreadPool pool(2);
  std::vector<double> out(8, 0.0);
  for (int round = 0; round < 200; ++round) {
    pool.parallel_for(8, [&](int i) {
      double s = 0;
      for (int k = 1; k <= 2000 * (i + 1); ++k) s += 1.0 / k;  // uneven items
      out[size_t(i)] = s;
    });
    double expect = 0;
    for (int k = 1; k <= 2000; ++k) expect += 1.0 / k;
    ASSERT_DOUBLE_EQ(out[0], expect);
  }
}

TEST(ThreadPool, ThreadsZeroFollowsAutoThreadsAndTheNumbersDoNotChange) {
  Config c = default_config();
  c.task = Task::teacher;
  c.batch_size = 512;
  c.num_experts = 8;
  c.top_k = 2;
  c.threads = 0;
  std::string err;
  set_auto_threads(1);
  EXPECT_EQ(ThreadPool(0).size(), 1);
  auto one = Trainer::create(c, &err);
  ASSERT_TRUE(one) << err;
  set_auto_threads(3);
  EXPECT_EQ(ThreadPool(0).size(), 3);
  auto three = Trainer::create(c, &err);
  set_auto_threads(0);
  EXPECT_EQ(ThreadPool(0).size(), hardware_threads());
  EXPECT_EQ(one->model().pool().size(), 1);
  EXPECT_EQ(three->model().pool().size(), 3);
  for (int i = 0; i < 40; ++i) one->step(), three->step();
  const auto& a = one->model().params().data;
  const auto& b = three->model().params().data;
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])), 0) << "1 and 3 threads gave different parameters";
}

TEST(ThreadPool, EveryIndexRunsExactlyOnceForAnyPoolSizeAndItemCount) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int n : {0, 1, 3, 64, 1000}) {
      std::vector<int> hits(size_t(n), 0);  // disjoint writes, read by the caller after the join
      pool.parallel_for(n, [&](int i) { hits[size_t(i)] += 1; });
      for (int i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)], 1) << threads << " threads, item " << i << " of " << n;
    }
  }
}

TEST(ThreadPool, ManyBackToBackJobsEachSeeTheirOwnItems) {
  ThreadPool pool(3);
  std::vector<int64_t> out(16, 0);
  std::atomic<int> calls{0};
  for (int job = 0; job < 2000; ++job) {
    pool.parallel_for(int(out.size()), [&](int i) {
      out[size_t(i)] += job;  // each job adds its own number: a stale or repeated item would show in the sum
      calls.fetch_add(1, std::memory_order_relaxed);
    });
  }
  const int64_t expected = int64_t(1999) * 2000 / 2;
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], expected) << "item " << i;
  EXPECT_EQ(calls.load(), 2000 * 16);
}

TEST(ThreadPool, TrainingGivesTheSameNumbersWithOneAndThreeThreads) {
  Config cfg;
  ASSERT_EQ(load_preset("balanced", cfg), "");
  cfg.batch_size = 128;
  cfg.n_layers = 2;
  std::vector<double> losses[2];
  for (int run = 0; run < 2; ++run) {
    cfg.threads = run == 0 ? 1 : 3;
    std::string err;
    auto tr = Trainer::create(cfg, &err);
    ASSERT_TRUE(tr) << err;
    for (int s = 0; s < 10; ++s) losses[run].push_back(tr->step().losses.total);
  }
  EXPECT_EQ(losses[0], losses[1]);
}

}  // namespace
}  // namespace moe

// test_thread_pool.cpp: the step's worker pool (core/thread_pool.h); .ci/test also runs
// it under ThreadSanitizer.
// Proves: parallel_for runs every index exactly once for any pool size and item count
// (more items than threads, fewer, none), across many back-to-back jobs with the
// workers' writes visible to the caller on return; and a training step gives the same
// numbers with 1 and 3 threads.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <vector>

#include "config_io.h"
#include "thread_pool.h"
#include "trainer.h"

namespace moe {
namespace {

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

// thread_pool.h: a fixed pool of workers for one training step.
//
// parallel_for(n, fn) calls fn(i) for i in [0, n), item i on worker i % threads.
// Items must write disjoint outputs; reductions happen afterwards in a fixed
// order, so results never depend on the thread count. No allocation per call.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace moe {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: all hardware threads
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return threads_; }
  // Runs fn(i) for every i in [0, n) and returns when all are done. fn must not throw.
  void parallel_for(int n, const std::function<void(int)>& fn);

 private:
  void worker(int index);
  void run_share(int index);

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(int)>* job_ = nullptr;
  int job_n_ = 0;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

}  // namespace moe

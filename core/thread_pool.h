// thread_pool.h: a fixed pool of workers for one training step.
//
// parallel_for(n, fn) calls fn(i) for i in [0, n); workers (the caller is one)
// take the next item as they free up, so uneven items (experts with more tokens)
// balance out. Items must write disjoint outputs and never depend on which thread
// runs them; reductions happen afterwards in a fixed order, so results never
// depend on the thread count. Workers spin briefly before sleeping, since a step
// issues a dozen short jobs with serial gaps between them. No allocation per call.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <type_traits>
#include <thread>
#include <vector>

namespace moe {

// A non-owning reference to a callable void(int): unlike std::function it
// never allocates, so a training step stays free of heap allocations.
class IndexFn {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, IndexFn>>>
  IndexFn(F& f) : obj_(&f), call_([](void* o, int i) { (*static_cast<F*>(o))(i); }) {}  // NOLINT: implicit by design
  void operator()(int i) const { call_(obj_, i); }

 private:
  void* obj_;
  void (*call_)(void*, int);
};

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: all hardware threads
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return threads_; }
  // Runs fn(i) for every i in [0, n) and returns when all are done. fn must not throw.
  void parallel_for(int n, IndexFn fn);
  template <class F>
  void parallel_for(int n, F&& fn) {  // takes lambdas by reference, no copy
    parallel_for(n, IndexFn(fn));
  }

 private:
  void worker();
  void run_items();

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const IndexFn* job_ = nullptr;
  int job_n_ = 0;
  std::atomic<uint64_t> generation_{0};  // bumped for each job
  std::atomic<int> pending_{0};  // workers (besides the caller) still in the current job
  std::atomic<int> next_{0};     // next item to take
  std::atomic<bool> stop_{false};
};

}  // namespace moe

// thread_pool.h: a fixed pool of workers for one training step.
//
// parallel_for(n, fn) calls fn(i) for i in [0, n); workers (the caller is one)
// take the next item as they free up, so uneven items (experts with more tokens)
// balance out. Items must write disjoint outputs and never depend on which thread
// runs them; reductions happen afterwards in a fixed order, so results never
// depend on the thread count. No allocation per call.
//
// Sharing the CPU. A job never waits for a worker that has not joined it yet:
// once every item is taken the caller closes the job and waits only for workers
// still running an item. So when other programs (a software renderer, a build)
// keep a worker off the CPU, a step runs at the caller's own pace instead of
// paying a scheduler wake-up per job. Workers spin briefly before sleeping, since
// a step issues a dozen short jobs with serial gaps between them, but only while
// spinning pays: a thread that was preempted (the kernel's count of involuntary
// context switches rose) is not alone on its core, and stops spinning for a while.
//
// threads <= 0 means auto_threads(): all hardware threads, unless the program set
// fewer (the window does, when a software renderer needs a core to draw).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
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

int hardware_threads();        // std::thread::hardware_concurrency(), at least 1
int auto_threads();            // what threads <= 0 means: hardware_threads() unless set_auto_threads chose fewer
void set_auto_threads(int n);  // for pools created from now on; n <= 0 restores hardware_threads()

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: auto_threads()
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

  uint64_t jobs_joined_by_workers() const { return joined_.load(std::memory_order_relaxed); }  // for tests and bench

 private:
  void worker();
  void run_items();

  // gate_: [generation: 31 bits][closed: 1 bit][workers inside the job: 32 bits].
  // A worker enters a job only while its generation is current and it is open;
  // the caller closes it once every item is taken and waits for those inside.
  static constexpr uint64_t kClosed = uint64_t(1) << 32;
  static constexpr uint64_t kGenerationOne = uint64_t(1) << 33;
  static constexpr uint64_t kInsideMask = kClosed - 1;

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const IndexFn* job_ = nullptr;
  int job_n_ = 0;
  std::atomic<uint64_t> gate_{0};
  std::atomic<int> next_{0};  // next item to take
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> joined_{0};  // jobs a worker entered (counted once per worker and job)
};

}  // namespace moe

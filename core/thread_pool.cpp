// thread_pool.cpp: see thread_pool.h. The calling thread works too.
#include "thread_pool.h"

#include <immintrin.h>

#include <chrono>

namespace moe {

namespace {
// A thread polls for about 300 µs before it blocks: longer than the serial
// gaps between the jobs of one step (routing, metrics, drawing a batch), which
// would otherwise cost a futex wake-up each (measured: 0.2-0.3 ms a step on the
// bench config), and far shorter than a pause between runs. Bounded by time,
// not by count, since a pause instruction takes 20 to 140 cycles across CPUs.
constexpr auto kSpinTime = std::chrono::microseconds(300);
inline void cpu_relax() { _mm_pause(); }

// Polls done() until it holds or kSpinTime has passed; true if it holds.
template <class F>
bool spin_until(F&& done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}
}  // namespace

ThreadPool::ThreadPool(int threads) {
  threads_ = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_items() {
  for (int i = next_.fetch_add(1, std::memory_order_relaxed); i < job_n_; i = next_.fetch_add(1, std::memory_order_relaxed))
    (*job_)(i);
}

void ThreadPool::parallel_for(int n, IndexFn fn) {
  if (threads_ == 1 || n <= 1) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    job_n_ = n;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(threads_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_cv_.notify_all();
  run_items();
  if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
  }
  job_ = nullptr;
}

void ThreadPool::worker() {
  uint64_t seen = 0;
  for (;;) {
    if (!spin_until([&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; })) {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
    }
    if (stop_) return;
    seen = generation_.load(std::memory_order_acquire);
    run_items();
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mu_);  // the caller checks pending_ under mu_: it cannot miss this
      done_cv_.notify_one();
    }
  }
}

}  // namespace moe

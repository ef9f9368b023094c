// thread_pool.cpp: see thread_pool.h. The calling thread works too.
#include "thread_pool.h"

#include <immintrin.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>

namespace moe {

namespace {

std::atomic<int> g_auto_threads{0};  // 0: hardware_threads()

// A thread polls for about 300 µs before it blocks: longer than the serial
// gaps between the jobs of one step (routing, metrics, drawing a batch), which
// would otherwise cost a futex wake-up each (measured: 0.2-0.3 ms a step on the
// bench config), and far shorter than a pause between runs. Bounded by time,
// not by count, since a pause instruction takes 20 to 140 cycles across CPUs.
constexpr auto kSpinTime = std::chrono::microseconds(300);
inline void cpu_relax() { _mm_pause(); }

// Whether this thread should spin before blocking. Every kCheckEvery waits it reads
// its count of involuntary context switches: if the kernel preempted it since the
// last look, another runnable thread wanted this core, and spinning only takes time
// from it (a renderer, the caller's own serial work); the thread then blocks at once
// for the next `backoff` waits, doubling while it stays crowded (up to 64 checks'
// worth), back to spinning as soon as a check finds it was left alone.
class SpinGovernor {
 public:
  bool spin_allowed() {
    if (++waits_ < next_check_) return quiet_;
    rusage u{};
    const long switches = getrusage(RUSAGE_THREAD, &u) == 0 ? u.ru_nivcsw : last_switches_;
    const bool preempted = switches != last_switches_;
    last_switches_ = switches;
    if (preempted && quiet_) {
      backoff_ = kCheckEvery;
    } else if (preempted) {
      backoff_ = std::min(backoff_ * 2, kCheckEvery * 64);
    }
    quiet_ = !preempted;
    next_check_ = waits_ + (quiet_ ? kCheckEvery : backoff_);
    return quiet_;
  }

 private:
  static constexpr uint64_t kCheckEvery = 64;
  uint64_t waits_ = 0, next_check_ = 0, backoff_ = kCheckEvery;
  long last_switches_ = 0;
  bool quiet_ = true;
};

thread_local SpinGovernor t_governor;

// Polls done() until it holds or kSpinTime has passed (not at all when this thread
// is not alone on its core); true if it holds.
template <class F>
bool spin_until(F&& done) {
  if (!t_governor.spin_allowed()) return done();
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

int hardware_threads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

int auto_threads() {
  const int n = g_auto_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : hardware_threads();
}

void set_auto_threads(int n) { g_auto_threads.store(std::max(0, n), std::memory_order_relaxed); }

ThreadPool::ThreadPool(int threads) {
  threads_ = threads > 0 ? threads : auto_threads();
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
  for (int i = next_.fetch_add(1, std::memory_order_relaxed); i < job_n_;
       i = next_.fetch_add(1, std::memory_order_relaxed))
    (*job_)(i);
}

void ThreadPool::parallel_for(int n, IndexFn fn) {
  if (threads_ == 1 || n <= 1) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    // No worker is inside the previous job (the caller waited for them), so the
    // job's fields are ours to write; the new generation opens it.
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    job_n_ = n;
    next_.store(0, std::memory_order_relaxed);
    const uint64_t generation = (gate_.load(std::memory_order_relaxed) & ~(kClosed | kInsideMask)) + kGenerationOne;
    gate_.store(generation, std::memory_order_release);
  }
  start_cv_.notify_all();
  run_items();
  // Every item is taken: close the job and wait only for workers still running one.
  const uint64_t closed = gate_.fetch_or(kClosed, std::memory_order_acq_rel) | kClosed;
  if ((closed & kInsideMask) != 0 &&
      !spin_until([this] { return (gate_.load(std::memory_order_acquire) & kInsideMask) == 0; })) {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return (gate_.load(std::memory_order_acquire) & kInsideMask) == 0; });
  }
  job_ = nullptr;
}

void ThreadPool::worker() {
  uint64_t seen = 0;  // generation bits of the last job this worker looked at
  auto news = [&] {
    return stop_.load(std::memory_order_acquire) ||
           (gate_.load(std::memory_order_acquire) & ~(kClosed | kInsideMask)) != seen;
  };
  for (;;) {
    if (!spin_until(news)) {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, news);
    }
    if (stop_) return;
    // Enter the current job if it is still open (a late worker finds it closed and goes back to waiting).
    uint64_t g = gate_.load(std::memory_order_acquire);
    seen = g & ~(kClosed | kInsideMask);
    bool entered = false;
    while (!entered && (g & ~(kClosed | kInsideMask)) == seen && !(g & kClosed))
      entered = gate_.compare_exchange_weak(g, g + 1, std::memory_order_acq_rel, std::memory_order_acquire);
    if (!entered) continue;
    joined_.fetch_add(1, std::memory_order_relaxed);
    run_items();
    const uint64_t left = gate_.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if ((left & kClosed) && (left & kInsideMask) == 0) {
      std::lock_guard<std::mutex> lock(mu_);  // the caller checks the count under mu_: it cannot miss this
      done_cv_.notify_one();
    }
  }
}

}  // namespace moe

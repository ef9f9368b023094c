// cmd_bench.cpp: `moescope bench`.
//
// bench measures, on a fixed reference config (teacher,
// d_model 64, E 16, k 2, h 256, batch 1024 tokens, 1 layer, Adam), in one run:
//   - tokens/s of a full training step with 1 and 2 threads
//   - heap allocations inside steady-state steps (malloc is counted)
//   - Eigen's own GEMM rate on exactly the step's matrix shapes, with the same
//     two threads, and the step's useful FLOP/s as a fraction of it
//   - the PyTorch peer (bench/torch_step.py on Debian's python3-torch) on the same step
//   - determinism: parameters after 30 steps with 1 and 2 threads, bit for bit
//   - lm: tokens/s of the tiny MoE transformer's step against the same model as a PyTorch
//     nn.Module (bench/torch_lm_step.py), on 1 and on 2 threads each (JSON: "lm" for 2 threads,
//     "lm"."threads_1" for 1)
//   - the window's training speed on the collapse preset with default settings
//     (threads = 0), against headless training in the same run (when built with the window)
//   - 4 runs of the collapse preset (seeds 1-4) training at once in a RunSet (one Session
//     each, default threads), against the same 4 runs trained one after another headless
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "alloc_counter.h"
#include "commands.h"
#include "config_io.h"
#include "run_set.h"
#include "thread_pool.h"

namespace moe {

namespace {

using Clock = std::chrono::steady_clock;

Config bench_config(int threads) {
  Config c = default_config();
  c.task = Task::teacher;
  c.teacher_inputs = 16;
  c.teacher_outputs = 4;
  c.d_model = 64;
  c.num_experts = 16;
  c.top_k = 2;
  c.expert_hidden = 256;
  c.batch_size = 1024;
  c.n_layers = 1;
  c.optimizer = Optimizer::adam;
  c.activation = Activation::gelu;
  c.alpha = 0.01;
  c.lr = 1e-3;
  c.threads = threads;
  return c;
}

struct StepTiming {
  double tokens_per_s = 0, step_ms = 0;
  double sample_ms = 0;  // of step_ms: drawing the teacher batch (the PyTorch peer draws its batches before timing)
  uint64_t allocations = 0;
  int64_t assignments = 0;  // expert rows in the last step (for the FLOP count)
};

StepTiming time_steps(const Config& cfg, int steps) {
  std::string err;
  auto tr = Trainer::create(cfg, &err);
  for (int i = 0; i < 20; ++i) tr->step();  // warm-up: buffers reach their steady size
  const uint64_t a0 = heap_allocations();
  const auto t0 = Clock::now();
  for (int i = 0; i < steps; ++i) tr->step();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  StepTiming r;
  r.allocations = heap_allocations() - a0;
  r.step_ms = 1000 * s / steps;
  r.tokens_per_s = double(cfg.batch_size) * steps / s;
  for (int e = 0; e < cfg.num_experts; ++e) r.assignments += tr->model().router(0).kept[size_t(e)];
  // The batch drawing inside those steps, timed alone on the same pool.
  Rng rng(uint64_t(cfg.seed) + 99, RngStream_Data);
  Batch batch;
  const auto t1 = Clock::now();
  for (int i = 0; i < steps; ++i) tr->task().sample_parallel(rng, cfg.batch_size, batch, tr->model().pool());
  r.sample_ms = 1000 * std::chrono::duration<double>(Clock::now() - t1).count() / steps;
  return r;
}

// FLOPs of the step's matrix products (forward and backward) for A expert rows.
double step_gemm_flops(const Config& c, double A) {
  const double T = c.batch_size, d = c.d_model, h = c.expert_hidden, E = c.num_experts, din = c.teacher_inputs,
               o = c.teacher_outputs;
  const double fwd = 2 * T * din * d + 2 * T * d * E + A * (2 * d * h + 2 * h * d) + 2 * T * d * o;
  const double bwd = 2 * T * din * d /*dW_in*/ + 2 * (2 * T * d * E) + A * 2 * (2 * d * h + 2 * h * d) +
                     2 * (2 * T * d * o);
  return fwd + bwd;
}

// Eigen's GEMM on the step's shapes: the expert products per expert (parallel
// over experts on the same pool), the dense ones on one thread.
double eigen_gemm_flops_per_s(const Config& c, int threads) {
  const int T = c.batch_size, d = c.d_model, h = c.expert_hidden, E = c.num_experts;
  const int n = T * c.top_k / E;
  ThreadPool pool(threads);
  std::vector<Mat<float>> X(size_t(E), Mat<float>::Random(n, d)), W1(size_t(E), Mat<float>::Random(d, h)),
      W2(size_t(E), Mat<float>::Random(h, d)), H(size_t(E), Mat<float>(n, h)), O(size_t(E), Mat<float>(n, d)),
      dW1(size_t(E), Mat<float>(d, h)), dW2(size_t(E), Mat<float>(h, d)), dX(size_t(E), Mat<float>(n, d));
  Mat<float> x = Mat<float>::Random(T, d), wr = Mat<float>::Random(d, E), z(T, E), dwr(d, E), dx(T, d);
  auto once = [&]() {
    z.noalias() = x * wr;
    pool.parallel_for(E, [&](int e) {
      H[size_t(e)].noalias() = X[size_t(e)] * W1[size_t(e)];
      O[size_t(e)].noalias() = H[size_t(e)] * W2[size_t(e)];
      dW2[size_t(e)].noalias() = H[size_t(e)].transpose() * O[size_t(e)];
      H[size_t(e)].noalias() = O[size_t(e)] * W2[size_t(e)].transpose();
      dW1[size_t(e)].noalias() = X[size_t(e)].transpose() * H[size_t(e)];
      dX[size_t(e)].noalias() = H[size_t(e)] * W1[size_t(e)].transpose();
    });
    dwr.noalias() = x.transpose() * z;
    dx.noalias() = z * wr.transpose();
  };
  for (int i = 0; i < 10; ++i) once();
  const int reps = 100;
  const auto t0 = Clock::now();
  for (int i = 0; i < reps; ++i) once();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double flops = 2.0 * T * d * E * 3 + E * (2.0 * n * d * h * 3 + 2.0 * n * h * d * 3);
  return flops * reps / s;
}

// The lm figure's config: a tiny MoE transformer (docs/math.md "The `lm` task") on the generated
// text (no package needed): d 64, 4 heads, context 64, 2 blocks, E 8, k 2, h 128, 512 positions.
Config lm_bench_config(int threads) {
  Config c = default_config();
  c.task = Task::lm;
  c.lm_text = LmText::generated;
  c.text_length = 100000;
  c.d_model = 64;
  c.lm_heads = 4;
  c.lm_context = 64;
  c.n_layers = 2;
  c.num_experts = 8;
  c.top_k = 2;
  c.expert_hidden = 128;
  c.batch_size = 512;
  c.optimizer = Optimizer::adam;
  c.activation = Activation::gelu;
  c.alpha = 0.01;
  c.lr = 3e-3;
  c.threads = threads;
  return c;
}

bool identical_params(int threads_a, int threads_b) {
  std::string err;
  auto a = Trainer::create(bench_config(threads_a), &err), b = Trainer::create(bench_config(threads_b), &err);
  for (int i = 0; i < 30; ++i) a->step(), b->step();
  const auto& pa = a->model().params().data;
  const auto& pb = b->model().params().data;
  return pa.size() == pb.size() && std::memcmp(pa.data(), pb.data(), pa.size() * sizeof(float)) == 0;
}

nlohmann::json torch_peer(int steps, int threads, std::string* why, const char* script_name = "torch_step.py",
                          const std::string& extra = "") {
  const std::string script = std::string(MOESCOPE_SOURCE_DIR) + "/bench/" + script_name;
  const std::string cmd = "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=" + std::to_string(threads) + " /usr/bin/python3 '" +
                          script + "' --steps " + std::to_string(steps) + " --threads " + std::to_string(threads) +
                          extra + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    *why = "cannot start /usr/bin/python3";
    return nullptr;
  }
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  const auto brace = out.rfind('{');
  if (status != 0 || brace == std::string::npos) {
    *why = "the PyTorch peer failed (install python3-torch and libopenblas0-pthread): " + out.substr(0, 300);
    return nullptr;
  }
  try {
    return nlohmann::json::parse(out.substr(brace));
  } catch (...) {
    *why = "unreadable output from the PyTorch peer: " + out.substr(0, 300);
    return nullptr;
  }
}

// The PyTorch peer of one of our figures, measured and printed on one line ("  PyTorch 2.x<what>,
// N threads: ... -> moescope is R x PyTorch", or why it was not measured). The peer's JSON with
// JSON, or null.
nlohmann::json measure_and_print_peer(const char* what, double our_tokens_per_s, int steps, int threads,
                                      const char* script_name = "torch_step.py", const std::string& extra = "") {
  std::string why;
  const nlohmann::json torch = torch_peer(steps, threads, &why, script_name, extra);
  if (torch.is_null()) {
    std::printf("  PyTorch%s peer%s: not measured: %s\n", what, *what ? "        " : "            ", why.c_str());
    return torch;
  }
  const double tps = torch.value("tokens_per_s", 0.0);
  std::printf("  PyTorch %s%s, %d thread%s: %8.2f ms  %10.0f tokens/s  -> moescope is %.2fx PyTorch\n",
              torch.value("torch", std::string("?")).c_str(), what, threads, threads == 1 ? " " : "s",
              torch.value("step_ms", 0.0), tps, our_tokens_per_s / tps);
  return torch;
}

// 4 concurrent runs in a RunSet against the same runs one after another headless, in steps/s
// summed over the runs; each run trains `steps` steps.
struct ConcurrentRuns {
  int runs = 4;
  int64_t steps = 0;
  double headless_steps_per_s = 0, concurrent_steps_per_s = 0;
  // The same per CPU-second of this process (every thread): the cost of running at once, apart
  // from how much of a shared machine each way gets.
  double headless_steps_per_cpu_s = 0, concurrent_steps_per_cpu_s = 0;
  std::string error;
};

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Waits until a Session took its commands and stands paused at `steps` (or diverged).
void wait_idle(Session& s, int64_t steps) {
  for (;;) {
    const auto snap = s.snapshot();
    if (snap->commands_done >= s.commands_queued() && !snap->running && (snap->steps_done >= steps || snap->diverged))
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ConcurrentRuns concurrent_runs(const std::string& preset, double seconds_per_run) {
  ConcurrentRuns out;
  Config cfg;
  if (std::string e = load_preset(preset, cfg); !e.empty()) return out.error = e, out;
  std::vector<Config> cfgs;
  for (int i = 0; i < out.runs; ++i) cfgs.push_back(cfg), cfgs.back().seed = cfg.seed + i;
  std::string err;
  {  // the step count: about seconds_per_run of headless training per run
    auto tr = Trainer::create(cfg, &err);
    if (!tr) return out.error = err, out;
    for (int i = 0; i < 20; ++i) tr->step();
    const auto t0 = Clock::now();
    int64_t n = 0;
    while (std::chrono::duration<double>(Clock::now() - t0).count() < 0.3) tr->step(), ++n;
    out.steps = std::max<int64_t>(50, int64_t(double(n) / 0.3 * seconds_per_run));
  }
  auto t0 = Clock::now();
  double cpu0 = process_cpu_seconds();
  for (const Config& c : cfgs) {
    auto tr = Trainer::create(c, &err);
    if (!tr) return out.error = err, out;
    for (int64_t i = 0; i < out.steps; ++i) tr->step();
  }
  const double headless = std::chrono::duration<double>(Clock::now() - t0).count();
  const double headless_cpu = process_cpu_seconds() - cpu0;
  RunSet set(cfgs[0], preset);
  std::vector<int> ids = {set.first()};
  for (int i = 1; i < out.runs; ++i) {
    const int id = set.duplicate(set.first(), {{0, "seed", std::to_string(cfgs[size_t(i)].seed)}}, &err);
    if (id < 0) return out.error = err, out;
    ids.push_back(id);
  }
  for (int id : ids) wait_idle(*set.session(id), 0);
  t0 = Clock::now();
  cpu0 = process_cpu_seconds();
  for (int id : ids) set.session(id)->run_to(out.steps);
  for (int id : ids) wait_idle(*set.session(id), out.steps);
  const double concurrent = std::chrono::duration<double>(Clock::now() - t0).count();
  const double concurrent_cpu = process_cpu_seconds() - cpu0;
  out.headless_steps_per_cpu_s = double(out.runs * out.steps) / std::max(headless_cpu, 1e-9);
  out.concurrent_steps_per_cpu_s = double(out.runs * out.steps) / std::max(concurrent_cpu, 1e-9);
  out.headless_steps_per_s = double(out.runs * out.steps) / headless;
  out.concurrent_steps_per_s = double(out.runs * out.steps) / concurrent;
  return out;
}

}  // namespace

int cmd_bench(int steps, bool with_torch, const std::string& json_out, WindowSpeedProbe window_probe) {
  const Config c2 = bench_config(2), c1 = bench_config(1);
  std::printf("moescope bench: teacher, d_model 64, E 16, k 2, h 256, batch 1024 tokens, 1 layer, Adam, float32\n");
  const StepTiming t1 = time_steps(c1, steps);
  const StepTiming t2 = time_steps(c2, steps);
  const double useful = step_gemm_flops(c2, double(t2.assignments));
  const double gemm_rate = eigen_gemm_flops_per_s(c2, 2);
  const double our_rate = useful / (t2.step_ms / 1000);
  std::printf("  moescope step, 1 thread : %8.2f ms  %10.0f tokens/s\n", t1.step_ms, t1.tokens_per_s);
  std::printf("  moescope step, 2 threads: %8.2f ms  %10.0f tokens/s  (%.2fx the 1-thread rate)\n", t2.step_ms,
              t2.tokens_per_s, t2.tokens_per_s / t1.tokens_per_s);
  const double model_ms = t2.step_ms - t2.sample_ms;  // forward, backward, optimiser, metrics
  const double model_tokens_per_s = c2.batch_size / (model_ms / 1000);
  std::printf("    of which drawing the batch %.2f ms; the rest of the step %.2f ms = %.0f tokens/s\n", t2.sample_ms,
              model_ms, model_tokens_per_s);
  std::printf(
      "  useful GEMM work        : %8.1f GFLOP/s = %.0f%% of Eigen's GEMM rate on the same shapes (%.1f GFLOP/s, 2 "
      "threads)\n",
      our_rate / 1e9, 100 * our_rate / gemm_rate, gemm_rate / 1e9);
  if (heap_counter_available())
    std::printf("  heap allocations        : %llu in %d steady-state steps\n", (unsigned long long)t2.allocations,
                steps);
  else
    std::printf("  heap allocations        : not counted in sanitizer builds\n");
  const bool same = identical_params(1, 2);
  std::printf("  determinism             : parameters after 30 steps with 1 and 2 threads are %s\n",
              same ? "bit-identical" : "DIFFERENT");
  nlohmann::json doc = {{"step_ms_1thread", t1.step_ms},
                        {"tokens_per_s_1thread", t1.tokens_per_s},
                        {"step_ms", t2.step_ms},
                        {"tokens_per_s", t2.tokens_per_s},
                        {"gemm_gflops", gemm_rate / 1e9},
                        {"useful_gflops", our_rate / 1e9},
                        {"gemm_fraction", our_rate / gemm_rate},
                        {"heap_allocations", t2.allocations},
                        {"deterministic_across_threads", same},
                        {"sample_ms", t2.sample_ms}};
  if (with_torch) {
    const nlohmann::json torch = measure_and_print_peer("", t2.tokens_per_s, std::max(50, steps), 2);
    if (!torch.is_null()) {
      const double tps = torch.value("tokens_per_s", 0.0);
      std::printf(
          "    like for like (PyTorch's batches are drawn before its timing): moescope without drawing its batch is "
          "%.2fx\n",
          model_tokens_per_s / tps);
      doc["speedup_vs_torch_without_batch_drawing"] = model_tokens_per_s / tps;
      doc["speedup_vs_torch"] = t2.tokens_per_s / tps;
      doc["torch"] = torch;
    }
  }
  {  // lm: the tiny MoE transformer against the same model as a PyTorch nn.Module (bench/torch_lm_step.py),
     // on 1 and on 2 threads, each pair measured one right after the other
    const int lm_steps = std::max(10, steps / 4);
    std::printf(
        "moescope bench: lm, d_model 64, 4 heads, context 64, 2 blocks, E 8, k 2, h 128, 512 positions, Adam\n");
    doc["lm"] = nlohmann::json::object();
    for (const int threads : {1, 2}) {
      const StepTiming lt = time_steps(lm_bench_config(threads), lm_steps);
      const char* plural = threads == 1 ? " " : "s";
      std::printf("  moescope lm step, %d thread%s: %8.2f ms  %10.0f tokens/s (%llu heap allocations in %d steps)\n",
                  threads, plural, lt.step_ms, lt.tokens_per_s, (unsigned long long)lt.allocations, lm_steps);
      nlohmann::json& out = threads == 2 ? doc["lm"] : doc["lm"]["threads_1"];
      out["step_ms"] = lt.step_ms;
      out["tokens_per_s"] = lt.tokens_per_s;
      out["heap_allocations"] = lt.allocations;
      if (!with_torch) continue;
      const nlohmann::json torch = measure_and_print_peer(" lm", lt.tokens_per_s, lm_steps, threads, "torch_lm_step.py",
                                                          " --batch 512 --context 64 --d-model 64 --heads 4 --layers 2 "
                                                          "--experts 8 --top-k 2 --hidden 128");
      if (torch.is_null()) continue;
      out["speedup_vs_torch"] = lt.tokens_per_s / torch.value("tokens_per_s", 0.0);
      out["torch"] = torch;
    }
  }
  if (window_probe) {
    const WindowSpeed w = window_probe("collapse", 4.0);
    if (!w.error.empty()) {
      std::printf("  window, collapse preset  : not measured: %s\n", w.error.c_str());
    } else {
      const double share = w.headless_steps_per_s > 0 ? w.window_steps_per_s / w.headless_steps_per_s : 0;
      std::printf(
          "  window, collapse preset  : %.0f steps/s training while it draws (%d thread%s, %.0f frames/s, median frame "
          "%.1f ms on %s)\n"
          "                             %.0f steps/s headless (%d thread%s): the window keeps %.0f%%\n",
          w.window_steps_per_s, w.window_threads, w.window_threads == 1 ? "" : "s", w.frames_per_s, w.frame_ms,
          w.renderer.c_str(), w.headless_steps_per_s, w.headless_threads, w.headless_threads == 1 ? "" : "s",
          100 * share);
      if (w.window_all_cores_steps_per_s > 0)
        std::printf("                             (the window training on every core instead: %.0f steps/s, %.0f%%)\n",
                    w.window_all_cores_steps_per_s, 100 * w.window_all_cores_steps_per_s / w.headless_steps_per_s);
      if (w.runs > 0) {
        const double runs_share = w.runs_window_steps_per_s / w.runs_headless_steps_per_s;
        std::printf(
            "  %d runs in the window     : collapse preset, seeds %llu-%llu side by side: %.0f steps/s summed while it "
            "draws (%.0f frames/s, median frame %.1f ms)\n"
            "                             the same runs headless as `run --seeds %d` trains them: %.0f steps/s: the "
            "window keeps "
            "%.0f%%\n"
            "                             (the same runs in the window with no frame drawn: %.0f steps/s, %.0f%%)\n",
            w.runs, (unsigned long long)w.seed, (unsigned long long)(w.seed + uint64_t(w.runs) - 1),
            w.runs_window_steps_per_s, w.runs_frames_per_s, w.runs_frame_ms, w.runs, w.runs_headless_steps_per_s,
            100 * runs_share, w.runs_undrawn_steps_per_s,
            100 * w.runs_undrawn_steps_per_s / w.runs_headless_steps_per_s);
      }
      doc["window"] = {{"preset", "collapse"},
                       {"window_steps_per_s", w.window_steps_per_s},
                       {"headless_steps_per_s", w.headless_steps_per_s},
                       {"share", share},
                       {"frames_per_s", w.frames_per_s},
                       {"frame_ms", w.frame_ms},
                       {"window_threads", w.window_threads},
                       {"headless_threads", w.headless_threads},
                       {"renderer", w.renderer},
                       {"window_all_cores_steps_per_s", w.window_all_cores_steps_per_s}};
      if (w.runs > 0)
        doc["window"]["side_by_side"] = {{"runs", w.runs},
                                         {"window_steps_per_s", w.runs_window_steps_per_s},
                                         {"headless_steps_per_s", w.runs_headless_steps_per_s},
                                         {"share", w.runs_window_steps_per_s / w.runs_headless_steps_per_s},
                                         {"undrawn_steps_per_s", w.runs_undrawn_steps_per_s},
                                         {"frames_per_s", w.runs_frames_per_s},
                                         {"frame_ms", w.runs_frame_ms}};
    }
  }
  {
    const ConcurrentRuns c = concurrent_runs("collapse", 1.5);
    if (!c.error.empty()) {
      std::printf("  4 runs at once (RunSet)  : not measured: %s\n", c.error.c_str());
    } else {
      const double share = c.concurrent_steps_per_s / c.headless_steps_per_s;
      std::printf(
          "  4 runs at once (RunSet)  : collapse preset, 4 seeds, %lld steps each, default threads: %.0f steps/s "
          "summed\n"
          "                             the same 4 one after another headless: %.0f steps/s: at once keeps %.0f%%\n",
          (long long)c.steps, c.concurrent_steps_per_s, c.headless_steps_per_s, 100 * share);
      std::printf(
          "                             per CPU-second (apart from the share of a busy machine): %.0f at once, %.0f "
          "one after another: %.0f%%\n",
          c.concurrent_steps_per_cpu_s, c.headless_steps_per_cpu_s,
          100 * c.concurrent_steps_per_cpu_s / c.headless_steps_per_cpu_s);
      doc["concurrent_runs"] = {{"preset", "collapse"},
                                {"runs", c.runs},
                                {"steps_each", c.steps},
                                {"concurrent_steps_per_s", c.concurrent_steps_per_s},
                                {"headless_one_after_another_steps_per_s", c.headless_steps_per_s},
                                {"share", share},
                                {"concurrent_steps_per_cpu_s", c.concurrent_steps_per_cpu_s},
                                {"headless_steps_per_cpu_s", c.headless_steps_per_cpu_s}};
    }
  }
  if (!json_out.empty()) {
    const std::string err = write_file_atomic(json_out, doc.dump(2) + "\n");
    if (!err.empty()) {
      std::fprintf(stderr, "moescope bench: %s\n", err.c_str());
      return 1;
    }
  }
  return same ? 0 : 1;
}

}  // namespace moe

// bench_step.cpp: Google Benchmark micro-benchmarks of the parts of a step,
// on the reference config (teacher, d 64, E 16, k 2, h 256, T 1024, Adam).
// `moescope bench` prints the headline figures; this binary breaks them down.
#include <benchmark/benchmark.h>

#include "trainer.h"

namespace {

moe::Config reference(int threads) {
  moe::Config c = moe::default_config();
  c.task = moe::Task::teacher;
  c.d_model = 64;
  c.num_experts = 16;
  c.top_k = 2;
  c.expert_hidden = 256;
  c.batch_size = 1024;
  c.lr = 1e-3;
  c.threads = threads;
  return c;
}

void BM_TrainingStep(benchmark::State& state) {
  std::string err;
  auto tr = moe::Trainer::create(reference(int(state.range(0))), &err);
  for (int i = 0; i < 10; ++i) tr->step();
  for (auto _ : state) tr->step();
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_TrainingStep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_ForwardOnly(benchmark::State& state) {
  std::string err;
  auto tr = moe::Trainer::create(reference(int(state.range(0))), &err);
  moe::Batch b;
  moe::Rng rng(1, moe::RngStream_Data);
  tr->task().sample(rng, 1024, b);
  for (auto _ : state) benchmark::DoNotOptimize(tr->model().forward(b, true).total);
  state.SetItemsProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_ForwardOnly)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_ExpertGemm(benchmark::State& state) {  // one expert's forward products: [128,64]x[64,256], [128,256]x[256,64]
  moe::Mat<float> X = moe::Mat<float>::Random(128, 64), W1 = moe::Mat<float>::Random(64, 256),
                  W2 = moe::Mat<float>::Random(256, 64), H(128, 256), O(128, 64);
  for (auto _ : state) {
    H.noalias() = X * W1;
    O.noalias() = H * W2;
    benchmark::DoNotOptimize(O.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 2 * 128 * 64 * 256 * double(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExpertGemm);

}  // namespace

BENCHMARK_MAIN();

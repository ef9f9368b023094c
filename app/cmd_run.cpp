// cmd_run.cpp: `moescope run`: trains headless, streams per-step metrics to
// CSV or JSON as they are made (run_stream.h, columns from the metric table through
// results_io.h; the file appears atomically at the end), stops cleanly on Ctrl+C
// (interrupt.h), prints a readable summary.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "config_io.h"
#include "interrupt.h"
#include "results_io.h"
#include "run_compare.h"
#include "run_stream.h"

namespace moe {

using nlohmann::json;

std::string run_summary(const Trainer& tr, double seconds) {
  const Config& c = tr.config();
  const StepMetrics& m = tr.last();
  char buf[512];
  std::string s;
  const double steps = double(tr.steps_done());
  std::snprintf(buf, sizeof buf, "%s task, E=%d k=%d router=%s, %lld steps in %.2f s (%.0f steps/s, %.0f tokens/s)\n",
                choice_name(*find_property("task"), c).c_str(), c.routed_experts(), c.active_k(),
                choice_name(*find_property("router"), c).c_str(), (long long)steps, seconds,
                seconds > 0 ? steps / seconds : 0.0, seconds > 0 ? steps * c.batch_size / seconds : 0.0);
  s += buf;
  std::snprintf(buf, sizeof buf, "  loss_task %.4f", m.losses.task);
  s += buf;
  if (!std::isnan(m.losses.accuracy)) {
    std::snprintf(buf, sizeof buf, "  accuracy %.1f%%", 100 * m.losses.accuracy);
    s += buf;
  }
  std::snprintf(buf, sizeof buf, "  loss_balance %.3f  loss_z %.3f  loss_importance %.3f\n", m.losses.balance,
                m.losses.z, m.losses.importance);
  s += buf;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const LayerMetrics& lm = m.layers[l];
    std::snprintf(buf, sizeof buf,
                  "  layer %zu: load entropy %.3f  router entropy %.3f  MaxVio %.2f  dead %d/%d  drop %.1f%%  "
                  "specialisation %.3f\n",
                  l, lm.load_entropy, lm.router_entropy, lm.max_vio, lm.dead_experts, c.routed_experts(),
                  100 * lm.drop_rate, lm.specialisation);
    s += buf;
  }
  if (c.router == RouterKind::dense) s += "  (dense baseline: no router, entropies do not apply)\n";
  for (const Event& e : tr.events()) s += "  event at step " + std::to_string(e.step) + ": " + e.label() + "\n";
  return s;
}

int cmd_run(const RunOptions& given) {
  RunOptions opt = given;
  opt.compare = compare_or_preset(given.source, given.compare);  // a preset's own comparison (lm-top1-vs-top2)
  if (!opt.compare.empty() || opt.seeds != 1) return cmd_run_compare(opt);
  Config cfg;
  std::vector<ScheduledChange> scheduled;
  std::string err = resolve_config(opt.source, cfg, &scheduled);
  if (!err.empty()) {
    std::fprintf(stderr, "moescope run: %s\n", err.c_str());
    return 2;
  }
  const bool to_json = opt.out.size() >= 5 && opt.out.substr(opt.out.size() - 5) == ".json";
  const bool to_csv = opt.out.size() >= 4 && opt.out.substr(opt.out.size() - 4) == ".csv";
  if (!opt.out.empty() && !to_json && !to_csv) {
    std::fprintf(stderr, "moescope run: --out '%s': allowed: a file name ending in .csv or .json\n", opt.out.c_str());
    return 2;
  }
  auto tr = Trainer::create(cfg, &err);
  if (!tr) {
    std::fprintf(stderr, "moescope run: %s\n", err.c_str());
    return 2;
  }
  err = tr->schedule(scheduled);
  if (!err.empty()) {
    std::fprintf(stderr, "moescope run: %s\n", err.c_str());
    return 2;
  }
  if (const std::string source = tr->task().source(); !source.empty())  // lm: which text, or why the fallback
    std::fprintf(stderr, "moescope run: text: %s\n", source.c_str());
  const int64_t steps = opt.steps > 0 ? opt.steps : cfg.steps;
  // Rows are written as they are made (run_stream.h); Ctrl+C or SIGTERM stops at the next
  // step boundary and the file is finished with what was trained (interrupt.h).
  RunStream out;
  if (!opt.out.empty()) {
    err = out.open(opt.out, cfg);
    if (!err.empty()) {
      std::fprintf(stderr, "moescope run: %s\n", err.c_str());
      return 1;
    }
  }
  install_interrupt_handlers();
  const auto t0 = std::chrono::steady_clock::now();
  bool diverged = false;
  int64_t trained = 0;
  for (int64_t s = 0; s < steps && !interrupted(); ++s) {
    const StepMetrics& m = tr->step();
    if (!m.finite) {
      diverged = true;
      break;
    }
    trained = s + 1;
    // every Nth step, the last one, and the last one before an interrupt
    if (opt.out.empty() || (s % opt.log_every != 0 && s != steps - 1 && !interrupted())) continue;
    err = out.add(m, tr->events());
    if (!err.empty()) break;  // a full disk: stop training, say so below
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!opt.out.empty() && err.empty()) err = out.finish(cfg, tr->events());
  if (!err.empty()) {
    std::fprintf(stderr, "moescope run: %s\n", err.c_str());
    return 1;
  }
  if (interrupted() && !diverged && trained < steps) {
    std::fprintf(stderr, "moescope run: interrupted at step %lld; %s\n", (long long)trained,
                 opt.out.empty() ? "no --out file was asked for"
                 : trained == 0  ? ("no step was trained; wrote a run of no steps to " + opt.out).c_str()
                                 : ("wrote steps 0.." + std::to_string(trained - 1) + " to " + opt.out).c_str());
    return interrupt_exit_status();
  }
  if (diverged) {
    std::fprintf(stderr,
                 "moescope run: the run diverged: %s. Parameters were left as they were before that step%s.\n"
                 "  Try a smaller learning rate, e.g. --set lr=%s (now %s), or --set grad_clip=1.\n",
                 tr->last().diverged.c_str(),
                 opt.out.empty() ? "" : (", and the steps so far are in " + opt.out).c_str(), fmt(cfg.lr / 10).c_str(),
                 fmt(cfg.lr).c_str());
    return 1;
  }
  if (!opt.quiet) std::printf("moescope run: %s", run_summary(*tr, seconds).c_str());
  return 0;
}

}  // namespace moe

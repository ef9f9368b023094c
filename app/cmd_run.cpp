// cmd_run.cpp: `moescope run`: trains headless, streams per-step metrics to
// CSV or JSON (written atomically at the end), prints a readable summary.
// Also the config resolution every training command shares.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "config_io.h"

namespace moe {

using nlohmann::json;

std::string fmt(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string resolve_config(const RunSource& src, Config& cfg, std::vector<ScheduledChange>* scheduled) {
  cfg = default_config();
  if (!src.preset.empty() && !src.config_file.empty()) return "give either --preset or --config, not both";
  std::string err;
  // A saved session's "schedule" applies like --set before the command line's own --set.
  std::vector<std::string> sets;
  if (!src.preset.empty()) err = load_preset(src.preset, cfg);
  else if (!src.config_file.empty()) err = load_config_file(src.config_file, cfg);
  if (err.empty() && !src.config_file.empty()) err = read_config_schedule(src.config_file, &sets);
  if (!err.empty()) return err;
  sets.insert(sets.end(), src.sets.begin(), src.sets.end());
  for (const std::string& s : sets) {
    const auto at = s.rfind('@');
    if (at != std::string::npos) {
      const std::string when = s.substr(at + 1), assignment = s.substr(0, at);
      char* end = nullptr;
      const long long step = std::strtoll(when.c_str(), &end, 10);
      if (when.empty() || *end != '\0' || step < 0)
        return "--set '" + s + "': expected key=value@STEP with STEP a step number >= 0";
      const auto eq = assignment.find('=');
      if (eq == std::string::npos) return "--set '" + s + "': expected key=value@STEP, e.g. --set top_k=1@500";
      const Property* p = find_property(assignment.substr(0, eq));
      if (!p) return "--set: unknown setting '" + assignment.substr(0, eq) + "' (`moescope run --help` lists them)";
      if (step == 0) {  // at the start it is an ordinary setting
        err = apply_set(assignment, cfg);
        if (!err.empty()) return err;
        continue;
      }
      if (!scheduled) return "--set '" + s + "': @STEP is not available for this command";
      scheduled->push_back({step, p->name, assignment.substr(eq + 1)});
      continue;
    }
    err = apply_set(s, cfg);
    if (!err.empty()) return err;
  }
  return validate(cfg);
}

std::string metrics_csv_header(const Config& cfg) {
  std::string h =
      "step,layer,loss_total,loss_task,loss_balance,loss_z,loss_importance,accuracy,grad_norm,lr,router_entropy,"
      "load_entropy,load_cv,max_vio,dead_experts,drop_rate,unrouted,top1_gate_mean,specialisation,label_purity";
  for (int b = 0; b < 10; ++b) h += ",top1_hist_" + std::to_string(b);
  const int E = cfg.routed_experts();
  for (const char* name : {"load_", "tokens_", "kept_", "importance_", "bias_"})
    for (int e = 0; e < E; ++e) h += "," + std::string(name) + std::to_string(e);
  return h + ",event\n";
}

void append_metrics_csv(const StepMetrics& m, const std::vector<Event>& events, size_t* events_written, std::string& out) {
  std::string ev;
  while (*events_written < events.size() && events[*events_written].step <= m.step) {
    ev += (ev.empty() ? "" : "; ") + events[*events_written].label();
    ++*events_written;
  }
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const LayerMetrics& lm = m.layers[l];
    const Losses& L = m.losses;
    out += std::to_string(m.step) + "," + std::to_string(l);
    for (double v : {L.total, L.task, L.balance, L.z, L.importance, L.accuracy, m.grad_norm, m.lr, lm.router_entropy,
                     lm.load_entropy, lm.load_cv, lm.max_vio, double(lm.dead_experts), lm.drop_rate, lm.unrouted,
                     lm.top1_gate_mean, lm.specialisation, lm.label_purity})
      out += "," + fmt(v);
    for (double v : lm.top1_hist) out += "," + fmt(v);
    for (const auto* vec : {&lm.load, &lm.tokens, &lm.kept, &lm.importance, &lm.bias})
      for (double v : *vec) out += "," + fmt(v);
    out += ",";
    if (l == 0 && !ev.empty()) out += "\"" + ev + "\"";
    out += "\n";
  }
}

static json layer_json(const LayerMetrics& lm) {
  return json{{"router_entropy", lm.router_entropy}, {"load_entropy", lm.load_entropy}, {"load_cv", lm.load_cv},
              {"max_vio", lm.max_vio},               {"dead_experts", lm.dead_experts}, {"drop_rate", lm.drop_rate},
              {"unrouted", lm.unrouted},             {"top1_gate_mean", lm.top1_gate_mean},
              {"specialisation", lm.specialisation}, {"label_purity", lm.label_purity},
              {"top1_hist", lm.top1_hist},           {"load", lm.load},
              {"tokens", lm.tokens},                 {"kept", lm.kept},
              {"importance", lm.importance},         {"bias", lm.bias}};
}

static json nan_safe(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

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
  std::snprintf(buf, sizeof buf, "  loss_balance %.3f  loss_z %.3f  loss_importance %.3f\n", m.losses.balance, m.losses.z,
                m.losses.importance);
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

int cmd_run(const RunOptions& opt) {
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
  const int64_t steps = opt.steps > 0 ? opt.steps : cfg.steps;
  std::string csv = to_csv ? metrics_csv_header(cfg) : "";
  json steps_json = json::array();
  size_t events_written = 0;
  const auto t0 = std::chrono::steady_clock::now();
  bool diverged = false;
  for (int64_t s = 0; s < steps; ++s) {
    const StepMetrics& m = tr->step();
    if (!m.finite) {
      diverged = true;
      break;
    }
    if (s % opt.log_every != 0 && s != steps - 1) continue;
    if (to_csv) append_metrics_csv(m, tr->events(), &events_written, csv);
    if (to_json) {
      json layers = json::array();
      for (const LayerMetrics& lm : m.layers) layers.push_back(layer_json(lm));
      steps_json.push_back({{"step", m.step},
                            {"losses",
                             {{"total", m.losses.total},
                              {"task", m.losses.task},
                              {"balance", m.losses.balance},
                              {"z", m.losses.z},
                              {"importance", m.losses.importance},
                              {"accuracy", nan_safe(m.losses.accuracy)}}},
                            {"grad_norm", m.grad_norm},
                            {"lr", m.lr},
                            {"layers", layers}});
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (to_csv) err = write_file_atomic(opt.out, csv);
  if (to_json) {
    json events = json::array();
    for (const Event& e : tr->events()) events.push_back({{"step", e.step}, {"key", e.key}, {"from", e.from}, {"to", e.to}});
    json doc = {{"format", "moescope-run/1"}, {"config", config_to_json(cfg)}, {"events", events}, {"steps", steps_json}};
    err = write_file_atomic(opt.out, doc.dump(1) + "\n");
  }
  if (!err.empty()) {
    std::fprintf(stderr, "moescope run: %s\n", err.c_str());
    return 1;
  }
  if (diverged) {
    std::fprintf(stderr, "moescope run: the run diverged: %s. Parameters were left as they were before that step%s.\n"
                         "  Try a smaller learning rate, e.g. --set lr=%s (now %s), or --set grad_clip=1.\n",
                 tr->last().diverged.c_str(), opt.out.empty() ? "" : (", and the steps so far are in " + opt.out).c_str(),
                 fmt(cfg.lr / 10).c_str(), fmt(cfg.lr).c_str());
    return 1;
  }
  if (!opt.quiet) std::printf("moescope run: %s", run_summary(*tr, seconds).c_str());
  return 0;
}

}  // namespace moe

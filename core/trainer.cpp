// trainer.cpp: see trainer.h. One step = sample a batch, draw router noise,
// forward, backward, clip, check for divergence, optimiser step, aux-free bias
// update, metrics.
#include "trainer.h"

#include <algorithm>
#include <cmath>

namespace moe {

std::string Event::label() const { return std::string(short_name(key)) + " " + from + "\u2192" + to; }

std::unique_ptr<Trainer> Trainer::create(const Config& cfg, std::string* error) {
  std::string err = validate(cfg);
  if (!err.empty()) {
    if (error) *error = err;
    return nullptr;
  }
  std::unique_ptr<Trainer> tr(new Trainer());
  tr->cfg_ = cfg;
  tr->task_ = TaskData::create(cfg, &err);
  if (!tr->task_) {
    if (error) *error = err;
    return nullptr;
  }
  // lm: the probe is whole windows of the held-out text, probe_size rounded down (at least one)
  const int n = tr->task_->context();
  const int probe = n > 0 ? std::max(n, cfg.probe_size / n * n) : cfg.probe_size;
  const int rows = std::max(cfg.batch_size, probe);
  tr->model_ = std::make_unique<Model<float>>(cfg, *tr->task_, rows);
  tr->opt_.init(tr->model_->layout());
  tr->data_rng_ = Rng(uint64_t(cfg.seed), RngStream_Data);
  tr->noise_rng_ = Rng(uint64_t(cfg.seed), RngStream_Noise);
  Rng probe_rng(uint64_t(cfg.seed), RngStream_Probe);
  tr->task_->sample_probe(probe_rng, probe, tr->probe_batch_);
  const int E = cfg.routed_experts();
  tr->last_used_.assign(size_t(cfg.n_layers), std::vector<int64_t>(size_t(E), -1));
  tr->last_.layers.resize(size_t(cfg.n_layers));
  tr->probe_top1_.assign(size_t(cfg.n_layers), std::vector<int32_t>(size_t(tr->probe_batch_.T), -1));
  tr->churn_.assign(size_t(cfg.n_layers), 0.0);
  return tr;
}

Trainer::~Trainer() = default;

std::unique_ptr<Trainer> Trainer::clone(std::string* error) const {
  // The config in force (live changes included) builds the same structure, the same task and
  // the same probe batch (all from the seed); then every piece of state a step reads is copied.
  std::unique_ptr<Trainer> tr = create(cfg_, error);
  if (!tr) return nullptr;
  Model<float>& m = *tr->model_;
  m.params().data = model_->params().data;
  for (int l = 0; l < m.n_layers(); ++l) m.bias(l) = model_->bias(l);
  tr->opt_.copy_state_from(opt_);
  tr->data_rng_ = data_rng_;
  tr->noise_rng_ = noise_rng_;
  tr->last_ = last_;
  tr->last_used_ = last_used_;
  tr->probe_top1_ = probe_top1_;
  tr->churn_ = churn_;
  tr->events_ = events_;
  tr->scheduled_ = scheduled_;
  tr->step_ = step_;
  return tr;
}

std::string Trainer::apply_live(const Config& next) {
  for (const std::string& key : changed_settings(cfg_, next)) {
    const Property* p = find_property(key);
    if (!p->live()) return "setting '" + key + "' changes the model's structure and needs a new run";
  }
  std::string err = validate(next);
  if (!err.empty()) return err;
  for (const std::string& key : changed_settings(cfg_, next)) {
    const Property* p = find_property(key);
    events_.push_back({step_, key, format_value(p->get(cfg_)), format_value(p->get(next))});
  }
  cfg_ = next;
  model_->set_live(cfg_);
  return "";
}

std::string Trainer::schedule(const std::vector<ScheduledChange>& changes) {
  const auto name = [](const ScheduledChange& c) {
    return "at step " + std::to_string(c.step) + ", " + c.key + "=" + c.value;
  };
  for (const ScheduledChange& c : changes) {
    const Property* p = find_property(c.key);
    if (!p) return name(c) + ": unknown setting '" + c.key + "' (see `moescope run --help` for the list)";
    if (!p->live())
      return "setting '" + c.key + "' changes the model's structure and cannot change at step " +
             std::to_string(c.step) + "; set it without @STEP";
    Config scratch = cfg_;
    if (std::string err = p->set_from_text(scratch, c.value); !err.empty()) return name(c) + ": " + err;
  }
  // The whole plan as apply_scheduled will run it: every change of one step together, then the
  // cross-field checks (k <= E ...). Refused here, not as a "refused" event mid-run, because a
  // refused step would also drop the other changes of that step.
  std::vector<ScheduledChange> plan = scheduled_;
  plan.insert(plan.end(), changes.begin(), changes.end());
  std::stable_sort(plan.begin(), plan.end(),
                   [](const ScheduledChange& a, const ScheduledChange& b) { return a.step < b.step; });
  Config probe = cfg_;
  for (size_t i = 0; i < plan.size();) {
    std::string names;
    size_t j = i;
    for (; j < plan.size() && plan[j].step == plan[i].step; ++j) {
      find_property(plan[j].key)->set_from_text(probe, plan[j].value);
      names += (names.empty() ? "" : ", ") + plan[j].key + "=" + plan[j].value;
    }
    if (std::string err = validate(probe); !err.empty())
      return "at step " + std::to_string(plan[i].step) + ", " + names + ": " + err;
    i = j;
  }
  scheduled_ = std::move(plan);
  return "";
}

void Trainer::apply_scheduled() {
  if (scheduled_.empty() || scheduled_.front().step > step_) return;
  Config next = cfg_;
  while (!scheduled_.empty() && scheduled_.front().step <= step_) {
    find_property(scheduled_.front().key)->set_from_text(next, scheduled_.front().value);
    scheduled_.erase(scheduled_.begin());
  }
  std::string err = apply_live(next);
  if (!err.empty()) {  // e.g. top_k raised above num_experts: record it as a refused event
    events_.push_back({step_, "refused", "", err});
  }
}

bool Trainer::check_finite(const Losses& l, double grad_norm, std::string* what) const {
  const std::pair<const char*, double> items[] = {{"loss_task", l.task},
                                                  {"loss_balance", l.balance},
                                                  {"loss_z", l.z},
                                                  {"loss_importance", l.importance},
                                                  {"grad_norm", grad_norm}};
  for (const auto& [name, v] : items)
    if (!std::isfinite(v)) {
      *what = std::string(name) + " = " + (std::isnan(v) ? "nan" : "inf");
      return false;
    }
  return true;
}

// The probe batch's top-1 experts under the parameters this step starts from, against those of
// the previous step: the batch changes every step, so churn is measured on fixed inputs
// (StableMoE, Dai et al. 2022, "routing fluctuation"). Routing only (Model::route_only): with one
// layer that is the input projection and the router logits, under 1% of a step.
void Trainer::measure_routing_churn() {
  Model<float>& m = *model_;
  m.route_only(probe_batch_);
  for (int l = 0; l < m.n_layers(); ++l) {
    const RouterState<float>& rs = m.router(l);
    std::vector<int32_t>& top1 = probe_top1_[size_t(l)];
    int changed = 0;
    for (int t = 0; t < rs.T; ++t) {
      const int32_t e = top1_expert(rs, t);
      changed += e != top1[size_t(t)] ? 1 : 0;
      top1[size_t(t)] = e;
    }
    churn_[size_t(l)] = step_ > 0 && rs.T > 0 ? double(changed) / rs.T : 0.0;  // nothing to compare with at step 0
  }
}

const StepMetrics& Trainer::step() {
  apply_scheduled();
  measure_routing_churn();  // before the step's own forward, which leaves the routers as the metrics read them
  Model<float>& m = *model_;
  task_->sample_parallel(data_rng_, cfg_.batch_size, batch_, m.pool());
  if (cfg_.noisy_gating) m.draw_noise(noise_rng_, cfg_.batch_size);
  const Losses losses = m.forward(batch_, true);
  m.backward();
  const double norm = opt_.clip(cfg_, m.grads(), m.pool());

  StepMetrics& out = last_;
  out.step = step_;
  out.losses = losses;
  out.grad_norm = norm;
  out.lr = cfg_.lr;
  out.finite = check_finite(losses, norm, &out.diverged);
  if (!out.finite) {
    out.diverged += " at step " + std::to_string(step_);
    return out;  // nothing applied: the run pauses here, parameters intact
  }
  out.diverged.clear();
  for (int l = 0; l < m.n_layers(); ++l) {
    const RouterState<float>& rs = m.router(l);
    LayerMetrics& lm = out.layers[size_t(l)];
    compute_layer_metrics(rs, m.bias(l), batch_.labels, task_->n_labels(), scratch_, lm);
    int dead = 0;
    for (int e = 0; e < rs.E; ++e) {
      if (rs.tokens[size_t(e)] > 0) last_used_[size_t(l)][size_t(e)] = step_;
      dead += last_used_[size_t(l)][size_t(e)] < step_ - cfg_.dead_window + 1 ? 1 : 0;
    }
    lm.dead_experts = dead;
    lm.routing_churn = churn_[size_t(l)];
  }
  opt_.step(cfg_, m.params(), m.grads(), m.pool());
  m.update_aux_free_bias();
  ++step_;
  return out;
}

void Trainer::probe(int layer, ProbeResult& out, bool refit_plane) {
  Model<float>& m = *model_;
  m.forward(probe_batch_, false);
  const RouterState<float>& rs = m.router(layer);
  out.tokens = rs.T;
  out.experts = rs.E;
  out.gates.resize(size_t(rs.T) * size_t(rs.E));
  out.top1.resize(size_t(rs.T));
  for (int t = 0; t < rs.T; ++t) {
    for (int e = 0; e < rs.E; ++e) out.gates[size_t(t) * size_t(rs.E) + size_t(e)] = rs.has_router ? rs.p(t, e) : 1.0f;
    out.top1[size_t(t)] = top1_expert(rs, t);
  }
  out.labels = probe_batch_.labels;
  // The router input of the probe tokens on its principal plane: refitted when asked,
  // when stale, from another run (a restart changed d) or from a later step (a reset).
  const Mat<float>& x = m.layer_input(layer);
  const int64_t fitted = out.plane.fitted_step;
  if (refit_plane || fitted < 0 || out.plane.dim != int(x.cols()) || step_ < fitted ||
      step_ - fitted >= kPlaneRefitSteps) {
    fit_principal_plane(x, rs.T, out.plane);
    out.plane.fitted_step = step_;
  }
  project_onto_plane(x, rs.T, out.plane, out.plane_xy);
}

void Trainer::routing_map(int layer, int res, RoutingMap& out) {
  out.res = res;
  out.winner.assign(size_t(res) * size_t(res), -1);
  out.confidence.assign(size_t(res) * size_t(res), 0.f);
  if (task_->kind() != Task::blobs) return;
  // the plane around the clusters, with a margin
  double x0 = 1e30, x1 = -1e30, y0 = 1e30, y1 = -1e30;
  for (int c = 0; c < task_->clusters(); ++c) {
    x0 = std::min(x0, task_->cluster_x(c));
    x1 = std::max(x1, task_->cluster_x(c));
    y0 = std::min(y0, task_->cluster_y(c));
    y1 = std::max(y1, task_->cluster_y(c));
  }
  const double margin = 3 * cfg_.blob_spread + 0.1;
  out.x0 = x0 - margin, out.x1 = x1 + margin, out.y0 = y0 - margin, out.y1 = y1 + margin;
  Model<float>& m = *model_;
  const int chunk = m.max_rows(), n = res * res;
  for (int start = 0; start < n; start += chunk) {
    const int T = std::min(chunk, n - start);
    map_batch_.T = T;
    map_batch_.inputs.resize(T, 2);
    map_batch_.class_targets.assign(size_t(T), 0);
    for (int i = 0; i < T; ++i) {
      const int cell = start + i, cx = cell % res, cy = cell / res;
      map_batch_.inputs(i, 0) = out.x0 + (cx + 0.5) * (out.x1 - out.x0) / res;
      map_batch_.inputs(i, 1) = out.y0 + (cy + 0.5) * (out.y1 - out.y0) / res;
    }
    m.forward(map_batch_, false);
    const RouterState<float>& rs = m.router(layer);
    for (int i = 0; i < T; ++i) {
      out.winner[size_t(start + i)] = top1_expert(rs, i);
      out.confidence[size_t(start + i)] = rs.has_router ? rs.p.row(i).maxCoeff() : 1.0f;
    }
  }
}

}  // namespace moe

namespace moe {

std::string Trainer::generate(int length, double temperature, uint64_t seed, std::string* prompt_out) {
  const int n = task_->context();
  if (n == 0 || length <= 0 || probe_batch_.T < n) return "";
  std::vector<int32_t> text(probe_batch_.token_ids.begin(), probe_batch_.token_ids.begin() + n);
  if (prompt_out) {
    prompt_out->clear();
    for (int32_t id : text) *prompt_out += task_->token_text(id);
  }
  Batch& b = sample_batch_;
  b.T = n;
  b.token_ids.assign(size_t(n), 0);
  b.class_targets.assign(size_t(n), 0);
  b.labels.assign(size_t(n), 0);
  Rng rng(seed, RngStream_Sample);
  const int V = task_->n_out();
  std::vector<double> p(static_cast<size_t>(V), 0.0);
  std::string out;
  for (int i = 0; i < length; ++i) {
    std::copy(text.end() - n, text.end(), b.token_ids.begin());
    model_->forward(b, false);
    const auto logits = model_->output().row(n - 1);
    int id = 0;
    if (temperature <= 0) {
      for (int v = 1; v < V; ++v)
        if (logits(v) > logits(id)) id = v;
    } else {
      const double m = double(logits.maxCoeff());
      double sum = 0;
      for (int v = 0; v < V; ++v) sum += (p[size_t(v)] = std::exp((double(logits(v)) - m) / temperature));
      double u = rng.uniform() * sum;
      for (id = 0; id + 1 < V && (u -= p[size_t(id)]) > 0; ++id) {
      }
    }
    text.push_back(id);
    out += task_->token_text(id);
  }
  return out;
}

}  // namespace moe

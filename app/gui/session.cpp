// session.cpp: the training thread behind the window (see session.h).
//
// [SECTION] Commands and thread-only state
// [SECTION] History layout
// [SECTION] Public API (any thread: queue a command, swap a snapshot)
// [SECTION] Training thread: loop, commands, rebuild, publish
//
// The thread owns the Trainer. It runs commands at step boundaries, trains
// (as fast as it can, or sleeping to hold a requested rate), appends one
// History row per finite step and publishes an immutable RunSnapshot at most
// ~30 times a second of wall time and after every command. The UI thread only
// takes `mu_` to push a command or to copy the snapshot pointer.
#include "session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace moe {

namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

constexpr double kPublishInterval = 1.0 / 30.0;  // s of wall time between snapshots while training
constexpr double kProbeInterval = 0.25;          // s between probe-batch gate refreshes while training
constexpr double kMapInterval = 0.5;             // s between routing-map refreshes while training
constexpr int kMapResolution = 96;               // routing map cells per side
constexpr double kSpeedWindow = 0.5;             // s over which steps/s is measured
constexpr double kEventMergeSeconds = 1.0;       // live changes of one key this close in wall time form one event

std::string value_text(const char* key, const Config& c) { return format_value(find_property(key)->get(c)); }

// "num_experts 8→16, top_k 2→4": every setting that differs, in table order.
std::string describe_changes(const Config& from, const Config& to) {
  std::string s;
  for (const std::string& key : changed_settings(from, to)) {
    if (!s.empty()) s += ", ";
    s += key + " " + value_text(key.c_str(), from) + "\u2192" + value_text(key.c_str(), to);
  }
  return s;
}

}  // namespace

// [SECTION] Commands and thread-only state

struct Session::Command {
  enum Kind { Rebuild, Play, Pause, Toggle, Step, RunTo, Reset, NewSeed, Apply, ResetWithLr, MapLayer, Schedule };
  Kind kind = Play;
  Config cfg;          // Rebuild, Apply
  std::string preset;  // Rebuild, Apply ("" keeps the current one)
  double value = 0;    // ResetWithLr
  int64_t steps = 0;   // RunTo
  std::vector<ScheduledChange> changes;  // Schedule
};

struct Session::ThreadState {
  // divergence
  bool diverged = false;
  std::string diverged_what;
  // probe batch, routing map and specialisation counts, refreshed on a timer
  std::vector<ProbeResult> probe;
  std::vector<std::vector<double>> label_expert;
  std::vector<std::string> label_names;
  RoutingMap map;
  int map_layer = 0;
  std::vector<float> probe_xy;  // blobs: probe batch inputs (x, y); refilled after rebuild() clears it
  Clock::time_point next_probe{}, next_map{};
  bool probe_now = true, map_now = true;
  // events as shown: consecutive changes of one key within kEventMergeSeconds (a slider drag) become one
  std::vector<Event> shown_events;
  std::vector<Clock::time_point> shown_event_time;
  size_t trainer_events_seen = 0;
  // speed
  Clock::time_point speed_t0{};
  int64_t speed_steps0 = 0;
  double steps_per_s = 0;
  // pacing
  Clock::time_point last_publish{}, next_step_due{};
  bool dirty = true;
  bool step_requested = false;
  int64_t stop_at = -1;  // RunTo: pause once steps_done reaches this
  uint64_t commands_done = 0;  // commands taken off the queue so far
};

// [SECTION] History layout

namespace {

// Declares one series per metric (per layer for the router's), filling ids.
std::shared_ptr<History> make_history(const Config& cfg, HistoryIds& ids) {
  auto h = std::make_shared<History>(HistoryOptions{});
  ids = HistoryIds{};
  ids.loss_total = h->add_series("loss_total");
  ids.loss_task = h->add_series("loss_task");
  ids.loss_balance = h->add_series("loss_balance");
  ids.loss_z = h->add_series("loss_z");
  ids.loss_importance = h->add_series("loss_importance");
  ids.accuracy = h->add_series("accuracy");
  ids.grad_norm = h->add_series("grad_norm");
  ids.lr = h->add_series("lr");
  const int E = cfg.routed_experts();
  for (int l = 0; l < cfg.n_layers; ++l) {
    std::string p = "L";
    p += std::to_string(l);
    p += "/";
    LayerSeriesIds L;
    L.router_entropy = h->add_series(p + "router_entropy");
    L.load_entropy = h->add_series(p + "load_entropy");
    L.load_cv = h->add_series(p + "load_cv");
    L.max_vio = h->add_series(p + "max_vio");
    L.dead_experts = h->add_series(p + "dead_experts");
    L.drop_rate = h->add_series(p + "drop_rate");
    L.unrouted = h->add_series(p + "unrouted");
    L.top1_gate_mean = h->add_series(p + "top1_gate_mean");
    L.specialisation = h->add_series(p + "specialisation");
    L.label_purity = h->add_series(p + "label_purity");
    L.load0 = h->add_series_group(p + "load", E);
    L.importance0 = h->add_series_group(p + "importance", E);
    L.bias0 = h->add_series_group(p + "bias", E);
    L.tokens0 = h->add_series_group(p + "tokens", E);
    ids.layers.push_back(L);
  }
  return h;
}

// One History row from a finite step's metrics; row must have series_count() entries.
void fill_row(const StepMetrics& m, const HistoryIds& ids, std::vector<float>& row) {
  std::fill(row.begin(), row.end(), std::numeric_limits<float>::quiet_NaN());
  auto put = [&](SeriesId id, double v) { row[size_t(id)] = float(v); };
  put(ids.loss_total, m.losses.total);
  put(ids.loss_task, m.losses.task);
  put(ids.loss_balance, m.losses.balance);
  put(ids.loss_z, m.losses.z);
  put(ids.loss_importance, m.losses.importance);
  put(ids.accuracy, m.losses.accuracy);  // NaN for regression: plots skip it
  put(ids.grad_norm, m.grad_norm);
  put(ids.lr, m.lr);
  for (size_t l = 0; l < ids.layers.size() && l < m.layers.size(); ++l) {
    const LayerSeriesIds& L = ids.layers[l];
    const LayerMetrics& lm = m.layers[l];
    put(L.router_entropy, lm.router_entropy);
    put(L.load_entropy, lm.load_entropy);
    put(L.load_cv, lm.load_cv);
    put(L.max_vio, lm.max_vio);
    put(L.dead_experts, lm.dead_experts);
    put(L.drop_rate, lm.drop_rate);
    put(L.unrouted, lm.unrouted);
    put(L.top1_gate_mean, lm.top1_gate_mean);
    put(L.specialisation, lm.specialisation);
    put(L.label_purity, lm.label_purity);
    auto group = [&](SeriesId first, const std::vector<double>& v) {
      for (size_t e = 0; e < v.size(); ++e) put(first + SeriesId(e), v[e]);
    };
    group(L.load0, lm.load);
    group(L.importance0, lm.importance);
    group(L.bias0, lm.bias);
    group(L.tokens0, lm.tokens);
  }
}

}  // namespace

// [SECTION] Public API

Session::Session(const Config& cfg, std::string preset) : ts_(std::make_unique<ThreadState>()) {
  // A first snapshot right away (empty history of the right shape), so the UI never waits for the thread.
  history_ = make_history(cfg, ids_);
  row_.assign(size_t(history_->series_count()), 0.f);
  auto s = std::make_shared<RunSnapshot>();
  s->cfg = cfg;
  s->preset = preset;
  s->last.layers.resize(size_t(cfg.n_layers));
  s->history = history_;
  s->ids = ids_;
  s->notice = "starting";
  snap_ = std::move(s);
  auto c = std::make_unique<Command>();
  c->kind = Command::Rebuild;
  c->cfg = cfg;
  c->preset = std::move(preset);
  send(std::move(c));
  thread_ = std::thread([this] { thread_main(); });
}

Session::~Session() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const RunSnapshot> Session::snapshot() const {
  std::lock_guard lk(mu_);
  return snap_;
}

namespace {
template <class Cmd>
std::unique_ptr<Cmd> command(int kind) {
  auto c = std::make_unique<Cmd>();
  c->kind = typename Cmd::Kind(kind);
  return c;
}
}  // namespace

void Session::play() { send(command<Command>(Command::Play)); }

void Session::pause() { send(command<Command>(Command::Pause)); }

void Session::toggle() { send(command<Command>(Command::Toggle)); }

void Session::step_once() { send(command<Command>(Command::Step)); }

void Session::run_to(int64_t steps) {
  auto c = command<Command>(Command::RunTo);
  c->steps = steps;
  send(std::move(c));
}

std::string Session::schedule(const std::vector<ScheduledChange>& changes) {
  if (changes.empty()) return "";
  for (const ScheduledChange& ch : changes) {  // checked on the caller's thread, so a refusal is immediate
    const Property* p = find_property(ch.key);
    if (!p) return "unknown setting '" + ch.key + "'";
    if (!p->live()) return "setting '" + ch.key + "' needs a new run and cannot change at step " + std::to_string(ch.step);
  }
  auto c = command<Command>(Command::Schedule);
  c->changes = changes;
  send(std::move(c));
  return "";
}

void Session::reset() { send(command<Command>(Command::Reset)); }

void Session::new_seed() { send(command<Command>(Command::NewSeed)); }

std::string Session::apply(const Config& next, const std::string& preset) {
  // Checked here, on the caller's thread, so a refusal is immediate and nothing is queued.
  std::string err = validate(next);
  if (!err.empty()) return err;
  auto c = command<Command>(Command::Apply);
  c->cfg = next;
  c->preset = preset;
  send(std::move(c));
  return "";
}

void Session::reset_with_lr(double lr) {
  auto c = command<Command>(Command::ResetWithLr);
  c->value = lr;
  send(std::move(c));
}

void Session::set_rate(double steps_per_s) {
  rate_ = std::max(0.0, steps_per_s);
  std::lock_guard lk(mu_);  // wake a thread sleeping for the old rate
  cv_.notify_all();
}

double Session::rate() const { return rate_; }

void Session::set_map_layer(int layer) {
  map_layer_ = std::max(0, layer);
  send(command<Command>(Command::MapLayer));
}

void Session::send(std::unique_ptr<Command> c) {
  std::lock_guard lk(mu_);
  queue_.push_back(std::move(c));
  ++queued_;
  cv_.notify_all();
}

uint64_t Session::commands_queued() const { return queued_; }

// [SECTION] Training thread

// Play from the current step: the speed window and the pacing restart now.
void Session::start_running() {
  running_ = true;
  ts_->speed_t0 = ts_->next_step_due = Clock::now();
  ts_->speed_steps0 = trainer_->steps_done();
}

void Session::thread_main() {
  ThreadState& ts = *ts_;
  std::vector<std::unique_ptr<Command>> cmds;
  for (;;) {
    // Wait for a command, for the next step (paced by the rate), or until a pending snapshot is due.
    {
      std::unique_lock lk(mu_);
      for (;;) {
        if (stop_) return;
        if (!queue_.empty()) break;
        if (ts.step_requested && trainer_) break;
        if (running_ && trainer_) {
          const double r = rate_;
          if (r <= 0) break;
          const auto now = Clock::now();
          if (now >= ts.next_step_due) break;
          if (ts.dirty) break;  // publish what we have before sleeping
          cv_.wait_until(lk, ts.next_step_due);
          continue;
        }
        if (ts.dirty) break;
        cv_.wait(lk);
      }
      cmds.swap(queue_);
    }
    ts.commands_done += cmds.size();

    const bool had_commands = !cmds.empty();
    for (auto& c : cmds) {
      switch (c->kind) {
        case Command::Rebuild:
          preset_ = c->preset;
          rebuild(c->cfg);
          break;
        case Command::Play:
          if (trainer_ && !running_) {
            start_running();
            if (ts.diverged) notice_ = "resumed after divergence";
          }
          break;
        case Command::Pause: running_ = false; break;
        case Command::Toggle:
          if (running_)
            running_ = false;
          else if (trainer_)
            start_running();
          break;
        case Command::Step:
          running_ = false;
          ts.step_requested = true;
          break;
        case Command::RunTo:
          if (trainer_ && trainer_->steps_done() < c->steps) {
            ts.stop_at = c->steps;
            if (!running_) start_running();
          } else {
            running_ = false;
          }
          break;
        case Command::Schedule:
          scheduled_ = c->changes;
          if (trainer_) {
            if (std::string err = trainer_->schedule(scheduled_); !err.empty()) notice_ = "refused: " + err, scheduled_.clear();
          }
          break;
        case Command::Reset:
          if (trainer_) {
            rebuild(start_cfg_);
            notice_ = "reset to step 0";
          }
          break;
        case Command::NewSeed:
          if (trainer_) {
            Config next = start_cfg_;
            next.seed = next.seed >= 2147483647 ? 0 : next.seed + 1;
            rebuild(next);
            notice_ = "new seed " + std::to_string(next.seed);
          }
          break;
        case Command::ResetWithLr:
          if (trainer_) {
            Config next = start_cfg_;
            const double old_lr = next.lr;
            next.lr = c->value;
            if (std::string err = validate(next); !err.empty()) {
              notice_ = "refused: " + err;
              break;
            }
            rebuild(next);
            char buf[160];
            std::snprintf(buf, sizeof buf, "restarted with lr %s (was %s)", format_value(next.lr).c_str(),
                          format_value(old_lr).c_str());
            notice_ = buf;
            start_running();  // the user asked to try again
          }
          break;
        case Command::Apply: {
          if (!trainer_) {  // no run yet (the first config failed): any valid config starts one
            rebuild(c->cfg);
            if (trainer_ && !c->preset.empty()) preset_ = c->preset;
            break;
          }
          const Config& cur = trainer_->config();
          const bool new_preset = !c->preset.empty() && c->preset != preset_;
          if (structural_change(cur, c->cfg) || new_preset) {
            const std::string what = new_preset ? "preset " + c->preset : describe_changes(cur, c->cfg);
            const Trainer* before = trainer_.get();
            rebuild(c->cfg);
            if (trainer_.get() != before) {  // else rebuild() left the old run and a "refused" notice
              if (!c->preset.empty()) preset_ = c->preset;
              notice_ = "restarted: " + what;
            }
          } else if (!changed_settings(cur, c->cfg).empty()) {
            const std::string what = describe_changes(cur, c->cfg);
            std::string err = trainer_->apply_live(c->cfg);
            if (err.empty()) start_cfg_ = c->cfg;  // a reset keeps what the user set (not what a schedule did)
            notice_ = err.empty() ? "at step " + std::to_string(trainer_->steps_done()) + ": " + what : "refused: " + err;
          }
          break;
        }
        case Command::MapLayer:
          ts.map_now = true;
          ts.probe_now = true;
          break;
      }
    }
    cmds.clear();
    if (had_commands) {
      ts.dirty = true;
      ts.probe_now = true;
      ts.map_now = true;
    }

    // One step when playing (and due) or when asked for exactly one.
    if (trainer_ && (ts.step_requested || running_)) {
      const auto now = Clock::now();
      const double r = rate_;
      if (ts.step_requested || r <= 0 || now >= ts.next_step_due) {
        const bool single = ts.step_requested;
        ts.step_requested = false;
        const StepMetrics& m = trainer_->step();
        ts.dirty = true;
        if (!m.finite) {
          running_ = false;
          ts.diverged = true;
          ts.diverged_what = m.diverged;
          notice_ = "diverged: " + m.diverged + "; paused";
          ts.probe_now = ts.map_now = true;
        } else {
          if (ts.diverged) ts.diverged = false, ts.diverged_what.clear();
          fill_row(m, ids_, row_);
          history_->append(row_);
        }
        if (r > 0) {  // pace from the due time, not from now, so the average rate holds; never bank a backlog
          ts.next_step_due += std::chrono::duration_cast<Clock::duration>(Seconds(1.0 / r));
          if (ts.next_step_due < now) ts.next_step_due = now;
        }
        if (single) ts.probe_now = ts.map_now = true;
        if (ts.stop_at >= 0 && trainer_->steps_done() >= ts.stop_at) {
          running_ = false;
          ts.stop_at = -1;
          ts.probe_now = ts.map_now = true;
        }
      }
    }

    // Publish after commands, when paused, and at most every kPublishInterval while training.
    const auto now = Clock::now();
    if (ts.dirty && (had_commands || !running_ || Seconds(now - ts.last_publish).count() >= kPublishInterval ||
                     ts.probe_now)) {
      publish();
    }
  }
}

void Session::rebuild(const Config& cfg) {
  ThreadState& ts = *ts_;
  std::string err;
  std::unique_ptr<Trainer> tr = Trainer::create(cfg, &err);
  if (!tr) {  // e.g. an unreadable text_file: the current run stays as it was
    notice_ = "refused: " + err;
    ts.dirty = true;
    return;
  }
  trainer_ = std::move(tr);
  start_cfg_ = cfg;
  if (!scheduled_.empty()) {  // changes for later steps apply to every restart of the run
    if (std::string e = trainer_->schedule(scheduled_); !e.empty()) scheduled_.clear();
  }
  history_ = make_history(cfg, ids_);
  row_.assign(size_t(history_->series_count()), 0.f);
  ts.diverged = false;
  ts.diverged_what.clear();
  ts.probe.clear();
  ts.label_expert.clear();
  ts.map = RoutingMap{};
  ts.probe_xy.clear();
  ts.label_names.clear();
  for (int i = 0; i < trainer_->n_labels(); ++i) ts.label_names.push_back(trainer_->task().label_name(i));
  ts.shown_events.clear();
  ts.shown_event_time.clear();
  ts.trainer_events_seen = 0;
  ts.speed_t0 = Clock::now();
  ts.speed_steps0 = 0;
  ts.steps_per_s = 0;
  ts.next_step_due = Clock::now();
  ts.step_requested = false;
  ts.stop_at = -1;
  ts.probe_now = ts.map_now = true;
  ts.dirty = true;
  notice_.clear();
}

void Session::publish() {
  ThreadState& ts = *ts_;
  const auto now = Clock::now();
  auto s = std::make_shared<RunSnapshot>();
  s->preset = preset_;
  s->running = running_;
  s->history = history_;
  s->ids = ids_;
  s->diverged = ts.diverged;
  s->diverged_what = ts.diverged_what;
  if (trainer_) {
    Trainer& tr = *trainer_;
    const Config& cfg = tr.config();
    s->cfg = cfg;
    s->steps_done = tr.steps_done();
    s->last = tr.last();
    s->sparsity = tr.model().sparsity();
    s->label_names = ts.label_names;

    // Events: fold consecutive changes of one key made within a second (one slider drag) into one marker.
    const std::vector<Event>& evs = tr.events();
    for (; ts.trainer_events_seen < evs.size(); ++ts.trainer_events_seen) {
      const Event& e = evs[ts.trainer_events_seen];
      if (!ts.shown_events.empty() && ts.shown_events.back().key == e.key && e.key != "refused" &&
          Seconds(now - ts.shown_event_time.back()).count() < kEventMergeSeconds) {
        ts.shown_events.back().to = e.to;
        ts.shown_event_time.back() = now;
        if (ts.shown_events.back().from == ts.shown_events.back().to) {  // dragged back where it started
          ts.shown_events.pop_back();
          ts.shown_event_time.pop_back();
        }
        continue;
      }
      ts.shown_events.push_back(e);
      ts.shown_event_time.push_back(now);
    }
    s->events = ts.shown_events;

    // Probe gates of every layer and the label × top-1 expert counts.
    if (ts.probe_now || now >= ts.next_probe) {
      const int L = tr.model().n_layers();
      ts.probe.resize(size_t(L));
      ts.label_expert.assign(size_t(L), {});
      const int n_labels = tr.n_labels();
      for (int l = 0; l < L; ++l) {
        ProbeResult& p = ts.probe[size_t(l)];
        tr.probe(l, p, ts.probe_now);  // a forced probe (stop, step, change) refits the PC plane: shots are exact
        std::vector<double>& counts = ts.label_expert[size_t(l)];
        counts.assign(size_t(n_labels) * size_t(p.experts), 0.0);
        for (int t = 0; t < p.tokens; ++t) {
          const int e = p.top1[size_t(t)], c = p.labels[size_t(t)];
          if (e >= 0 && e < p.experts && c >= 0 && c < n_labels) counts[size_t(c) * size_t(p.experts) + size_t(e)] += 1;
        }
      }
      ts.probe_now = false;
      ts.next_probe = now + std::chrono::duration_cast<Clock::duration>(Seconds(kProbeInterval));
    }
    s->probe = ts.probe;
    s->label_expert = ts.label_expert;

    // Routing map of the plane (blobs only).
    const int map_layer = std::clamp(int(map_layer_), 0, tr.model().n_layers() - 1);
    if (cfg.task == Task::blobs && (ts.map_now || now >= ts.next_map || map_layer != ts.map_layer)) {
      tr.routing_map(map_layer, kMapResolution, ts.map);
      ts.map_layer = map_layer;
      ts.map_now = false;
      ts.next_map = now + std::chrono::duration_cast<Clock::duration>(Seconds(kMapInterval));
    }
    if (cfg.task != Task::blobs) ts.map = RoutingMap{};
    s->map = ts.map;
    s->map_layer = ts.map_layer;
    // The probe batch's inputs in the plane (blobs), drawn on the map.
    if (cfg.task == Task::blobs && ts.probe_xy.empty()) {
      const Batch& probe = tr.probe_batch();
      ts.probe_xy.resize(size_t(2 * probe.T));
      for (int t = 0; t < probe.T; ++t) {
        ts.probe_xy[size_t(2 * t)] = float(probe.inputs(t, 0));
        ts.probe_xy[size_t(2 * t + 1)] = float(probe.inputs(t, 1));
      }
    }
    if (cfg.task != Task::blobs) ts.probe_xy.clear();
    s->probe_xy = ts.probe_xy;

    // Speed over the last kSpeedWindow seconds of training.
    const double dt = Seconds(now - ts.speed_t0).count();
    if (!running_) {
      ts.steps_per_s = 0;
    } else if (dt >= kSpeedWindow) {
      ts.steps_per_s = double(tr.steps_done() - ts.speed_steps0) / dt;
      ts.speed_t0 = now;
      ts.speed_steps0 = tr.steps_done();
    }
    s->steps_per_s = ts.steps_per_s;
  } else {
    s->cfg = snap_ ? snap_->cfg : Config{};  // read of our own last snapshot: only this thread writes snap_
    s->last.layers.resize(size_t(std::max(0, s->cfg.n_layers)));
  }
  s->notice = notice_;
  s->commands_done = ts.commands_done;
  ts.dirty = false;
  ts.last_publish = now;
  std::shared_ptr<const RunSnapshot> old;
  {
    std::lock_guard lk(mu_);
    old = std::move(snap_);
    snap_ = std::move(s);
  }
  // `old` is released here, outside the lock (the UI may still hold it).
}

}  // namespace moe

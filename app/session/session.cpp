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
#include <future>
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
  enum Kind {
    Rebuild,
    Play,
    Pause,
    Toggle,
    Step,
    RunTo,
    Reset,
    NewSeed,
    Apply,
    ResetWithLr,
    MapLayer,
    Schedule,
    Restart,
    Capture
  };
  Kind kind = Play;
  Config cfg;                                     // Rebuild, Apply
  std::string preset;                             // Rebuild, Apply ("" keeps the current one)
  double value = 0;                               // ResetWithLr
  int64_t steps = 0;                              // RunTo
  std::vector<ScheduledChange> changes;           // Schedule, Restart
  bool with_trainer = false;                      // Capture
  std::promise<SessionCapture>* reply = nullptr;  // Capture: fulfilled by the training thread
};

// lm: what the "Text by expert", "Samples" and "Attention" panels show (RunSnapshot's lm fields).
struct LmView {
  std::vector<std::string> text;              // the probe passage, one character per probe token
  std::vector<std::vector<float>> attention;  // [layer][(head·n + i)·n + j], the passage's first window
  std::string prompt, sample;                 // text sampled at this step after the prompt
  int64_t sample_step = -1;                   // the step and temperature `sample` was drawn at
  double sample_temperature = -1;
  Clock::time_point next_sample{};
};
constexpr int kSampleLength = 160;  // characters sampled
constexpr double kSampleInterval =
    1.0;  // s between samples while training (each costs ~kSampleLength forwards of a window)

// Right after Trainer::probe ran the probe passage through the model (its attention is still there).
void refresh_lm_view(Trainer& tr, LmView& v, Clock::time_point now) {
  const Model<float>& m = tr.model();
  const Batch& probe = tr.probe_batch();
  if (v.text.size() != size_t(probe.T)) {
    v.text.resize(size_t(probe.T));
    for (int t = 0; t < probe.T; ++t) v.text[size_t(t)] = tr.task().token_text(probe.token_ids[size_t(t)]);
  }
  const int n = m.lm_context(), H = m.lm_heads();
  v.attention.resize(size_t(m.n_layers()));
  for (int l = 0; l < m.n_layers(); ++l) {
    const Mat<float>& P = m.attention(l);
    std::vector<float>& a = v.attention[size_t(l)];
    a.resize(size_t(H) * size_t(n) * size_t(n));
    for (int r = 0; r < H * n; ++r)
      for (int j = 0; j < n; ++j) a[size_t(r) * size_t(n) + size_t(j)] = P(r, j);
  }
  const double temperature = tr.config().sample_temperature;
  const bool stale = v.sample_step != tr.steps_done() || v.sample_temperature != temperature;
  if (stale && (now >= v.next_sample || v.sample.empty() || v.sample_temperature != temperature)) {
    v.sample = tr.generate(kSampleLength, temperature, uint64_t(tr.config().seed) + uint64_t(tr.steps_done()),
                           &v.prompt);
    v.sample_step = tr.steps_done();
    v.sample_temperature = temperature;
    v.next_sample = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kSampleInterval));
  }
}

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
  LmView lm;                    // lm: the probe passage, its attention, a sample
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
  int64_t stop_at = -1;        // RunTo: pause once steps_done reaches this
  uint64_t commands_done = 0;  // commands taken off the queue so far
};

// [SECTION] History layout

namespace {

// Declares one series per row of the metric table (per layer for the router's), filling ids.
std::shared_ptr<History> make_history(const Config& cfg, HistoryIds& ids) {
  auto h = std::make_shared<History>(HistoryOptions{});
  ids = HistoryIds{};
  ids.run.assign(size_t(kMetricCount), -1);
  ids.layers.assign(size_t(cfg.n_layers), std::vector<SeriesId>(size_t(kMetricCount), -1));
  for (int i = 0; i < kMetricCount; ++i)
    if (kMetricTable[i].scope == MetricScope::run) ids.run[size_t(i)] = h->add_series(kMetricTable[i].key);
  const int E = cfg.routed_experts();
  for (int l = 0; l < cfg.n_layers; ++l) {
    std::string prefix = "L";
    prefix += std::to_string(l);
    prefix += '/';
    for (int i = 0; i < kMetricCount; ++i) {
      const MetricDef& d = kMetricTable[i];
      SeriesId& id = ids.layers[size_t(l)][size_t(i)];
      if (d.scope == MetricScope::layer) id = h->add_series(prefix + d.key);
      if (d.scope == MetricScope::layer_bins || d.scope == MetricScope::expert)
        id = h->add_series_group(prefix + d.key, metric_width(d, E));
    }
  }
  return h;
}

// One History row from a finite step's metrics; row must have series_count() entries.
void fill_row(const StepMetrics& m, const HistoryIds& ids, std::vector<float>& row) {
  std::fill(row.begin(), row.end(), std::numeric_limits<float>::quiet_NaN());
  auto put = [&](SeriesId id, double v) {
    row[size_t(id)] = float(v);
  };  // accuracy is NaN for regression: plots skip it
  for (int i = 0; i < kMetricCount; ++i)
    if (kMetricTable[i].scope == MetricScope::run) put(ids.run[size_t(i)], kMetricTable[i].run(m));
  for (size_t l = 0; l < ids.layers.size() && l < m.layers.size(); ++l) {
    const LayerMetrics& lm = m.layers[l];
    for (int i = 0; i < kMetricCount; ++i) {
      const MetricDef& d = kMetricTable[i];
      const SeriesId id = ids.layers[l][size_t(i)];
      if (d.scope == MetricScope::layer) put(id, d.layer(lm));
      if (d.scope == MetricScope::layer_bins || d.scope == MetricScope::expert) {
        const std::span<const double> v = d.values(lm);
        for (size_t e = 0; e < v.size(); ++e) put(id + SeriesId(e), v[e]);
      }
    }
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

Session::Session(SessionStart start) : ts_(std::make_unique<ThreadState>()) {
  trainer_ = std::move(start.trainer);
  history_ = std::move(start.history);
  ids_ = std::move(start.ids);
  preset_ = std::move(start.preset);
  run_cfg_ = start_cfg_ = start.run_config;
  scheduled_ = std::move(start.changes);
  row_.assign(size_t(history_->series_count()), 0.f);
  reset_thread_state();
  publish();  // the first snapshot, made here before the training thread exists
  thread_ = std::thread([this] { thread_main(); });
}

Session::~Session() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& c : queue_)  // a capture asked for from another thread while this one ends: answer it
    if (c->kind == Command::Capture)
      c->reply->set_value(SessionCapture{nullptr, nullptr, nullptr, "the run was closed"});
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
    if (!p->live())
      return "setting '" + ch.key + "' needs a new run and cannot change at step " + std::to_string(ch.step);
  }
  auto c = command<Command>(Command::Schedule);
  c->changes = changes;
  send(std::move(c));
  return "";
}

void Session::reset() { send(command<Command>(Command::Reset)); }

std::string Session::restart(const Config& cfg, const std::string& preset,
                             const std::vector<ScheduledChange>& schedule) {
  if (std::string err = validate(cfg); !err.empty()) return err;
  for (const ScheduledChange& ch :
       schedule) {  // the trainer checks values; names and liveness are refused here, at once
    const Property* p = find_property(ch.key);
    if (!p) return "unknown setting '" + ch.key + "'";
    if (!p->live())
      return "setting '" + ch.key + "' needs a new run and cannot change at step " + std::to_string(ch.step);
  }
  auto c = command<Command>(Command::Restart);
  c->cfg = cfg;
  c->preset = preset;
  c->changes = schedule;
  send(std::move(c));
  return "";
}

void Session::set_stop_at(int64_t steps) { stop_at_ = std::max<int64_t>(0, steps); }

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

void Session::set_side_by_side(int n) { side_by_side_ = std::max(1, n); }

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

SessionCapture Session::capture(bool with_trainer) {
  std::promise<SessionCapture> reply;
  std::future<SessionCapture> done = reply.get_future();
  auto c = command<Command>(Command::Capture);
  c->with_trainer = with_trainer;
  c->reply = &reply;
  send(std::move(c));
  return done.get();  // the thread runs every queued command before it stops, so this returns
}

// [SECTION] Training thread

// Play from the current step: the speed window and the pacing restart now.
void Session::start_running() {
  running_ = true;
  ts_->speed_t0 = ts_->next_step_due = Clock::now();
  ts_->speed_steps0 = trainer_->steps_done();
}

// The loop: take the queued commands, run them, train a step if one is due, publish.
void Session::thread_main() {
  std::vector<std::unique_ptr<Command>> cmds;
  while (wait_for_work(cmds)) {
    ThreadState& ts = *ts_;
    ts.commands_done += cmds.size();
    const bool had_commands = !cmds.empty();
    for (auto& c : cmds) run_command(*c);
    cmds.clear();
    if (had_commands) {
      ts.dirty = true;
      ts.probe_now = true;
      ts.map_now = true;
    }
    train_if_due();
    // Publish after commands, when paused, and at most every kPublishInterval while training.
    const auto now = Clock::now();
    if (ts.dirty && (had_commands || !running_ ||
                     Seconds(now - ts.last_publish).count() >= kPublishInterval * side_by_side_ || ts.probe_now)) {
      publish();
    }
  }
}

// Blocks until a command is queued, a step is due (paced by the rate) or a pending snapshot
// should go out, then moves the queue into cmds. False once the Session is being destroyed.
bool Session::wait_for_work(std::vector<std::unique_ptr<Command>>& cmds) {
  const ThreadState& ts = *ts_;
  std::unique_lock lk(mu_);
  for (;;) {
    if (stop_) return false;
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
  return true;
}

// One command, at a step boundary.
void Session::run_command(const Command& c) {
  ThreadState& ts = *ts_;
  switch (c.kind) {
    case Command::Rebuild:
      preset_ = c.preset;
      rebuild(c.cfg);
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
      if (trainer_ && trainer_->steps_done() < c.steps) {
        ts.stop_at = c.steps;
        if (!running_) start_running();
      } else {
        running_ = false;
      }
      break;
    case Command::Schedule:
      scheduled_ = c.changes;
      if (trainer_) {
        if (std::string err = trainer_->schedule(scheduled_); !err.empty())
          notice_ = "refused: " + err, scheduled_.clear();
      }
      break;
    case Command::Restart: {
      const Trainer* before = trainer_.get();
      const std::vector<ScheduledChange> old_schedule = scheduled_;
      scheduled_ = c.changes;
      rebuild(c.cfg);
      if (trainer_ && trainer_.get() != before) {
        preset_ = c.preset;
        notice_ = "started " + (c.preset.empty() ? std::string("the config") : c.preset) + " from step 0";
        if (!c.changes.empty() && scheduled_.empty()) notice_ = "refused: the schedule does not apply to this config";
      } else {
        scheduled_ = old_schedule;  // rebuild() refused: the old run and its schedule stay
      }
      break;
    }
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
    case Command::ResetWithLr: reset_with_lr_now(c.value); break;
    case Command::Apply: apply_now(c.cfg, c.preset); break;
    case Command::MapLayer:
      ts.map_now = true;
      ts.probe_now = true;
      break;
    case Command::Capture: {
      SessionCapture out;
      capture_now(c.with_trainer, out);
      c.reply->set_value(std::move(out));
      break;
    }
  }
}

// A consistent copy at this step boundary: a fresh snapshot (probes refreshed), then the
// trainer and history copied before anything else happens on this thread.
void Session::capture_now(bool with_trainer, SessionCapture& out) {
  if (!trainer_) {
    out.error = "the run has not started (its config was refused)";
    return;
  }
  ThreadState& ts = *ts_;
  ts.probe_now = ts.map_now = true;
  publish();
  if (with_trainer) {
    out.trainer = trainer_->clone(&out.error);
    if (!out.trainer) return;
  }
  out.history = std::make_shared<History>(*history_);
  auto s = std::make_shared<RunSnapshot>(*snapshot());
  s->history = out.history;
  s->running = false;
  s->steps_per_s = 0;
  out.snap = std::move(s);
}

// After divergence: the start config with a smaller learning rate, playing at once (the user asked to try again).
void Session::reset_with_lr_now(double lr) {
  if (!trainer_) return;
  Config next = start_cfg_;
  const double old_lr = next.lr;
  next.lr = lr;
  if (std::string err = validate(next); !err.empty()) {
    notice_ = "refused: " + err;
    return;
  }
  rebuild(next);
  char buf[160];
  std::snprintf(buf, sizeof buf, "restarted with lr %s (was %s)", format_value(next.lr).c_str(),
                format_value(old_lr).c_str());
  notice_ = buf;
  start_running();
}

// A new config from the controls: a structural change (or another preset) restarts the run,
// live changes apply at the next step as events.
void Session::apply_now(const Config& next, const std::string& preset) {
  if (!trainer_) {  // no run yet (the first config failed): any valid config starts one
    rebuild(next);
    if (trainer_ && !preset.empty()) preset_ = preset;
    return;
  }
  const Config& cur = trainer_->config();
  const bool new_preset = !preset.empty() && preset != preset_;
  if (structural_change(cur, next) || new_preset) {
    const std::string what = new_preset ? "preset " + preset : describe_changes(cur, next);
    const Trainer* before = trainer_.get();
    rebuild(next);
    if (trainer_.get() != before) {  // else rebuild() left the old run and a "refused" notice
      if (!preset.empty()) preset_ = preset;
      notice_ = "restarted: " + what;
    }
  } else if (!changed_settings(cur, next).empty()) {
    const std::string what = describe_changes(cur, next);
    const std::vector<std::string> keys = changed_settings(cur, next);
    std::string err = trainer_->apply_live(next);
    if (err.empty()) {
      start_cfg_ = next;  // a reset keeps what the user set (not what a schedule did)
      // Logged with exact values; a second change of one key before the next step replaces the first.
      const int64_t at = trainer_->steps_done();
      for (const std::string& key : keys) {
        const std::string v = format_value_exact(find_property(key)->get(next));
        auto same = std::find_if(user_changes_.begin(), user_changes_.end(),
                                 [&](const ScheduledChange& u) { return u.step == at && u.key == key; });
        if (same != user_changes_.end())
          same->value = v;
        else
          user_changes_.push_back({at, key, v});
      }
    }
    notice_ = err.empty() ? "at step " + std::to_string(trainer_->steps_done()) + ": " + what : "refused: " + err;
  }
}

// One step when playing (and due by the rate) or when asked for exactly one; a finite step
// becomes a History row, a diverged one pauses the run.
void Session::train_if_due() {
  ThreadState& ts = *ts_;
  if (!trainer_ || !(ts.step_requested || running_)) return;
  const auto now = Clock::now();
  const double r = rate_;
  if (!(ts.step_requested || r <= 0 || now >= ts.next_step_due)) return;
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
  if (const int64_t stop = stop_at_; !single && running_ && stop > 0 && trainer_->steps_done() == stop) {
    running_ = false;
    notice_ = "paused at step " + std::to_string(stop) + " (stop at); Continue trains on";
    ts.probe_now = ts.map_now = true;
  }
  if (ts.stop_at >= 0 && trainer_->steps_done() >= ts.stop_at) {
    running_ = false;
    ts.stop_at = -1;
    ts.probe_now = ts.map_now = true;
  }
}

void Session::rebuild(const Config& cfg) {
  std::string err;
  std::unique_ptr<Trainer> tr = Trainer::create(cfg, &err);
  if (!tr) {  // e.g. an unreadable text_file: the current run stays as it was
    notice_ = "refused: " + err;
    ts_->dirty = true;
    return;
  }
  trainer_ = std::move(tr);
  start_cfg_ = cfg;
  run_cfg_ = cfg;
  user_changes_.clear();
  if (!scheduled_.empty()) {  // changes for later steps apply to every restart of the run
    if (std::string e = trainer_->schedule(scheduled_); !e.empty()) scheduled_.clear();
  }
  history_ = make_history(cfg, ids_);
  row_.assign(size_t(history_->series_count()), 0.f);
  reset_thread_state();
  notice_.clear();
}

void Session::reset_thread_state() {
  ThreadState& ts = *ts_;
  ts.diverged = false;
  ts.diverged_what.clear();
  ts.probe.clear();
  ts.label_expert.clear();
  ts.map = RoutingMap{};
  ts.probe_xy.clear();
  ts.lm = LmView{};
  ts.label_names.clear();
  for (int i = 0; i < trainer_->n_labels(); ++i) ts.label_names.push_back(trainer_->task().label_name(i));
  ts.shown_events.clear();
  ts.shown_event_time.clear();
  ts.trainer_events_seen = 0;
  ts.speed_t0 = Clock::now();
  ts.speed_steps0 = trainer_->steps_done();
  ts.steps_per_s = 0;
  ts.next_step_due = Clock::now();
  ts.step_requested = false;
  ts.stop_at = -1;
  ts.probe_now = ts.map_now = true;
  ts.dirty = true;
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
    // The user's changes before the schedule's at one step: at a step boundary the
    // controls' change lands first, then the trainer applies that step's schedule.
    s->run_config = run_cfg_;
    s->changes = user_changes_;
    s->changes.insert(s->changes.end(), scheduled_.begin(), scheduled_.end());
    std::stable_sort(s->changes.begin(), s->changes.end(),
                     [](const ScheduledChange& a, const ScheduledChange& b) { return a.step < b.step; });

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
      if (cfg.task == Task::lm) refresh_lm_view(tr, ts.lm, now);
      ts.probe_now = false;
      ts.next_probe = now + std::chrono::duration_cast<Clock::duration>(Seconds(kProbeInterval * side_by_side_));
    }
    if (cfg.task != Task::lm) ts.lm = LmView{};
    s->probe_text = ts.lm.text;
    s->probe_attention = ts.lm.attention;
    s->sample_prompt = ts.lm.prompt;
    s->sample = ts.lm.sample;
    s->probe = ts.probe;
    s->label_expert = ts.label_expert;

    // Routing map of the plane (blobs only).
    const int map_layer = std::clamp(int(map_layer_), 0, tr.model().n_layers() - 1);
    if (cfg.task == Task::blobs && (ts.map_now || now >= ts.next_map || map_layer != ts.map_layer)) {
      tr.routing_map(map_layer, kMapResolution, ts.map);
      ts.map_layer = map_layer;
      ts.map_now = false;
      ts.next_map = now + std::chrono::duration_cast<Clock::duration>(Seconds(kMapInterval * side_by_side_));
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
  s->stop_at = stop_at_;
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

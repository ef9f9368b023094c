// run_set.cpp: see run_set.h.
//
// [SECTION] Difference labels
// [SECTION] Memory: how many runs fit
// [SECTION] RunSet
#include "run_set.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

namespace moe {

// [SECTION] Difference labels

namespace {

// A short form of a value for a label: 0, 2, 0.5, 1e-2, 3e-4, softmax, true.
std::string short_value(const PropValue& v) {
  const double* d = std::get_if<double>(&v);
  if (!d) return format_value(v);
  const double x = *d;
  if (x == 0 || !std::isfinite(x)) return format_value(v);
  char buf[64];
  const double a = std::fabs(x);
  if (a < 0.1 || a >= 1e5) {  // scientific, the fewest mantissa digits that read back the value
    for (int prec = 0; prec <= 16; ++prec) {
      std::snprintf(buf, sizeof buf, "%.*e", prec, x);
      if (prec == 16 || std::strtod(buf, nullptr) == x) break;
    }
    std::string s = buf;
    const size_t e = s.find('e');
    std::string mant = s.substr(0, e);
    const int exp = std::atoi(s.c_str() + e + 1);
    return mant + "e" + std::to_string(exp);
  }
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

}  // namespace

std::string difference_label(const Config& first, const Config& run, const std::vector<ScheduledChange>& changes) {
  std::vector<std::string> parts;
  std::string seed;
  for (const Property& p : properties()) {
    if (std::string_view(p.name) == "threads") continue;  // never changes the numbers
    const PropValue a = p.get(first), b = p.get(run);
    if (a == b) continue;
    if (p.flags & PropFlags_Seed) {
      seed = "seed " + format_value(b);
      continue;
    }
    parts.push_back(std::string(short_name(p.name)) + "=" + short_value(b));
  }
  if (!seed.empty()) parts.push_back(seed);
  for (const ScheduledChange& c : changes) {
    const Property* p = find_property(c.key);
    std::string value = c.value;
    if (p) {
      Config scratch = run;
      if (p->set_from_text(scratch, c.value).empty()) value = short_value(p->get(scratch));
    }
    parts.push_back(std::string(p ? short_name(p->name) : c.key.c_str()) + "=" + value + "@" + std::to_string(c.step));
  }
  return join(parts);
}

// [SECTION] Memory: how many runs fit

namespace {

constexpr int kFewRuns = 9, kManyRuns = 16, kMostRuns = 48;
constexpr int kMaxSeeds = 16;

}  // namespace

double available_memory_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? double(pages) * double(page) : 0;
}

namespace {

// A run's History bound: per series the raw ring and the bucket levels a 10^6-step run uses.
double history_bound_bytes(const History& h) {
  const double C = h.options().capacity;
  const double levels = std::ceil(std::log2(1e6 / C)) + 1;
  return h.series_count() * C * (sizeof(float) + 12.0 * levels);
}

bool same_change(const ScheduledChange& a, const ScheduledChange& b) {
  return a.step == b.step && a.key == b.key && a.value == b.value;
}

// The changes of one run that the first run does not make too.
std::vector<ScheduledChange> changes_beyond(const std::vector<ScheduledChange>& run,
                                            const std::vector<ScheduledChange>& first) {
  std::vector<ScheduledChange> out;
  for (const ScheduledChange& c : run)
    if (std::none_of(first.begin(), first.end(), [&](const ScheduledChange& f) { return same_change(c, f); }))
      out.push_back(c);
  return out;
}

}  // namespace

std::string check_schedule(Config cfg, std::vector<ScheduledChange> plan) {
  std::stable_sort(plan.begin(), plan.end(),
                   [](const ScheduledChange& a, const ScheduledChange& b) { return a.step < b.step; });
  for (size_t i = 0; i < plan.size();) {
    size_t j = i;
    for (; j < plan.size() && plan[j].step == plan[i].step; ++j) {
      const ScheduledChange& c = plan[j];
      const Property* p = find_property(c.key);
      if (!p) return "unknown setting '" + c.key + "' (`moescope run --help` lists them)";
      if (!p->live())
        return "setting '" + c.key + "' changes the model's structure and cannot change at step " +
               std::to_string(c.step) + "; change it from step 0";
      if (std::string err = p->set_from_text(cfg, c.value); !err.empty())
        return "at step " + std::to_string(c.step) + ": " + err;
    }
    if (std::string err = validate(cfg); !err.empty()) return "at step " + std::to_string(plan[i].step) + ": " + err;
    i = j;
  }
  return "";
}

// [SECTION] RunSet

struct RunSet::Run {
  RunInfo info;
  std::unique_ptr<Session> session;           // Live
  std::shared_ptr<const RunSnapshot> frozen;  // Pinned, Results
  // What the run is, as it was made (labels before its first snapshot; Reset replays it).
  Config run_config;
  std::vector<ScheduledChange> changes;
  std::shared_ptr<const RunSnapshot> snap() const { return session ? session->snapshot() : frozen; }
  // The run's config at step 0 and its changes, from its latest snapshot once it has one.
  // (A snapshot published before the run's thread took its schedule does not know it yet.)
  void describe(Config& cfg, std::vector<ScheduledChange>& ch) const {
    const std::shared_ptr<const RunSnapshot> s = snap();
    if (info.kind == RunKind::Live && s && s->run_config.n_layers > 0 &&
        s->commands_done >= session->commands_queued()) {
      cfg = s->run_config, ch = s->changes;
    } else {
      cfg = run_config, ch = changes;
    }
  }
};

RunSet::RunSet(const Config& cfg, std::string preset) {
  auto s = std::make_unique<Session>(cfg, preset);
  const double per_run = estimate_bytes(cfg) + history_bound_bytes(*s->snapshot()->history);
  const double budget = 0.5 * available_memory_bytes();
  max_runs_ = budget > 0 && kManyRuns * per_run <= budget ? kManyRuns : kFewRuns;
  max_total_ = std::clamp(budget > 0 ? int(budget / std::max(per_run, 1.0)) : kFewRuns, max_runs_, kMostRuns);
  add_live(std::move(s), RunInfo{}, cfg, {});
}

RunSet::~RunSet() = default;

int RunSet::max_runs() const { return max_runs_; }

int RunSet::max_total_runs() const { return max_total_; }

int RunSet::size() const { return int(runs_.size()); }

int RunSet::entries() const {
  std::set<int> groups;
  int n = 0;
  for (const auto& r : runs_) {
    if (r->info.group < 0)
      ++n;
    else if (groups.insert(r->info.group).second)
      ++n;
  }
  return n;
}

RunSet::Run* RunSet::find(int id) {
  for (auto& r : runs_)
    if (r->info.id == id) return r.get();
  return nullptr;
}

const RunSet::Run* RunSet::find(int id) const {
  for (const auto& r : runs_)
    if (r->info.id == id) return r.get();
  return nullptr;
}

int RunSet::first() const { return runs_.empty() ? -1 : runs_.front()->info.id; }

int RunSet::next_style() const {
  for (int style = 0;; ++style)
    if (std::none_of(runs_.begin(), runs_.end(), [&](const auto& r) { return r->info.style == style; })) return style;
}

// The first run's label beside others: its own values of every setting another live run
// changes ("α=0" beside "α=1e-2"), a seed group counted once (by its first member, whose
// seed is the group's); "" when no live run changes anything.
std::string RunSet::first_label() const {
  const Run& f = *runs_.front();
  Config fc;
  std::vector<ScheduledChange> fch;
  f.describe(fc, fch);
  std::set<std::string> keys;
  std::set<int> groups;
  if (f.info.group >= 0) groups.insert(f.info.group);
  for (size_t i = 1; i < runs_.size(); ++i) {
    const Run& r = *runs_[i];
    if (r.info.kind != RunKind::Live) continue;  // a file's config or a pin's is not a change made here
    if (r.info.group >= 0 && !groups.insert(r.info.group).second) continue;
    Config c;
    std::vector<ScheduledChange> ch;
    r.describe(c, ch);
    for (const Property& p : properties())
      if (std::string_view(p.name) != "threads" && p.get(fc) != p.get(c)) keys.insert(p.name);
    for (const ScheduledChange& c2 : changes_beyond(ch, fch))
      if (const Property* p = find_property(c2.key)) keys.insert(p->name);
  }
  std::vector<std::string> parts;
  std::string seed;
  for (const Property& p : properties()) {
    if (!keys.count(p.name)) continue;
    if (p.flags & PropFlags_Seed)
      seed = "seed " + format_value(p.get(fc));
    else
      parts.push_back(std::string(short_name(p.name)) + "=" + short_value(p.get(fc)));
  }
  if (!seed.empty()) parts.push_back(seed);
  return join(parts);
}

std::string RunSet::auto_label(const Run& r) const {
  if (r.info.label_edited || r.info.kind != RunKind::Live) return r.info.label;
  if (&r == runs_.front().get()) {
    if (std::string by_others = first_label(); !by_others.empty()) return by_others;
    const auto s = r.snap();
    return s && !s->preset.empty() ? s->preset : "first run";
  }
  Config first_cfg, cfg;
  std::vector<ScheduledChange> first_changes, changes;
  runs_.front()->describe(first_cfg, first_changes);
  r.describe(cfg, changes);
  const std::string label = difference_label(first_cfg, cfg, changes_beyond(changes, first_changes));
  return label.empty() ? "same as first" : label;
}

std::vector<RunView> RunSet::views() const {
  std::vector<RunView> out;
  out.reserve(runs_.size());
  for (const auto& r : runs_) {
    RunView v{r->info, r->snap()};
    v.info.label = auto_label(*r);
    v.info.paused = !(v.snap && v.snap->running);
    out.push_back(std::move(v));
  }
  return out;
}

RunInfo RunSet::info(int id) const {
  const Run* r = find(id);
  if (!r) return RunInfo{};
  RunInfo i = r->info;
  i.label = auto_label(*r);
  const auto s = r->snap();
  i.paused = !(s && s->running);
  return i;
}

int RunSet::selected() const { return selected_; }

void RunSet::select(int id) {
  if (find(id)) selected_ = id;
}

Session* RunSet::session(int id) {
  Run* r = find(id);
  return r ? r->session.get() : nullptr;
}

std::shared_ptr<const RunSnapshot> RunSet::snapshot(int id) const {
  const Run* r = find(id);
  return r ? r->snap() : nullptr;
}

std::string RunSet::check_room(int new_runs, bool new_entry) const {
  if (new_entry && entries() + 1 > max_runs_)
    return "the window holds at most " + std::to_string(max_runs_) +
           " runs in its list; remove one first (this machine's memory allows " + std::to_string(max_runs_) + ")";
  if (size() + new_runs > max_total_)
    return "that needs " + std::to_string(new_runs) + " more run(s) but the window trains at most " +
           std::to_string(max_total_) + " at once on this machine's memory (" + std::to_string(size()) +
           " now); remove some first";
  return "";
}

int RunSet::add_live(std::unique_ptr<Session> s, RunInfo info, const Config& run_config,
                     std::vector<ScheduledChange> changes) {
  auto r = std::make_unique<Run>();
  info.id = next_id_++;
  info.kind = RunKind::Live;
  if (info.style < 0 || runs_.empty()) info.style = next_style();
  r->info = std::move(info);
  r->session = std::move(s);
  r->run_config = run_config;
  r->changes = std::move(changes);
  runs_.push_back(std::move(r));
  share_refreshes();
  if (selected_ < 0) selected_ = runs_.back()->info.id;
  return runs_.back()->info.id;
}

int RunSet::duplicate(int id, const std::vector<ScheduledChange>& changes, std::string* error) {
  return duplicate_as(id, changes, true, error);
}

int RunSet::duplicate_as(int id, const std::vector<ScheduledChange>& changes, bool new_entry, std::string* error) {
  std::string err;
  const Run* src = find(id);
  if (!src) err = "no run " + std::to_string(id);
  if (err.empty()) err = check_room(1, new_entry);
  Config cfg;
  std::vector<ScheduledChange> schedule;
  std::string preset;
  if (err.empty()) {
    src->describe(cfg, schedule);
    if (const auto s = src->snap()) preset = s->preset;
    if (src->info.kind == RunKind::Results && src->frozen) cfg = src->frozen->cfg, schedule.clear();
  }
  for (size_t i = 0; err.empty() && i < changes.size(); ++i) {
    const ScheduledChange& c = changes[i];
    const Property* p = find_property(c.key);
    if (!p)
      err = "unknown setting '" + c.key + "' (`moescope run --help` lists them)";
    else if (c.step <= 0)
      err = p->set_from_text(cfg, c.value);
    else
      schedule.push_back({c.step, p->name, c.value});
  }
  if (err.empty()) err = validate(cfg);
  if (err.empty()) err = check_schedule(cfg, schedule);
  if (!err.empty()) {
    if (error) *error = err;
    return -1;
  }
  auto s = std::make_unique<Session>(cfg, preset);
  if (!schedule.empty()) s->schedule(schedule);
  RunInfo info;
  info.style = -1;
  return add_live(std::move(s), info, cfg, schedule);
}

int RunSet::add_run(const Config& cfg, const std::vector<ScheduledChange>& schedule, const std::string& preset,
                    const RunInfo& like, std::string* error) {
  const bool joins = like.group >= 0 && !group_members(like.group).empty();
  std::string err = check_room(1, !joins);
  if (err.empty()) err = validate(cfg);
  if (err.empty()) err = check_schedule(cfg, schedule);
  if (!err.empty()) {
    if (error) *error = err;
    return -1;
  }
  auto s = std::make_unique<Session>(cfg, preset);
  if (!schedule.empty()) s->schedule(schedule);
  RunInfo info;
  info.style = -1;
  if (like.label_edited) info.label = like.label, info.label_edited = true;
  info.visible = like.visible;
  info.parent = find(like.parent) ? like.parent : -1;
  info.fork_step = info.parent >= 0 ? like.fork_step : -1;
  if (like.group >= 0) {
    info.group = like.group;
    next_group_ = std::max(next_group_, like.group + 1);
    if (joins) info.style = find(group_members(like.group).front())->info.style;
  }
  return add_live(std::move(s), info, cfg, schedule);
}

bool RunSet::describe(int id, Config* cfg, std::vector<ScheduledChange>* changes) const {
  const Run* r = find(id);
  if (!r) return false;
  Config c;
  std::vector<ScheduledChange> ch;
  r->describe(c, ch);
  if (cfg) *cfg = c;
  if (changes) *changes = ch;
  return true;
}

int RunSet::fork(int id, const std::vector<ScheduledChange>& changes, std::string* error) {
  auto fail = [&](const std::string& e) {
    if (error) *error = e;
    return -1;
  };
  Run* src = find(id);
  if (!src) return fail("no run " + std::to_string(id));
  if (!src->session) return fail("only a training run can be forked; this one is a fixed reference (duplicate it)");
  if (std::string e = check_room(1, true); !e.empty()) return fail(e);
  for (const ScheduledChange& c : changes) {
    const Property* p = find_property(c.key);
    if (!p) return fail("unknown setting '" + c.key + "' (`moescope run --help` lists them)");
    if (!p->live())
      return fail("setting '" + c.key +
                  "' changes the model's structure, so a fork cannot change it; duplicate the run instead");
  }
  const bool was_running = src->session->snapshot()->running;
  SessionCapture cap = src->session->capture(true);
  if (!cap.error.empty()) return fail(cap.error);
  const int64_t at = cap.trainer->steps_done();
  std::vector<ScheduledChange> now;
  for (const ScheduledChange& c : changes) now.push_back({at, find_property(c.key)->name, c.value});
  if (std::string e = cap.trainer->schedule(now); !e.empty()) return fail(e);
  SessionStart start;
  start.trainer = std::move(cap.trainer);
  start.history = cap.history;
  start.ids = cap.snap->ids;
  start.preset = cap.snap->preset;
  start.run_config = cap.snap->run_config;
  start.changes = cap.snap->changes;
  start.changes.insert(start.changes.end(), now.begin(), now.end());
  const Config run_config = start.run_config;
  const std::vector<ScheduledChange> all = start.changes;
  auto s = std::make_unique<Session>(std::move(start));
  s->set_rate(src->session->rate());  // it goes on at its parent's pace
  if (was_running) s->play();
  RunInfo info;
  info.style = -1;
  info.parent = id;
  info.fork_step = at;
  return add_live(std::move(s), info, run_config, all);
}

int RunSet::pin(int id, std::string* error) {
  const Run* src = find(id);
  std::string err = src ? check_room(1, true) : "no run " + std::to_string(id);
  std::shared_ptr<const RunSnapshot> snap;
  if (err.empty()) {
    if (src->session) {
      SessionCapture cap = src->session->capture(false);
      err = cap.error;
      snap = cap.snap;
    } else {
      snap = src->frozen;  // already immutable: the pin shares it
    }
  }
  if (!err.empty()) {
    if (error) *error = err;
    return -1;
  }
  auto r = std::make_unique<Run>();
  r->info.id = next_id_++;
  r->info.kind = RunKind::Pinned;
  r->info.style = next_style();
  r->info.parent = id;
  r->info.label = auto_label(*src) + " (pinned at step " + std::to_string(snap->steps_done) + ")";
  r->frozen = snap;
  src->describe(r->run_config, r->changes);
  runs_.push_back(std::move(r));
  share_refreshes();
  return runs_.back()->info.id;
}

std::vector<int> RunSet::group_members(int group) const {
  std::vector<int> ids;
  if (group < 0) return ids;
  for (const auto& r : runs_)
    if (r->info.group == group) ids.push_back(r->info.id);
  return ids;
}

std::string RunSet::repeat_over_seeds(int id, int n) {
  Run* base = find(id);
  if (!base) return "no run " + std::to_string(id);
  if (!base->session) return "only a training run can be repeated over seeds";
  if (n < 1 || n > kMaxSeeds) return "seeds: " + std::to_string(n) + " is not allowed: a group has 1 to 16 seeds";
  std::vector<int> members = group_members(base->info.group);
  if (members.empty()) members.push_back(id);
  Config cfg;
  std::vector<ScheduledChange> sched;
  base->describe(cfg, sched);
  std::set<int64_t> seeds;
  for (int m : members) {
    Config c;
    std::vector<ScheduledChange> ch;
    find(m)->describe(c, ch);
    seeds.insert(c.seed);
  }
  const int have = int(members.size());
  if (n > have) {
    if (std::string e = check_room(n - have, false); !e.empty()) return e;
    if (base->info.group < 0) base->info.group = next_group_++;
    const bool playing = base->session->snapshot()->running;
    for (int64_t seed = cfg.seed; int(seeds.size()) < n; ++seed) {
      if (seeds.count(seed)) continue;
      if (seed > int64_t(find_property("seed")->max))
        return "seeds: the group would need seed " + std::to_string(seed) + ", above the largest seed";
      std::string err;
      const int m = duplicate_as(id, {{0, "seed", std::to_string(seed)}}, false, &err);  // joins the group's entry
      if (m < 0) return err;
      Run* r = find(m);
      r->info.group = base->info.group;
      r->info.style = base->info.style;  // a group is drawn as one band in its run's colour
      if (playing) r->session->play();
      seeds.insert(seed);
    }
    return "";
  }
  // Fewer: the members with the highest seeds go (never the run asked about).
  while (int(members.size()) > n) {
    int drop = -1;
    int64_t highest = -1;
    for (int m : members) {
      Config c;
      std::vector<ScheduledChange> ch;
      find(m)->describe(c, ch);
      if (m != id && c.seed > highest) highest = c.seed, drop = m;
    }
    remove(drop);
    members.erase(std::find(members.begin(), members.end(), drop));
  }
  if (n == 1) base->info.group = -1;
  return "";
}

int RunSet::add_results(std::shared_ptr<const RunSnapshot> snap, std::string label, std::string* error,
                        std::string source) {
  std::string err;
  if (!snap || !snap->history) err = "the results hold no run";
  if (err.empty()) err = check_room(1, true);
  if (!err.empty()) {
    if (error) *error = err;
    return -1;
  }
  auto r = std::make_unique<Run>();
  r->info.id = next_id_++;
  r->info.kind = RunKind::Results;
  r->info.style = next_style();
  r->info.label = label;
  r->info.source = std::move(source);
  r->run_config = snap->run_config.n_layers > 0 ? snap->run_config : snap->cfg;
  r->changes = snap->changes;
  r->frozen = std::move(snap);
  runs_.push_back(std::move(r));
  share_refreshes();
  return runs_.back()->info.id;
}

// Every live run learns how many train side by side (Session::set_side_by_side).
void RunSet::share_refreshes() {
  int live = 0;
  for (const auto& r : runs_) live += r->session != nullptr;
  for (const auto& r : runs_)
    if (r->session) r->session->set_side_by_side(live);
}

void RunSet::remove(int id) {
  if (runs_.size() <= 1) return;
  auto it = std::find_if(runs_.begin(), runs_.end(), [&](const auto& r) { return r->info.id == id; });
  if (it == runs_.end()) return;
  const int group = (*it)->info.group;
  runs_.erase(it);  // the Session's destructor stops and joins its thread
  share_refreshes();
  if (const std::vector<int> left = group_members(group); left.size() == 1) find(left[0])->info.group = -1;
  if (selected_ == id) selected_ = runs_.front()->info.id;
}

// The runs a list toggle acts on: the run, or every member of its seed group (one entry).
std::vector<int> RunSet::entry_of(int id) const {
  const Run* r = find(id);
  if (!r) return {};
  if (r->info.group < 0) return {id};
  return group_members(r->info.group);
}

void RunSet::set_visible(int id, bool v) {
  for (int m : entry_of(id)) find(m)->info.visible = v;
}

void RunSet::set_paused(int id, bool p) {
  for (int m : entry_of(id)) {
    Run* r = find(m);
    if (!r->session) continue;
    r->info.paused = p;
    if (p)
      r->session->pause();
    else
      r->session->play();
  }
}

void RunSet::restore_info(int id, const RunInfo& like) {
  Run* r = find(id);
  if (!r) return;
  if (r->info.kind != RunKind::Live || like.label_edited) r->info.label = like.label;
  r->info.label_edited = like.label_edited;
  r->info.visible = like.visible;
  if (find(like.parent)) r->info.parent = like.parent, r->info.fork_step = like.fork_step;
  if (like.group >= 0 && r->info.kind == RunKind::Live) {
    r->info.group = like.group;
    next_group_ = std::max(next_group_, like.group + 1);
  }
}

void RunSet::set_label(int id, std::string label) {
  Run* r = find(id);
  if (!r) return;
  if (label.empty() && r->info.kind == RunKind::Live) {  // back to the automatic label
    r->info.label_edited = false;
    r->info.label.clear();
    return;
  }
  r->info.label = std::move(label);
  r->info.label_edited = true;
}

void RunSet::play_all() {
  for (auto& r : runs_)
    if (r->session) r->session->play();
}

void RunSet::pause_all() {
  for (auto& r : runs_)
    if (r->session) r->session->pause();
}

}  // namespace moe

// test_run_set.cpp: runs side by side (app/session/run_set.*, run_stats.*; issue 11).
// The threaded tests are named Session.RunSet* so the ThreadSanitizer stage (.ci/test,
// `ctest -R '^(Session|ThreadPool)\.'`) runs them too.
// Proves: runs trained together in a RunSet equal the same runs trained alone, bit for bit
// (parameters, last metrics, every history value); a fork at step s with a change equals a
// run with that change scheduled @s, and equals its parent before s; a duplicate with
// changes equals a fresh run of the changed config and schedule; a seed group's band is
// the mean, min, max and std of its members; a pin stays frozen while its source trains;
// remove, labels and the size limits behave; difference labels read "α=0", "k=2, α=1e-2",
// "seed 3".
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "config_io.h"
#include "run_set.h"
#include "run_stats.h"
#include "session_test_support.h"
#include "trainer.h"

namespace moe {
namespace {

using Clock = std::chrono::steady_clock;
using test::wait_for;

// Every piece of state a step reads, exercised: Adam moments, noisy gating (noise stream),
// aux-free biases, the balance loss.
Config small_config() {
  Config cfg;
  EXPECT_EQ(load_preset("balanced", cfg), "");
  cfg.batch_size = 48;
  cfg.d_model = 12;
  cfg.expert_hidden = 12;
  cfg.num_experts = 6;
  cfg.top_k = 2;
  cfg.optimizer = Optimizer::adam;
  cfg.lr = 3e-3;
  cfg.noisy_gating = true;
  cfg.aux_free_gamma = 1e-3;
  cfg.threads = 1;
  return cfg;
}

// Every value of every series (runs here are shorter than the raw ring, so these are raw).
std::vector<std::vector<double>> all_values(const History& h) {
  std::vector<std::vector<double>> out;
  std::vector<HistorySample> pts;
  for (SeriesId id = 0; id < h.series_count(); ++id) {
    EXPECT_LE(h.fetch(id, -INFINITY, INFINITY, 1 << 20, pts), 0);
    std::vector<double> v;
    for (const HistorySample& p : pts) v.push_back(p.mean);
    out.push_back(std::move(v));
  }
  return out;
}

bool same_bits(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// The history of rows [0, rows) of a run trained alone, as a Session records it.
void expect_same_history(const History& got, const History& want, int64_t rows, const char* what) {
  const auto a = all_values(got), b = all_values(want);
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t s = 0; s < a.size(); ++s) {
    ASSERT_GE(a[s].size(), size_t(rows)) << what << " " << got.series_name(SeriesId(s));
    ASSERT_GE(b[s].size(), size_t(rows)) << what;
    for (int64_t i = 0; i < rows; ++i)
      ASSERT_TRUE(same_bits(a[s][size_t(i)], b[s][size_t(i)]))
          << what << ": " << got.series_name(SeriesId(s)) << " at step " << i << ": " << a[s][size_t(i)] << " vs "
          << b[s][size_t(i)];
  }
}

// A run trained alone in a Session of its own (the reference), stopped at `steps`.
struct Alone {
  std::unique_ptr<Session> session;
  SessionCapture cap;
};
Alone train_alone(const Config& cfg, const std::vector<ScheduledChange>& schedule, int64_t steps) {
  Alone a;
  a.session = std::make_unique<Session>(cfg);
  if (!schedule.empty()) {
    EXPECT_EQ(a.session->schedule(schedule), "");
  }
  a.session->run_to(steps);
  wait_for(*a.session, steps);
  a.cap = a.session->capture(true);
  EXPECT_EQ(a.cap.error, "");
  return a;
}

// The trainer state of a captured run against a reference: parameters and last metrics, bit for bit.
void expect_same_run(const SessionCapture& got, const SessionCapture& want, const char* what) {
  ASSERT_TRUE(got.trainer && want.trainer) << what;
  EXPECT_EQ(got.trainer->steps_done(), want.trainer->steps_done()) << what;
  EXPECT_TRUE(got.trainer->model().params().data == want.trainer->model().params().data) << what << ": parameters";
  for (int l = 0; l < got.trainer->model().n_layers(); ++l)
    EXPECT_TRUE(got.trainer->model().bias(l) == want.trainer->model().bias(l)) << what << ": aux-free bias";
  EXPECT_EQ(got.trainer->last().losses.total, want.trainer->last().losses.total) << what;
  EXPECT_EQ(got.trainer->last().grad_norm, want.trainer->last().grad_norm) << what;
  EXPECT_EQ(got.trainer->config().alpha, want.trainer->config().alpha) << what;
  expect_same_history(*got.history, *want.history, want.trainer->steps_done(), what);
}

TEST(Session, RunSetRunsTrainedTogetherEqualRunsTrainedAlone) {
  const Config cfg = small_config();
  RunSet set(cfg, "balanced");
  std::string err;
  const int a = set.first();
  const int b = set.duplicate(a, {{0, "alpha", "0"}}, &err);
  ASSERT_GE(b, 0) << err;
  const int c = set.duplicate(a, {{0, "top_k", "1"}, {0, "threads", "0"}}, &err);  // a pool of every core, too
  ASSERT_GE(c, 0) << err;
  constexpr int64_t kSteps = 60;
  for (int id : {a, b, c}) set.session(id)->run_to(kSteps);  // all three train at once
  for (int id : {a, b, c}) wait_for(*set.session(id), kSteps);
  Config cb = cfg, cc = cfg;
  cb.alpha = 0;
  cc.top_k = 1;
  cc.threads = 0;
  const std::pair<int, Config> runs[] = {{a, cfg}, {b, cb}, {c, cc}};
  for (const auto& [id, run_cfg] : runs) {
    const Alone alone = train_alone(run_cfg, {}, kSteps);
    expect_same_run(set.session(id)->capture(true), alone.cap, ("run " + std::to_string(id)).c_str());
  }
}

TEST(Session, RunSetForkEqualsTheChangeScheduledAtTheForkStep) {
  const Config cfg = small_config();
  RunSet set(cfg);
  const int a = set.first();
  constexpr int64_t kFork = 25, kEnd = 50;
  set.session(a)->run_to(kFork);
  wait_for(*set.session(a), kFork);
  std::string err;
  const int f = set.fork(a, {{0, "alpha", "0"}, {0, "lr", "0.001"}}, &err);
  ASSERT_GE(f, 0) << err;
  EXPECT_EQ(set.info(f).parent, a);
  EXPECT_EQ(set.info(f).fork_step, kFork);
  EXPECT_EQ(set.info(f).label, "α=0@25, lr=1e-3@25");
  EXPECT_EQ(set.snapshot(f)->steps_done, kFork);  // it starts where its parent was
  set.session(a)->run_to(kEnd);                   // both go on, at once
  set.session(f)->run_to(kEnd);
  wait_for(*set.session(a), kEnd);
  const auto fs = wait_for(*set.session(f), kEnd);
  // The fork = the run with both changes scheduled at the fork step, from step 0 to the end
  // (its history holds the shared past); the parent = the run without them.
  const Alone scheduled = train_alone(cfg, {{kFork, "alpha", "0"}, {kFork, "lr", "0.001"}}, kEnd);
  expect_same_run(set.session(f)->capture(true), scheduled.cap, "fork");
  const Alone plain = train_alone(cfg, {}, kEnd);
  expect_same_run(set.session(a)->capture(true), plain.cap, "parent");
  expect_same_history(*fs->history, *plain.cap.history, kFork, "fork before the fork step");
  // It says how to make it again: the parent's start and the changes at the fork step.
  ASSERT_EQ(fs->changes.size(), 2u);
  EXPECT_EQ(fs->changes[0].step, kFork);
  EXPECT_EQ(fs->changes[0].key, "alpha");
  ASSERT_EQ(fs->events.size(), 2u);
  EXPECT_EQ(fs->events[0].step, kFork);
  // A structural setting cannot fork; the set is unchanged.
  EXPECT_LT(set.fork(a, {{0, "num_experts", "4"}}, &err), 0);
  EXPECT_NE(err.find("num_experts"), std::string::npos) << err;
  EXPECT_EQ(set.size(), 2);
}

// Pauses a run and waits until it stands still; its step.
int64_t pause_and_wait(Session& s) {
  s.pause();
  return test::wait_until_idle(
             s, [](const RunSnapshot&) { return true; }, "the run to pause", std::chrono::seconds(60),
             std::chrono::milliseconds(1))
      ->steps_done;
}

TEST(Session, RunSetForkOfARunningRunPartsAtTheStepItWasTakenAt) {
  const Config cfg = small_config();
  RunSet set(cfg);
  const int a = set.first();
  set.session(a)->set_rate(300);  // a few hundred steps at most: the histories stay raw
  set.session(a)->play();         // playing while the fork is taken
  while (set.snapshot(a)->steps_done < 5) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::string err;
  const int f = set.fork(a, {{0, "top_k", "1"}}, &err);
  ASSERT_GE(f, 0) << err;
  const int64_t at = set.info(f).fork_step;
  EXPECT_GE(at, 5);
  for (const auto t0 = Clock::now(); set.info(f).paused && Clock::now() - t0 < std::chrono::seconds(30);)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(set.info(f).paused) << "a fork of a playing run plays on";
  EXPECT_EQ(set.session(f)->rate(), 300) << "at its parent's pace";
  const int64_t parent_end = pause_and_wait(*set.session(a));
  const int64_t fork_end = pause_and_wait(*set.session(f));
  const Alone scheduled = train_alone(cfg, {{at, "top_k", "1"}}, fork_end);
  expect_same_run(set.session(f)->capture(true), scheduled.cap, "fork of a running run");
  const Alone plain = train_alone(cfg, {}, parent_end);
  expect_same_run(set.session(a)->capture(true), plain.cap, "its parent");
  // The fork's history is a copy of the same bounded structure, grown as the run's own (the
  // series names' string capacities aside).
  const double fork_bytes = double(set.snapshot(f)->history->memory_bytes());
  const double alone_bytes = double(scheduled.session->snapshot()->history->memory_bytes());
  EXPECT_NEAR(fork_bytes / alone_bytes, 1.0, 0.01) << fork_bytes << " vs " << alone_bytes;
}

TEST(Session, RunSetDuplicateWithChangesEqualsAFreshRunOfTheChangedConfig) {
  const Config cfg = small_config();
  RunSet set(cfg);
  set.session(set.first())->run_to(10);
  std::string err;
  const int d = set.duplicate(set.first(), {{0, "top_k", "1"}, {20, "alpha", "0"}}, &err);
  ASSERT_GE(d, 0) << err;
  EXPECT_EQ(set.snapshot(d)->steps_done, 0);
  EXPECT_EQ(set.info(d).parent, -1);
  set.session(d)->run_to(35);
  wait_for(*set.session(d), 35);
  EXPECT_EQ(set.info(d).label, "k=1, α=0@20");
  Config changed = cfg;
  changed.top_k = 1;
  const Alone alone = train_alone(changed, {{20, "alpha", "0"}}, 35);
  expect_same_run(set.session(d)->capture(true), alone.cap, "duplicate");
  // Bad changes are refused, naming the setting; nothing is added.
  EXPECT_LT(set.duplicate(set.first(), {{0, "top_k", "99"}}, &err), 0);
  EXPECT_NE(err.find("top_k"), std::string::npos) << err;
  EXPECT_LT(set.duplicate(set.first(), {{0, "no_such_key", "1"}}, &err), 0);
  EXPECT_NE(err.find("no_such_key"), std::string::npos) << err;
  EXPECT_LT(set.duplicate(set.first(), {{30, "num_experts", "4"}}, &err), 0);
  EXPECT_NE(err.find("structure"), std::string::npos) << err;
  EXPECT_EQ(set.size(), 2);
}

TEST(Session, RunSetSeedGroupBandIsTheMeanMinMaxAndStdOfItsMembers) {
  Config cfg = small_config();
  cfg.seed = 7;
  RunSet set(cfg);
  const int a = set.first();
  ASSERT_EQ(set.repeat_over_seeds(a, 3), "");
  const std::vector<int> members = set.group_members(set.info(a).group);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(set.entries(), 1);  // one entry of the run list
  std::vector<int64_t> seeds;
  for (int m : members) {
    seeds.push_back(set.snapshot(m)->cfg.seed);
    EXPECT_EQ(set.info(m).style, set.info(a).style);  // drawn as one band
  }
  EXPECT_EQ(seeds, (std::vector<int64_t>{7, 8, 9}));
  EXPECT_EQ(set.info(members[2]).label, "seed 9");
  for (int m : members) set.session(m)->run_to(30);
  std::vector<std::shared_ptr<const History>> hs;
  std::vector<SeriesId> ids;
  for (int m : members) {
    const auto snap = wait_for(*set.session(m), 30);
    hs.push_back(snap->history);
    ids.push_back(snap->ids.of(metric_index("loss_task")));
  }
  const SeedBand band = seed_band(hs, ids, -INFINITY, INFINITY, 1000);
  ASSERT_EQ(band.level, 0);
  ASSERT_EQ(band.x.size(), 30u);
  std::vector<std::vector<double>> v;
  for (size_t i = 0; i < hs.size(); ++i) v.push_back(all_values(*hs[i])[size_t(ids[i])]);
  for (size_t s = 0; s < 30; ++s) {
    const double mean = (v[0][s] + v[1][s] + v[2][s]) / 3;
    EXPECT_DOUBLE_EQ(band.x[s], double(s));
    EXPECT_DOUBLE_EQ(band.mean[s], mean);
    EXPECT_EQ(band.min[s], std::min({v[0][s], v[1][s], v[2][s]}));
    EXPECT_EQ(band.max[s], std::max({v[0][s], v[1][s], v[2][s]}));
    const double var = ((v[0][s] - mean) * (v[0][s] - mean) + (v[1][s] - mean) * (v[1][s] - mean) +
                        (v[2][s] - mean) * (v[2][s] - mean)) /
                       3;
    EXPECT_NEAR(band.std[s], std::sqrt(var), 1e-12);
    EXPECT_EQ(band.n[s], 3);
  }
  EXPECT_GT(band.max[29] - band.min[29], 0);  // the seeds really differ
  // A group is one entry of the list: its toggles act on every member.
  set.set_visible(members[1], false);
  for (int m : members) EXPECT_FALSE(set.info(m).visible);
  set.set_paused(a, false);
  set.set_paused(a, true);
  for (int m : members) {
    pause_and_wait(*set.session(m));
    EXPECT_TRUE(set.info(m).paused);
  }
  // Down to 2 seeds drops the highest; 1 dissolves the group; 17 is refused.
  ASSERT_EQ(set.repeat_over_seeds(a, 2), "");
  EXPECT_EQ(set.size(), 2);
  ASSERT_EQ(set.repeat_over_seeds(a, 1), "");
  EXPECT_EQ(set.size(), 1);
  EXPECT_EQ(set.info(a).group, -1);
  EXPECT_NE(set.repeat_over_seeds(a, 17), "");
}

TEST(Session, RunSetPinStaysFrozenWhileItsSourceTrains) {
  const Config cfg = small_config();
  RunSet set(cfg);
  const int a = set.first();
  set.session(a)->run_to(20);
  wait_for(*set.session(a), 20);
  std::string err;
  const int p = set.pin(a, &err);
  ASSERT_GE(p, 0) << err;
  EXPECT_EQ(set.info(p).kind, RunKind::Pinned);
  EXPECT_EQ(set.session(p), nullptr);
  EXPECT_EQ(set.info(p).label, "first run (pinned at step 20)");
  const auto pinned = set.snapshot(p);
  const auto before = all_values(*pinned->history);
  set.session(a)->run_to(45);
  wait_for(*set.session(a), 45);
  EXPECT_EQ(set.snapshot(p), pinned);
  EXPECT_EQ(pinned->steps_done, 20);
  EXPECT_EQ(pinned->history->steps(), 20);
  const auto after = all_values(*pinned->history);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    ASSERT_EQ(after[i].size(), before[i].size());
    for (size_t j = 0; j < after[i].size(); ++j) EXPECT_TRUE(same_bits(after[i][j], before[i][j]));
  }
  EXPECT_EQ(set.snapshot(a)->history->steps(), 45);
  EXPECT_TRUE(set.info(p).paused);
  set.play_all();  // a pin never trains
  EXPECT_EQ(set.snapshot(p)->steps_done, 20);
  set.pause_all();
}

TEST(Session, RunSetRemoveLabelsVisibilityAndLimits) {
  const Config cfg = small_config();
  RunSet set(cfg, "balanced");
  EXPECT_TRUE(set.max_runs() == 9 || set.max_runs() == 16);
  EXPECT_GE(set.max_total_runs(), set.max_runs());
  std::string err;
  const int a = set.first();
  const int b = set.duplicate(a, {{0, "alpha", "0"}}, &err);
  const int c = set.duplicate(a, {{0, "top_k", "1"}}, &err);
  ASSERT_GE(c, 0) << err;
  const std::vector<RunView> views = set.views();
  ASSERT_EQ(views.size(), 3u);
  // Beside others, the first run shows its own values of what they change (as `shot --compare`).
  EXPECT_EQ(views[0].info.label, "k=2, α=1e-2");
  EXPECT_EQ(views[1].info.label, "α=0");
  EXPECT_EQ(views[2].info.label, "k=1");
  EXPECT_NE(views[0].info.style, views[1].info.style);
  EXPECT_NE(views[1].info.style, views[2].info.style);
  EXPECT_LT(views[0].info.id, views[1].info.id);
  set.set_label(b, "no balance loss");
  EXPECT_EQ(set.info(b).label, "no balance loss");
  EXPECT_TRUE(set.info(b).label_edited);
  set.set_label(b, "");
  EXPECT_EQ(set.info(b).label, "α=0");
  // A seed group counts once (by its first member): its seeds are not a change of the first run's.
  ASSERT_EQ(set.repeat_over_seeds(b, 3), "");
  EXPECT_EQ(set.info(a).label, "k=2, α=1e-2");
  ASSERT_EQ(set.repeat_over_seeds(b, 1), "");
  set.set_visible(c, false);
  EXPECT_FALSE(set.info(c).visible);
  set.select(c);
  EXPECT_EQ(set.selected(), c);
  const int c_style = set.info(c).style;
  set.remove(c);
  EXPECT_EQ(set.session(c), nullptr);
  EXPECT_EQ(set.info(c).id, -1);
  EXPECT_EQ(set.selected(), a);
  const int d = set.duplicate(a, {{0, "seed", "3"}}, &err);
  EXPECT_EQ(set.info(d).style, c_style);  // the freed slot of the palette
  EXPECT_GT(d, c);                        // ids are never reused
  EXPECT_EQ(set.info(d).label, "seed 3");
  EXPECT_EQ(set.info(a).label, "α=1e-2, seed " + std::to_string(cfg.seed));
  // The first run goes: the next is the reference now.
  set.remove(a);
  EXPECT_EQ(set.first(), b);
  EXPECT_EQ(set.info(b).label, "α=0, seed " + std::to_string(cfg.seed));
  EXPECT_EQ(set.info(d).label, "α=1e-2, seed 3");
  set.remove(d);
  EXPECT_EQ(set.info(b).label, "balanced") << "alone, the first run is its preset";
  set.remove(b);  // the last run stays
  EXPECT_EQ(set.size(), 1);
  // Full: the run list holds max_runs() entries.
  while (set.entries() < set.max_runs()) ASSERT_GE(set.duplicate(b, {}, &err), 0) << err;
  EXPECT_LT(set.duplicate(b, {}, &err), 0);
  EXPECT_NE(err.find(std::to_string(set.max_runs())), std::string::npos) << err;
  // A full list still takes seeds: a group is one entry.
  EXPECT_EQ(set.repeat_over_seeds(b, 2), "");
  EXPECT_EQ(set.entries(), set.max_runs());
}

TEST(Session, RunSetDivergedRunPausesAloneAndTheOthersGoOn) {
  Config cfg = small_config();
  RunSet set(cfg);
  std::string err;
  const int bad = set.duplicate(set.first(), {{0, "optimizer", "sgd"}, {0, "grad_clip", "0"}, {0, "lr", "10"}}, &err);
  ASSERT_GE(bad, 0) << err;
  set.play_all();
  const auto t0 = Clock::now();
  while (!set.snapshot(bad)->diverged && Clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(set.snapshot(bad)->diverged);
  const int64_t at = set.snapshot(set.first())->steps_done;
  while (set.snapshot(set.first())->steps_done < at + 20 && Clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(set.snapshot(set.first())->steps_done, at + 20);
  EXPECT_TRUE(set.info(bad).paused);
  EXPECT_FALSE(set.info(set.first()).paused);
  set.pause_all();
}

TEST(RunSet, DifferenceLabelNamesWhatDiffersInShortForm) {
  Config first;
  ASSERT_EQ(load_preset("balanced", first), "");
  Config run = first;
  EXPECT_EQ(difference_label(first, run, {}), "");
  run.alpha = 0;
  EXPECT_EQ(difference_label(first, run, {}), "α=0");
  run.alpha = 1e-2;
  run.top_k = 2;
  first.top_k = 1;
  first.alpha = 0;
  EXPECT_EQ(difference_label(first, run, {}), "k=2, α=1e-2");
  run = first;
  run.seed = 3;
  EXPECT_EQ(difference_label(first, run, {}), "seed 3");
  run.threads = 1;  // never changes the numbers: not a difference
  run.lr = 0.25;
  EXPECT_EQ(difference_label(first, run, {{500, "alpha", "0.003"}}), "lr=0.25, seed 3, α=3e-3@500");
}

// A History of one series holding `values` at steps 0, 1, ... (capacity C).
std::shared_ptr<const History> series_of(const std::vector<float>& values, int capacity) {
  auto h = std::make_shared<History>(HistoryOptions{capacity, 0, 1});
  h->add_series("v");
  for (float v : values) h->append(std::span<const float>(&v, 1));
  return h;
}

TEST(RunStats, BandAlignsMembersAtDifferentStepsAndResolutions) {
  // Member a has 200 steps, b 50, in rings of 8: for the common range [0, 49] a's history needs
  // buckets of 32 steps and b's of 8, so b's are folded into a's resolution.
  std::vector<float> a, b;
  for (int i = 0; i < 200; ++i) a.push_back(float(i));
  for (int i = 0; i < 50; ++i) b.push_back(float(100 + i));
  const auto ha = series_of(a, 8), hb = series_of(b, 8);
  const SeedBand band = seed_band({ha, hb}, {0, 0}, -INFINITY, INFINITY, 100);
  ASSERT_EQ(band.level, 5);
  ASSERT_EQ(band.x.size(), 2u);  // [0, 32) and [32, 64), which b fills to step 49
  const double w = 32;
  for (size_t i = 0; i < band.x.size(); ++i) {
    const int lo = int(band.x[i] - (w - 1) / 2);
    EXPECT_EQ(lo, 32 * int(i));
    double sa = 0, sb = 0;
    int na = 0, nb = 0;
    for (int s = lo; s < lo + int(w); ++s) {
      if (s < 200) sa += a[size_t(s)], ++na;
      if (s < 50) sb += b[size_t(s)], ++nb;
    }
    const double ma = sa / na, mb = sb / nb;
    EXPECT_DOUBLE_EQ(band.mean[i], (ma + mb) / 2) << "x " << band.x[i];
    EXPECT_DOUBLE_EQ(band.min[i], ma);
    EXPECT_DOUBLE_EQ(band.max[i], mb);
    EXPECT_DOUBLE_EQ(band.std[i], (mb - ma) / 2);
    EXPECT_EQ(band.n[i], 2);
  }
  // Nothing in common: an empty band.
  EXPECT_EQ(seed_band({ha, hb}, {0, 0}, 60, 70, 100).level, -1);
  EXPECT_EQ(seed_band({}, {}, -INFINITY, INFINITY, 100).level, -1);
}

TEST(RunStats, ANonFiniteValueLeavesItsMemberOutOfThatStep) {
  std::vector<float> a = {1, 2, 3, 4}, b = {3, NAN, 5, 6};
  const SeedBand band = seed_band({series_of(a, 1024), series_of(b, 1024)}, {0, 0}, -INFINITY, INFINITY, 100);
  ASSERT_EQ(band.level, 0);
  ASSERT_EQ(band.x.size(), 4u);
  EXPECT_EQ(band.n, (std::vector<int>{2, 1, 2, 2}));
  EXPECT_EQ(band.mean, (std::vector<double>{2, 2, 4, 5}));
  EXPECT_EQ(band.std, (std::vector<double>{1, 0, 1, 1}));
}

}  // namespace
}  // namespace moe

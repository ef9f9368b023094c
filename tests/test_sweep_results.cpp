// test_sweep_results.cpp: sweep_grid (one run = one `moescope sweep` row) and sweep_results
// (a sweep CSV read back; shard CSVs merged into the unsharded sweep; bad files named).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <thread>

#include "config_io.h"
#include "sweep_grid.h"
#include "sweep_results.h"
#include "sweep_runner.h"
#include "test_support.h"

namespace moe {
namespace {

using test::contains;
using test::slurp;

const std::string kGrid = "--preset balanced --grid k=1,2 --grid alpha=0,1e-2 --seeds 2 --steps 15";

struct SweepFiles {
  std::filesystem::path dir;
  std::string full;                 // unsharded CSV text
  std::vector<std::string> shards;  // paths of the 3 shard CSVs
};

const SweepFiles& files() {
  static SweepFiles f = [] {
    SweepFiles s;
    s.dir = test::make_temp_folder("sweep_results");
    auto r = test::run_in_folder(s.dir, MOESCOPE_BINARY, "sweep " + kGrid + " --out full.csv");
    EXPECT_EQ(r.status, 0) << r.err;
    s.full = slurp(s.dir / "full.csv");
    for (int i = 0; i < 3; ++i) {
      const std::string name = "shard" + std::to_string(i) + ".csv";
      r = test::run_in_folder(s.dir, MOESCOPE_BINARY,
                              "sweep " + kGrid + " --shard " + std::to_string(i) + "/3 --out " + name);
      EXPECT_EQ(r.status, 0) << r.err;
      s.shards.push_back((s.dir / name).string());
    }
    return s;
  }();
  return f;
}

TEST(SweepResults, MergedShardsEqualTheUnshardedSweep) {
  const SweepFiles& f = files();
  SweepTable t;
  ASSERT_EQ(read_sweep_csv({f.shards[2], f.shards[0], f.shards[1]}, &t), "");
  EXPECT_EQ(t.csv(), f.full);  // every row, in run order, byte for byte
  ASSERT_EQ(t.axes.size(), 2u);
  EXPECT_EQ(t.axes[0].key, "top_k");
  EXPECT_EQ(t.axes[0].values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(t.axes[1].key, "alpha");
  EXPECT_EQ(t.axes[1].values, (std::vector<std::string>{"0", "1e-2"}));
  EXPECT_EQ(t.seeds, 2);
  EXPECT_EQ(t.run_count(), 8);
  SweepTable whole;
  ASSERT_EQ(read_sweep_csv({(f.dir / "full.csv").string()}, &whole), "");
  EXPECT_EQ(whole.csv(), f.full);
}

TEST(SweepResults, SweepMergeWritesTheUnshardedCsvAndNamesAMissingShard) {
  const SweepFiles& f = files();
  auto r = test::run_in_folder(f.dir, MOESCOPE_BINARY,
                               "sweep --merge shard1.csv shard2.csv shard0.csv --out merged.csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(f.dir / "merged.csv"), f.full);
  r = test::run_in_folder(f.dir, MOESCOPE_BINARY, "sweep --merge shard1.csv shard2.csv --out merged2.csv");
  EXPECT_CONTAINS(test::expect_bad_input(r, "--merge"), "shard 0/3 missing: the files hold shard 1/3, 2/3");
  EXPECT_FALSE(std::filesystem::exists(f.dir / "merged2.csv"));
}

TEST(SweepResults, CellStatsAreOverTheCellsSeeds) {
  SweepTable t;
  ASSERT_EQ(read_sweep_csv({(files().dir / "full.csv").string()}, &t), "");
  const int col = t.column("load_entropy");
  ASSERT_GE(col, 0);
  // Cell 3 = (k=2, alpha=1e-2): runs 6 and 7.
  const double a = t.find(6)->numbers[size_t(col)], b = t.find(7)->numbers[size_t(col)];
  const CellStats s = cell_stats(t, 3, col);
  EXPECT_EQ(s.runs, 2);
  EXPECT_DOUBLE_EQ(s.mean, (a + b) / 2);
  EXPECT_DOUBLE_EQ(s.min, std::min(a, b));
  EXPECT_DOUBLE_EQ(s.max, std::max(a, b));
  EXPECT_NEAR(s.std, std::abs(a - b) / 2, 1e-12);
  EXPECT_EQ(t.value_of(3, 0), 1);
  EXPECT_EQ(t.value_of(3, 1), 1);
  EXPECT_EQ(t.value_of(1, 0), 0);
}

TEST(SweepResults, OneRunInProcessEqualsItsCsvRow) {
  // The window's sweep trains through run_sweep_run; its row equals the CLI's.
  Config base;
  ASSERT_EQ(load_preset("balanced", base), "");
  std::vector<SweepAxis> axes(2);
  ASSERT_EQ(parse_sweep_axis("k=1,2", base, axes[0]), "");
  ASSERT_EQ(parse_sweep_axis("alpha=0,1e-2", base, axes[1]), "");
  const SweepRun r = make_sweep_run(5, axes, 2, base);
  SweepOutcome o;
  ASSERT_TRUE(run_sweep_run(r, 15, nullptr, &o));
  EXPECT_EQ(sweep_csv_row(r, o), test::lines(files().full)[6] + "\n");
}

TEST(SweepResults, BadFilesNameTheFileLineAndProblem) {
  const SweepFiles& f = files();
  const std::vector<std::string> rows = test::lines(f.full);
  auto parse = [](const std::vector<std::string>& texts, bool partial = false) {
    std::vector<std::string> names;
    for (size_t i = 0; i < texts.size(); ++i) names.push_back("f" + std::to_string(i) + ".csv");
    SweepTable t;
    return parse_sweep_csv(names, texts, &t, partial);
  };
  const std::string head = rows[0] + "\n";
  // A shard given twice.
  std::string e = parse({head + rows[1] + "\n" + rows[2] + "\n", head + rows[2] + "\n"});
  EXPECT_CONTAINS(e, "'f1.csv' line 2: run 1 is also at 'f0.csv' line 3");
  // A missing shard.
  e = parse({head + rows[1] + "\n" + rows[3] + "\n" + rows[5] + "\n" + rows[7] + "\n"});
  EXPECT_CONTAINS(e, "shard 1/2 missing: the files hold shard 0/2");
  e = parse({head + rows[1] + "\n" + rows[2] + "\n" + rows[3] + "\n" + rows[5] + "\n" + rows[6] + "\n"});
  EXPECT_CONTAINS(e, "3 of the grid's 8 runs are missing (run 3, 6, 7)");
  // An interrupted sweep opens with what it finished.
  EXPECT_EQ(parse({head + rows[1] + "\n" + rows[2] + "\n" + rows[3] + "\n" + rows[5] + "\n" + rows[6] + "\n"}, true),
            "");
  // Different grids.
  std::string other = head;
  for (size_t i = 1; i < rows.size(); ++i) other += rows[i] + "\n";
  std::string moved = other;
  moved.replace(moved.find("\n5,2,0,"), 7, "\n5,2,0.5,");
  e = parse({moved});
  EXPECT_CONTAINS(e,
                  "(the grid its rows make: top_k = 1,2; alpha = 0,1e-2,0.5; 2 seeds): the rows are not one sweep's");
  // Headers that differ, a bad number, a short row, not a sweep at all.
  std::string renamed = head;
  renamed.replace(renamed.find("alpha"), 5, "beta");
  e = parse({head + rows[1] + "\n", renamed + rows[2] + "\n"});
  EXPECT_CONTAINS(e, "'f1.csv' line 1: the header differs from 'f0.csv''s");
  std::string bad = rows[1];
  bad.replace(bad.find(",ok,") + 4, 2, "x1");
  e = parse({head + bad + "\n"});
  EXPECT_CONTAINS(e, "'f0.csv' line 2: column 'steps': 'x1' is not a number");
  e = parse({head + "0,1,0\n"});
  EXPECT_CONTAINS(e, "'f0.csv' line 2: 3 fields, the header has");
  e = parse({"step,layer,loss_total\n0,0,1\n"});
  EXPECT_CONTAINS(e, "'f0.csv' line 1: not a `moescope sweep` CSV");
  e = parse({head});
  EXPECT_CONTAINS(e, "no runs");
  SweepTable t;
  e = read_sweep_csv({(f.dir / "nope.csv").string()}, &t);
  EXPECT_CONTAINS(e, "nope.csv': cannot open");
}

}  // namespace
}  // namespace moe

namespace moe {
namespace {

TEST(SweepRunner, TheWindowsSweepEqualsTheCommandLinesCsv) {
  Config base;
  ASSERT_EQ(load_preset("balanced", base), "");
  SweepRunner r;
  ASSERT_EQ(r.start(base, {"k=1,2", "alpha=0,1e-2"}, 2, 15, 2), "");
  r.wait();
  const SweepProgress p = r.progress();
  EXPECT_EQ(p.done, 8);
  EXPECT_EQ(p.total, 8);
  EXPECT_FALSE(p.running);
  EXPECT_EQ(r.table()->csv(), files().full);
  const std::vector<SweepRun> cell = r.cell_runs(3);
  ASSERT_EQ(cell.size(), 2u);
  EXPECT_EQ(cell[1].index, 7);
  EXPECT_EQ(cell[1].cfg.top_k, 2);
}

TEST(SweepRunner, CancelKeepsWhatIsDoneAndBadGridsAreRefused) {
  Config base;
  ASSERT_EQ(load_preset("balanced", base), "");
  SweepRunner r;
  EXPECT_CONTAINS(r.start(base, {"k=1,0"}, 1, 10), "setting 'top_k'");
  EXPECT_CONTAINS(r.start(base, {"k=1", "top_k=2"}, 1, 10), "given twice");
  EXPECT_CONTAINS(r.start(base, {"k=1"}, 17, 10), "seeds");
  ASSERT_EQ(r.start(base, {"k=1,2,4"}, 4, 300, 1), "");
  while (r.progress().done < 1 && r.table()->rows.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  r.cancel();
  r.wait();
  const SweepProgress p = r.progress();
  EXPECT_FALSE(p.running);
  EXPECT_TRUE(p.cancelled);
  EXPECT_EQ(int64_t(r.table()->rows.size()), p.done);
  EXPECT_LT(p.done, 12);
}

}  // namespace
}  // namespace moe

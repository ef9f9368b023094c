// test_results_read.cpp: `moescope run --out` files open back into a read-only run whose
// History holds the file's values (CSV and JSON), and bad files are refused naming the
// file, line and what is wrong.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "metrics.h"
#include "results_read.h"
#include "test_support.h"

namespace moe {
namespace {

struct Files {
  std::filesystem::path dir;
  std::string csv;  // text of run.csv
};

const Files& files() {
  static Files f = [] {
    Files s;
    s.dir = test::make_temp_folder("results_read");
    const std::string run = "run --preset balanced --set n_layers=2 --set alpha=0@20 --steps 40 --quiet --out ";
    auto r = test::run_in_folder(s.dir, MOESCOPE_BINARY, run + "run.csv");
    EXPECT_EQ(r.status, 0) << r.err;
    r = test::run_in_folder(s.dir, MOESCOPE_BINARY, run + "run.json");
    EXPECT_EQ(r.status, 0) << r.err;
    r = test::run_in_folder(s.dir, MOESCOPE_BINARY, run + "every5.csv --log-every 5");
    EXPECT_EQ(r.status, 0) << r.err;
    s.csv = test::slurp(s.dir / "run.csv");
    return s;
  }();
  return f;
}

// Every CSV value of `column` for layer `layer`, in step order.
std::vector<double> csv_column(const std::string& csv, const std::string& column, int layer) {
  const auto rows = test::lines(csv);
  const auto head = test::split(rows[0], ',');
  const size_t c = size_t(std::find(head.begin(), head.end(), column) - head.begin());
  std::vector<double> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto f = test::split(rows[i], ',');
    if (std::stoi(f[1]) == layer) out.push_back(std::strtod(f[c].c_str(), nullptr));
  }
  return out;
}

// tol 0: the float of the CSV's text exactly; JSON holds more digits than the CSV's %.9g.
void expect_same_curve(const RunSnapshot& s, const std::string& series, const std::vector<double>& want,
                       double tol = 0) {
  const SeriesId id = s.history->find(series);
  ASSERT_GE(id, 0) << series;
  std::vector<HistorySample> pts;
  ASSERT_EQ(s.history->fetch(id, -INFINITY, INFINITY, 4096, pts), 0) << "raw level";
  ASSERT_EQ(pts.size(), want.size()) << series;
  for (size_t i = 0; i < want.size(); ++i)
    if (tol == 0)
      EXPECT_EQ(pts[i].mean, double(float(want[i]))) << series << " row " << i;
    else
      EXPECT_NEAR(pts[i].mean, want[i], tol * std::abs(want[i])) << series << " row " << i;
}

TEST(ResultsRead, ARunCsvOpensBackToTheSameCurves) {
  const Files& f = files();
  std::string err;
  EXPECT_EQ(results_kind((f.dir / "run.csv").string(), &err), ResultsKind::run_csv) << err;
  const auto s = read_run_results((f.dir / "run.csv").string(), &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->steps_done, 40);
  EXPECT_EQ(s->cfg.n_layers, 2);
  EXPECT_EQ(s->cfg.routed_experts(), 8);
  expect_same_curve(*s, "loss_task", csv_column(f.csv, "loss_task", 0));
  expect_same_curve(*s, "L1/load_entropy", csv_column(f.csv, "load_entropy", 1));
  expect_same_curve(*s, "L0/load[3]", csv_column(f.csv, "load_3", 0));
  EXPECT_EQ(s->ids.of(1, metric_index("max_vio")), s->history->find("L1/max_vio"));
  EXPECT_DOUBLE_EQ(s->last.layers[1].max_vio, csv_column(f.csv, "max_vio", 1).back());
}

TEST(ResultsRead, ARunJsonOpensBackToTheSameCurvesConfigAndEvents) {
  const Files& f = files();
  std::string err;
  EXPECT_EQ(results_kind((f.dir / "run.json").string(), &err), ResultsKind::run_json) << err;
  const auto s = read_run_results((f.dir / "run.json").string(), &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->steps_done, 40);
  EXPECT_EQ(s->cfg.n_layers, 2);
  expect_same_curve(*s, "L1/load_entropy", csv_column(f.csv, "load_entropy", 1), 1e-6);
  expect_same_curve(*s, "L0/importance[7]", csv_column(f.csv, "importance_7", 0), 1e-6);
  ASSERT_EQ(s->events.size(), 1u);
  EXPECT_EQ(s->events[0].step, 20);
  EXPECT_EQ(s->events[0].key, "alpha");
}

TEST(ResultsRead, LoggedEveryFifthStepKeepsTheStepAxis) {
  std::string err;
  const auto s = read_run_results((files().dir / "every5.csv").string(), &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->history->options().step_stride, 5) << err;
  EXPECT_EQ(s->history->x_extent().second, 35.0);
}

TEST(ResultsRead, BadFilesAreRefusedNamingWhatIsWrong) {
  const auto rows = test::lines(files().csv);
  std::string err;
  auto parse = [&](const std::string& text, bool json = false) {
    err.clear();
    return parse_run_results(text, "x", json, &err);
  };
  EXPECT_FALSE(parse("a,b\n1,2\n"));
  EXPECT_CONTAINS(err, "'x' line 1: not a `moescope run --out` CSV");
  std::string bad = rows[1];
  bad.replace(bad.find(',', bad.find(',') + 1) + 1, 1, "q");
  EXPECT_FALSE(parse(rows[0] + "\n" + bad + "\n"));
  EXPECT_CONTAINS(err, "'x' line 2: column 'loss_total': 'q");
  EXPECT_FALSE(parse(rows[0] + "\n" + rows[1] + "\n" + rows[2] + "\n" + rows[3] + "\n" + rows[4] + "\n" + rows[7] + "\n" +
                     rows[8] + "\n"));
  EXPECT_CONTAINS(err, "step 3 follows step 1; allowed: increasing steps 1 apart");
  EXPECT_FALSE(parse(rows[0] + "\n0,0,1\n"));
  EXPECT_CONTAINS(err, "'x' line 2: 3 fields, the header has");
  EXPECT_FALSE(parse(rows[0] + "\n"));
  EXPECT_CONTAINS(err, "no steps");
  EXPECT_FALSE(parse("{\"format\": \"other\"}", true));
  EXPECT_CONTAINS(err, "not a `moescope run --out` JSON");
  EXPECT_FALSE(parse("{\"format\": \"moescope-run/1\", \"config\": {\"lr\": 99}, \"steps\": []}", true));
  EXPECT_CONTAINS(err, "lr");
  EXPECT_EQ(results_kind((files().dir / "missing.csv").string(), &err), ResultsKind::unknown);
  EXPECT_CONTAINS(err, "missing.csv': cannot open");
}

}  // namespace
}  // namespace moe

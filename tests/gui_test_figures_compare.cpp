// gui_test_figures_compare.cpp: figures (issue 12) of what came after them: runs side by
// side and seed bands (issue 11), the sweep view, and the lm panels (issue 14). A comparison
// figure keeps its legend by run as text (pdftotext finds each run's label), renders like
// its PNG, and its F.csv holds one column per run (a seed group: mean, min, max) equal to
// `moescope run --compare`'s numbers; a sweep figure is its heatmap with the numbers in
// it; the provenance command re-makes both byte for byte; the lm panels keep their text
// (text by expert: every coloured character) as text. Files go to the test
// process's temp folder (test::temp_path); MOESCOPE_KEEP_TEST_FILES=1 keeps them for a look.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gui_test_image.h"
#include "run_process.h"
#include "test_support.h"

namespace moe {
namespace {

using Result = test::ProcessResult;
using test::kMaxFigureDifference;
using test::run_moescope;
using test::run_shell;
using test::slurp;
using test::temp_path;

// Mean over R, G, B of |a - b| after averaging over 4 x 4 blocks (gui_test_figures.cpp's
// measure and bound: a missing line measures 9.5 there); -1 if the sizes differ.
double block_difference(const test::Image& a, const test::Image& b) { return test::mean_abs_difference(a, b, 4); }

const char* kSmall = "--theme light --size 3.5x2.4in --dpi 100";  // 350 x 240 px, 8 pt text

// Writes the figure as a GL PNG, SVG and PDF; checks that rsvg and poppler draw the vector
// files like the PNG. Returns pdftotext's text of the PDF.
std::string figure_in_three_formats(const std::string& args, const std::string& base) {
  EXPECT_EQ(run_moescope("shot " + args + " --figure --out " + base + ".png").status, 0);
  Result r = run_moescope("shot " + args + " --out " + base + ".svg");
  EXPECT_EQ(r.status, 0) << r.out;
  r = run_moescope("shot " + args + " --out " + base + ".pdf");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(run_shell("rsvg-convert -w 350 -h 240 " + base + ".svg -o " + base + "_rsvg.png").status, 0);
  EXPECT_EQ(run_shell("pdftoppm -r 100 -png -singlefile " + base + ".pdf " + base + "_poppler").status, 0);
  const test::Image png = test::load_png(base + ".png");
  const double d_svg = block_difference(png, test::load_png(base + "_rsvg.png"));
  const double d_pdf = block_difference(png, test::load_png(base + "_poppler.png"));
  std::printf("%s: |PNG - SVG| %.2f, |PNG - PDF| %.2f (4x4 blocks, of 255)\n", base.c_str(), d_svg, d_pdf);
  EXPECT_GE(d_svg, 0);
  EXPECT_GE(d_pdf, 0);
  EXPECT_LT(d_svg, kMaxFigureDifference);
  EXPECT_LT(d_pdf, kMaxFigureDifference);
  return run_shell("pdftotext " + base + ".pdf -").out;
}

// Rows of a CSV (lines not starting with '#'), split on commas; the first table only.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (!rows.empty()) break;
      continue;
    }
    if (line[0] == '#') continue;
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (line.back() == ',') cells.push_back("");
    rows.push_back(cells);
  }
  return rows;
}

int column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return int(i);
  return -1;
}

const std::string kLoad = " (load entropy [fraction of log E])";

TEST(FiguresCompare, TwoRunsKeepTheirLegendAsTextAndRenderLikeThePng) {
  const std::string base = temp_path("two_runs");
  const std::string text = figure_in_three_formats(
      std::string("--preset collapse --steps 300 --compare alpha=0.01 --panel entropy ") + kSmall, base);
  for (const char* label : {"\xCE\xB1=0", "\xCE\xB1=1e-2", "collapse alert", "step"})
    EXPECT_NE(text.find(label), std::string::npos) << "pdftotext finds '" << label << "' in:\n" << text;
  const std::string svg = slurp(base + ".svg");
  EXPECT_NE(svg.find(">\xCE\xB1=1e-2</text>"), std::string::npos) << "the run's label is an SVG <text>";
  const auto rows = csv_rows(slurp(base + ".csv"));
  ASSERT_GT(rows.size(), 10u);
  EXPECT_EQ(rows[0][0], "step");
  EXPECT_GE(column(rows[0], "\xCE\xB1=0" + kLoad), 0) << "one column per run, units in the header";
  EXPECT_GE(column(rows[0], "\xCE\xB1=1e-2" + kLoad), 0);
}

// At 1600 px a 120-step plot has one point per step: the figure's numbers are each run's own.
TEST(FiguresCompare, RunColumnsEqualRunCompareNumbers) {
  const std::string base = temp_path("csv_runs");
  ASSERT_EQ(run_moescope("shot --preset collapse --steps 120 --compare alpha=0.01 --panel entropy --figure --out " +
                         base + ".png")
                .status,
            0);
  ASSERT_EQ(
      run_moescope("run --preset collapse --steps 120 --compare alpha=0.01 --quiet --out " + base + "_run.csv").status,
      0);
  const auto fig = csv_rows(slurp(base + ".csv"));
  const auto ref = csv_rows(slurp(base + "_run.csv"));
  ASSERT_GT(fig.size(), 100u);
  const int c_run = column(ref[0], "run"), c_step = column(ref[0], "step"), c_ent = column(ref[0], "load_entropy");
  ASSERT_GE(c_run, 0);
  ASSERT_GE(c_ent, 0);
  std::map<std::pair<int, long>, double> want;  // (run, step) -> load entropy
  for (size_t i = 1; i < ref.size(); ++i)
    want[{std::stoi(ref[i][size_t(c_run)]), std::stol(ref[i][size_t(c_step)])}] = std::stod(ref[i][size_t(c_ent)]);
  const int cols[2] = {column(fig[0], "\xCE\xB1=0" + kLoad), column(fig[0], "\xCE\xB1=1e-2" + kLoad)};
  ASSERT_GE(cols[0], 0);
  ASSERT_GE(cols[1], 0);
  int compared = 0;
  for (size_t i = 1; i < fig.size(); ++i) {
    const double x = std::stod(fig[i][0]);
    ASSERT_EQ(x, std::round(x)) << "one step per point";
    for (int r = 0; r < 2; ++r) {
      const std::string& cell = fig[i][size_t(cols[r])];
      if (cell.empty()) continue;
      const auto it = want.find({r, long(x)});
      ASSERT_NE(it, want.end()) << "run " << r << " step " << x;
      EXPECT_NEAR(std::stod(cell), it->second, 1e-6) << "run " << r << " step " << x;
      ++compared;
    }
  }
  EXPECT_GT(compared, 200) << "both runs, every step";
}

TEST(FiguresCompare, SeedGroupsExportMeanMinMaxAndStdBands) {
  const std::string base = temp_path("seeds");
  const std::string common = std::string(
                                 "--preset collapse --steps 200 --compare alpha=0.01 --seeds 3 --panel entropy ") +
                             kSmall;
  const std::string text = figure_in_three_formats(common, base);
  EXPECT_NE(text.find("\xCE\xB1=0 (3 seeds)"), std::string::npos) << text;
  // Each band (two runs x two plots) is one polygon in the SVG, not one per step.
  const std::string svg = slurp(base + ".svg");
  int polygons = 0;
  for (size_t at = svg.find("<polygon"); at != std::string::npos; at = svg.find("<polygon", at + 1)) ++polygons;
  EXPECT_GE(polygons, 4);
  EXPECT_LE(polygons, 8) << "a band's pieces are one polygon";
  auto rows = csv_rows(slurp(base + ".csv"));
  ASSERT_GT(rows.size(), 10u);
  for (const char* run_label : {"\xCE\xB1=0", "\xCE\xB1=1e-2"}) {
    const int mean = column(rows[0], run_label + std::string(" mean") + kLoad);
    const int lo = column(rows[0], run_label + std::string(" min") + kLoad);
    const int hi = column(rows[0], run_label + std::string(" max") + kLoad);
    ASSERT_GE(mean, 0) << run_label;
    ASSERT_GE(lo, 0) << run_label;
    ASSERT_GE(hi, 0) << run_label;
    int spread = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      const double m = std::stod(rows[i][size_t(mean)]), a = std::stod(rows[i][size_t(lo)]),
                   b = std::stod(rows[i][size_t(hi)]);
      EXPECT_LE(a, m + 1e-9);
      EXPECT_LE(m, b + 1e-9);
      if (b - a > 1e-6) ++spread;
    }
    EXPECT_GT(spread, 10) << "three seeds differ";
  }
  // The band as mean ± 1 std, by --band or by --view (the same figure either way).
  ASSERT_EQ(run_moescope("shot " + common + " --band std --out " + base + "_std.svg").status, 0);
  ASSERT_EQ(run_moescope("shot " + common + " --view band=std --out " + base + "_view.svg").status, 0);
  rows = csv_rows(slurp(base + "_std.csv"));
  EXPECT_GE(column(rows[0], "\xCE\xB1=0 mean - std" + kLoad), 0);
  EXPECT_GE(column(rows[0], "\xCE\xB1=0 mean + std" + kLoad), 0);
  auto body = [](const std::string& csv) { return csv.substr(csv.find('\n')); };  // past the provenance line
  EXPECT_EQ(body(slurp(base + "_std.csv")), body(slurp(base + "_view.csv")));
  EXPECT_EQ(run_moescope("shot " + common + " --view band=wide --out " + base + "_bad.svg").status, 2);
}

TEST(FiguresCompare, DifferenceViewIsAViewKeyToo) {
  const std::string base = temp_path("difference");
  const std::string common = std::string("--preset collapse --steps 150 --compare alpha=0.01 --panel entropy ") +
                             kSmall;
  ASSERT_EQ(run_moescope("shot " + common + " --view difference=on --out " + base + ".svg").status, 0);
  const std::string csv = slurp(base + ".csv");
  EXPECT_NE(csv.find("minus the reference run"), std::string::npos) << csv.substr(0, 400);
  ASSERT_EQ(run_moescope("shot " + common + " --difference --view difference=off --out " + base + "_off.svg").status,
            0);
  EXPECT_EQ(slurp(base + "_off.csv").find("minus the reference run"), std::string::npos)
      << "--view comes after the flags";
}

// Every panel that overlays runs (and the load panel's A/B heatmaps) is a figure without
// widgets: the vector files render like the PNG, the key names both runs, the fork's event is text.
TEST(FiguresCompare, EveryComparedPanelRendersLikeItsPngWithoutWidgets) {
  for (const char* panel : {"load", "entropy", "collapse", "losses"}) {
    SCOPED_TRACE(panel);
    const std::string text = figure_in_three_formats(
        std::string("--preset collapse --steps 300 --compare alpha=0.01@150 --load-ab --view loss-term=balance ") +
            kSmall + " --panel " + panel,
        temp_path(std::string("panel_") + panel));
    EXPECT_NE(text.find("\xCE\xB1=0"), std::string::npos) << text;
    EXPECT_NE(text.find("\xCE\xB1=1e-2@150"), std::string::npos) << text;
    for (const char* widget : {"log y", "A/B", "stacked", "alert when"})
      EXPECT_EQ(text.find(widget), std::string::npos) << "no widget '" << widget << "' in:\n" << text;
    if (std::string(panel) == "losses") {
      EXPECT_NE(text.find("L_bal"), std::string::npos) << "--view loss-term";
    }
    if (std::string(panel) != "collapse") {  // the collapse stack marks events without labels
      const std::string change =
          "\xCE\xB1 0\xE2\x86\x92"
          "0.01";
      EXPECT_NE(text.find(change), std::string::npos) << "the fork's change:\n" << text;
    }
  }
}

TEST(FiguresCompare, SweepFigureIsTheHeatmapWithItsNumbers) {
  const std::string base = temp_path("sweep");
  const std::string text = figure_in_three_formats(
      std::string("--preset collapse --steps 100 --grid k=1,2 --grid alpha=0,1e-2 --metric max_vio --panel sweep ") +
          kSmall,
      base);
  for (const char* s : {"MaxVio", "top_k", "alpha", "1e-2"})
    EXPECT_NE(text.find(s), std::string::npos) << "pdftotext finds '" << s << "' in:\n" << text;
  for (const char* s : {"Cancel", "seeds", "final metric", "runs of"})
    EXPECT_EQ(text.find(s), std::string::npos) << "no widget text '" << s << "' in a figure:\n" << text;
  // Each cell's mean (F.csv's heatmap) is written in its cell, as the panel formats it (%.3g).
  const std::string csv = slurp(base + ".csv");
  const size_t at = csv.find("# heatmap");
  ASSERT_NE(at, std::string::npos) << csv;
  std::istringstream in(csv.substr(csv.find('\n', at) + 1));
  std::string line;
  int cells = 0;
  while (std::getline(in, line) && !line.empty()) {
    std::istringstream ls(line);
    std::string v;
    while (std::getline(ls, v, ',')) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3g", std::stod(v));
      EXPECT_NE(text.find(buf), std::string::npos) << "cell value " << buf << " in:\n" << text;
      ++cells;
    }
  }
  EXPECT_EQ(cells, 4);
}

TEST(FiguresCompare, NoSweepIsANoteNotWidgets) {
  const std::string text = figure_in_three_formats(std::string("--preset collapse --steps 5 --panel sweep ") + kSmall,
                                                   temp_path("no_sweep"));
  EXPECT_NE(text.find("No sweep yet"), std::string::npos) << text;
  EXPECT_EQ(text.find("Run"), std::string::npos) << text;
}

TEST(FiguresCompare, ProvenanceRemakesComparisonAndSweepSvgsByteForByte) {
  const std::string cases[] = {
      "--preset collapse --steps 150 --compare alpha=0.01 --compare k=2 --seeds 2 --band std --panel collapse",
      "--preset collapse --steps 100 --grid k=1,2 --grid alpha=0,1e-2 --seeds 2 --metric max_vio --panel sweep",
  };
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(cases[i]);
    const std::string a = temp_path("prov" + std::to_string(i) + "_a.svg"),
                      b = temp_path("prov" + std::to_string(i) + "_b.svg");
    Result r = run_moescope("shot " + cases[i] + " " + kSmall + " --out " + a);
    ASSERT_EQ(r.status, 0) << r.out;
    const std::string first = slurp(a);
    const std::vector<std::string> kept = i == 0 ? std::vector<std::string>{"--compare alpha=0.01 --compare k=2",
                                                                            "--seeds 2", "--band std"}
                                                 : std::vector<std::string>{"--grid k=1,2 --grid alpha=0,1e-2",
                                                                            "--seeds 2", "--metric max_vio"};
    for (const std::string& opt : kept) EXPECT_NE(first.find(opt), std::string::npos) << "the command keeps " << opt;
    r = run_moescope("shot --from " + a + " --out " + b);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(first == slurp(b)) << "shot --from remakes the same bytes";
  }
}

TEST(FiguresCompare, LmPanelsKeepTheirTextAsText) {
  const std::string common = std::string("--preset lm-balanced --steps 60 ") + kSmall;
  std::string text = figure_in_three_formats(common + " --panel text-by-expert", temp_path("lm_text"));
  EXPECT_NE(text.find("coloured by its top-1 expert"), std::string::npos) << text;
  EXPECT_EQ(text.find("hover"), std::string::npos) << "no hover hint in a figure";
  // Every character of the passage is its own text on its coloured box.
  const std::string svg = slurp(temp_path("lm_text") + ".svg");
  size_t glyphs = 0;
  for (size_t at = svg.find("<text"); at != std::string::npos; at = svg.find("<text", at + 1)) ++glyphs;
  EXPECT_GT(glyphs, 100u) << "the passage's characters as SVG <text>";
  text = figure_in_three_formats(common + " --panel samples", temp_path("lm_samples"));
  EXPECT_NE(text.find("The model continues"), std::string::npos) << text;
  EXPECT_EQ(text.find("slider"), std::string::npos) << "no help line about a slider in a figure";
  text = figure_in_three_formats(common + " --panel attention --view head=2", temp_path("lm_attention"));
  EXPECT_NE(text.find("head 2 of 4"), std::string::npos) << text;
}

}  // namespace
}  // namespace moe

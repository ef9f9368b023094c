// gui_test_figures.cpp: figures for reports (issue 12). `moescope shot` writes every
// panel as SVG and PDF; real renderers (rsvg-convert, pdftoppm) draw them like the PNG
// of the same figure (same size, small mean pixel difference); pdftotext finds the
// axis labels and key entries (text stays text); F.csv holds the plotted numbers (the
// load panel's equal `moescope run`'s per-step loads); the provenance command in a
// figure makes a byte-identical SVG again; a load plot after 100k steps stays small.
// Files go to the test process's temp folder (test::temp_path); MOESCOPE_KEEP_TEST_FILES=1
// keeps them for a look.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "config_io.h"
#include "figure.h"
#include "figure_export.h"
#include "plot_cairo.h"
#include "gui_test_fixture.h"
#include "gui_test_image.h"
#include "panels/panels.h"
#include "run_process.h"
#include "session_test_support.h"
#include "test_support.h"
#include "window.h"

namespace moe {
namespace {

using Result = test::ProcessResult;
using test::kMaxFigureDifference;
using test::mean_abs_difference;
using test::run_moescope;
using test::run_shell;
using test::slurp;
using test::temp_path;

// Small figures keep the test quick: 3.5 x 2.4 in at 100 dpi is 350 x 240 pixels, 8 pt text.
const char* kFigure = "--preset collapse --steps 300 --theme light --size 3.5x2.4in --dpi 100";

// kMaxFigureDifference (gui_test_image.h) bounds the 4x4-block mean difference between the GL
// PNG and a renderer's drawing of the vector file; the control below (the load figure without
// expert 2's line, the one that collapses to load 1, so its y axis refits too) measures 9.5.

TEST(Figures, VectorRenderingBoundCatchesAMissingLine) {
  const std::string base = temp_path("control");
  const std::string common = std::string(kFigure) + " --panel load";
  ASSERT_EQ(run_moescope("shot " + common + " --figure --out " + base + ".png").status, 0);
  ASSERT_EQ(run_moescope("shot " + common + " --view 'hide=expert 2' --out " + base + ".svg").status, 0);
  ASSERT_EQ(run_shell("rsvg-convert -w 350 -h 240 " + base + ".svg -o " + base + "_rsvg.png").status, 0);
  const double d = mean_abs_difference(test::load_png(base + ".png"), test::load_png(base + "_rsvg.png"), 4);
  std::printf("control, one line missing: %.2f (of 255)\n", d);
  EXPECT_GT(d, kMaxFigureDifference);
}

TEST(Figures, EveryPanelExportsSvgAndPdfThatRenderLikeItsPng) {
  for (const PanelInfo& p : kPanels) {
    SCOPED_TRACE(p.name);
    const std::string base = temp_path(p.name);
    const std::string common = std::string(kFigure) + " --panel " + p.name;
    ASSERT_EQ(run_moescope("shot " + common + " --figure --out " + base + ".png").status, 0);
    Result r = run_moescope("shot " + common + " --out " + base + ".svg");
    ASSERT_EQ(r.status, 0) << r.out;
    r = run_moescope("shot " + common + " --out " + base + ".pdf");
    ASSERT_EQ(r.status, 0) << r.out;
    const test::Image png = test::load_png(base + ".png");
    ASSERT_EQ(png.w, 350);
    ASSERT_EQ(png.h, 240);
    EXPECT_NE(slurp(base + ".svg").find("width=\"252pt\" height=\"172.8pt\""), std::string::npos) << "3.5 x 2.4 in";
    // At the size the document says (rsvg rounds 172.8 pt at 100 dpi, 240.00000000000003 px, up to 241).
    r = run_shell("rsvg-convert -w 350 -h 240 " + base + ".svg -o " + base + "_rsvg.png");
    ASSERT_EQ(r.status, 0) << r.out;
    r = run_shell("pdftoppm -r 100 -png -singlefile " + base + ".pdf " + base + "_poppler");
    ASSERT_EQ(r.status, 0) << r.out;
    const test::Image svg_im = test::load_png(base + "_rsvg.png"), pdf_im = test::load_png(base + "_poppler.png");
    const double d_svg = mean_abs_difference(png, svg_im, 4), d_pdf = mean_abs_difference(png, pdf_im, 4);
    std::printf("%-16s per pixel: |PNG - SVG| %.2f, |PNG - PDF| %.2f; ", p.name, mean_abs_difference(png, svg_im),
                mean_abs_difference(png, pdf_im));
    std::printf("4x4 blocks: %.2f, %.2f (of 255)\n", d_svg, d_pdf);
    EXPECT_GE(d_svg, 0) << "the SVG renders at the PNG's size";
    EXPECT_GE(d_pdf, 0) << "the PDF renders at the PNG's size";
    EXPECT_LT(d_svg, kMaxFigureDifference);
    EXPECT_LT(d_pdf, kMaxFigureDifference);
    EXPECT_FALSE(slurp(base + ".csv").empty()) << "F.csv beside the figure";
  }
}

TEST(Figures, PdfAndSvgKeepAxisLabelsAndKeyEntriesAsText) {
  const std::string base = temp_path("text_load");
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel load --out " + base + ".pdf").status, 0);
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel load --out " + base + ".svg").status, 0);
  const Result t = run_shell("pdftotext " + base + ".pdf -");
  ASSERT_EQ(t.status, 0) << t.out;
  const std::string svg = slurp(base + ".svg");
  for (const char* s : {"load fraction", "step", "expert", "ideal 1/E", "Per-expert load"}) {
    EXPECT_NE(t.out.find(s), std::string::npos) << "pdftotext finds '" << s << "' in:\n" << t.out;
    EXPECT_NE(svg.find(std::string(">") + s), std::string::npos) << "an SVG <text> starts with '" << s << "'";
  }
  const std::string losses = temp_path("text_losses");
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel losses --out " + losses + ".pdf").status, 0);
  const Result u = run_shell("pdftotext " + losses + ".pdf -");
  for (const char* s : {"loss (log scale)", "task (MSE)", "total L (weighted)"})
    EXPECT_NE(u.out.find(s), std::string::npos) << "pdftotext finds '" << s << "' in:\n" << u.out;
  EXPECT_EQ(u.out.find("log y"), std::string::npos) << "no checkbox in a figure";
  // The collapse panel draws its names, y ticks and events outside plots: through the recorder too.
  const std::string collapse = temp_path("text_collapse");
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel collapse --out " + collapse + ".pdf").status, 0);
  const Result v = run_shell("pdftotext " + collapse + ".pdf -");
  for (const char* s : {"dead experts", "MaxVio", "load CV"})
    EXPECT_NE(v.out.find(s), std::string::npos) << "pdftotext finds '" << s << "' in:\n" << v.out;
  EXPECT_EQ(v.out.find("alert when"), std::string::npos) << "no slider row in a figure";
  EXPECT_EQ(u.out.find("now:"), std::string::npos) << "no readout in a figure";
}

// Rows of a CSV (lines not starting with '#'), split on commas.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

TEST(Figures, LoadCsvHoldsThePlottedLoadsOfEveryStep) {
  // 120 steps on a 1600 px plot: one point per step (no bucketing), so the figure's numbers
  // are the run's own per-step loads.
  const std::string base = temp_path("csv_load");
  ASSERT_EQ(run_moescope("shot --preset collapse --steps 120 --panel load --figure --out " + base + ".png").status, 0);
  ASSERT_EQ(run_moescope("run --preset collapse --steps 120 --quiet --out " + base + "_run.csv").status, 0);
  const auto fig = csv_rows(slurp(base + ".csv"));
  const auto ref = csv_rows(slurp(base + "_run.csv"));
  ASSERT_GT(fig.size(), 100u);
  ASSERT_EQ(fig[0][0], "step");
  ASSERT_EQ(fig[0].size(), 9u) << "step and 8 experts";
  EXPECT_EQ(fig[0][1], "expert 0 (load fraction)") << "units in the header";
  int load0 = -1;
  for (size_t c = 0; c < ref[0].size(); ++c)
    if (ref[0][c] == "load_0") load0 = int(c);
  ASSERT_GE(load0, 0);
  std::map<long, const std::vector<std::string>*> by_step;
  for (size_t i = 1; i < ref.size(); ++i) by_step[std::stol(ref[i][0])] = &ref[i];
  int compared = 0;
  for (size_t i = 1; i < fig.size(); ++i) {
    const double x = std::stod(fig[i][0]);
    ASSERT_EQ(x, std::round(x)) << "one step per point";
    const auto it = by_step.find(long(x));
    ASSERT_NE(it, by_step.end()) << "step " << x;
    double sum = 0;
    for (int e = 0; e < 8; ++e) {
      const double v = std::stod(fig[i][size_t(1 + e)]);
      sum += v;
      EXPECT_NEAR(v, std::stod((*it->second)[size_t(load0 + e)]), 1e-6) << "step " << x << " expert " << e;
    }
    EXPECT_NEAR(sum, 1.0, 1e-5) << "the loads of a step sum to 1";
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

TEST(Figures, ProvenanceRemakesAByteIdenticalSvg) {
  const std::string a = temp_path("prov_a.svg"), b = temp_path("prov_b.svg");
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel entropy --view smoothing=0.6 --out " + a).status,
            0);
  const std::string first = slurp(a);
  EXPECT_NE(first.find("moescope shot --preset collapse --steps 300"), std::string::npos) << "the command is in it";
  EXPECT_NE(first.find("--view smoothing=0.6"), std::string::npos);
  const Result r = run_moescope("shot --from " + a + " --out " + b);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(first == slurp(b)) << "shot --from remakes the same bytes";
  // PDF and PNG carry it too.
  const std::string pdf = temp_path("prov.pdf"), png = temp_path("prov.png"), png2 = temp_path("prov2.png");
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel entropy --out " + pdf).status, 0);
  EXPECT_NE(run_shell("pdfinfo " + pdf).out.find("moescope shot --preset collapse"), std::string::npos);
  ASSERT_EQ(run_moescope(std::string("shot ") + kFigure + " --panel entropy --figure --out " + png).status, 0);
  ASSERT_EQ(run_moescope("shot --from " + png + " --out " + png2).status, 0);
  EXPECT_EQ(mean_abs_difference(test::load_png(png), test::load_png(png2)), 0.0) << "a PNG remade from its tEXt";
  EXPECT_EQ(run_moescope("shot --from " + temp_path("prov.csv")).status, 2) << "not a figure";
}

TEST(Figures, LoadSvgAfter100kStepsStaysUnderOneMegabyte) {
  // A small model so 100k steps train in seconds; the plot still gets 100k steps of 8 loads.
  const std::string svg = temp_path("load_100k.svg");
  const Result r = run_moescope(
      "shot --preset collapse --set batch_size=8 --set d_model=4 --set expert_hidden=4 --set probe_size=8 "
      "--steps 100000 --panel load --theme light --size 3.5x2.4in --out " +
      svg);
  ASSERT_EQ(r.status, 0) << r.out;
  const size_t bytes = slurp(svg).size();
  std::printf("load SVG after 100k steps: %zu bytes\n", bytes);
  EXPECT_GT(bytes, 10000u);
  EXPECT_LT(bytes, 1000000u);
}

TEST(Figures, BadFigureOptionsExitTwoNamingWhatIsWrong) {
  const std::string out = temp_path("bad.svg");
  Result r = run_moescope("shot --preset collapse --steps 5 --size 3.5x2.4ft --out " + out);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("millimetres"), std::string::npos) << r.out;
  r = run_moescope("shot --preset collapse --steps 5 --view load=pie --out " + out);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("lines, stacked or heatmap"), std::string::npos) << r.out;
  r = run_moescope("shot --preset collapse --steps 5 --view nosuch=1 --out " + out);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown key 'nosuch'"), std::string::npos) << r.out;
  r = run_moescope("shot --preset collapse --steps 5 --size 40x30in --out " + out);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("8192"), std::string::npos) << r.out;
}

// The window's File > Export all panels (and the right-click export) run between frames in
// the window's own ImGui context: one figure and one CSV per panel of the layout, the
// provenance a `moescope shot` command, and the window draws on as before.
// One frame of the whole window at 1600x1000 with the mouse away (draw data only: exports
// record the panels themselves).
void draw_window_frame(gui::MainWindow& win) {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(1600, 1000);
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  win.draw();
  ImGui::Render();
}

TEST(Figures, WindowExportsEveryPanelAndItsDataIntoAFolder) {
  test::OffscreenGui gui;
  std::string why;
  if (!gui.create_gl(1600, 1000, &why)) GTEST_SKIP() << why;
  ASSERT_TRUE(gui.start([](ImGuiIO& io) {
    io.DeltaTime = 1.0f / 60.0f;
    gui::load_fonts(1.0f);
  }));
  {
    Config cfg;
    ASSERT_EQ(load_preset("collapse", cfg), "");
    gui::MainWindow win(cfg, "collapse");
    win.interactive = false;
    win.ui().layout = PanelLayout_Four;
    win.session().run_to(60);
    for (int i = 0; i < 2000 && win.session().snapshot()->steps_done < 60; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto frame = [&] { draw_window_frame(win); };
    frame();
    const std::string folder = temp_path("window_all");
    std::filesystem::remove_all(folder);
    win.request_export(3, folder, 1);  // PDF
    win.run_pending_exports();
    EXPECT_NE(win.status().find("exported 8 files"), std::string::npos) << win.status();
    for (const char* name : kFourPanels) {
      const std::string pdf = folder + "/" + name + ".pdf";
      EXPECT_TRUE(std::filesystem::file_size(pdf) > 1000) << pdf;
      EXPECT_FALSE(slurp(folder + "/" + name + ".csv").empty()) << name;
      EXPECT_NE(run_shell("pdfinfo " + pdf).out.find("moescope shot --preset collapse"), std::string::npos) << name;
    }
    const std::string one = temp_path("window_one.svg");
    win.request_export(1, one, 0, panel_index("entropy"));
    win.run_pending_exports();
    const std::string svg = slurp(one);
    EXPECT_NE(svg.find(">normalised entropy</text>"), std::string::npos) << "the y axis label as text";
    const size_t at = svg.find("<moescope:command");
    ASSERT_NE(at, std::string::npos);
    EXPECT_NE(svg.find("--panel entropy", at), std::string::npos);
    frame();  // the window draws on with its own layout
    EXPECT_EQ(win.panel_placements().size(), 4u);
  }
  gui.stop();
}

// A figure exported from the window (the right-click "Export figure..." path) records every run
// of the run list as shot's options: a duplicate as --compare k=v, a fork as --compare k=v@STEP,
// seed groups as --seeds; `shot --from` then makes the same figure again, byte for byte, from
// the command alone. What the options cannot say (a pinned run) follows as a shell comment that
// --from skips.
TEST(Figures, WindowExportRecordsEveryRunAndShotFromRemakesIt) {
  test::OffscreenGui gui;
  std::string why;
  if (!gui.create_gl(1600, 1000, &why)) GTEST_SKIP() << why;
  FigureOptions fo;
  fo.size_text = "3.5x2.4in";  // the export dialog's defaults
  fo.font_pt = 8;
  gui::FigureLayout lay;
  ASSERT_EQ(gui::figure_layout(fo, 1.0f, lay), "");
  ASSERT_TRUE(gui.start([&](ImGuiIO& io) {
    io.DeltaTime = 1.0f / 60.0f;
    gui::load_fonts(lay.ui_scale);  // the atlas shot makes for this figure
  }));
  {
    Config cfg;
    ASSERT_EQ(load_preset("collapse", cfg), "");
    gui::MainWindow win(cfg, "collapse");
    win.interactive = false;
    win.ui().light_theme = true;
    auto frame = [&] { draw_window_frame(win); };
    test::train_all(win.runs(), 40);
    ASSERT_EQ(win.add_run_with_change(false, "alpha=0.01"), "");  // a duplicate from step 0
    ASSERT_EQ(win.add_run_with_change(true, "alpha=0.02"), "");   // a fork of the first run at step 40
    test::train_all(win.runs(), 90);
    frame();
    ASSERT_EQ(win.runs().size(), 3);
    const std::string a = temp_path("window_runs_a.svg"), b = temp_path("window_runs_b.svg");
    win.request_export(1, a, 0, panel_index("entropy"));
    win.run_pending_exports();
    ASSERT_NE(win.status().find("exported"), std::string::npos) << win.status();
    std::string err;
    const std::string command = plot::ReadFigureProvenance(a, &err);
    std::printf("window export: %s\n", command.c_str());
    EXPECT_NE(command.find("--preset collapse --steps 90"), std::string::npos) << command;
    EXPECT_NE(command.find("--compare alpha=0.01 --compare alpha=0.02@40"), std::string::npos) << command;
    EXPECT_EQ(command.find("--seeds"), std::string::npos) << command;
    EXPECT_EQ(command.find('#'), std::string::npos) << "every run is expressible: " << command;
    test::ProcessResult r = test::run_moescope("shot --from " + a + " --out " + b);
    ASSERT_EQ(r.status, 0) << r.out;
    const std::string exported = slurp(a), remade = slurp(b);
    EXPECT_NE(exported.find("alpha=0.02@40"), std::string::npos);
    EXPECT_TRUE(exported == remade) << "shot --from remakes the window's figure byte for byte";
    EXPECT_EQ(slurp(gui::csv_path_for(a)), slurp(gui::csv_path_for(b))) << "the same plotted numbers";

    // Seed groups of one size are --seeds; a pinned run cannot be made by shot: said, and skipped by --from.
    for (const RunView& v : win.runs().views()) ASSERT_EQ(win.runs().repeat_over_seeds(v.info.id, 2), "");
    std::string pin_err;
    ASSERT_GE(win.runs().pin(win.runs().first(), &pin_err), 0) << pin_err;
    win.runs().set_label(win.runs().views()[2].info.id,
                         "balanced");  // the fork (run 3) relabelled: said, not expressible
    win.runs_changed();
    test::train_all(win.runs(), 90);
    frame();
    const std::string c = temp_path("window_runs_c.svg"), d = temp_path("window_runs_d.svg");
    win.request_export(1, c, 0, panel_index("collapse"));
    win.run_pending_exports();
    const std::string command2 = plot::ReadFigureProvenance(c, &err);
    std::printf("window export: %s\n", command2.c_str());
    EXPECT_NE(command2.find("--compare alpha=0.01 --compare alpha=0.02@40 --seeds 2"), std::string::npos) << command2;
    EXPECT_NE(command2.find(" # not in this command: run 3 has a label typed in the window"), std::string::npos)
        << command2;
    EXPECT_NE(command2.find("; run 4 is pinned (a frozen copy at step 90)"), std::string::npos) << command2;
    EXPECT_NE(slurp(gui::csv_path_for(c)).find("# not in this command"), std::string::npos);
    r = test::run_moescope("shot --from " + c + " --out " + d);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(slurp(d).find("--seeds 2"), std::string::npos);
  }
  gui.stop();
}

}  // namespace
}  // namespace moe

// shot_figure.cpp: `moescope shot`'s figure options (issue 12) and --from.
//
//   moescope shot --preset collapse --steps 1500 --panel load --out load.pdf --size 3.5x2.4in --font-pt 8
//   moescope shot --from load.pdf [--out again.pdf]   # the command stored in load.pdf, run again
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "figure.h"
#include "gui_main.h"
#include "plot_cairo.h"

namespace moe {

void add_figure_options(CLI::App* cmd, ShotOptions& opt) {
  cmd->add_flag("--figure", opt.fig.figure,
                "Figure mode: no window chrome, a title and keys laid out for print (implied by .svg and .pdf)");
  cmd->add_option("--font-pt", opt.fig.font_pt, "Text size in points (default 8 with a size in in/mm)")
      ->check(CLI::Range(4.0f, 48.0f));
  cmd->add_option("--dpi", opt.fig.dpi, "Layout pixels per inch: the PNG's resolution (default 300 for in/mm, else 96)")
      ->check(CLI::Range(50, 1200));
  cmd->add_option("--view", opt.fig.views, "A panel's view option, key=value (repeatable): " + gui::view_help())
      ->take_all();
  cmd->add_option("--from", opt.fig.from,
                  "Make the figure again from the command stored in FILE (.svg, .pdf or .png written by shot); "
                  "--out (default FILE itself) says where");
  cmd->add_flag("--no-csv", opt.fig.no_csv, "No F.csv (the plotted data) beside a figure");
}

int cmd_shot_from(const ShotOptions& opt) {
  std::string err;
  const std::string command = plot::ReadFigureProvenance(opt.fig.from, &err);
  if (command.empty()) {
    std::fprintf(stderr, "moescope shot: --from: %s\n", err.c_str());
    return 2;
  }
  std::vector<std::string> args;
  if (std::string e = gui::split_command(command, args);
      !e.empty() || args.size() < 2 || args[0] != "moescope" || args[1] != "shot") {
    std::fprintf(stderr, "moescope shot: --from: %s does not hold a `moescope shot` command: %s\n",
                 opt.fig.from.c_str(), command.c_str());
    return 2;
  }
  ShotOptions again;
  CLI::App app{"moescope shot (from a figure's provenance)"};
  app.add_option("--preset", again.source.preset);
  app.add_option("--config", again.source.config_file);
  app.add_option("--set", again.source.sets)->take_all();
  add_shot_options(&app, again);
  std::vector<std::string> rest(args.begin() + 2, args.end());
  std::reverse(rest.begin(), rest.end());  // CLI11 takes the arguments reversed
  try {
    app.parse(rest);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "moescope shot: --from %s: its command does not parse (%s): %s\n", opt.fig.from.c_str(),
                 e.what(), command.c_str());
    return 2;
  }
  if (!again.fig.from.empty()) {
    std::fprintf(stderr, "moescope shot: --from %s: its command has --from itself\n", opt.fig.from.c_str());
    return 2;
  }
  // The stored --out is the file's own name (for the record); the file goes where asked.
  again.fig.provenance_out = again.out;
  again.out = opt.out.empty() ? opt.fig.from : opt.out;
  std::printf("remaking %s: %s\n", opt.fig.from.c_str(), command.c_str());
  return cmd_shot(again);
}

}  // namespace moe

// cmd_lesson.cpp: `moescope lesson`: the lessons of assets/lessons/ without the window.
//   moescope lesson --list                 one line per lesson, in order
//   moescope lesson --check FILE...        every problem of each file (line, field, what is allowed); exit 2 if any
//   moescope lesson NAME --claims          each claim measured over 5 seeds; exit 1 if one fails
//   moescope lesson NAME --out DIR         handouts: one PNG per step and DIR/index.md (needs the window library)
#include <algorithm>
#include <cstdio>

#include "commands.h"
#include "lesson.h"
#include "lesson_claims.h"

namespace moe {

int cmd_lesson(const LessonOptions& opt, LessonHandoutWriter handouts) {
  using namespace lesson;
  if (opt.list) {
    std::vector<std::string> warnings;
    const auto lessons = list_lessons(&warnings);
    for (const std::string& w : warnings) std::fprintf(stderr, "moescope lesson: warning: %s\n", w.c_str());
    size_t w = 0;
    for (const Lesson& l : lessons) w = std::max(w, l.name.size());
    for (size_t i = 0; i < lessons.size(); ++i)
      std::printf("%zu. %-*s  %s: %s (%zu steps)\n", i + 1, int(w), lessons[i].name.c_str(), lessons[i].title.c_str(),
                  lessons[i].summary.c_str(), lessons[i].steps.size());
    return lessons.empty() ? 2 : 0;
  }
  if (!opt.check.empty()) {
    int bad = 0;
    for (const std::string& f : opt.check) {
      Lesson l;
      std::vector<Problem> problems;
      const bool ok = read_lesson_file(f, l, &problems);
      for (const Problem& p : problems) std::fprintf(stderr, "%s\n", p.text().c_str());
      size_t claims = 0;
      for (const Step& s : l.steps) claims += s.claims.size();
      if (ok)
        std::printf("%s: ok, %zu steps, %zu claims\n", f.c_str(), l.steps.size(), claims);
      else
        ++bad, std::fprintf(stderr, "%s: %zu problem%s\n", f.c_str(), problems.size(), problems.size() == 1 ? "" : "s");
    }
    return bad ? 2 : 0;
  }
  if (opt.name.empty()) {
    std::fprintf(stderr, "moescope lesson: name a lesson (`moescope lesson --list`), or give --list or --check FILE\n");
    return 2;
  }
  Lesson l;
  if (std::string e = load_lesson(opt.name, l); !e.empty()) {
    std::fprintf(stderr, "moescope lesson: %s\n", e.c_str());
    return 2;
  }
  if (opt.claims) {
    int failed = 0;
    for (const ClaimCheck& c : check_claims(l, opt.seeds)) {
      std::printf("%s\n", describe(c).c_str());
      failed += !c.holds;
    }
    if (failed)
      std::fprintf(stderr, "moescope lesson: %d claim%s of '%s' did not hold\n", failed, failed == 1 ? "" : "s",
                   l.name.c_str());
    return failed ? 1 : 0;
  }
  if (!opt.out.empty()) {
    if (!handouts) {
      std::fprintf(stderr, "moescope lesson: handouts need the window library (built with MOESCOPE_GUI=OFF)\n");
      return 1;
    }
    return handouts(l, opt.out, opt.width, opt.height);
  }
  std::printf("%s: %s\n%s\n", l.name.c_str(), l.title.c_str(), l.summary.c_str());
  for (size_t i = 0; i < l.steps.size(); ++i) std::printf("  %zu. %s\n", i + 1, l.steps[i].title.c_str());
  std::printf("Open it in the window (Lessons menu), or write handouts with --out DIR.\n");
  return 0;
}

}  // namespace moe

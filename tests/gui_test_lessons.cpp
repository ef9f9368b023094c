// gui_test_lessons.cpp: every lesson played through in the window (issue 13). Proves: each
// step's actions run (every run of the step reaches its play_to; run B and the seed groups
// are runs of the window's RunSet exactly when the step compares or repeats over seeds), its
// focus layout draws (the named panels' child windows exist and hold content), the
// predict-first answer buttons hold the run until clicked; PageDown/PageUp and the arrow keys
// move between steps, Esc leaves the lesson with its runs kept (asking first when it made runs:
// removing them leaves exactly the user's runs; lesson after lesson the run list holds the
// user's runs plus the step's, no more); an A/B step overlays A and B
// in two run colours in the entropy plot, and going back or restarting gives the same runs; a
// compare at a step forks A there; a seeds step draws the group's mean and band; a new user
// opens lesson 3 from the Lessons menu with the mouse and sees the collapse alert within a
// minute; the handouts of all eight lessons are written, one PNG per step with real content
// (run colours on A/B steps, the band on a seeds step), and index.md with each step's
// evaluated formula. (The focus panel names are the window's by construction: panel_names.h.)
#include <epoxy/gl.h>
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "config_io.h"
#include "gui_test_fixture.h"
#include "gui_test_image.h"
#include "lesson.h"
#include "lesson_player.h"
#include "palette.h"
#include "panels/panels.h"
#include "test_support.h"
#include "window.h"

namespace moe {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kW = 1600, kH = 1000;
constexpr int kKeyPageDown = 267, kKeyPageUp = 266, kKeyRight = 262, kKeyLeft = 263, kKeyEscape = 256;  // GLFW codes

class Lessons : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!gui_.create_gl(kW, kH, &why)) GTEST_SKIP() << why;
    ASSERT_TRUE(gui_.start([](ImGuiIO& io) {
      io.KeyMap[ImGuiKey_PageDown] = kKeyPageDown;
      io.KeyMap[ImGuiKey_PageUp] = kKeyPageUp;
      io.KeyMap[ImGuiKey_RightArrow] = kKeyRight;
      io.KeyMap[ImGuiKey_LeftArrow] = kKeyLeft;
      io.KeyMap[ImGuiKey_Escape] = kKeyEscape;
      io.KeyMap[ImGuiKey_Space] = ' ';
      gui::load_fonts(1.0f);
    }));
    Config c;
    ASSERT_EQ(load_preset("balanced", c), "");
    win_ = std::make_unique<gui::MainWindow>(c, "balanced");
  }
  void TearDown() override {
    win_.reset();
    gui_.stop();
  }

  void frame(int key = -1) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(kW, kH);
    io.DeltaTime = 1.0f / 60.0f;
    if (key >= 0) io.KeysDown[key] = true;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    win_->draw();
    ImGui::Render();
    if (key >= 0) io.KeysDown[key] = false;
  }

  bool settle(gui::LessonPlayer& p, double seconds = 120) {
    const auto t0 = Clock::now();
    while (!p.settled()) {
      if (std::chrono::duration<double>(Clock::now() - t0).count() > seconds) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // The child window a focus tile of `panel` draws into, and the vertices it emitted.
  int panel_vertices(const std::string& panel) {
    int v = 0;
    ImGuiContext& g = *ImGui::GetCurrentContext();
    for (ImGuiWindow* w : g.Windows)
      if (w->Active && std::string(w->Name).find("##lesson_focus/") == 0 &&
          std::string(w->Name).find(panel) != std::string::npos)
        v += w->DrawList->VtxBuffer.Size;
    return v;
  }

  // Vertices the focus tiles of `panel` drew in colour c: opaque (a line) or translucent (a band).
  int panel_vertices_in(const std::string& panel, ImU32 c, bool translucent) {
    int v = 0;
    ImGuiContext& g = *ImGui::GetCurrentContext();
    for (ImGuiWindow* w : g.Windows) {
      if (!w->Active || std::string(w->Name).find("##lesson_focus/") != 0 ||
          std::string(w->Name).find(panel) == std::string::npos)
        continue;
      for (const ImDrawVert& d : w->DrawList->VtxBuffer) {
        const ImU32 a = d.col >> IM_COL32_A_SHIFT;
        v += (d.col & 0x00FFFFFF) == (c & 0x00FFFFFF) && (translucent ? a > 0 && a < 255 : a == 255);
      }
    }
    return v;
  }
  ImU32 run_colour(int id) {
    return palette::run_colour(win_->runs().info(id).style,
                               win_->ui().light_theme ? palette::Theme::light : palette::Theme::dark);
  }

  test::OffscreenGui gui_;
  std::unique_ptr<gui::MainWindow> win_;
};

// A lesson of one step, written here: a preset, the step's actions, the focus panels.
lesson::Lesson one_step_lesson(const std::string& actions, const std::string& panels) {
  const std::string text = R"({"title": "Test", "summary": "a test", "order": 99, "steps": [{"title": "One",
    "prose": "A step.", "actions": [{"do": "preset", "name": "collapse"}, )" +
                           actions + R"(], "focus": {"panels": [)" + panels + "]}}]}";
  lesson::Lesson l;
  std::vector<lesson::Problem> problems;
  EXPECT_TRUE(lesson::parse_lesson(text, "/x/test.json", l, &problems))
      << (problems.empty() ? text : problems[0].text());
  return l;
}

TEST_F(Lessons, EveryLessonPlaysThroughInTheWindow) {
  ASSERT_EQ(win_->lessons().size(), 8u);
  for (const lesson::Lesson& l : win_->lessons()) {
    ASSERT_EQ(win_->open_lesson(l.name), "");
    gui::LessonPlayer* p = win_->lesson_player();
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < p->step_count(); ++i) {
      SCOPED_TRACE(l.name + " step " + std::to_string(i + 1));
      p->go_to(i);
      const lesson::Step& s = l.steps[size_t(i)];
      if (s.has_predict) {
        frame();
        EXPECT_EQ(p->answered(), -1);
        p->answer(s.predict.correct);
      } else if (p->waiting()) {
        p->play();
      }
      ASSERT_TRUE(settle(*p));
      EXPECT_EQ(p->error(), "");
      frame();
      frame();
      const RunSnapshot& a = win_->snapshot();
      EXPECT_EQ(a.steps_done, p->plan().play_to);
      EXPECT_EQ(p->session_b() != nullptr, p->plan().has_b);
      if (p->session_b()) {
        // Run B is a run of the window's RunSet, made from A with the step's change: its config
        // at step 0 is the plan's, and it has a colour of its own.
        EXPECT_EQ(p->session_b()->snapshot()->steps_done, p->plan().play_to);
        EXPECT_TRUE(changed_settings(p->session_b()->snapshot()->run_config, p->plan().cfg_b).empty());
        EXPECT_NE(win_->runs().info(p->run_b()).style, win_->runs().info(p->run_a()).style);
      }
      // A, B if it compares, and each seed group's other members.
      EXPECT_EQ(p->runs().size(), size_t((p->plan().has_b ? 2 : 1) * p->plan().seeds));
      for (int id : p->runs()) EXPECT_EQ(win_->runs().snapshot(id)->steps_done, p->plan().play_to);
      for (const std::string& panel : s.focus.panels) EXPECT_GT(panel_vertices(panel), 200) << panel;
    }
    win_->leave_lesson();
    EXPECT_EQ(win_->lesson_player(), nullptr);
  }
}

TEST_F(Lessons, PredictFirstHoldsTheRunUntilAnswered) {
  ASSERT_EQ(win_->open_lesson("collapse"), "");
  gui::LessonPlayer& p = *win_->lesson_player();
  p.go_to(1);  // "The rich get richer": predict first, then play to 400
  ASSERT_TRUE(settle(p));
  frame();
  EXPECT_TRUE(p.waiting());
  EXPECT_EQ(win_->snapshot().steps_done, 50);  // where step 1 left the run
  p.answer(0);                                 // a wrong answer still plays the run
  ASSERT_TRUE(settle(p));
  frame();
  EXPECT_EQ(win_->snapshot().steps_done, 400);
  EXPECT_EQ(p.answered(), 0);
}

TEST_F(Lessons, ClickerKeysMoveBetweenStepsAndEscLeavesWithTheRunKept) {
  ASSERT_EQ(win_->open_lesson("capacity"), "");
  gui::LessonPlayer& p = *win_->lesson_player();
  frame();
  frame(kKeyPageDown);
  EXPECT_EQ(p.step(), 1);
  frame(kKeyRight);
  EXPECT_EQ(p.step(), 2);
  frame(kKeyPageUp);
  EXPECT_EQ(p.step(), 1);
  frame(kKeyLeft);
  EXPECT_EQ(p.step(), 0);
  frame(kKeyLeft);  // nothing before the first step
  EXPECT_EQ(p.step(), 0);
  ASSERT_TRUE(settle(p));
  frame();
  EXPECT_EQ(win_->snapshot().steps_done, 400);
  frame(kKeyEscape);
  EXPECT_EQ(win_->lesson_player(), nullptr);
  frame();
  EXPECT_EQ(win_->snapshot().steps_done, 400);  // the lesson's run, kept in the laboratory
  EXPECT_EQ(win_->snapshot().cfg.capacity_factor, 1.25);
}

// A new user: moescope opens on its default preset; Lessons > "3. Collapse" is clicked with the
// mouse, each step is moved on with PageDown once it has played, the prediction answered with a
// click. Every frame is rendered (the window's own cost on a software renderer). The class sees
// collapse when the collapse panel's alert is up: run A's load entropy below the 0.5 line.
TEST_F(Lessons, ANewUserOpensCollapseFromTheMenuAndSeesItWithinAMinute) {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  ImGuiIO& io = ImGui::GetIO();
  auto render = [&](int key = -1) {
    const auto start = Clock::now();
    frame(key);
    glViewport(0, 0, kW, kH);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();
    std::this_thread::sleep_until(start + std::chrono::milliseconds(16));  // at most 60 frames a second
  };
  // The mouse over each point of a line until the item with id `id` is hovered; then a click.
  auto click = [&](ImVec2 from, ImVec2 to, ImGuiID id) {
    for (int i = 0; i <= 200; ++i) {
      io.MousePos = ImVec2(from.x + (to.x - from.x) * float(i) / 200, from.y + (to.y - from.y) * float(i) / 200);
      render();
      if (g.HoveredId == id) {
        io.MouseDown[0] = true;
        render();
        io.MouseDown[0] = false;
        render();
        return true;
      }
    }
    return false;
  };
  Config c;
  ASSERT_EQ(load_preset("balanced", c), "");
  win_ = std::make_unique<gui::MainWindow>(c, "balanced");
  render();
  const auto t0 = Clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  ImGuiWindow* bar = ImGui::FindWindowByName("##MainMenuBar");
  ASSERT_NE(bar, nullptr);
  const ImGuiID lessons_menu = ImHashStr("Lessons", 0, ImHashStr("##menubar", 0, bar->ID));
  ASSERT_TRUE(click(ImVec2(0, bar->Pos.y + bar->Size.y / 2), ImVec2(700, bar->Pos.y + bar->Size.y / 2), lessons_menu));
  ImGuiWindow* menu = g.OpenPopupStack.empty() ? nullptr : g.OpenPopupStack.back().Window;
  ASSERT_NE(menu, nullptr) << "the Lessons menu opened";
  const std::string item = "3. Collapse";
  ASSERT_TRUE(click(ImVec2(menu->Pos.x + 30, menu->Pos.y), ImVec2(menu->Pos.x + 30, menu->Pos.y + menu->Size.y),
                    ImHashStr(item.c_str(), 0, menu->ID)));
  gui::LessonPlayer* p = win_->lesson_player();
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->lesson().name, "collapse");
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  const double opened = seconds();
  auto play_until = [&](const std::function<bool()>& done, double limit) {
    while (!done() && seconds() < limit) render();
    return done();
  };
  ASSERT_TRUE(play_until([&] { return p->settled(); }, 120));  // step 1: an even start, to step 50
  const double step1 = seconds();
  render(kKeyPageDown);
  ASSERT_EQ(p->step(), 1);
  render();
  ImGuiWindow* text = ImGui::FindWindowByName("##lesson_text");
  ASSERT_NE(text, nullptr);
  const int right = p->lesson().steps[1].predict.correct;
  const ImGuiID answer = ImHashStr(std::string(1, char('A' + right)).c_str(), 0,
                                   ImHashData(&right, sizeof right, text->ID));
  ASSERT_TRUE(
      click(ImVec2(text->Pos.x + 25, text->Pos.y), ImVec2(text->Pos.x + 25, text->Pos.y + text->Size.y), answer));
  EXPECT_EQ(p->answered(), right);
  const double answered = seconds();
  ASSERT_TRUE(play_until([&] { return p->settled(); }, 120));  // step 2: the rich get richer, to step 400
  const double step2 = seconds();
  render(kKeyPageDown);
  ASSERT_EQ(p->step(), 2);
  const double step3 = seconds();
  // Step 3 replays the run from step 0 with the collapse panel beside the load; its alert goes up
  // when load entropy < 0.5.
  bool restarted = false;
  ASSERT_TRUE(play_until(
      [&] {
        const RunSnapshot& a = win_->snapshot();
        restarted = restarted || (a.steps_done > 0 && a.steps_done < 400);
        return restarted && !a.last.layers.empty() && a.last.layers[0].load_entropy < 0.5;
      },
      step3 + 120));
  const double collapse = seconds();
  const int64_t at = win_->snapshot().steps_done;
  // The harness's mouse sweeps (finding the menu item, the answer button) are not the program's time.
  const double machine = (step1 - opened) + (step2 - answered) + (collapse - step3);
  std::printf(
      "new user, lesson 3: the lesson's own time until the collapse alert is up: %.1f s (step 1 to step 50 "
      "%.1f s, step 2 to step 400 after the answer %.1f s, step 3 to the alert at step %lld %.1f s); with the "
      "harness's clicks %.1f s\n",
      machine, step1 - opened, step2 - answered, static_cast<long long>(at), collapse - step3, collapse);
  ASSERT_TRUE(play_until([&] { return p->settled(); }, collapse + 120));
  render();
  EXPECT_EQ(win_->snapshot().steps_done, 600);
  EXPECT_LT(machine, 60.0) << "the class sees collapse within a minute";
}

TEST_F(Lessons, AnABStepOverlaysTwoRunsOfTheRunSetInTwoColoursAndRestartGivesTheSameRuns) {
  ASSERT_EQ(win_->open_lesson("balance-loss"), "");
  gui::LessonPlayer& p = *win_->lesson_player();
  p.go_to(3);  // "α = 0 against α = 0.01": run B from the same start, entropy and load
  p.answer(p.lesson().steps[3].predict.correct);
  ASSERT_TRUE(settle(p));
  frame();
  frame();
  const int a = p.run_a(), b = p.run_b();
  ASSERT_GE(b, 0);
  EXPECT_EQ(win_->runs().selected(), a);
  EXPECT_EQ(win_->runs().info(b).label, "B: \u03b1 = 0");
  EXPECT_EQ(win_->runs().info(a).label, "A: \u03b1 = 0.01");
  EXPECT_EQ(win_->runs().snapshot(b)->run_config.alpha, 0.0);
  EXPECT_EQ(win_->runs().snapshot(a)->run_config.alpha, 0.01);
  const Comparison cmp = p.comparison();
  ASSERT_EQ(cmp.lines.size(), 2u);
  // The entropy plot draws both runs, each in its own run colour (lines, opaque).
  ASSERT_NE(run_colour(a) & 0xFFFFFF, run_colour(b) & 0xFFFFFF);
  EXPECT_GT(panel_vertices_in("entropy", run_colour(a), false), 200);
  EXPECT_GT(panel_vertices_in("entropy", run_colour(b), false), 200);
  // Going back and coming again, or restarting the step, gives the same two runs.
  const double ea = win_->runs().snapshot(a)->last.layers[0].load_entropy;
  const double eb = win_->runs().snapshot(b)->last.layers[0].load_entropy;
  EXPECT_GT(ea, eb + 0.3) << "alpha = 0 collapses, alpha = 0.01 does not";
  p.go_to(0);  // the lesson's first step has no run B
  ASSERT_TRUE(settle(p));
  EXPECT_EQ(p.run_b(), -1);
  EXPECT_EQ(win_->runs().size(), 1) << "the step before has no run B";
  p.go_to(3);
  p.answer(0);
  ASSERT_TRUE(settle(p));
  p.restart_step();
  ASSERT_TRUE(settle(p));
  frame();
  EXPECT_EQ(win_->runs().size(), 2);
  EXPECT_EQ(win_->runs().snapshot(p.run_a())->last.layers[0].load_entropy, ea);
  EXPECT_EQ(win_->runs().snapshot(p.run_b())->last.layers[0].load_entropy, eb);
  // Leaving the lesson keeps both runs in the run list.
  const int b_now = p.run_b();
  win_->leave_lesson();
  frame();
  EXPECT_EQ(win_->runs().size(), 2);
  EXPECT_EQ(win_->runs().info(b_now).label, "B: \u03b1 = 0");
  EXPECT_EQ(win_->runs().snapshot(b_now)->steps_done, 400);
  EXPECT_EQ(win_->comparison().lines.size(), 2u) << "the laboratory overlays them too";
}

TEST_F(Lessons, ACompareAtAStepForksRunAThere) {
  win_->open_lesson(one_step_lesson(R"({"do": "play_to", "step": 120},
      {"do": "compare", "at": 60, "settings": {"alpha": 0.05}, "label": "alpha on"})",
                                    R"("entropy", "this-step")"));
  gui::LessonPlayer& p = *win_->lesson_player();
  for (int i = 0; i < 4 && !p.settled(); ++i) frame();
  ASSERT_TRUE(settle(p));
  frame();
  frame();
  EXPECT_EQ(p.error(), "");
  const RunInfo bi = win_->runs().info(p.run_b());
  ASSERT_GE(bi.id, 0);
  EXPECT_EQ(bi.parent, p.run_a());
  EXPECT_EQ(bi.fork_step, 60);
  const auto sb = win_->runs().snapshot(p.run_b());
  EXPECT_EQ(sb->steps_done, 120);
  EXPECT_EQ(win_->snapshot().steps_done, 120);
  EXPECT_EQ(sb->run_config.alpha, win_->snapshot().run_config.alpha) << "the same start";
  ASSERT_FALSE(sb->changes.empty());
  EXPECT_EQ(sb->changes.back().step, 60);
  EXPECT_EQ(sb->changes.back().key, "alpha");
  EXPECT_EQ(sb->cfg.alpha, 0.05);
  // this-step is drawn once per run (A beside B), entropy once with both runs.
  EXPECT_GT(panel_vertices("this-step"), 400);
  EXPECT_GT(panel_vertices_in("entropy", run_colour(p.run_b()), false), 100);
  const double eb = sb->last.layers[0].load_entropy;
  p.restart_step();
  ASSERT_TRUE(settle(p));
  EXPECT_EQ(win_->runs().snapshot(p.run_b())->last.layers[0].load_entropy, eb) << "the fork again, the same run";
}

TEST_F(Lessons, ASeedsStepDrawsTheGroupAsAMeanAndABand) {
  win_->open_lesson(
      one_step_lesson(R"({"do": "seeds", "count": 3}, {"do": "play_to", "step": 80})", R"("entropy", "collapse")"));
  gui::LessonPlayer& p = *win_->lesson_player();
  ASSERT_TRUE(settle(p));
  frame();
  frame();
  EXPECT_EQ(p.error(), "");
  ASSERT_EQ(p.runs().size(), 3u);
  const std::vector<int> members = win_->runs().group_members(win_->runs().info(p.run_a()).group);
  EXPECT_EQ(members.size(), 3u);
  std::set<int64_t> seeds;
  for (int m : members) {
    seeds.insert(win_->runs().snapshot(m)->cfg.seed);
    EXPECT_EQ(win_->runs().snapshot(m)->steps_done, 80);
  }
  EXPECT_EQ(seeds.size(), 3u);
  const Comparison cmp = p.comparison();
  ASSERT_EQ(cmp.lines.size(), 1u);
  EXPECT_EQ(cmp.lines[0].members.size(), 3u);
  EXPECT_TRUE(cmp.active());
  EXPECT_GT(panel_vertices_in("entropy", run_colour(p.run_a()), true), 100) << "the band";
  EXPECT_GT(panel_vertices_in("entropy", run_colour(p.run_a()), false), 100) << "the mean";
}

// Pixels of the light theme's blend of colour c at `alpha` over white (a seed group's band).
ImU32 over_white(ImU32 c, float alpha) {
  auto ch = [&](int shift) { return int(std::lround(((c >> shift) & 255) * alpha + 255 * (1 - alpha))); };
  return IM_COL32(ch(0), ch(8), ch(16), 255);
}

// Every lesson's handouts, as `moescope lesson NAME --out DIR` writes them: one PNG per step
// with real content (text and curves on the light background), run A's and run B's colours
// where the step compares, a seed group's band where it repeats over seeds; index.md.
TEST(LessonHandouts, EveryLessonOnePngPerStepWithContentRunColoursAndBands) {
  {
    gui::OffscreenGL probe;
    std::string why;
    if (!probe.create(320, 200, &why)) GTEST_SKIP() << why;
  }
  const std::vector<lesson::Lesson> lessons = lesson::list_lessons();
  ASSERT_EQ(lessons.size(), 8u);
  const auto t0 = Clock::now();
  const ImU32 run_a = palette::run_colour(0, palette::Theme::light),
              run_b = palette::run_colour(1, palette::Theme::light);
  int ab_steps = 0, seed_steps = 0;
  for (const lesson::Lesson& l : lessons) {
    const fs::path dir = fs::path(test::temp_path("moescope-handouts-" + l.name));
    fs::remove_all(dir);
    ASSERT_EQ(gui::write_lesson_handouts(l, dir.string(), 1280, 800), 0) << l.name;
    for (size_t i = 1; i <= l.steps.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "step-%02zu.png", i);
      SCOPED_TRACE(l.name + "/" + name);
      const test::Image img = test::load_png((dir / name).string());
      ASSERT_EQ(img.w, 1280);
      EXPECT_EQ(img.h, 800);
      // Light theme: mostly white, with dark text and curves on it, not a blank page.
      const int white = test::count_colour(img, IM_COL32(255, 255, 255, 255), 8);
      EXPECT_GT(white, img.w * img.h / 3);
      EXPECT_LT(white, img.w * img.h * 19 / 20) << "something drawn besides the background";
      EXPECT_GT(test::count_colour(img, IM_COL32(0, 0, 0, 255), 90), 2000) << "text";
      lesson::RunPlan plan;
      ASSERT_EQ(lesson::plan_for_step(l, int(i) - 1, plan), "");
      if (plan.has_b) {  // run A's and run B's lines (and swatches) in their run colours
        ++ab_steps;
        EXPECT_GT(test::count_colour(img, run_a, 24), 150) << "run A's colour";
        EXPECT_GT(test::count_colour(img, run_b, 24), 150) << "run B's colour";
      }
      if (plan.seeds > 1) {  // the group's band: run A's colour at the band's opacity over white
        ++seed_steps;
        EXPECT_GT(test::count_colour(img, over_white(run_a, 0.22f), 6), 5000) << "the band";
      }
    }
    std::ifstream in(dir / "index.md");
    std::stringstream md;
    md << in.rdbuf();
    EXPECT_NE(md.str().find("## 1. " + l.steps[0].title), std::string::npos) << l.name;
    EXPECT_NE(md.str().find("(step-01.png)"), std::string::npos) << l.name;
    if (l.name == "balance-loss") {
      EXPECT_NE(md.str().find("L_bal = α·E·Σ_(i=1)^E f_i·P_i"), std::string::npos);
      EXPECT_NE(md.str().find("= 0.01 · 8 · ("), std::string::npos);
      EXPECT_NE(md.str().find("![step 5](step-05.png)"), std::string::npos);
    }
  }
  EXPECT_GE(ab_steps, 10);
  EXPECT_GE(seed_steps, 1);
  std::printf("handouts of %zu lessons in %.1f s\n", lessons.size(),
              std::chrono::duration<double>(Clock::now() - t0).count());
}

// A lecturer plays lesson after lesson: each step's runs replace the step before's, another
// lesson replaces the runs of the one before, so the run list stays bounded (the user's runs
// plus this step's); leaving asks whether to keep the lesson's runs, and removing them leaves
// every run the user made or pinned as it was.
TEST_F(Lessons, LessonRunsStayBoundedAndLeavingAsksWhetherToKeepThemTheUsersRunsStay) {
  RunSet& rs = win_->runs();
  const int mine = rs.first();
  std::string err;
  const int dup = rs.duplicate(mine, {{0, "alpha", "0.02"}}, &err);
  ASSERT_GE(dup, 0) << err;
  ASSERT_EQ(rs.repeat_over_seeds(dup, 2), "");
  const int pinned = rs.pin(mine, &err);
  ASSERT_GE(pinned, 0) << err;
  win_->runs_changed();
  std::vector<int> users;
  for (const RunView& v : rs.views()) users.push_back(v.info.id);
  ASSERT_EQ(users.size(), 4u);
  // A seed group's member is selected: the lessons play on a run A of their own.
  win_->select_run(dup);
  auto play_step = [&](gui::LessonPlayer& p, int i) {
    p.go_to(i);
    const lesson::Step& s = p.lesson().steps[size_t(i)];
    if (s.has_predict) p.answer(s.predict.correct);
    if (p.waiting()) p.play();
    ASSERT_TRUE(settle(p));
    frame();
    EXPECT_EQ(p.error(), "");
  };
  size_t most = 0;
  for (const char* name : {"balance-loss", "capacity", "bias-balancing"}) {
    ASSERT_EQ(win_->open_lesson(name), "");
    gui::LessonPlayer& p = *win_->lesson_player();
    for (int i = 0; i < p.step_count(); ++i) {
      SCOPED_TRACE(std::string(name) + " step " + std::to_string(i + 1));
      play_step(p, i);
      EXPECT_EQ(rs.size(), int(users.size() + p.runs().size())) << "the user's runs and this step's, no more";
      EXPECT_TRUE(p.owns_run_a());
      most = std::max(most, size_t(rs.size()));
    }
  }
  EXPECT_EQ(most, users.size() + 2) << "at most A and B beside the user's runs";
  // The seeds step of "collapse" (five seeds) after a compare step of another lesson.
  ASSERT_EQ(win_->open_lesson("stability"), "");
  play_step(*win_->lesson_player(), 2);
  ASSERT_GE(win_->lesson_player()->run_b(), 0);
  ASSERT_EQ(win_->open_lesson("collapse"), "");
  gui::LessonPlayer* p = win_->lesson_player();
  play_step(*p, 5);
  EXPECT_EQ(p->runs().size(), 5u);
  EXPECT_EQ(rs.size(), int(users.size()) + 5) << "stability's run B went when collapse opened";
  // Esc asks first; removing the lesson's runs leaves exactly the user's, as they were.
  frame(kKeyEscape);
  ASSERT_NE(win_->lesson_player(), nullptr);
  EXPECT_TRUE(p->asking_to_leave());
  frame();
  EXPECT_TRUE(p->asking_to_leave()) << "the question is open as a modal (it closes itself when it cannot show)";
  {  // for a look: the question over the lesson
    frame();
    glViewport(0, 0, kW, kH);
    const ImVec4 bg = gui::clear_colour(win_->ui().light_theme);
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    const std::string png = test::temp_path("lesson_leave.png");
    EXPECT_EQ(gui::save_framebuffer_png(png, kW, kH), "");
    std::printf("[ png      ] %s\n", png.c_str());
  }
  p->choose_leave(false);
  frame();
  EXPECT_EQ(win_->lesson_player(), nullptr);
  std::vector<int> now;
  for (const RunView& v : rs.views()) now.push_back(v.info.id);
  EXPECT_EQ(now, users);
  EXPECT_NE(win_->status().find("5 run(s) removed"), std::string::npos) << win_->status();
  Config c;
  ASSERT_TRUE(rs.describe(dup, &c, nullptr));
  EXPECT_EQ(c.alpha, 0.02);
  EXPECT_EQ(rs.info(pinned).kind, RunKind::Pinned);
  // The user's own run as A: leaving with "keep" keeps run B; A, the user's run, is never removed.
  win_->select_run(mine);
  ASSERT_EQ(win_->open_lesson("balance-loss"), "");
  p = win_->lesson_player();
  play_step(*p, 1);
  EXPECT_FALSE(p->owns_run_a());
  EXPECT_EQ(p->own_runs(), std::vector<int>{p->run_b()});
  const int b = p->run_b();
  frame(kKeyEscape);
  p->choose_leave(true);
  frame();
  EXPECT_EQ(win_->lesson_player(), nullptr);
  EXPECT_EQ(rs.size(), int(users.size()) + 1);
  EXPECT_GE(rs.info(b).id, 0) << "run B kept";
  EXPECT_GE(rs.info(mine).id, 0);
}

}  // namespace
}  // namespace moe

// gui_test_input.cpp: the window survives what is dropped on it or left in its settings
// (issue 15). In process, the real MainWindow (the object the GLFW drop callback, Ctrl+O
// and the file dialog call) opens bad files while it trains: each is refused with a message
// in the status line, and the live run goes on with its settings. Under Xvfb, the real
// binary starts with a corrupt settings.json: it sets the file aside, says so, starts on
// the defaults and saves a good settings.json (and imgui.ini) on exit.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "config_io.h"
#include "run_process.h"
#include "test_support.h"
#include "window.h"

namespace moe {
namespace {

namespace fs = std::filesystem;

using test::contains;
using test::slurp;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(test::temp_path(name));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

int64_t steps_after(gui::MainWindow& win, int64_t at_least, double seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  int64_t s = 0;
  while ((s = win.session().snapshot()->steps_done) < at_least &&
         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return s;
}

TEST(WindowInput, ABadDroppedFileIsRefusedInTheStatusLineAndTheLiveRunGoesOn) {
  const fs::path dir = fresh_dir("moescope_window_drop");
  Config cfg;
  ASSERT_EQ(load_preset("balanced", cfg), "");
  cfg.batch_size = 32;
  cfg.threads = 1;
  cfg.lr = 0.004;
  gui::MainWindow win(cfg, "balanced", {});
  win.session().play();
  ASSERT_GE(steps_after(win, 3, 60), 3) << "the run trains";

  std::ofstream(dir / "big.json") << "{\"lr\": 1e400}";
  std::ofstream(dir / "deep.json") << std::string(100000, '[') + std::string(100000, ']');
  std::ofstream(dir / "nul.json") << std::string("\0\0", 2);
  std::ofstream(dir / "wrong.json") << "{\"top_k\": \"two\"}";
  ASSERT_EQ(mkfifo((dir / "pipe.json").c_str(), 0644), 0);
  const std::pair<const char*, const char*> cases[] = {
      {"big.json", "setting 'lr': number 1e400 is out of range"},
      {"deep.json", "nested deeper than 64 levels"},
      {"nul.json", "holds a NUL byte"},
      {"wrong.json", "top_k"},
      {"pipe.json", "is a FIFO (named pipe); allowed: a regular file"},
      {".", "is a directory"},
  };
  for (const auto& [name, expected] : cases) {
    const int64_t before = win.session().snapshot()->steps_done;
    const std::string err = win.open_config_file((dir / name).string());
    EXPECT_CONTAINS(err, expected);
    EXPECT_EQ(win.status(), err) << "the window shows what is wrong";
    EXPECT_TRUE(win.status_is_error());
    EXPECT_GT(steps_after(win, before + 2, 60), before + 1) << name << ": the live run goes on";
    EXPECT_TRUE(win.session().snapshot()->running);
    EXPECT_EQ(win.session().snapshot()->cfg.lr, 0.004) << name << ": its settings stay";
  }
  // and a good file still opens afterwards
  std::ofstream(dir / "good.json") << "{\"lr\": 0.002, \"lr\": 0.003}";
  EXPECT_EQ(win.open_config_file((dir / "good.json").string()), "");
  EXPECT_CONTAINS(win.status(), "duplicate key 'lr'");
  win.session().pause();
}

TEST(WindowInput, ACorruptSettingsFileIsSetAsideAndTheWindowStartsOnTheDefaults) {
  if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "xvfb-run is not installed (package xvfb)";
  for (const std::string& bad :
       {std::string("{\"ui\": {\"ema\": 1e400}}"), std::string(80000, '{'), std::string("\0", 1)}) {
    const fs::path dir = fresh_dir("moescope_window_settings");
    fs::create_directories(dir / "moescope");
    std::ofstream(dir / "moescope" / "settings.json", std::ios::binary) << bad;
    const test::ProcessResult r = test::run_process("XDG_CONFIG_HOME='" + dir.string() +
                                                    "' xvfb-run -a -s '-screen 0 1600x1000x24' " MOESCOPE_BINARY
                                                    " --frames 5 2>&1 < /dev/null");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_CONTAINS(r.out, "settings '");
    EXPECT_CONTAINS(r.out, "; moved it to ");
    EXPECT_CONTAINS(r.out, "started on the defaults");
    int aside = 0;
    for (const auto& e : fs::directory_iterator(dir / "moescope")) {
      const std::string name = e.path().filename().string();
      EXPECT_FALSE(contains(name, ".tmp")) << "leftover " << name;
      if (name.rfind("settings.json.bad-", 0) == 0) {
        ++aside;
        EXPECT_EQ(slurp(e.path()), bad) << "the bad file is kept as it was";
      }
    }
    EXPECT_EQ(aside, 1);
    const nlohmann::json saved = nlohmann::json::parse(slurp(dir / "moescope" / "settings.json"));
    EXPECT_EQ(saved["preset"], "balanced") << "started on the default preset";
    EXPECT_TRUE(fs::exists(dir / "moescope" / "imgui.ini")) << "imgui.ini written by the atomic writer";
  }
}

}  // namespace
}  // namespace moe

namespace moe {
namespace {

// `shot` used to print "wrote ..." and exit 0 on a full disk, leaving a truncated PNG.
TEST(WindowInput, AShotThatCannotBeWrittenExitsOneAndNeverSaysWrote) {
  const fs::path dir = fresh_dir("moescope_shot_full");
  fs::create_symlink("/dev/full", dir / "full.png");
  test::ProcessResult r = test::run_process("cd '" + dir.string() +
                                            "' && " MOESCOPE_BINARY
                                            " shot --preset balanced --steps 3 --size 320x200 --out full.png 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_CONTAINS(r.out, "cannot write 'full.png': No space left on device");
  EXPECT_FALSE(contains(r.out, "wrote ")) << r.out;
  EXPECT_TRUE(fs::is_symlink(dir / "full.png")) << "the link is not replaced by a file";
  // and onto a good path it writes, keeping the old file's mode
  std::ofstream(dir / "ok.png") << "old";
  fs::permissions(dir / "ok.png", fs::perms(0640));
  r = test::run_process("cd '" + dir.string() +
                        "' && " MOESCOPE_BINARY " shot --preset balanced --steps 3 --size 320x200 --out ok.png 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_CONTAINS(r.out, "wrote ok.png");
  EXPECT_EQ(slurp(dir / "ok.png").substr(1, 3), "PNG");
  EXPECT_EQ(fs::status(dir / "ok.png").permissions() & fs::perms::all, fs::perms(0640));
}

}  // namespace
}  // namespace moe

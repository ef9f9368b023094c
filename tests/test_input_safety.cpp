// test_input_safety.cpp: nothing a user types, drops or interrupts crashes moescope
// or loses a run (issue 15). In process: the JSON reader (1e400, nesting, duplicate
// keys, trailing garbage), read_regular_file (FIFOs, folders, devices, size limit),
// AtomicFile (full disk, /dev/full, symlinks, modes). Through the real binary, in a
// fresh folder: the same inputs exit 2 with one message; Ctrl+C and SIGTERM during
// `run` and `sweep` keep what was trained and exit 130/143; a full disk keeps the old
// output and exits 1; bad presets are skipped; sweeps refuse 64 axes and fit --jobs to
// the memory budget; schedules and integers are checked up front; the memory estimate
// matches the peak RSS of a real run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config_io.h"
#include "file_read.h"
#include "safe_io.h"
#include "test_support.h"

extern char** environ;

namespace moe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::contains;
using test::lines;
using test::slurp;

class Folder : public test::FolderTest {
 protected:
  Folder() : FolderTest("moescope_safety_") {}
  void TearDown() override {
    if (!mount_.empty()) ::umount(mount_.c_str());
    FolderTest::TearDown();
  }

  using Result = test::RunResult;
  // Starts `moescope ARGS...` in the folder; stderr goes to stderr.txt. Returns its pid.
  pid_t start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {MOESCOPE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, path("stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, path("stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&fa, dir_.c_str());
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, MOESCOPE_BINARY, &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (spawned != 0 || pid <= 0) {
      ADD_FAILURE() << "cannot start " MOESCOPE_BINARY;
      std::abort();  // never go on to kill(pid) with a bad pid
    }
    return pid;
  }
  // Waits for the temporary output beside `name` to appear (the run has started writing).
  bool wait_for_temp(const std::string& name, double seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
      for (const auto& e : fs::directory_iterator(dir_))
        if (contains(e.path().filename().string(), "." + name + ".tmp")) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  int wait_status(pid_t pid) {
    int raw = 0;
    waitpid(pid, &raw, 0);
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  }
  // A tmpfs of `kib` KiB at <folder>/small (root only). False if it cannot be mounted.
  bool mount_small_disk(int kib) {
    fs::create_directories(path("small"));
    if (::mount("tmpfs", path("small").c_str(), "tmpfs", 0, ("size=" + std::to_string(kib) + "k").c_str()) != 0)
      return false;
    mount_ = path("small").string();
    return true;
  }

  std::string mount_;
};

const std::string kSource = "--preset balanced --set task=blobs num_experts=8 top_k=2 batch_size=64 lr=0.003 ";

// [SECTION] The JSON reader

TEST(JsonReader, ANumberBeyondDoubleIsAnErrorNamingTheKeyNotAnException) {
  for (const char* text : {"{\"lr\": 1e400}", "{\"lr\": -1e400}", "{\"config\": {\"lr\": 1e400}}"}) {
    json out;
    const std::string err = parse_json_text(text, "f.json", out);
    EXPECT_CONTAINS(err, "f.json: setting 'lr': number");
    EXPECT_CONTAINS(err, "out of range");
  }
  json out;
  EXPECT_CONTAINS(parse_json_text("[1, 2e999]", "a.json", out), "a.json: number 2e999 is out of range");
}

TEST(JsonReader, NestingIsRefusedBeyondTheLimitBeforeAnythingRecurses) {
  json out;
  const auto nested = [](int depth) { return std::string(size_t(depth), '[') + std::string(size_t(depth), ']'); };
  EXPECT_EQ(parse_json_text(nested(kMaxJsonDepth), "ok.json", out), "");
  EXPECT_CONTAINS(parse_json_text(nested(kMaxJsonDepth + 1), "deep.json", out),
                  "deep.json: nested deeper than 64 levels");
  // 1,000,000 levels: refused at level 65, no stack overflow (it used to SIGSEGV at ~58k)
  EXPECT_CONTAINS(parse_json_text(nested(1000000), "deeper.json", out), "nested deeper than 64");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  EXPECT_CONTAINS(parse_json_text(objects, "obj.json", out), "nested deeper than 64");
}

TEST(JsonReader, DuplicateKeysWarnNamingTheKeyAndTheLaterValueIsUsed) {
  json out;
  std::vector<std::string> warnings;
  EXPECT_EQ(parse_json_text("{\"lr\": 0.1, \"top_k\": 2, \"lr\": 0.2}", "d.json", out, &warnings), "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_CONTAINS(warnings[0], "d.json: duplicate key 'lr'");
  EXPECT_EQ(out["lr"], 0.2);
  EXPECT_EQ(out["top_k"], 2);
}

TEST(JsonReader, TrailingGarbageIsAnErrorWithLineAndColumn) {
  json out;
  const std::string err = parse_json_text("{\"lr\": 0.1}\n  xyz", "t.json", out);
  EXPECT_CONTAINS(err, "t.json: malformed JSON at line 2, column 3");
  EXPECT_CONTAINS(parse_json_text("{\"lr\": 0.1} {}", "t.json", out), "expected end of input");
}

TEST(JsonReader, ParsesTheSameDocumentAsNlohmann) {
  const std::string text = slurp(fs::path(MOESCOPE_TESTS_DIR) / ".." / "assets" / "presets" / "balanced.json");
  json ours;
  ASSERT_EQ(parse_json_text(text, "balanced.json", ours), "");
  EXPECT_EQ(ours, json::parse(text));
  EXPECT_EQ(ours.dump(1), json::parse(text).dump(1));
}

// [SECTION] Regular files only

TEST_F(Folder, ReadRegularFileRefusesFifosFoldersDevicesAndOversizedFiles) {
  std::string data;
  ASSERT_EQ(mkfifo(path("pipe").c_str(), 0644), 0);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(read_regular_file(path("pipe").string(), 1024, &data), "is a FIFO (named pipe); allowed: a regular file");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0)
      << "must not wait for a writer";
  EXPECT_EQ(read_regular_file(dir_.string(), 1024, &data), "is a directory; allowed: a regular file");
  EXPECT_EQ(read_regular_file("/dev/zero", 1024, &data), "is a character device; allowed: a regular file");
  write("big.txt", std::string(2048, 'a'));
  EXPECT_EQ(read_regular_file(path("big.txt").string(), 1024, &data),
            "is larger than 1024 bytes; allowed: at most 1024 bytes");
  EXPECT_TRUE(data.empty());
  EXPECT_EQ(read_regular_file(path("big.txt").string(), 4096, &data), "");
  EXPECT_EQ(data.size(), 2048u);
  EXPECT_CONTAINS(read_regular_file(path("missing").string(), 1024, &data), "cannot open: No such file");
}

TEST_F(Folder, ConfigThatIsAFifoFolderDeviceEmptyOrNulExitsTwoWithAMessage) {
  ASSERT_EQ(mkfifo(path("pipe.json").c_str(), 0644), 0);
  EXPECT_CONTAINS(expect_bad_input("run --config pipe.json --steps 1"),
                  "'pipe.json' is a FIFO (named pipe); allowed: a regular file");
  EXPECT_CONTAINS(expect_bad_input("run --config . --steps 1"), "'.' is a directory");
  EXPECT_CONTAINS(expect_bad_input("run --config /dev/zero --steps 1"), "'/dev/zero' is a character device");
  write("empty.json", "");
  EXPECT_CONTAINS(expect_bad_input("run --config empty.json --steps 1"), "'empty.json' is empty");
  write("nul.json", std::string("\0\0\0", 3));
  EXPECT_CONTAINS(expect_bad_input("run --config nul.json --steps 1"), "holds a NUL byte at offset 0");
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set task=chars text_file=pipe.json --steps 1"),
                  "text_file 'pipe.json': is a FIFO");
}

TEST_F(Folder, ConfigWith1e400OrDeepNestingExitsTwoWithTheMessage) {
  write("big.json", "{\"top_k\": 2, \"lr\": 1e400}");
  EXPECT_CONTAINS(expect_bad_input("run --config big.json --steps 1"),
                  "config file 'big.json': setting 'lr': number 1e400 is out of range");
  write("deep.json", std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_CONTAINS(expect_bad_input("run --config deep.json --steps 1"),
                  "config file 'deep.json': nested deeper than 64 levels");
  write("dup.json", "{\"lr\": 0.01, \"lr\": 0.02}");
  const Result r = run("run --config dup.json --steps 1 --quiet");
  EXPECT_EQ(r.status, 0);
  EXPECT_CONTAINS(r.err, "warning: config file 'dup.json': duplicate key 'lr'");
}

TEST_F(Folder, ABadPresetFileIsSkippedWithAWarningAndTheOthersStillRun) {
  const fs::path assets = path("assets");
  fs::create_directories(assets / "presets");
  fs::copy_file(fs::path(MOESCOPE_TESTS_DIR) / ".." / "assets" / "presets" / "balanced.json",
                assets / "presets" / "balanced.json");
  std::ofstream(assets / "presets" / "broken.json") << "{\"title\": \"x\", \"config\": {\"lr\": 1e400}}";
  std::ofstream(assets / "presets" / "wrongtitle.json") << "{\"title\": 3}";
  const std::string env = "MOESCOPE_ASSETS='" + assets.string() + "'";
  Result r = run("presets", env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_CONTAINS(r.out, "balanced");
  EXPECT_CONTAINS(r.err, "broken.json': setting 'lr': number 1e400 is out of range");
  EXPECT_CONTAINS(r.err, "; skipped");
  EXPECT_CONTAINS(r.err, "wrongtitle.json'");
  r = run("run --preset balanced --steps 2 --quiet", env);
  EXPECT_EQ(r.status, 0) << r.err;
}

// [SECTION] Output: atomic, checked, devices and symlinks

TEST_F(Folder, AtomicFileReplacesKeepsModeFollowsSymlinksAndWritesThroughDevices) {
  write("out.csv", "old\n");
  ASSERT_EQ(::chmod(path("out.csv").c_str(), 0640), 0);
  EXPECT_EQ(write_file_atomic(path("out.csv").string(), "new\n"), "");
  EXPECT_EQ(slurp(path("out.csv")), "new\n");
  struct stat st {};
  ASSERT_EQ(::stat(path("out.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u) << "the old file's mode is kept";

  fs::create_directories(path("real"));
  write("real/target.csv", "old\n");
  fs::create_symlink("real/target.csv", path("link.csv"));
  EXPECT_EQ(write_file_atomic(path("link.csv").string(), "through the link\n"), "");
  EXPECT_TRUE(fs::is_symlink(path("link.csv"))) << "the link stays a link";
  EXPECT_EQ(slurp(path("real/target.csv")), "through the link\n");

  EXPECT_EQ(write_file_atomic("/dev/null", "discarded"), "");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  const std::string full = write_file_atomic("/dev/full", std::string(1 << 20, 'x'));
  EXPECT_CONTAINS(full, "cannot write '/dev/full': No space left on device");
  EXPECT_TRUE(fs::is_character_file("/dev/full")) << "a device is never replaced by a file";
  EXPECT_CONTAINS(write_file_atomic(dir_.string(), "x"), "is a directory");
}

TEST_F(Folder, AFullDiskLeavesTheOldFileIntactAndExitsOne) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  if (!mount_small_disk(64)) GTEST_SKIP() << "cannot mount a tmpfs here (no CAP_SYS_ADMIN in this container)";
  std::ofstream(path("small/run.csv")) << "the old run\n";
  std::ofstream(path("small/run.json")) << "{\"old\": true}\n";
  // In process: the writer refuses and removes its temporary file.
  EXPECT_CONTAINS(write_file_atomic(path("small/run.csv").string(), std::string(1 << 20, 'x')),
                  "No space left on device");
  EXPECT_EQ(slurp(path("small/run.csv")), "the old run\n");
  // The binary: 2000 steps of CSV (~2 MB) and of JSON do not fit in 64 KiB.
  for (const char* name : {"small/run.csv", "small/run.json"}) {
    const Result r = run("run " + kSource + "--steps 2000 --quiet --out " + name);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_CONTAINS(r.err, std::string("cannot write '") + name + "'");
    EXPECT_CONTAINS(r.err, "No space left on device");
  }
  EXPECT_EQ(slurp(path("small/run.csv")), "the old run\n");
  EXPECT_EQ(slurp(path("small/run.json")), "{\"old\": true}\n");
}

TEST_F(Folder, RunOntoDevFullExitsOneAndDevNullWorks) {
  // /dev/full has no .csv extension, so write through a symlink named like one
  fs::create_symlink("/dev/full", path("full.csv"));
  Result r = run("run " + kSource + "--steps 300 --quiet --out full.csv");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_CONTAINS(r.err, "No space left on device");
  EXPECT_TRUE(fs::is_symlink(path("full.csv")));
  fs::create_symlink("/dev/null", path("null.json"));
  r = run("run " + kSource + "--steps 20 --quiet --out null.json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  r = run("sweep " + kSource + "--grid k=1,2 --steps 2 --out /dev/full");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_CONTAINS(r.err, "cannot write '/dev/full': No space left on device");
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
}

// [SECTION] Interrupts

TEST_F(Folder, CtrlCDuringRunWritesTheStepsTrainedAndExits130) {
  const pid_t pid = start(
      {"run", "--preset", "balanced", "--set", "batch_size=64", "--steps", "100000000", "--out", "i.csv"});
  ASSERT_TRUE(wait_for_temp("i.csv", 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_status(pid), 130);
  const std::string err = slurp(path("stderr.txt"));
  int last = -1;
  ASSERT_EQ(std::sscanf(err.c_str(), "moescope run: interrupted at step %d", &last), 1) << err;
  EXPECT_GT(last, 0);
  EXPECT_CONTAINS(err, "wrote steps 0.." + std::to_string(last - 1) + " to i.csv");
  const std::vector<std::string> rows = lines(slurp(path("i.csv")));
  ASSERT_EQ(rows.size(), size_t(last) + 1) << "header + one row per trained step";
  for (int s = 0; s < last; ++s)
    EXPECT_EQ(rows[size_t(s) + 1].substr(0, rows[size_t(s) + 1].find(',')), std::to_string(s));
}

TEST_F(Folder, SigtermDuringRunWritesValidJsonAndExits143) {
  const pid_t pid = start(
      {"run", "--preset", "balanced", "--set", "batch_size=64", "--steps", "100000000", "--out", "i.json"});
  ASSERT_TRUE(wait_for_temp("i.json", 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_status(pid), 143);
  const json doc = json::parse(slurp(path("i.json")));
  EXPECT_EQ(doc["format"], "moescope-run/1");
  ASSERT_GT(doc["steps"].size(), 0u);
  for (size_t s = 0; s < doc["steps"].size(); ++s) EXPECT_EQ(doc["steps"][s]["step"], int(s));
  EXPECT_CONTAINS(slurp(path("stderr.txt")),
                  "wrote steps 0.." + std::to_string(doc["steps"].size() - 1) + " to i.json");
}

TEST_F(Folder, ASecondCtrlCExitsAtOnceAndLeavesTheOldFileAndNoTemporary) {
  write("o.csv", "old\n");
  // A slow step (batch 65536) so the second signal arrives while the first step trains.
  const pid_t pid = start(
      {"run", "--preset", "balanced", "--set", "batch_size=65536", "--steps", "1000", "--out", "o.csv"});
  ASSERT_TRUE(wait_for_temp("o.csv", 30));
  ::kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGINT);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_status(pid), 130);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_CONTAINS(slurp(path("stderr.txt")), "interrupted again");
  EXPECT_EQ(slurp(path("o.csv")), "old\n");
}

TEST_F(Folder, CtrlCDuringSweepKeepsEveryFinishedRunInRunOrder) {
  const pid_t pid = start({"sweep", "--preset", "balanced", "--set", "batch_size=64", "--grid", "k=1,2,4", "--grid",
                           "alpha=0,0.001,0.01,0.1", "--seeds", "4", "--steps", "400", "--jobs", "2", "--out",
                           "s.csv"});
  ASSERT_TRUE(wait_for_temp("s.csv", 30));
  // wait until a few runs have finished (the progress line counts them)
  const auto t0 = std::chrono::steady_clock::now();
  while (!contains(slurp(path("stderr.txt")), "3/48 runs") &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_status(pid), 130);
  const std::string err = slurp(path("stderr.txt"));
  size_t kept = 0;
  const auto at = err.find("interrupted; ");
  ASSERT_NE(at, std::string::npos) << err;
  ASSERT_EQ(std::sscanf(err.c_str() + at, "interrupted; %zu of 48 runs finished", &kept), 1);
  EXPECT_GE(kept, 3u);
  EXPECT_LT(kept, 48u);
  const std::vector<std::string> rows = lines(slurp(path("s.csv")));
  ASSERT_EQ(rows.size(), kept + 1);
  EXPECT_EQ(rows[0].substr(0, 24), "run,top_k,alpha,seed,sta");
  int previous = -1;
  for (size_t i = 1; i < rows.size(); ++i) {
    const int index = std::stoi(rows[i].substr(0, rows[i].find(',')));
    EXPECT_GT(index, previous) << "rows in run order";
    previous = index;
    EXPECT_CONTAINS(rows[i], ",ok,400,");
  }
}

// [SECTION] Sweeps: size and memory

TEST_F(Folder, SweepOf64AxesIsRefusedInsteadOfWrapping) {
  std::string grid;
  for (int i = 0; i < 64; ++i) grid += "--grid alpha=0,0.01 ";
  EXPECT_CONTAINS(expect_bad_input("sweep " + kSource + grid + "--out s.csv"), "more than 1000000 runs");
  // 2 × 3 × 20 grid points × 10000 seeds = 1.2 million
  EXPECT_CONTAINS(
      expect_bad_input(
          "sweep " + kSource +
          "--grid k=1,2 --grid alpha=0,1e-3,1e-2 --seeds 10000 "
          "--grid lr=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8,1.9,2 --out s.csv"),
      "more than 1000000 runs");
  EXPECT_FALSE(fs::exists(path("s.csv")));
}

TEST_F(Folder, StrictShardAndIntegers) {
  for (const char* shard : {"0/4x", "0/99999999999", "-1/4", " 0/4", "0x0/4"})
    EXPECT_CONTAINS(
        expect_bad_input("sweep " + kSource + "--grid k=1,2 --shard '" + std::string(shard) + "' --out s.csv"),
        "--shard");
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set top_k=0x2 --steps 1"), "'0x2' is not an integer");
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set 'top_k= 2' --steps 1"), "is not an integer");
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set lr=1e400 --steps 1"), "out of range");
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set lr=0x1p-3 --steps 1"), "is not a number");
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set lr=0.1@+5 --steps 1"), "STEP");
}

TEST_F(Folder, SweepLowersJobsToTheMemoryBudgetAndSaysSo) {
  Config big = default_config();
  ASSERT_EQ(load_preset("balanced", big), "");
  big.batch_size = 16384;
  big.threads = 1;
  const double per_run_mib = estimate_bytes(big) / (1024.0 * 1024);
  const int budget_mib = int(per_run_mib * 2.5);  // room for two runs, not four
  Result r = run("sweep --preset balanced --set batch_size=16384 --grid k=1,1,1,1 --steps 1 --jobs 4 --max-memory " +
                 std::to_string(budget_mib) + "M --out s.csv");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_CONTAINS(r.err, "running 2 at a time instead of 4");
  EXPECT_EQ(lines(slurp(path("s.csv"))).size(), 5u);
  r = run("sweep --preset balanced --set batch_size=16384 --grid k=1,2 --steps 1 --max-memory " +
          std::to_string(int(per_run_mib / 2)) + "M --out s2.csv");
  EXPECT_EQ(r.status, 2);
  EXPECT_CONTAINS(r.err, "one run needs about");
  EXPECT_CONTAINS(expect_bad_input("sweep " + kSource + "--grid k=1,2 --max-memory lots --out s.csv"),
                  "--max-memory 'lots'");
}

TEST(MemoryEstimate, EachBufferGroupIsCounted) {
  Config c = default_config();
  c.batch_size = 4096;
  c.probe_size = 256;
  c.top_k = 1;
  const double k1 = estimate_bytes(c);
  c.top_k = 4;
  // three more packed expert rows per token: Xp, O, dO, dXp [d] and Hpre, H, keep [h] floats + a token id
  EXPECT_DOUBLE_EQ(estimate_bytes(c) - k1, 3.0 * 4096 * ((4.0 * c.d_model + 3.0 * c.expert_hidden) * 4 + 4));
}

// The estimate against the peak resident memory of real runs (the child's ru_maxrss).
TEST_F(Folder, MemoryEstimateMatchesThePeakResidentMemoryOfARun) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine change resident memory";
#else
  struct Case {
    std::vector<std::string> sets;
  };
  for (const Case& c : {Case{{"batch_size=16384"}}, Case{{"batch_size=16384", "top_k=4"}},
                        Case{{"batch_size=16384", "teacher_inputs=256", "expert_hidden=128"}}}) {
    Config cfg = default_config();
    ASSERT_EQ(load_preset("balanced", cfg), "");
    std::vector<std::string> args = {"run", "--preset", "balanced", "--steps", "2", "--quiet", "--set", "threads=1"};
    for (const std::string& s : c.sets) {
      ASSERT_EQ(apply_set(s, cfg), "");
      args.push_back("--set");
      args.push_back(s);
    }
    cfg.threads = 1;
    const pid_t pid = start(args);
    int raw = 0;
    struct rusage ru {};
    ASSERT_EQ(wait4(pid, &raw, 0, &ru), pid);
    ASSERT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0) << slurp(path("stderr.txt"));
    const double peak = double(ru.ru_maxrss) * 1024, est = estimate_bytes(cfg);
    EXPECT_NEAR(est / peak, 1.0, 0.15) << c.sets.back() << ": estimate " << est / 1048576 << " MiB, peak RSS "
                                       << peak / 1048576 << " MiB";
  }
#endif
}

// [SECTION] Schedules

TEST_F(Folder, ScheduleThatWouldBreakACrossFieldRuleIsRefusedUpFront) {
  EXPECT_CONTAINS(expect_bad_input("run " + kSource + "--set top_k=9@5 --steps 10"),
                  "at step 5, top_k=9: setting 'top_k': 9 is more than num_experts = 8");
  // two changes at one step both apply (neither is dropped)
  const Result r = run("run " + kSource + "--set top_k=1@5 --set lr=0.001@5 --steps 10");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_CONTAINS(r.out, "event at step 5: k 2\u21921");
  EXPECT_CONTAINS(r.out, "event at step 5: lr 0.003\u21920.001");
}

}  // namespace
}  // namespace moe

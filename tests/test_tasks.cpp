// test_tasks.cpp: the three tasks (blobs, teacher, chars), the UTF-8 decoder,
// character classes and the generated text: determinism from the seed,
// statistics of the batches, user errors in text files, and that sampling
// into an already-sized batch reuses its buffers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config.h"
#include "rng.h"
#include "tasks.h"

namespace moe {
namespace {

constexpr const char* kGpl3 = "/usr/share/common-licenses/GPL-3";

Config config_for(Task task, int64_t seed = 1) {
  Config c = default_config();
  c.task = task;
  c.seed = seed;
  if (task == Task::chars) c.text_length = 20000;  // keep the tests fast
  return c;
}

std::unique_ptr<TaskData> make(const Config& c) {
  std::string error;
  std::unique_ptr<TaskData> task = TaskData::create(c, &error);
  EXPECT_NE(task, nullptr) << error;
  EXPECT_EQ(error, "");
  return task;
}

Batch sample(const TaskData& task, uint64_t seed, int T) {
  Rng rng(seed, RngStream_Data);
  Batch b;
  task.sample(rng, T, b);
  return b;
}

bool same_batch(const Batch& a, const Batch& b) {
  return a.T == b.T && a.inputs == b.inputs && a.token_ids == b.token_ids && a.class_targets == b.class_targets &&
         a.reg_targets == b.reg_targets && a.labels == b.labels;
}

std::string write_temp_file(const std::string& name, const std::string& bytes) {
  const std::string path = testing::TempDir() + "moescope_test_tasks_" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  return path;
}

// Population mean and std of all values.
std::pair<double, double> mean_std(const MatrixRd& m) {
  const double mean = m.mean();
  const double var = (m.array() - mean).square().mean();
  return {mean, std::sqrt(var)};
}

// [SECTION] Determinism

TEST(Tasks, SameSeedGivesIdenticalTaskAndBatches) {
  for (Task kind : {Task::blobs, Task::teacher, Task::chars}) {
    SCOPED_TRACE(int(kind));
    auto a = make(config_for(kind, 7)), b = make(config_for(kind, 7));
    EXPECT_TRUE(same_batch(sample(*a, 3, 64), sample(*b, 3, 64)));
  }
}

TEST(Tasks, DifferentTaskSeedOrBatchSeedGivesDifferentBatches) {
  for (Task kind : {Task::blobs, Task::teacher, Task::chars}) {
    SCOPED_TRACE(int(kind));
    auto a = make(config_for(kind, 7)), b = make(config_for(kind, 8));
    EXPECT_FALSE(same_batch(sample(*a, 3, 64), sample(*b, 3, 64)));  // another task definition
    EXPECT_FALSE(same_batch(sample(*a, 3, 64), sample(*a, 4, 64)));  // another batch stream
  }
}

// [SECTION] blobs

TEST(Blobs, LabelsEqualClassTargetsAndLieInRange) {
  Config c = config_for(Task::blobs);
  c.blob_clusters = 8;
  c.blob_classes = 3;
  auto task = make(c);
  EXPECT_EQ(task->input_width(), 2);
  EXPECT_EQ(task->n_out(), 3);
  EXPECT_EQ(task->n_labels(), 3);
  EXPECT_FALSE(task->regression());
  EXPECT_EQ(task->label_name(2), "class 2");
  const Batch b = sample(*task, 1, 2048);
  ASSERT_EQ(b.T, 2048);
  ASSERT_EQ(b.inputs.rows(), 2048);
  ASSERT_EQ(b.inputs.cols(), 2);
  EXPECT_EQ(b.labels, b.class_targets);
  std::vector<int> histogram(3, 0);
  for (int32_t y : b.class_targets) {
    ASSERT_GE(y, 0);
    ASSERT_LT(y, 3);
    ++histogram[size_t(y)];
  }
  // Clusters 0,3,6 -> class 0; 1,4,7 -> class 1; 2,5 -> class 2 (uniform clusters: 3/8, 3/8, 2/8).
  EXPECT_NEAR(histogram[0] / 2048.0, 3.0 / 8, 0.04);
  EXPECT_NEAR(histogram[1] / 2048.0, 3.0 / 8, 0.04);
  EXPECT_NEAR(histogram[2] / 2048.0, 2.0 / 8, 0.04);
  EXPECT_TRUE(b.token_ids.empty());
  EXPECT_EQ(b.reg_targets.size(), 0);
}

TEST(Blobs, CentresLieInTheSquareAndAreSeparated) {
  Config c = config_for(Task::blobs);
  c.blob_clusters = 16;
  c.blob_classes = 4;
  auto task = make(c);
  ASSERT_EQ(task->clusters(), 16);
  double closest = 1e9;
  for (int i = 0; i < 16; ++i) {
    EXPECT_GE(task->cluster_x(i), -1.0);
    EXPECT_LE(task->cluster_x(i), 1.0);
    EXPECT_GE(task->cluster_y(i), -1.0);
    EXPECT_LE(task->cluster_y(i), 1.0);
    for (int j = 0; j < i; ++j)
      closest = std::min(closest,
                         std::hypot(task->cluster_x(i) - task->cluster_x(j), task->cluster_y(i) - task->cluster_y(j)));
  }
  // 16 random points in the square would typically have a closest pair near 0.1.
  EXPECT_GT(closest, 0.25);
}

TEST(Blobs, SampleMeanAndStdOfOneClusterMatchItsCentreAndSpread) {
  Config c = config_for(Task::blobs);
  c.blob_clusters = 4;
  c.blob_classes = 4;  // class j is exactly cluster j
  c.blob_spread = 0.15;
  auto task = make(c);
  const Batch b = sample(*task, 5, 16384);
  for (int j = 0; j < 4; ++j) {
    double sx = 0, sy = 0, sxx = 0;
    int n = 0;
    for (int t = 0; t < b.T; ++t) {
      if (b.labels[size_t(t)] != j) continue;
      sx += b.inputs(t, 0), sy += b.inputs(t, 1), sxx += b.inputs(t, 0) * b.inputs(t, 0);
      ++n;
    }
    ASSERT_GT(n, 3000);
    const double mx = sx / n, my = sy / n;
    // Standard error 0.15 / sqrt(4096) ~ 0.0023: 0.012 is five of them.
    EXPECT_NEAR(mx, task->cluster_x(j), 0.012);
    EXPECT_NEAR(my, task->cluster_y(j), 0.012);
    EXPECT_NEAR(std::sqrt(sxx / n - mx * mx), 0.15, 0.01);
  }
}

TEST(Blobs, MoreClassesThanClustersIsAnErrorNamingTheSetting) {
  Config c = config_for(Task::blobs);
  c.blob_clusters = 3;
  c.blob_classes = 5;
  std::string error;
  EXPECT_EQ(TaskData::create(c, &error), nullptr);
  EXPECT_NE(error.find("blob_classes"), std::string::npos) << error;
}

TEST(Tasks, OutOfRangeTaskSettingIsAnErrorNamingTheSetting) {
  Config c = config_for(Task::teacher);
  c.teacher_experts = 0;
  std::string error;
  EXPECT_EQ(TaskData::create(c, &error), nullptr);
  EXPECT_NE(error.find("teacher_experts"), std::string::npos) << error;
}

// [SECTION] teacher

TEST(Teacher, TargetsHaveUnitStdAndLabelsCoverEveryTeacherExpert) {
  Config c = config_for(Task::teacher);
  c.teacher_inputs = 16;
  c.teacher_outputs = 4;
  c.teacher_experts = 4;
  auto task = make(c);
  EXPECT_TRUE(task->regression());
  EXPECT_EQ(task->input_width(), 16);
  EXPECT_EQ(task->n_out(), 4);
  EXPECT_EQ(task->n_labels(), 4);
  EXPECT_EQ(task->label_name(1), "teacher expert 1");
  const Batch b = sample(*task, 2, 4096);
  ASSERT_EQ(b.reg_targets.rows(), 4096);
  ASSERT_EQ(b.reg_targets.cols(), 4);
  const auto [mean, std_dev] = mean_std(b.reg_targets);
  EXPECT_GE(std_dev, 0.7);
  EXPECT_LE(std_dev, 1.4);
  std::vector<int> uses(4, 0);
  for (int32_t e : b.labels) {
    ASSERT_GE(e, 0);
    ASSERT_LT(e, 4);
    ++uses[size_t(e)];
  }
  for (int e = 0; e < 4; ++e) EXPECT_GT(uses[size_t(e)], 4096 / 4 / 4) << "teacher expert " << e;
  EXPECT_TRUE(b.class_targets.empty());
  EXPECT_TRUE(b.token_ids.empty());
}

TEST(Teacher, InputsAreStandardNormal) {
  auto task = make(config_for(Task::teacher));
  const Batch b = sample(*task, 3, 4096);
  const auto [mean, std_dev] = mean_std(b.inputs);
  EXPECT_NEAR(mean, 0.0, 0.01);  // 65536 values: standard error 0.004
  EXPECT_NEAR(std_dev, 1.0, 0.01);
}

TEST(Teacher, NoiseChangesTargetsButNotInputsOrLabels) {
  Config quiet = config_for(Task::teacher), noisy = quiet;
  noisy.teacher_noise = 1.0;
  auto a = make(quiet), b = make(noisy);
  const Batch x = sample(*a, 4, 4096), y = sample(*b, 4, 4096);
  EXPECT_EQ(x.inputs, y.inputs);
  EXPECT_EQ(x.labels, y.labels);
  // The noise is N(0, 1) on top of unit-std targets.
  const MatrixRd difference = y.reg_targets - x.reg_targets;
  const auto [mean, std_dev] = mean_std(difference);
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(std_dev, 1.0, 0.02);
}

// [SECTION] Generated text

TEST(GeneratedText, IsDeterministicFromTheSeedAndHasTheAskedLength) {
  const std::string a = generate_text(11, 50000), b = generate_text(11, 50000), c = generate_text(12, 50000);
  EXPECT_EQ(a.size(), 50000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(generate_text(11, 1000), a.substr(0, 1000));
}

TEST(GeneratedText, HasLettersDigitsPunctuationSpacesAndNewlinesInPlausibleProportions) {
  const std::string text = generate_text(3, 200000);
  std::vector<double> share(CharClass_COUNT, 0);
  int newlines = 0, capitals = 0;
  for (char ch : text) {
    const uint8_t c = uint8_t(ch);
    ASSERT_LT(c, 0x80) << "generated text is ASCII";
    share[char_class(c)] += 1.0 / double(text.size());
    newlines += c == '\n';
    capitals += c >= 'A' && c <= 'Z';
  }
  EXPECT_GT(share[CharClass_Letter], 0.60);
  EXPECT_LT(share[CharClass_Letter], 0.90);
  EXPECT_GT(share[CharClass_Space], 0.10);
  EXPECT_LT(share[CharClass_Space], 0.30);
  EXPECT_GT(share[CharClass_Punct], 0.01);
  EXPECT_LT(share[CharClass_Punct], 0.10);
  EXPECT_GT(share[CharClass_Digit], 0.003);
  EXPECT_LT(share[CharClass_Digit], 0.08);
  EXPECT_EQ(share[CharClass_Other], 0.0);
  EXPECT_GT(newlines, 50);
  EXPECT_LT(newlines, int(text.size()) / 50);
  EXPECT_GT(capitals, 1000);
  EXPECT_EQ(text.find("  "), std::string::npos) << "words are separated by single spaces";
}

// [SECTION] UTF-8 and character classes

TEST(DecodeUtf8, AcceptsOneTwoThreeAndFourByteCharacters) {
  std::vector<uint32_t> cps;
  std::string error;
  ASSERT_TRUE(decode_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", &cps, &error)) << error;
  EXPECT_EQ(cps, (std::vector<uint32_t>{0x61, 0xE9, 0x20AC, 0x1F600}));
  ASSERT_TRUE(decode_utf8("", &cps, &error));
  EXPECT_TRUE(cps.empty());
}

TEST(DecodeUtf8, RejectsOverlongSurrogateAndTruncatedSequencesNamingTheByteOffset) {
  struct Case {
    std::string bytes;
    const char* offset;
  };
  for (const Case& c : {Case{"ab\xC0\xAF", "byte 2"}, Case{"abc\xED\xA0\x80", "byte 3"}, Case{"x\xE2\x82", "byte 1"},
                        Case{"\xE0\x80\xAF", "byte 0"}, Case{"\xF4\x90\x80\x80", "byte 0"}, Case{"ok\x80", "byte 2"},
                        Case{"\xE2\x82"
                             "a",
                             "byte 0"}}) {
    std::vector<uint32_t> cps;
    std::string error;
    EXPECT_FALSE(decode_utf8(c.bytes, &cps, &error)) << c.offset;
    EXPECT_NE(error.find(c.offset), std::string::npos) << error;
    EXPECT_NE(error.find("invalid UTF-8"), std::string::npos) << error;
  }
  std::string error;
  std::vector<uint32_t> cps;
  decode_utf8("ab\xC0\xAF", &cps, &error);
  EXPECT_NE(error.find("overlong"), std::string::npos) << error;
  decode_utf8("abc\xED\xA0\x80", &cps, &error);
  EXPECT_NE(error.find("surrogate"), std::string::npos) << error;
  decode_utf8("x\xE2\x82", &cps, &error);
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
}

TEST(CharClass, ClassifiesAsciiLatinAndGeneralPunctuation) {
  EXPECT_EQ(char_class('a'), CharClass_Letter);
  EXPECT_EQ(char_class('Z'), CharClass_Letter);
  EXPECT_EQ(char_class(0xE9), CharClass_Letter);   // é
  EXPECT_EQ(char_class(0x17F), CharClass_Letter);  // ſ, Latin Extended-A
  EXPECT_EQ(char_class(0xD7), CharClass_Other);    // ×
  EXPECT_EQ(char_class(0xF7), CharClass_Other);    // ÷
  EXPECT_EQ(char_class('0'), CharClass_Digit);
  EXPECT_EQ(char_class('9'), CharClass_Digit);
  for (uint32_t c : std::vector<uint32_t>{'!', '/', ':', '@', '[', '`', '{', '~', 0x2014, 0x201C})
    EXPECT_EQ(char_class(c), CharClass_Punct) << c;
  for (uint32_t c : std::vector<uint32_t>{' ', '\t', '\n', '\r', 0xA0}) EXPECT_EQ(char_class(c), CharClass_Space) << c;
  for (uint32_t c : {0u, 0x7Fu, 0x3B1u, 0x4E2Du, 0x1F600u}) EXPECT_EQ(char_class(c), CharClass_Other) << c;
}

// [SECTION] chars

TEST(Chars, GeneratedTextTaskHasWindowVocabularyAndCharacterClassLabels) {
  Config c = config_for(Task::chars);
  c.chars_window = 6;
  auto task = make(c);
  EXPECT_EQ(task->input_width(), 6);
  EXPECT_GT(task->vocab_size(), 40);  // 52 letters, 10 digits, ".,!? \n" minus what a short text lacks
  EXPECT_LE(task->vocab_size(), 68);
  EXPECT_EQ(task->n_out(), task->vocab_size());
  EXPECT_EQ(task->n_labels(), CharClass_COUNT);
  EXPECT_EQ(task->label_name(CharClass_Letter), "letters");
  EXPECT_EQ(task->label_name(CharClass_Digit), "digits");
  EXPECT_EQ(task->label_name(CharClass_Punct), "punctuation");
  EXPECT_EQ(task->label_name(CharClass_Space), "spaces");
  EXPECT_EQ(task->label_name(CharClass_Other), "other");
  // Vocabulary ascending by code point: the first id is "\n".
  EXPECT_EQ(task->token_text(0), "\n");
  for (int i = 1; i < task->vocab_size(); ++i) EXPECT_LT(task->token_text(i - 1), task->token_text(i));
}

TEST(Chars, SampleRowsAreWindowsOfTheTextFollowedByTheirTarget) {
  Config c = config_for(Task::chars);
  c.chars_window = 5;
  auto task = make(c);
  const std::string text = generate_text(uint64_t(c.seed), c.text_length);
  const Batch b = sample(*task, 9, 200);
  ASSERT_EQ(b.token_ids.size(), 200u * 5);
  ASSERT_EQ(b.class_targets.size(), 200u);
  EXPECT_EQ(b.inputs.size(), 0);
  EXPECT_EQ(b.reg_targets.size(), 0);
  for (int t = 0; t < b.T; ++t) {
    std::string window;
    for (int j = 0; j < 5; ++j) window += task->token_text(b.token_ids[size_t(t) * 5 + size_t(j)]);
    const std::string target = task->token_text(b.class_targets[size_t(t)]);
    EXPECT_NE(text.find(window + target), std::string::npos) << "'" << window << "' + '" << target << "'";
    EXPECT_EQ(b.labels[size_t(t)], char_class(uint8_t(window.back()))) << "label is the class of the last input";
  }
}

TEST(Chars, Gpl3FileHasAPlausibleVocabularyAndLettersAsTheLargestLabel) {
  if (!std::ifstream(kGpl3)) GTEST_SKIP() << kGpl3 << " is not installed";
  Config c = config_for(Task::chars);
  c.text_file = kGpl3;
  auto task = make(c);
  ASSERT_NE(task, nullptr);
  EXPECT_GE(task->vocab_size(), 60);
  EXPECT_LE(task->vocab_size(), 100);
  const Batch b = sample(*task, 1, 8192);
  std::vector<int> histogram(CharClass_COUNT, 0);
  for (int32_t label : b.labels) ++histogram[size_t(label)];
  for (int k = 1; k < CharClass_COUNT; ++k) EXPECT_GT(histogram[CharClass_Letter], histogram[size_t(k)]) << k;
  EXPECT_GT(histogram[CharClass_Space], histogram[CharClass_Digit]);
}

TEST(Chars, MissingEmptyShortAndInvalidFilesAreErrorsNamingTextFile) {
  struct Case {
    std::string path;
    const char* says;
  };
  const std::vector<Case> cases = {
      {testing::TempDir() + "moescope_test_tasks_does_not_exist.txt", "cannot open: No such file or directory"},
      {write_temp_file("empty.txt", ""), "is empty"},
      {write_temp_file("short.txt", "abcd\r\n"), "has 5 characters; needs at least chars_window + 2 = 10"},
      {write_temp_file("invalid.txt", "hello w\xC3\x28rld and more text"), "invalid UTF-8 at byte 7"},
      {testing::TempDir(), "is a directory; allowed: a regular file"},  // refused before any read
  };
  for (const Case& k : cases) {
    Config c = config_for(Task::chars);
    c.chars_window = 8;
    c.text_file = k.path;
    std::string error;
    EXPECT_EQ(TaskData::create(c, &error), nullptr) << k.path;
    EXPECT_EQ(error.rfind("text_file '" + k.path + "': ", 0), 0u) << error;
    EXPECT_NE(error.find(k.says), std::string::npos) << error;
  }
}

TEST(Chars, CrLfReadsAsLfAndALeadingByteOrderMarkIsSkipped) {
  Config c = config_for(Task::chars);
  c.chars_window = 2;
  c.text_file = write_temp_file("crlf.txt",
                                "\xEF\xBB\xBF"
                                "ab\r\ncd\r\nef\r\n");
  auto task = make(c);
  ASSERT_NE(task, nullptr);
  std::vector<std::string> vocab;
  for (int i = 0; i < task->vocab_size(); ++i) vocab.push_back(task->token_text(i));
  EXPECT_EQ(vocab, (std::vector<std::string>{"\n", "a", "b", "c", "d", "e", "f"}));
}

TEST(Chars, MultiByteCharactersBecomeOneIdEach) {
  Config c = config_for(Task::chars);
  c.chars_window = 3;
  c.text_file = write_temp_file("greek.txt",
                                "\xCE\xB1\xCE\xB2\xCE\xB3 \xCE\xB1\xCE\xB2\xCE\xB3 caf\xC3\xA9");  // αβγ αβγ café
  auto task = make(c);
  ASSERT_NE(task, nullptr);
  ASSERT_EQ(task->vocab_size(), 8);  // ' ', a, c, f, é, α, β, γ
  EXPECT_EQ(task->token_text(4), "\xC3\xA9");
  EXPECT_EQ(task->token_text(7), "\xCE\xB3");
  const Batch b = sample(*task, 2, 500);
  std::map<int, int> labels;
  for (int32_t l : b.labels) ++labels[l];
  EXPECT_GT(labels[CharClass_Letter], 0);  // a, c, f, é
  EXPECT_GT(labels[CharClass_Other], 0);   // Greek is outside the Latin ranges
  EXPECT_GT(labels[CharClass_Space], 0);
}

TEST(Chars, MoreThan1024DistinctCharactersKeepThe1023MostFrequentAndShareOneReplacementId) {
  // 'a' x2000, 'b' x3, then 1100 CJK characters once each: 1102 distinct.
  std::string bytes(2000, 'a');
  bytes += "bbb";
  std::vector<uint32_t> cjk;
  for (uint32_t cp = 0x4E00; cp < 0x4E00 + 1100; ++cp) {
    bytes += char(0xE0 | (cp >> 12));
    bytes += char(0x80 | ((cp >> 6) & 0x3F));
    bytes += char(0x80 | (cp & 0x3F));
  }
  Config c = config_for(Task::chars);
  c.text_file = write_temp_file("many.txt", bytes);
  auto task = make(c);
  ASSERT_NE(task, nullptr);
  ASSERT_EQ(task->vocab_size(), 1024);
  EXPECT_EQ(task->token_text(0), "a");
  EXPECT_EQ(task->token_text(1), "b");
  EXPECT_EQ(task->token_text(2), "\xE4\xB8\x80");     // U+4E00: ties go to the lower code point
  EXPECT_EQ(task->token_text(1022), "\xE5\x87\xBC");  // U+4E00 + 1020 = U+51FC, the last kept
  EXPECT_EQ(task->token_text(1023), "\xEF\xBF\xBD");  // the shared id of the rest
  const Batch b = sample(*task, 1, 4096);
  bool saw_rare = false;
  for (int32_t id : b.class_targets) {
    ASSERT_GE(id, 0);
    ASSERT_LT(id, 1024);
    saw_rare |= id == 1023;
  }
  EXPECT_TRUE(saw_rare);
}

// [SECTION] Buffers

TEST(Sample, AnAlreadySizedBatchKeepsItsBuffers) {
  for (Task kind : {Task::blobs, Task::teacher, Task::chars}) {
    SCOPED_TRACE(int(kind));
    auto task = make(config_for(kind));
    Rng rng(1, RngStream_Data);
    Batch b;
    task->sample(rng, 128, b);
    const void* inputs = b.inputs.data();
    const void* ids = b.token_ids.data();
    const void* targets = b.class_targets.data();
    const void* reg = b.reg_targets.data();
    const void* labels = b.labels.data();
    const Batch first = b;
    task->sample(rng, 128, b);
    EXPECT_FALSE(same_batch(first, b)) << "a fresh batch";
    EXPECT_EQ(b.inputs.data(), inputs);
    EXPECT_EQ(b.token_ids.data(), ids);
    EXPECT_EQ(b.class_targets.data(), targets);
    EXPECT_EQ(b.reg_targets.data(), reg);
    EXPECT_EQ(b.labels.data(), labels);
    // A smaller batch fits in the same vectors.
    task->sample(rng, 64, b);
    EXPECT_EQ(b.T, 64);
    EXPECT_EQ(b.labels.data(), labels);
    EXPECT_EQ(b.labels.size(), 64u);
  }
}

TEST(Sample, ABatchReusedAcrossTasksLeavesUnusedMembersEmpty) {
  auto blobs = make(config_for(Task::blobs)), teacher = make(config_for(Task::teacher)),
       chars = make(config_for(Task::chars));
  Rng rng(1, RngStream_Data);
  Batch b;
  teacher->sample(rng, 32, b);
  EXPECT_EQ(b.inputs.rows(), 32);
  EXPECT_EQ(b.reg_targets.rows(), 32);
  EXPECT_TRUE(b.class_targets.empty());
  chars->sample(rng, 32, b);
  EXPECT_EQ(b.inputs.size(), 0);
  EXPECT_EQ(b.reg_targets.size(), 0);
  EXPECT_EQ(b.token_ids.size(), 32u * 8);
  blobs->sample(rng, 32, b);
  EXPECT_EQ(b.inputs.cols(), 2);
  EXPECT_TRUE(b.token_ids.empty());
  EXPECT_EQ(b.reg_targets.size(), 0);
  EXPECT_EQ(b.class_targets.size(), 32u);
}

}  // namespace
}  // namespace moe

namespace moe {
namespace {

TEST(Teacher, ParallelSamplingGivesTheSameBatchBitForBitForAnyPoolSize) {
  Config cfg = default_config();
  cfg.task = Task::teacher;
  cfg.teacher_noise = 0.3;
  std::string err;
  auto task = TaskData::create(cfg, &err);
  ASSERT_TRUE(task) << err;
  Rng a(7, RngStream_Data), b(7, RngStream_Data), c(7, RngStream_Data);
  Batch x, y, z;
  ThreadPool one(1), two(2);
  for (int round = 0; round < 3; ++round) {  // the streams stay in step across batches
    task->sample(a, 1000, x);
    task->sample_parallel(b, 1000, y, two);
    task->sample_parallel(c, 1000, z, one);
    ASSERT_TRUE(x.inputs == y.inputs);
    ASSERT_TRUE(x.reg_targets == y.reg_targets);
    ASSERT_EQ(x.labels, y.labels);
    ASSERT_TRUE(x.reg_targets == z.reg_targets);
  }
}

TEST(Teacher, ParallelSamplingKeepsTheStreamWhenABatchHasAnOddNumberOfNormals) {
  Config cfg = default_config();
  cfg.task = Task::teacher;
  cfg.teacher_inputs = 3;  // 3 + 2 = 5 normals a token: an odd batch drops its last one
  cfg.teacher_outputs = 2;
  cfg.teacher_noise = 0.5;
  std::string err;
  auto task = TaskData::create(cfg, &err);
  ASSERT_TRUE(task) << err;
  Rng a(11, RngStream_Data), b(11, RngStream_Data);
  Batch x, y;
  ThreadPool two(2);
  for (int T : {1001, 7, 1500, 2049, 1}) {
    task->sample(a, T, x);
    task->sample_parallel(b, T, y, two);
    ASSERT_TRUE(x.inputs == y.inputs) << "T " << T;
    ASSERT_TRUE(x.reg_targets == y.reg_targets) << "T " << T;
    ASSERT_EQ(x.labels, y.labels);
  }
  EXPECT_EQ(a.next(), b.next()) << "both streams end in the same place";
}

}  // namespace
}  // namespace moe

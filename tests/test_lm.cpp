// test_lm.cpp: the `lm` task (docs/math.md "The `lm` task"): its settings and their
// messages, the batch layout (windows of n+1 characters, targets shifted by one, labels of
// the input character), the held-out probe passage, the fortunes loader and its fallback,
// text files, and the training step: thread-count independent bit for bit, no allocation,
// learning. Everything here uses the generated text, so no Debian package is needed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "config.h"
#include "tasks.h"
#include "text_corpus.h"
#include "trainer.h"

namespace moe {
namespace {

Config lm_config() {
  Config c = default_config();
  c.task = Task::lm;
  c.lm_text = LmText::generated;
  c.text_length = 20000;
  c.d_model = 16;
  c.lm_heads = 2;
  c.lm_context = 16;
  c.batch_size = 64;
  c.probe_size = 40;  // rounded down to two windows
  c.num_experts = 4;
  c.top_k = 2;
  c.expert_hidden = 24;
  c.n_layers = 2;
  c.threads = 1;
  return c;
}

std::string temp_path(const std::string& name) { return testing::TempDir() + "moescope_lm_" + name; }
void write(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(LmSettings, ValidationNamesTheSettingAndWhatIsAllowed) {
  Config c = lm_config();
  EXPECT_EQ(validate(c), "");
  c.lm_heads = 3;  // 16 % 3 != 0
  EXPECT_EQ(validate(c),
            "setting 'lm_heads': 3 does not divide d_model = 16; allowed: a divisor of d_model (each head reads "
            "d_model/lm_heads columns)");
  c = lm_config();
  c.batch_size = 70;
  EXPECT_NE(validate(c).find("setting 'batch_size': 70 is not a multiple of lm_context = 16"), std::string::npos);
  c = lm_config();
  c.task = Task::blobs;  // the rules only hold for lm
  c.lm_heads = 3;
  c.batch_size = 70;
  EXPECT_EQ(validate(c), "");
  const Property* ctx = find_property("lm_context");
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(ctx->irrelevance(lm_config()), "");
  EXPECT_EQ(ctx->irrelevance(default_config()), "only for task = lm");
  EXPECT_EQ(find_property("text_file")->irrelevance(lm_config()), "");
  EXPECT_EQ(find_property("chars_window")->irrelevance(lm_config()), "only for task = chars");
  EXPECT_NE(ctx->set_from_text(c, "1").find("allowed: an integer in [2, 256]"), std::string::npos);
}

TEST(LmTask, WindowsShiftTargetsByOneAndLabelTheInput) {
  const Config c = lm_config();
  std::string err;
  auto task = TaskData::create(c, &err);
  ASSERT_TRUE(task) << err;
  EXPECT_EQ(task->kind(), Task::lm);
  EXPECT_EQ(task->context(), 16);
  EXPECT_EQ(task->n_out(), task->vocab_size());
  Batch b;
  Rng rng(3, RngStream_Data);
  task->sample(rng, 64, b);
  ASSERT_EQ(b.token_ids.size(), 64u);
  for (int w = 0; w < 4; ++w)
    for (int j = 0; j + 1 < 16; ++j) {
      const size_t t = size_t(w * 16 + j);
      EXPECT_EQ(b.class_targets[t], b.token_ids[t + 1]) << "window " << w << " position " << j;
      std::vector<uint32_t> cp;
      ASSERT_TRUE(decode_utf8(task->token_text(b.token_ids[t]), &cp, nullptr));
      EXPECT_EQ(b.labels[t], int(char_class(cp[0])));
    }
  // the probe: consecutive windows of the held-out text, the same every time
  Batch p1, p2;
  task->sample_probe(rng, 32, p1);
  Rng other(99, RngStream_Probe);
  task->sample_probe(other, 32, p2);
  EXPECT_EQ(p1.token_ids, p2.token_ids);
  EXPECT_EQ(p1.class_targets[15], p1.token_ids[16]) << "window 1 continues window 0";
  // the held-out tenth is never a training window: no 16-character training window equals the probe's first
  bool seen = false;
  Rng many(5, RngStream_Data);
  for (int i = 0; i < 200 && !seen; ++i) {
    task->sample(many, 64, b);
    for (int w = 0; w < 4; ++w)
      seen |= std::equal(p1.token_ids.begin(), p1.token_ids.begin() + 16, b.token_ids.begin() + w * 16);
  }
  EXPECT_FALSE(seen);
}

TEST(LmTask, FortunesSplitEveryTenthFortuneAndFallBackWhenMissing) {
  const std::string dir = testing::TempDir();
  std::string text;
  for (int i = 0; i < 20; ++i) text += "Fortune number " + std::to_string(i) + ".\n%\n";
  write(dir + "/fortunes", text);
  std::remove((dir + "/literature").c_str());
  std::remove((dir + "/riddles").c_str());
  std::vector<uint32_t> train, held;
  ASSERT_EQ(load_fortunes(dir, &train, &held), "");
  const std::string h(held.begin(), held.end()), t(train.begin(), train.end());
  EXPECT_EQ(h, "Fortune number 9.\n\nFortune number 19.");
  EXPECT_EQ(t.find("Fortune number 9."), std::string::npos);
  EXPECT_EQ(t.substr(0, 36), "Fortune number 0.\n\nFortune number 1.");
  const std::string missing = load_fortunes(dir + "/no_such_dir", &train, &held);
  EXPECT_NE(missing.find("text_file '" + dir + "/no_such_dir/fortunes': cannot open"), std::string::npos) << missing;
}

TEST(LmTask, TextFileErrorsNameLineAndByte) {
  Config c = lm_config();
  c.text_file = temp_path("bad.txt");
  write(c.text_file, "first line\nsecond \xC3\x28 line\n");
  std::string err;
  EXPECT_FALSE(TaskData::create(c, &err));
  EXPECT_EQ(err, "text_file '" + c.text_file +
                     "': invalid UTF-8 at byte 18, line 2 (sequence truncated: missing "
                     "continuation byte)");
  write(c.text_file, "short text");
  EXPECT_FALSE(TaskData::create(c, &err));
  EXPECT_NE(err.find("has 10 characters; needs at least 20 * (lm_context + 1) = 340"), std::string::npos) << err;
  std::string ok;
  for (int i = 0; i < 40; ++i) ok += "The quick brown fox jumps over the lazy dog. ";
  write(c.text_file, ok);
  auto task = TaskData::create(c, &err);
  ASSERT_TRUE(task) << err;
  EXPECT_NE(task->source().find("last tenth held out"), std::string::npos);
}

TEST(LmTraining, BitIdenticalForOneAndTwoThreadsAndLearns) {
  for (RouterKind router : {RouterKind::topk, RouterKind::expert_choice, RouterKind::dense}) {
    Config c = lm_config();
    c.router = router;
    c.shared_experts = router == RouterKind::topk ? 1 : 0;
    std::string err;
    auto one = Trainer::create(c, &err);
    ASSERT_TRUE(one) << err;
    c.threads = 2;
    auto two = Trainer::create(c, &err);
    ASSERT_TRUE(two) << err;
    double first = 0, last = 0;
    for (int s = 0; s < 60; ++s) {
      const double l1 = one->step().losses.task, l2 = two->step().losses.task;
      ASSERT_EQ(l1, l2) << "step " << s;
      if (s == 0) first = l1;
      last = l1;
    }
    EXPECT_EQ(one->model().params().data, two->model().params().data);
    EXPECT_LT(last, first - 0.5) << "60 steps of Adam lower the next-character loss";
  }
}

TEST(LmTraining, SteadyStateStepsAllocateNothing) {
  if (!heap_counter_available()) GTEST_SKIP() << "heap allocations are not counted in sanitizer builds";
  Config c = lm_config();
  c.threads = 2;
  c.noisy_gating = true;
  std::string err;
  auto tr = Trainer::create(c, &err);
  ASSERT_TRUE(tr) << err;
  for (int s = 0; s < 10; ++s) tr->step();
  const uint64_t before = heap_allocations();
  for (int s = 0; s < 20; ++s) ASSERT_TRUE(tr->step().finite);
  EXPECT_EQ(heap_allocations() - before, 0u) << "allocations in 20 steady-state lm steps";
}

TEST(LmTraining, AttentionIsCausalAndRowsSumToOne) {
  Config c = lm_config();
  std::string err;
  auto tr = Trainer::create(c, &err);
  ASSERT_TRUE(tr) << err;
  tr->step();
  const Mat<float>& P = tr->model().attention(1);
  for (int r = 0; r < 64 * 2; ++r) {
    const int i = r % 16;
    double sum = 0;
    for (int j = 0; j < 16; ++j) {
      if (j > i) {
        EXPECT_EQ(P(r, j), 0.0f);
      }
      sum += P(r, j);
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

}  // namespace
}  // namespace moe

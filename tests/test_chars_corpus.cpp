// test_chars_corpus.cpp: the chars task learns from a real text file.
// Proves: 200 steps on the GPL-3 text take the next-character loss well below
// ln(vocab) (the loss of a uniform guess) and below the entropy of the
// character frequencies (the best a model ignoring context can do), and the
// accuracy beats always guessing the most frequent character.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config.h"
#include "tasks.h"
#include "trainer.h"

namespace moe {
namespace {

constexpr const char* kCorpus = "/usr/share/common-licenses/GPL-3";

TEST(CharsCorpus, TwoHundredStepsOnGpl3BeatUniformUnigramAndMostFrequentCharacter) {
  std::ifstream in(kCorpus, std::ios::binary);
  if (!in) GTEST_SKIP() << kCorpus << " is not installed";
  std::ostringstream ss;
  ss << in.rdbuf();
  std::vector<uint32_t> text;
  std::string error;
  ASSERT_TRUE(decode_utf8(ss.str(), &text, &error)) << error;
  // Character statistics as the task sees them ("\r\n" reads as "\n"; GPL-3 has none).
  std::map<uint32_t, double> count;
  for (uint32_t c : text) count[c] += 1;
  double most = 0, unigram_entropy = 0;
  for (const auto& [c, n] : count) {
    most = std::max(most, n);
    const double p = n / double(text.size());
    unigram_entropy -= p * std::log(p);
  }
  const double most_frequent_rate = most / double(text.size());

  Config c = default_config();
  c.task = Task::chars;
  c.text_file = kCorpus;
  c.seed = 3;
  c.batch_size = 256;
  c.chars_window = 8;
  c.chars_embed = 8;
  c.d_model = 48;
  c.num_experts = 4;
  c.top_k = 2;
  c.expert_hidden = 64;
  c.lr = 1e-2;
  c.threads = 1;
  auto tr = Trainer::create(c, &error);
  ASSERT_NE(tr, nullptr) << error;
  const int vocab = tr->task().vocab_size();
  EXPECT_EQ(vocab, int(count.size()));
  const double uniform_loss = std::log(double(vocab));

  double first_loss = 0, loss = 0, accuracy = 0;
  const int steps = 200, tail = 20;
  for (int s = 0; s < steps; ++s) {
    const StepMetrics& m = tr->step();
    ASSERT_TRUE(m.finite) << m.diverged;
    if (s == 0) first_loss = m.losses.task;
    if (s >= steps - tail) {  // average the last steps: one batch is noisy
      loss += m.losses.task / tail;
      accuracy += m.losses.accuracy / tail;
    }
  }
  std::printf(
      "[ chars    ] vocab %d: ln(vocab) %.3f, unigram entropy %.3f, most frequent %.1f%%; "
      "loss %.3f → %.3f, accuracy %.1f%%\n",
      vocab, uniform_loss, unigram_entropy, 100 * most_frequent_rate, first_loss, loss, 100 * accuracy);
  EXPECT_NEAR(first_loss, uniform_loss, 0.5 * uniform_loss) << "an untrained model guesses near uniformly";
  EXPECT_LT(loss, 0.6 * uniform_loss) << "well below ln(vocab)";
  EXPECT_LT(loss, unigram_entropy - 0.3) << "the model uses the context, not only the character frequencies";
  EXPECT_GT(accuracy, most_frequent_rate + 0.1) << "beats always guessing the most frequent character";
}

}  // namespace
}  // namespace moe

// task_lm.cpp: the `lm` task (docs/math.md "The `lm` task"): character-level
// language modelling over a real text. A step draws B = T/n windows of n+1
// characters at uniformly random offsets of the training part; inputs are the
// first n ids, targets the last n, labels the character class of each input.
//
// The text: `text_file` if set; else lm_text = fortunes, the three files of
// Debian's fortunes-min (fortunes, literature, riddles: about 98 KB of plain
// UTF-8 English), or the generated text of the chars task (lm_text = generated,
// and the fallback, said in source(), when the package is not installed).
// Held-out part: for the fortunes, every tenth fortune (the 10th, 20th, ...);
// for any other text, its last tenth. The probe batch (the gate heatmap, the
// "Text by expert" passage) is consecutive windows of the held-out part.
#include <algorithm>
#include <cassert>

#include "file_read.h"
#include "tasks.h"
#include "text_corpus.h"

namespace moe {

namespace {

const char* const kFortuneFiles[] = {"fortunes", "literature", "riddles"};

class LmTask final : public TaskData {
 public:
  // text = training part then held-out part; heldout_start: the first held-out character.
  LmTask(const std::vector<uint32_t>& text, size_t heldout_start, int n, std::string source)
      : n_(n), heldout_start_(heldout_start), corpus_(text), source_(std::move(source)) {
    assert(heldout_start_ >= size_t(n) + 1 && text.size() - heldout_start_ >= size_t(n) + 1);
  }

  Task kind() const override { return Task::lm; }
  int input_width() const override { return n_; }
  int context() const override { return n_; }
  int vocab_size() const override { return int(corpus_.vocab.size()); }
  int n_out() const override { return int(corpus_.vocab.size()); }
  bool regression() const override { return false; }
  int n_labels() const override { return CharClass_COUNT; }
  std::string label_name(int label) const override {
    static const char* const kNames[CharClass_COUNT] = {"letters", "digits", "punctuation", "spaces", "other"};
    assert(label >= 0 && label < CharClass_COUNT && "label out of range: use 0..n_labels()-1");
    return kNames[label];
  }
  std::string token_text(int i) const override {
    assert(i >= 0 && i < vocab_size() && "character id out of range: use 0..vocab_size()-1");
    return corpus_.token_text(i);
  }
  std::string source() const override { return source_; }

  // B = T/n windows at offsets uniform over the training part.
  void sample(Rng& rng, int T, Batch& out) const override {
    size(T, out);
    const uint32_t offsets = uint32_t(heldout_start_ - size_t(n_));  // p + n <= heldout_start - 1... see window()
    for (int b = 0; b < T / n_; ++b) window(size_t(rng.below(offsets)), b, out);
  }
  // Consecutive windows of the held-out part (wrapping round if it is short).
  void sample_probe(Rng& rng, int T, Batch& out) const override {
    (void)rng;
    size(T, out);
    const size_t span = corpus_.ids.size() - heldout_start_ - size_t(n_);  // window starts available
    for (int b = 0; b < T / n_; ++b) window(heldout_start_ + (size_t(b) * size_t(n_)) % span, b, out);
  }

 private:
  void size(int T, Batch& out) const {
    assert(T > 0 && T % n_ == 0 && "an lm batch is whole windows: T a multiple of lm_context");
    out.T = T;
    out.token_ids.resize(size_t(T));
    out.class_targets.resize(size_t(T));
    out.labels.resize(size_t(T));
    out.inputs.resize(0, 0);
    out.reg_targets.resize(0, 0);
  }
  // Window b of the batch: inputs ids[p .. p+n-1], targets ids[p+1 .. p+n].
  void window(size_t p, int b, Batch& out) const {
    for (int j = 0; j < n_; ++j) {
      const size_t t = size_t(b) * size_t(n_) + size_t(j);
      out.token_ids[t] = corpus_.ids[p + size_t(j)];
      out.class_targets[t] = corpus_.ids[p + size_t(j) + 1];
      out.labels[t] = corpus_.classes[p + size_t(j)];
    }
  }

  int n_;
  size_t heldout_start_;
  TextCorpus corpus_;
  std::string source_;
};

void append_text(std::vector<uint32_t>& to, const std::vector<uint32_t>& text) {
  to.insert(to.end(), text.begin(), text.end());
}

}  // namespace

std::string load_fortunes(const std::string& dir, std::vector<uint32_t>* train, std::vector<uint32_t>* heldout) {
  train->clear();
  heldout->clear();
  int index = 0, files = 0;
  for (const char* name : kFortuneFiles) {
    const std::string path = dir + "/" + name;
    std::vector<uint32_t> text;
    std::string e = read_text_file(path, &text);
    if (!e.empty()) {
      if (files == 0 && std::string(name) == kFortuneFiles[0]) return e;
      continue;  // the other two are a bonus
    }
    ++files;
    // Fortunes are separated by lines holding only "%".
    size_t start = 0;
    while (start < text.size()) {
      size_t end = start;
      while (end < text.size() && !(text[end] == '%' && (end == 0 || text[end - 1] == '\n') &&
                                    (end + 1 == text.size() || text[end + 1] == '\n')))
        ++end;
      size_t stop = end;
      while (stop > start && (text[stop - 1] == '\n' || text[stop - 1] == ' ')) --stop;
      if (stop > start) {
        std::vector<uint32_t>& to = index % 10 == 9 ? *heldout : *train;
        if (!to.empty()) to.insert(to.end(), {'\n', '\n'});
        to.insert(to.end(), text.begin() + ptrdiff_t(start), text.begin() + ptrdiff_t(stop));
        ++index;
      }
      start = end + 2;  // past "%\n"
    }
  }
  return "";
}

std::unique_ptr<TaskData> make_lm(const Config& cfg, std::string* error) {
  const size_t n = size_t(cfg.lm_context), needed = 20 * (n + 1);  // the last tenth holds two windows
  std::vector<uint32_t> train, heldout;
  std::string source;
  auto split_tenth = [&](std::vector<uint32_t>& text) {
    const size_t cut = text.size() - text.size() / 10;
    heldout.assign(text.begin() + ptrdiff_t(cut), text.end());
    text.resize(cut);
    train = std::move(text);
  };
  auto generated = [&]() {
    const std::string g = generate_text(uint64_t(cfg.seed), cfg.text_length);
    std::vector<uint32_t> text(g.begin(), g.end());  // ASCII: one byte per code point
    split_tenth(text);
  };
  if (!cfg.text_file.empty()) {
    std::vector<uint32_t> text;
    if (std::string e = read_text_file(cfg.text_file, &text); !e.empty()) {
      *error = e;
      return nullptr;
    }
    if (text.size() < needed) {
      *error = "text_file '" + cfg.text_file + "': has " + std::to_string(text.size()) +
               " characters; needs at least 20 * (lm_context + 1) = " + std::to_string(needed) +
               " (a tenth is held out and must hold two windows)";
      return nullptr;
    }
    source = "text_file " + cfg.text_file + " (" + std::to_string(text.size()) + " characters, last tenth held out)";
    split_tenth(text);
  } else if (cfg.lm_text == LmText::fortunes) {
    const std::string e = load_fortunes(kFortunesDir, &train, &heldout);
    if (!e.empty() || train.size() < needed || heldout.size() < 2 * (n + 1)) {
      source = "lm_text = fortunes: " + (e.empty() ? std::string("the fortunes are too short for lm_context") : e) +
               " (install the Debian package fortunes-min: apt-get install fortunes-min); using the generated text";
      generated();
    } else {
      source = "fortunes-min, " + std::string(kFortunesDir) + " (" + std::to_string(train.size()) +
               " characters to train on, every tenth fortune held out: " + std::to_string(heldout.size()) + ")";
    }
  } else {
    generated();
  }
  if (train.size() + heldout.size() < needed) {
    *error = "setting 'text_length': " + std::to_string(cfg.text_length) +
             " is too short for lm; allowed: at least 20 * (lm_context + 1) = " + std::to_string(needed);
    return nullptr;
  }
  const size_t heldout_start = train.size() + 2;
  train.insert(train.end(), {'\n', '\n'});
  append_text(train, heldout);
  return std::make_unique<LmTask>(train, heldout_start, int(n), source);
}

}  // namespace moe

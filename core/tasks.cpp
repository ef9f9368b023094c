// tasks.cpp: the three training tasks (blobs, teacher, chars), the UTF-8
// decoder and the generator of the chars task's text.
//
// Every task is fixed by (cfg, cfg.seed): its definition (blob centres,
// teacher weights, generated text) is drawn from Rng(seed, RngStream_Task).
// Batches are drawn from the Rng the caller passes to sample(). sample()
// writes into buffers that keep their capacity, so a batch of the same T
// allocates nothing.
//
// Index:
//   [SECTION] Helpers
//   [SECTION] Character classes and UTF-8
//   [SECTION] Generated text
//   [SECTION] blobs
//   [SECTION] teacher
//   [SECTION] chars
//   [SECTION] TextCorpus and text files
//   [SECTION] TaskData::create
#include "tasks.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "file_read.h"
#include "text_corpus.h"

namespace moe {

namespace {

// [SECTION] Helpers

// Sizes a batch buffer; no allocation when the size is unchanged or capacity suffices.
void fit(std::vector<int32_t>& v, size_t n) { v.resize(n); }
void fit(std::vector<double>& v, size_t n) { v.resize(n); }
void fit(MatrixRd& m, int rows, int cols) {
  if (m.rows() != rows || m.cols() != cols) m.resize(rows, cols);
}
// Empties a buffer the task does not use (vectors keep their capacity).
void clear(std::vector<int32_t>& v) { v.clear(); }
void clear(MatrixRd& m) {
  if (m.size() != 0) m.resize(0, 0);
}

// Index drawn from cumulative weights cdf[0..n-1] (cdf.back() is the total).
int draw_from_cdf(Rng& rng, const std::vector<double>& cdf) {
  const double x = rng.uniform() * cdf.back();
  const auto it = std::upper_bound(cdf.begin(), cdf.end(), x);
  return int(std::min<size_t>(size_t(it - cdf.begin()), cdf.size() - 1));
}

std::vector<double> cumulative(const std::vector<double>& weights) {
  std::vector<double> cdf(weights.size());
  std::partial_sum(weights.begin(), weights.end(), cdf.begin());
  return cdf;
}

// Checks every setting of the table that belongs to this task against its range,
// so a Config built in code (not through the table) cannot make a task crash.
std::string check_task_settings(const Config& cfg, PropFlags task_flag) {
  for (const Property& p : properties()) {
    if (!(p.flags & task_flag)) continue;
    Config scratch = cfg;
    std::string e = p.set(scratch, p.get(cfg));
    if (!e.empty()) return e;
  }
  return "";
}

void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += char(0xE0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xF0 | (cp >> 18));
    s += char(0x80 | ((cp >> 12) & 0x3F));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace

// [SECTION] Character classes and UTF-8

CharClass char_class(uint32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharClass_Letter;
  if (c >= '0' && c <= '9') return CharClass_Digit;
  if ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E))
    return CharClass_Punct;  // the ASCII ispunct set in the "C" locale
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0) return CharClass_Space;
  if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7)
    return CharClass_Letter;                               // Latin-1 Supplement, Latin Extended-A/B
  if (c >= 0x2010 && c <= 0x205E) return CharClass_Punct;  // General Punctuation
  return CharClass_Other;
}

bool decode_utf8(const std::string& bytes, std::vector<uint32_t>* out, std::string* error) {
  out->clear();
  out->reserve(bytes.size());
  const size_t n = bytes.size();
  auto fail = [&](size_t at, const char* what) {
    if (error) *error = "invalid UTF-8 at byte " + std::to_string(at) + " (" + what + ")";
    return false;
  };
  size_t i = 0;
  while (i < n) {
    const uint32_t b0 = uint8_t(bytes[i]);
    if (b0 < 0x80) {
      out->push_back(b0);
      ++i;
      continue;
    }
    int len;
    uint32_t cp, min_cp;
    if (b0 >= 0xC2 && b0 <= 0xDF)
      len = 2, cp = b0 & 0x1F, min_cp = 0x80;
    else if (b0 >= 0xE0 && b0 <= 0xEF)
      len = 3, cp = b0 & 0x0F, min_cp = 0x800;
    else if (b0 >= 0xF0 && b0 <= 0xF4)
      len = 4, cp = b0 & 0x07, min_cp = 0x10000;
    else if (b0 == 0xC0 || b0 == 0xC1)
      return fail(i, "overlong encoding");
    else if (b0 < 0xC0)
      return fail(i, "unexpected continuation byte");
    else
      return fail(i, "byte never starts a character");
    for (int k = 1; k < len; ++k) {
      if (i + size_t(k) >= n) return fail(i, "sequence truncated by the end of the text");
      const uint32_t b = uint8_t(bytes[i + size_t(k)]);
      if ((b & 0xC0) != 0x80) return fail(i, "sequence truncated: missing continuation byte");
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min_cp) return fail(i, "overlong encoding");
    if (cp >= 0xD800 && cp <= 0xDFFF) return fail(i, "UTF-16 surrogate");
    if (cp > 0x10FFFF) return fail(i, "code point above U+10FFFF");
    out->push_back(cp);
    i += size_t(len);
  }
  return true;
}

// [SECTION] Generated text
//
// A small random "language": a vocabulary of kWords words whose letters come
// from a per-position letter distribution (consonant-leaning at even
// positions, vowel-leaning at odd ones, each position with its own random
// preferences), drawn with Zipf frequencies. Sentences of 4-12 tokens, the
// first word capitalised, commas inside, sometimes a number (a year or a
// count), ending in ". ", "! " or "? "; a paragraph ends in a newline instead
// of the space. Every draw comes from Rng(seed, RngStream_Task).
std::string generate_text(uint64_t seed, int length) {
  if (length <= 0) return "";
  Rng rng(seed, RngStream_Task);
  constexpr int kWords = 320, kMaxWordLength = 10;
  static const char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
  auto is_vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };

  // Letter distribution per position in a word: [kMaxWordLength][26] cumulative weights.
  std::vector<std::vector<double>> letter_cdf(kMaxWordLength);
  for (int pos = 0; pos < kMaxWordLength; ++pos) {
    std::vector<double> w(26);
    for (int c = 0; c < 26; ++c) {
      const bool vowel_slot = pos % 2 == 1;
      const double lean = is_vowel(kLetters[c]) == vowel_slot ? 1.0 : 0.08;
      w[size_t(c)] = lean * std::exp(1.2 * rng.normal());
    }
    letter_cdf[size_t(pos)] = cumulative(w);
  }
  // Word lengths 1..kMaxWordLength, mostly 2-7 letters.
  const std::vector<double> length_cdf = cumulative({3, 10, 16, 17, 15, 12, 9, 6, 3, 2});

  std::vector<std::string> words(kWords);
  for (std::string& word : words) {
    const int len = 1 + draw_from_cdf(rng, length_cdf);
    for (int pos = 0; pos < len; ++pos) word += kLetters[draw_from_cdf(rng, letter_cdf[size_t(pos)])];
  }
  // Zipf frequencies: word r has weight 1 / (r + 2).
  std::vector<double> word_weight(kWords);
  for (int r = 0; r < kWords; ++r) word_weight[size_t(r)] = 1.0 / (r + 2);
  const std::vector<double> word_cdf = cumulative(word_weight);

  std::string text;
  text.reserve(size_t(length) + 64);
  while (int(text.size()) < length) {
    const int tokens = 4 + int(rng.below(9));  // 4..12
    for (int t = 0; t < tokens; ++t) {
      if (t > 0 && rng.uniform() < 0.06) {
        if (rng.uniform() < 0.5) {  // a year, 1000-2099 leaning to 1800-2029
          text += rng.uniform() < 0.6 ? "19" : (rng.uniform() < 0.5 ? "20" : "18");
          text += char('0' + rng.below(10));
          text += char('0' + rng.below(10));
        } else {  // a count of 1-3 digits, no leading zero
          const int digits = 1 + int(rng.below(3));
          text += char('1' + rng.below(9));
          for (int d = 1; d < digits; ++d) text += char('0' + rng.below(10));
        }
      } else {
        std::string word = words[size_t(draw_from_cdf(rng, word_cdf))];
        if (t == 0) word[0] = char(word[0] - 'a' + 'A');
        text += word;
      }
      if (t + 1 < tokens) text += rng.uniform() < 0.1 ? ", " : " ";
    }
    const double end = rng.uniform();
    text += end < 0.7 ? '.' : (end < 0.85 ? '!' : '?');
    text += rng.uniform() < 0.15 ? '\n' : ' ';
  }
  text.resize(size_t(length));
  return text;
}

namespace {

// [SECTION] blobs

class BlobsTask final : public TaskData {
 public:
  explicit BlobsTask(const Config& cfg) : classes_(cfg.blob_classes), spread_(cfg.blob_spread) {
    // Centres in [-1, 1]^2 by rejection sampling: a candidate closer than
    // min_dist to an accepted centre is redrawn; after kTries misses min_dist
    // shrinks by 10%. The first min_dist is what a square grid of the clusters
    // would give, so it is rarely met and the centres end up spread out.
    const int n = cfg.blob_clusters;
    Rng rng(uint64_t(cfg.seed), RngStream_Task);
    constexpr int kTries = 200;
    double min_dist = 2.0 / std::ceil(std::sqrt(double(n)));
    int misses = 0;
    while (int(cx_.size()) < n) {
      const double x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
      bool ok = true;
      for (size_t j = 0; j < cx_.size() && ok; ++j) ok = std::hypot(x - cx_[j], y - cy_[j]) >= min_dist;
      if (ok) {
        cx_.push_back(x);
        cy_.push_back(y);
        misses = 0;
      } else if (++misses == kTries) {
        min_dist *= 0.9;
        misses = 0;
      }
    }
  }

  Task kind() const override { return Task::blobs; }
  int input_width() const override { return 2; }
  int n_out() const override { return classes_; }
  bool regression() const override { return false; }
  int n_labels() const override { return classes_; }
  std::string label_name(int label) const override { return "class " + std::to_string(label); }
  int clusters() const override { return int(cx_.size()); }
  double cluster_x(int j) const override {
    assert(j >= 0 && j < clusters() && "cluster index out of range: use 0..clusters()-1");
    return cx_[size_t(j)];
  }
  double cluster_y(int j) const override {
    assert(j >= 0 && j < clusters() && "cluster index out of range: use 0..clusters()-1");
    return cy_[size_t(j)];
  }

  // Per token: cluster j uniform, x = centre_j + N(0, spread^2) per coordinate, class j % classes.
  void sample(Rng& rng, int T, Batch& out) const override {
    assert(T > 0 && "a batch needs at least one token");
    out.T = T;
    fit(out.inputs, T, 2);              // [T, 2]
    fit(out.class_targets, size_t(T));  // [T]
    fit(out.labels, size_t(T));         // [T]
    clear(out.token_ids);
    clear(out.reg_targets);
    const uint32_t n = uint32_t(cx_.size());
    for (int t = 0; t < T; ++t) {
      const uint32_t j = rng.below(n);
      out.inputs(t, 0) = cx_[j] + spread_ * rng.normal();
      out.inputs(t, 1) = cy_[j] + spread_ * rng.normal();
      out.class_targets[size_t(t)] = int32_t(j % uint32_t(classes_));
      out.labels[size_t(t)] = out.class_targets[size_t(t)];
    }
  }

 private:
  int classes_;
  double spread_;
  std::vector<double> cx_, cy_;  // [clusters] centres
};

// [SECTION] teacher
//
// A hidden top-1 MoE. Legend: D = teacher_inputs, E = teacher_experts,
// H = teacher_hidden, O = teacher_outputs.
//   u ~ N(0, 1)^D
//   e* = argmax_e (u . W_r[:, e])           W_r [D, E] ~ 3 N(0, 1/D): sharp routing; ties to lower e
//   y  = scale * tanh(u A_e* + a_e*) B_e*   A_e [D, H] ~ N(0, 1/D), a_e [H] ~ N(0, 0.5^2), B_e [H, O] ~ N(0, 1/H)
//   target = y + N(0, teacher_noise^2)
// scale makes the noiseless targets' overall std 1 on 8192 tokens drawn from
// the task stream, so teacher_noise reads as a noise-to-signal ratio.
class TeacherTask final : public TaskData {
 public:
  static constexpr int kMaxTeacherOutputs = 256;  // the table's upper bound of teacher_outputs
  explicit TeacherTask(const Config& cfg)
      : D_(cfg.teacher_inputs),
        E_(cfg.teacher_experts),
        H_(cfg.teacher_hidden),
        O_(cfg.teacher_outputs),
        noise_(cfg.teacher_noise) {
    assert(D_ <= kMaxTeacherInputs && E_ <= kMaxTeacherExperts && H_ <= kMaxTeacherHidden && O_ <= kMaxTeacherOutputs &&
           "the config table bounds the teacher's widths");
    Rng rng(uint64_t(cfg.seed), RngStream_Task);
    // Draw order: W_r, then per expert A_e, a_e, B_e, each in row-major element order.
    router_.resize(D_, E_);
    for (int i = 0; i < D_; ++i)
      for (int e = 0; e < E_; ++e) router_(i, e) = 3.0 * rng.normal() / std::sqrt(double(D_));
    A_.resize(size_t(E_));
    a_.resize(size_t(E_));
    B_.resize(size_t(E_));
    for (int e = 0; e < E_; ++e) {
      Eigen::MatrixXd& A = A_[size_t(e)];
      A.resize(D_, H_);
      for (int i = 0; i < D_; ++i)
        for (int j = 0; j < H_; ++j) A(i, j) = rng.normal() / std::sqrt(double(D_));
      a_[size_t(e)].resize(H_);
      for (int j = 0; j < H_; ++j) a_[size_t(e)](j) = 0.5 * rng.normal();
      B_[size_t(e)].resize(H_, O_);
      for (int j = 0; j < H_; ++j)
        for (int o = 0; o < O_; ++o) B_[size_t(e)](j, o) = rng.normal() / std::sqrt(double(H_));
    }
    // The fixed scale, from the population std of all noiseless outputs of kScaleTokens tokens.
    constexpr int kScaleTokens = 8192;
    std::vector<double> u(static_cast<size_t>(D_)), y(static_cast<size_t>(O_));
    double sum = 0, sum_sq = 0;
    for (int t = 0; t < kScaleTokens; ++t) {
      for (double& v : u) v = rng.normal();
      forward(u.data(), y.data());
      for (double v : y) sum += v, sum_sq += v * v;
    }
    const double count = double(kScaleTokens) * O_, mean = sum / count;
    const double var = std::max(0.0, sum_sq / count - mean * mean);
    scale_ = var > 1e-24 ? 1.0 / std::sqrt(var) : 1.0;
  }

  Task kind() const override { return Task::teacher; }
  int input_width() const override { return D_; }
  int n_out() const override { return O_; }
  bool regression() const override { return true; }
  int n_labels() const override { return E_; }
  std::string label_name(int label) const override { return "teacher expert " + std::to_string(label); }

  // Per token: D normals for u, then O normals for the noise (drawn even when
  // teacher_noise is 0, so the inputs do not depend on it). The normals come
  // from Marsaglia's polar method in two passes: the accepted (v1, v2, s)
  // pairs are drawn in order from the stream here, then each work item of
  // kPairsPerItem pairs turns them into v * sqrt(-2 ln s / s), vectorised.
  // Then the teacher runs per chunk of tokens. sample() runs the very same
  // work items one after another, so sample() and sample_parallel() give the
  // same batch bit for bit on any pool. An odd last normal is not kept.
  void sample(Rng& rng, int T, Batch& out) const override {
    const int items = draw_pairs(rng, T, out);
    for (int i = 0; i < items; ++i) finish_pairs(i, out);
    for (int c = 0; c < chunks(T); ++c) finish_chunk(c, out);
  }

  void sample_parallel(Rng& rng, int T, Batch& out, ThreadPool& pool) const override {
    if (pool.size() <= 1) return sample(rng, T, out);
    const int items = draw_pairs(rng, T, out);
    pool.parallel_for(items, [&](int i) { finish_pairs(i, out); });
    pool.parallel_for(chunks(T), [&](int c) { finish_chunk(c, out); });
  }

 private:
  static constexpr int kChunk = 32;               // tokens per work item of the teacher
  static constexpr int64_t kPairsPerItem = 512;   // normal pairs per work item of the polar method
  static constexpr int kMaxTeacherHidden = 1024;  // the table's upper bounds of teacher_hidden,
  static constexpr int kMaxTeacherInputs = 1024;  // teacher_inputs
  static constexpr int kMaxTeacherExperts = 64;   // and teacher_experts
  static int chunks(int T) { return (T + kChunk - 1) / kChunk; }

  // Sizes the batch and draws the polar pairs into out.uniforms as three
  // arrays [v1 | v2 | s] of `pairs` each; returns the number of work items.
  int draw_pairs(Rng& rng, int T, Batch& out) const {
    assert(T > 0 && "a batch needs at least one token");
    out.T = T;
    fit(out.inputs, T, D_);       // [T, D]
    fit(out.reg_targets, T, O_);  // [T, O]: the noise normals until finish_chunk
    fit(out.labels, size_t(T));   // [T]
    clear(out.token_ids);
    clear(out.class_targets);
    const int64_t n = int64_t(T) * (D_ + O_), pairs = (n + 1) / 2;
    fit(out.uniforms, size_t(3 * pairs));
    double* v1 = out.uniforms.data();
    double* v2 = v1 + pairs;
    double* s = v2 + pairs;
    for (int64_t p = 0; p < pairs; ++p) {
      double a, b, r;
      do {
        a = 2.0 * rng.uniform() - 1.0;
        b = 2.0 * rng.uniform() - 1.0;
        r = a * a + b * b;
      } while (r >= 1.0 || r == 0.0);
      v1[p] = a, v2[p] = b, s[p] = r;
    }
    return int((pairs + kPairsPerItem - 1) / kPairsPerItem);
  }

  // Pairs [item * kPairsPerItem, ...): normals 2p and 2p + 1 of the batch, in
  // the order inputs then noise of token 0, then token 1, ...
  void finish_pairs(int item, Batch& out) const {
    const int per_token = D_ + O_;
    const int64_t n = int64_t(out.T) * per_token, pairs = (n + 1) / 2;
    const int64_t p0 = item * kPairsPerItem, p1 = std::min(pairs, p0 + kPairsPerItem);
    double* v1 = out.uniforms.data();
    double* v2 = v1 + pairs;
    // In an aligned buffer: Eigen does the first elements of an unaligned
    // array one at a time (libm) and the rest in packets, so the bits would
    // depend on where the heap put the batch.
    alignas(32) double f_buf[kPairsPerItem];
    const Eigen::Index m = Eigen::Index(p1 - p0);
    Eigen::Map<Eigen::ArrayXd, Eigen::Aligned32> f(f_buf, m);
    f = Eigen::Map<const Eigen::ArrayXd>(v2 + pairs + p0, m);
    f = (-2.0 * f.log() / f).sqrt();  // sqrt(-2 ln s / s)
    auto slot = [&](int64_t k) -> double& {
      const int t = int(k / per_token), j = int(k % per_token);
      return j < D_ ? out.inputs(t, j) : out.reg_targets(t, j - D_);
    };
    for (int64_t p = p0; p < p1; ++p) {
      const double g = f[Eigen::Index(p - p0)];
      slot(2 * p) = v1[p] * g;
      if (2 * p + 1 < n) slot(2 * p + 1) = v2[p] * g;
    }
  }

  // Tokens [c * kChunk, ...): label = teacher expert, target = scale * y + noise * n.
  void finish_chunk(int c, Batch& out) const {
    double y[kMaxTeacherOutputs];
    const int end = std::min(out.T, (c + 1) * kChunk);
    for (int t = c * kChunk; t < end; ++t) {
      double* target = out.reg_targets.row(t).data();
      out.labels[size_t(t)] = forward(out.inputs.row(t).data(), y);
      for (int o = 0; o < O_; ++o) target[o] = scale_ * y[o] + noise_ * target[o];
    }
  }

  // y[O] = tanh(u A_e + a_e) B_e for the expert e the router picks, unscaled;
  // returns e. tanh(z) = 1 - 2 / (exp(2z) + 1), with Eigen's vectorised exp:
  // libm's scalar tanh made this the costliest part of a teacher batch.
  int forward(const double* u_ptr, double* y_ptr) const {
    // Aligned copies and buffers, so no Eigen loop's bits depend on an address.
    alignas(32) double u_buf[kMaxTeacherInputs], logit_buf[kMaxTeacherExperts], z_buf[kMaxTeacherHidden];
    std::copy(u_ptr, u_ptr + D_, u_buf);
    const Eigen::Map<const Eigen::RowVectorXd, Eigen::Aligned32> u(u_buf, D_);
    Eigen::Map<Eigen::RowVectorXd, Eigen::Aligned32> logit(logit_buf, E_), z(z_buf, H_);
    logit.noalias() = u * router_;
    int best = 0;
    for (int e = 1; e < E_; ++e)
      if (logit_buf[e] > logit_buf[best]) best = e;  // strict: ties go to the lower index
    z.noalias() = u * A_[size_t(best)];
    z += a_[size_t(best)];
    z.array() = 1.0 - 2.0 / ((2.0 * z.array()).exp() + 1.0);
    Eigen::Map<Eigen::RowVectorXd> y(y_ptr, O_);
    y.noalias() = z * B_[size_t(best)];
    return best;
  }

  int D_, E_, H_, O_;
  double noise_;
  double scale_ = 1;
  Eigen::MatrixXd router_;             // W_r [D, E], column e is expert e's router vector
  std::vector<Eigen::MatrixXd> A_;     // [E] of [D, H], column j feeds hidden unit j
  std::vector<Eigen::RowVectorXd> a_;  // [E] of [H]
  std::vector<MatrixRd> B_;            // [E] of [H, O], row j is hidden unit j's output
};

// [SECTION] chars
//
// The text is stored as a TextCorpus (text_corpus.h): vocabulary ids plus the
// character class of every position (labels come from the real character,
// also when it maps to the shared rare id).
class CharsTask final : public TaskData {
 public:
  // text must hold at least window + 2 characters.
  CharsTask(const std::vector<uint32_t>& text, int window) : window_(window), corpus_(text) {}

  Task kind() const override { return Task::chars; }
  int input_width() const override { return window_; }
  int vocab_size() const override { return int(corpus_.vocab.size()); }
  int n_out() const override { return int(corpus_.vocab.size()); }
  bool regression() const override { return false; }
  int n_labels() const override { return CharClass_COUNT; }
  std::string label_name(int label) const override {
    static const char* const kNames[CharClass_COUNT] = {"letters", "digits", "punctuation", "spaces", "other"};
    assert(label >= 0 && label < CharClass_COUNT && "label out of range: use 0..n_labels()-1");
    return kNames[label];
  }
  // The raw UTF-8 of character id i (the UI escapes newlines and spaces); the rare id reads U+FFFD.
  std::string token_text(int i) const override {
    assert(i >= 0 && i < vocab_size() && "character id out of range: use 0..vocab_size()-1");
    return corpus_.token_text(i);
  }

  // Per token: a position p uniform in [window, len-1]; the window text[p-window .. p-1]
  // is the input, text[p] the target, the class of text[p-1] the label.
  void sample(Rng& rng, int T, Batch& out) const override {
    assert(T > 0 && "a batch needs at least one token");
    out.T = T;
    const size_t w = size_t(window_);
    fit(out.token_ids, size_t(T) * w);  // [T, window] row-major
    fit(out.class_targets, size_t(T));  // [T]
    fit(out.labels, size_t(T));         // [T]
    clear(out.inputs);
    clear(out.reg_targets);
    const std::vector<uint16_t>& ids = corpus_.ids;
    const uint32_t positions = uint32_t(ids.size() - w);
    for (int t = 0; t < T; ++t) {
      const size_t p = w + rng.below(positions);
      int32_t* row = out.token_ids.data() + size_t(t) * w;
      for (size_t j = 0; j < w; ++j) row[j] = ids[p - w + j];
      out.class_targets[size_t(t)] = ids[p];
      out.labels[size_t(t)] = corpus_.classes[p - 1];
    }
  }

 private:
  int window_;
  TextCorpus corpus_;
};

std::unique_ptr<TaskData> make_chars(const Config& cfg, std::string* error) {
  const size_t needed = size_t(cfg.chars_window) + 2;  // at least two distinct targets
  std::vector<uint32_t> text;
  if (cfg.text_file.empty()) {
    if (size_t(std::max(cfg.text_length, 0)) < needed) {
      *error = "setting 'text_length': " + std::to_string(cfg.text_length) +
               " is too short; allowed: at least chars_window + 2 = " + std::to_string(needed);
      return nullptr;
    }
    const std::string generated = generate_text(uint64_t(cfg.seed), cfg.text_length);
    text.reserve(generated.size());
    for (char c : generated) text.push_back(uint8_t(c));  // ASCII: one byte per code point
  } else {
    const std::string where = "text_file '" + cfg.text_file + "': ";
    if (std::string e = read_text_file(cfg.text_file, &text); !e.empty()) {
      *error = e;
      return nullptr;
    }
    if (text.size() < needed) {
      *error = where + (text.empty() ? std::string("is empty") : "has " + std::to_string(text.size()) + " characters") +
               "; needs at least chars_window + 2 = " + std::to_string(needed);
      return nullptr;
    }
  }
  return std::make_unique<CharsTask>(text, cfg.chars_window);
}

}  // namespace

// [SECTION] TextCorpus and text files

TextCorpus::TextCorpus(const std::vector<uint32_t>& text) {
  std::vector<uint32_t> count(0x110000, 0);
  for (uint32_t c : text) ++count[c];
  std::vector<uint32_t> distinct;
  for (uint32_t c = 0; c < count.size(); ++c)
    if (count[c]) distinct.push_back(c);
  bool has_rare = false;
  if (distinct.size() > size_t(kMaxVocab)) {
    // Keep the kMaxVocab - 1 most frequent (ties: lower code point), ascending; the rest share one id.
    std::stable_sort(distinct.begin(), distinct.end(), [&](uint32_t a, uint32_t b) { return count[a] > count[b]; });
    distinct.resize(size_t(kMaxVocab - 1));
    std::sort(distinct.begin(), distinct.end());
    has_rare = true;
  }
  vocab.assign(distinct.begin(), distinct.end());
  const uint16_t rare_id = uint16_t(vocab.size());
  std::vector<uint16_t> id_of(0x110000, rare_id);
  for (size_t i = 0; i < vocab.size(); ++i) id_of[vocab[i]] = uint16_t(i);
  if (has_rare) vocab.push_back(0xFFFD);  // the shared id of the rest, shown as U+FFFD
  ids.resize(text.size());
  classes.resize(text.size());
  for (size_t p = 0; p < text.size(); ++p) {
    ids[p] = id_of[text[p]];
    classes[p] = uint8_t(char_class(text[p]));
  }
}

std::string TextCorpus::token_text(int id) const {
  std::string s;
  append_utf8(s, vocab[size_t(id)]);
  return s;
}

std::string read_text_file(const std::string& path, std::vector<uint32_t>* text) {
  const std::string where = "text_file '" + path + "': ";
  std::string bytes;
  if (std::string e = read_regular_file(path, kMaxTextFileBytes, &bytes); !e.empty()) return where + e;
  std::vector<uint32_t> decoded;
  std::string e;
  if (!decode_utf8(bytes, &decoded, &e)) {
    // "invalid UTF-8 at byte B (...)" gains the line of byte B
    const size_t at = e.find("at byte ");
    if (at != std::string::npos) {
      const size_t byte = size_t(std::strtoull(e.c_str() + at + 8, nullptr, 10));
      const size_t line = 1 + size_t(std::count(bytes.begin(), bytes.begin() + std::min(byte, bytes.size()), '\n'));
      const size_t digits = e.find_first_not_of("0123456789", at + 8);
      e.insert(digits == std::string::npos ? e.size() : digits, ", line " + std::to_string(line));
    }
    return where + e;
  }
  text->clear();
  text->reserve(decoded.size());
  for (size_t i = (!decoded.empty() && decoded[0] == 0xFEFF) ? 1 : 0; i < decoded.size(); ++i)
    if (!(decoded[i] == '\r' && i + 1 < decoded.size() && decoded[i + 1] == '\n')) text->push_back(decoded[i]);
  return "";
}

// [SECTION] TaskData::create

std::unique_ptr<TaskData> TaskData::create(const Config& cfg, std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  error->clear();
  switch (cfg.task) {
    case Task::blobs:
      if (*error = check_task_settings(cfg, PropFlags_TaskBlobs); !error->empty()) return nullptr;
      if (cfg.blob_classes > cfg.blob_clusters) {
        *error = "setting 'blob_classes': " + std::to_string(cfg.blob_classes) +
                 " is more than blob_clusters = " + std::to_string(cfg.blob_clusters) +
                 "; allowed: an integer in [2, blob_clusters]";
        return nullptr;
      }
      return std::make_unique<BlobsTask>(cfg);
    case Task::teacher:
      if (*error = check_task_settings(cfg, PropFlags_TaskTeacher); !error->empty()) return nullptr;
      return std::make_unique<TeacherTask>(cfg);
    case Task::chars:
      if (*error = check_task_settings(cfg, PropFlags_TaskChars); !error->empty()) return nullptr;
      return make_chars(cfg, error);
    case Task::lm:
      if (*error = check_task_settings(cfg, PropFlags_TaskLm); !error->empty()) return nullptr;
      return make_lm(cfg, error);
  }
  *error = "setting 'task': unknown task; allowed: one of blobs, teacher, chars, lm";
  return nullptr;
}

}  // namespace moe

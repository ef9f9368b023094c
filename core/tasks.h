// tasks.h: the training tasks (lm: task_lm.cpp), each generated from the seed (no download).
//   blobs   2-D Gaussian clusters with class labels (classification; the
//           router's partition of the plane can be drawn)
//   teacher regression on targets of a random hidden top-1 MoE; the label of
//           a token is the teacher expert that made it
//   chars   next-character prediction over a generated text whose character
//           classes (letters, digits, punctuation, spaces) give experts
//           something to specialise on, or over any UTF-8 text file
// A Task makes batches; the model never sees how.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "rng.h"
#include "thread_pool.h"

namespace moe {

using MatrixRd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One batch of T tokens. Buffers keep their capacity between calls, so
// sampling into a batch of the same T allocates nothing.
struct Batch {
  int T = 0;
  MatrixRd inputs;                     // [T, d_in] real inputs (blobs, teacher); empty for chars
  std::vector<int32_t> token_ids;      // [T * window] character ids, row-major (chars); [T] = [B, n] (lm); else empty
  std::vector<int32_t> class_targets;  // [T] class or next-character id (blobs, chars)
  MatrixRd reg_targets;                // [T, n_out] regression targets (teacher)
  std::vector<int32_t> labels;         // [T] label for specialisation: class (blobs), teacher expert, character class
  std::vector<double> uniforms;        // sampler scratch (teacher: the polar pairs v1 | v2 | s of its normals)
};

class TaskData {
 public:
  virtual ~TaskData() = default;
  // Builds the task for a config; nullptr and *error set (naming the setting
  // or the file and what is wrong) when it cannot, e.g. an unreadable text file.
  static std::unique_ptr<TaskData> create(const Config& cfg, std::string* error);

  virtual Task kind() const = 0;
  virtual int input_width() const = 0;  // d_in: 2 (blobs), teacher_inputs; chars: chars_window (ids per token); lm: n
  virtual int vocab_size() const { return 0; }          // chars: distinct characters (embedding rows); else 0
  virtual int n_out() const = 0;                        // classes, regression outputs, or vocab size
  virtual bool regression() const = 0;                  // MSE (teacher) instead of cross-entropy
  virtual int n_labels() const = 0;                     // label classes for the specialisation MI
  virtual std::string label_name(int label) const = 0;  // "class 2", "teacher expert 1", "letters"...
  // Draws a fresh training batch of T tokens from rng (no allocation once `out` has held T tokens).
  virtual void sample(Rng& rng, int T, Batch& out) const = 0;
  // The same batch, bit for bit, with per-token work spread over `pool` (teacher: its MoE forward).
  virtual void sample_parallel(Rng& rng, int T, Batch& out, ThreadPool& pool) const { (void)pool, sample(rng, T, out); }
  // The fixed probe batch of T tokens (Trainer): sample() for most tasks; lm takes whole
  // consecutive windows of its held-out text, so the probe is a passage the model never trained on.
  virtual void sample_probe(Rng& rng, int T, Batch& out) const { sample(rng, T, out); }
  // Where the task's data comes from, in words, for the run's header ("" when generated from the
  // seed as designed); lm says which text it read, or why it fell back to the generated text.
  virtual std::string source() const { return ""; }
  // lm: n, positions a sequence sees (input_width() too); 0 otherwise.
  virtual int context() const { return 0; }
  // blobs: class of cluster j and its centre; used to draw the routing map.
  virtual int clusters() const { return 0; }
  virtual double cluster_x(int) const { return 0; }
  virtual double cluster_y(int) const { return 0; }
  // chars: the text of character id i (UTF-8), for labels in the UI.
  virtual std::string token_text(int) const { return ""; }
  // teacher: fraction of a batch's tokens whose student top-1 matches the best
  // one-to-one mapping of teacher experts is computed by metrics from labels.
};

// Character classes of the chars task (the labels there).
enum CharClass {
  CharClass_Letter = 0,
  CharClass_Digit,
  CharClass_Punct,
  CharClass_Space,
  CharClass_Other,
  CharClass_COUNT
};
CharClass char_class(uint32_t code_point);

// Decodes UTF-8; on failure returns false and says at which byte offset.
bool decode_utf8(const std::string& bytes, std::vector<uint32_t>* out, std::string* error);
// The generated text of the chars task: words, numbers, punctuation, spaces.
std::string generate_text(uint64_t seed, int length);

}  // namespace moe

// config.h: every moescope setting, in one declarative property table.
//
// The table (name, type, default, allowed range or choices, one-line help that
// names the source paper, when the run reads the setting, a bound taken from
// another setting, a widget hint) drives parsing (--set key=value, JSON through
// app/), validation, serialisation and the GUI's controls and tooltips. A Config plus
// its seed reproduces a run exactly. This header is part of core/: no JSON, no
// GUI; values cross the boundary as PropValue (bool, integer, double, string).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace moe {

// [SECTION] Choices (their order is the order of the names in the table)
enum class Task { blobs, teacher, chars, lm };
enum class RouterKind { topk, expert_choice, dense };
enum class Score { softmax, sigmoid };
enum class Renorm { auto_, on, off };  // auto: renormalise iff k >= 2 (docs/math.md "Decisions the papers left open")
enum class Activation { relu, gelu, silu };
enum class DropPolicy { position, gate };
enum class Optimizer { sgd, adam, adamw };
enum class LmText { fortunes, generated };  // lm's default text: the fortunes-min package, or generated

// [SECTION] Config: plain values, defaults come from the table (default_config()).
struct Config {
  // run
  Task task{};         // blobs | teacher | chars | lm
  int64_t seed = 0;    // every random draw
  int64_t steps = 0;   // default run length
  int batch_size = 0;  // T tokens per step (lm: positions, a multiple of lm_context)
  int threads = 0;     // worker threads for a step (0 = all cores); never changes the numbers
  // model
  int d_model = 0;         // d
  int n_layers = 0;        // MoE layers, 1..4
  int num_experts = 0;     // E routed experts
  int top_k = 0;           // k experts per token
  int expert_hidden = 0;   // h
  int shared_experts = 0;  // S always-on experts
  Activation activation{};
  // router
  RouterKind router{};
  Score score{};
  Renorm renormalize{};
  bool noisy_gating = false;
  double capacity_factor = 0;  // c, 0 = no limit
  DropPolicy drop_policy{};
  // losses and balancing
  double alpha = 0;           // load-balance weight
  double beta = 0;            // z-loss weight
  double w_importance = 0;    // importance-loss weight
  double aux_free_gamma = 0;  // aux-loss-free bias speed
  // optimiser
  Optimizer optimizer{};
  double lr = 0;
  double momentum = 0;
  double weight_decay = 0;
  double grad_clip = 0;
  double router_lr_scale = 0;
  // metrics
  int dead_window = 0;  // W steps for "dead expert"
  int probe_size = 0;   // tokens in the fixed probe batch (gate heatmap)
  // task: blobs
  int blob_clusters = 0;
  int blob_classes = 0;
  double blob_spread = 0;
  // task: teacher
  int teacher_inputs = 0;
  int teacher_outputs = 0;
  int teacher_experts = 0;
  int teacher_hidden = 0;
  double teacher_noise = 0;
  // task: chars
  int chars_window = 0;
  int chars_embed = 0;
  int text_length = 0;
  std::string text_file;  // "" = the generated text (chars) or lm_text (lm)
  // task: lm (docs/math.md "The `lm` task")
  int lm_context = 0;             // n, positions a sequence sees
  int lm_heads = 0;               // H attention heads, divides d_model
  LmText lm_text{};               // the text when text_file is ""
  double sample_temperature = 0;  // lm: temperature of the text the window samples from the model

  // Derived, not settings:
  bool renormalized() const;   // gates renormalised over K_t for the current k and score
  int routed_experts() const;  // E, or 1 for the dense baseline
  int active_k() const;        // k, or 1 for the dense baseline
};

// [SECTION] The property table
using PropValue = std::variant<bool, int64_t, double, std::string>;

enum class PropType { Bool, Int, Float, Choice, String };

enum PropFlags_ {
  PropFlags_None = 0,
  PropFlags_Live = 1 << 0,          // may change mid-run at a step boundary (a slider, or --set key=v@STEP)
  PropFlags_TaskBlobs = 1 << 1,     // only meaningful for task=blobs
  PropFlags_TaskTeacher = 1 << 2,   // only meaningful for task=teacher
  PropFlags_TaskChars = 1 << 3,     // only meaningful for task=chars
  PropFlags_Advanced = 1 << 4,      // folded under "Advanced" in the GUI, closed by default
  PropFlags_ChoiceOrBool = 1 << 5,  // a Choice that also reads a boolean as its choice "true"/"false" (renormalize)
  PropFlags_Seed = 1 << 6,          // the run's seed: a sweep varies it with --seeds N, not --grid
  PropFlags_TaskLm = 1 << 7,        // only meaningful for task=lm (with TaskChars: for chars or lm)
};
using PropFlags = int;

// How the GUI draws a setting. The table picks it from the type and range
// (an integer range wider than 300× is logarithmic) unless a row says otherwise.
enum class Widget {
  Checkbox,       // Bool
  Combo,          // Choice
  TextField,      // String, applied on Enter
  IntSlider,      // Int, linear
  IntLogSlider,   // Int over a wide range, ImGui's logarithmic slider
  IntField,       // Int typed in, with -/+ buttons (the seed: no order worth sliding along)
  Slider,         // Float, linear
  LogSlider,      // Float over a wide range (max > 100·max(min, 1e-3)), ImGui's logarithmic slider
  LogSliderZero,  // Float, logarithmic from log_min to max, its left end an explicit 0 ("off")
};

// When a setting has an effect on the run. Besides this, a PropFlags_Task*
// setting matters only for its task (Property::relevant checks both).
struct Relevance {
  bool (*holds)(const Config&) = nullptr;  // nullptr: always (the code reads it in every mode)
  const char* when = "";                   // the condition in words: "only for optimizer = sgd"
};

struct Property {
  const char* name;  // config key, --set name, trace config key
  PropType type;
  const char* group;  // GUI section: "Run", "Model", "Router", "Losses", "Optimiser", "Task", "Metrics"
  const char* help;   // one line, names the source paper
  PropFlags flags;
  double min = 0, max = 0;           // Int/Float inclusive range
  std::vector<std::string> choices;  // Choice names, in enum order
  PropValue default_value;
  Relevance relevance;  // when the run reads it (drawn disabled otherwise)
  const char* at_most =
      nullptr;  // Int: another Int setting that bounds it from above (top_k <= num_experts), or nullptr
  Widget widget = Widget::Slider;  // how the GUI draws it
  double log_min = 0;              // LogSliderZero: the smallest positive value on the slider

  PropValue get(const Config& c) const;                  // current value
  std::string set(Config& c, const PropValue& v) const;  // "" or an error naming the field and what is allowed
  std::string set_from_text(Config& c, std::string_view text) const;  // parses "0.01", "true", "softmax"...
  bool live() const { return flags & PropFlags_Live; }
  bool advanced() const { return flags & PropFlags_Advanced; }
  std::string describe_allowed() const;  // "an integer in [1, 256]", "one of softmax, sigmoid"
  // "" when the run reads this setting under c, else why not ("only for task = blobs", "only for optimizer = sgd").
  std::string irrelevance(const Config& c) const;
  bool relevant(const Config& c) const { return irrelevance(c).empty(); }
  bool task_specific() const {
    return flags & (PropFlags_TaskBlobs | PropFlags_TaskTeacher | PropFlags_TaskChars | PropFlags_TaskLm);
  }
  // Int: the largest value allowed under c: max, or the value of at_most when smaller.
  int64_t upper_bound(const Config& c) const;
};

const std::vector<Property>& properties();             // the table, in display order
const Property* find_property(std::string_view name);  // nullptr if unknown; accepts short names (k, E, gamma...)
const char* short_name(std::string_view name);         // "k" for top_k, "α" for alpha...; the name itself otherwise
Config default_config();                               // every field at its table default
std::string format_value(const PropValue& v);          // "0.01", "true", "softmax"
// The shortest text that reads back (set_from_text) to exactly the same value: what a
// saved schedule or a "copy as command" line must carry ("0.0031622776601683794").
std::string format_value_exact(const PropValue& v);
std::string choice_name(const Property& p, const Config& c);  // the current choice as text

// Cross-field checks (every at_most bound where the setting is relevant, the
// memory estimate, router/score pairs).
// Returns "" or a message naming the field(s) and what is allowed.
std::string validate(const Config& c);
// Bytes a run of this config needs (parameters, optimiser state, activations), an estimate.
double estimate_bytes(const Config& c);
constexpr double kMaxRunBytes = 2.0 * 1024 * 1024 * 1024;
constexpr int kMaxRoutedExperts = 256;  // num_experts' upper bound in the property table (config.cpp)

// Settings whose change needs a new model: anything not PropFlags_Live.
bool structural_change(const Config& a, const Config& b);
// Names of the settings that differ between a and b, in table order.
std::vector<std::string> changed_settings(const Config& a, const Config& b);

}  // namespace moe

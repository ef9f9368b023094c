// config.cpp: the property table and the checks that keep a run valid and
// within memory. Each entry: name, type, group, help (with its source), flags,
// range or choices, default. Accessors are built from member pointers.
#include "config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

namespace moe {

bool Config::renormalized() const {
  if (score == Score::sigmoid) return true;  // DeepSeek-V3 always renormalises sigmoid gates
  if (renormalize == Renorm::auto_) return top_k >= 2;
  return renormalize == Renorm::on;
}
int Config::routed_experts() const { return router == RouterKind::dense ? 1 : num_experts; }
int Config::active_k() const { return router == RouterKind::dense ? 1 : top_k; }

namespace {

// Member access, type-erased: each property knows how to read and write its field.
struct Accessor {
  std::function<PropValue(const Config&)> get;
  std::function<void(Config&, const PropValue&)> put;
};
std::map<std::string, Accessor, std::less<>>& accessors() {
  static std::map<std::string, Accessor, std::less<>> a;
  return a;
}

// One row being built; the modifiers add what the controls and validate() read.
struct Row {
  Property& p;
  Row& when(Relevance r) { return p.relevance = r, *this; }             // relevant only under r
  Row& at_most(const char* other) { return p.at_most = other, *this; }  // value <= the setting `other`
  Row& drawn_as(Widget w, double log_min = 0) { return p.widget = w, p.log_min = log_min, *this; }
};

struct TableBuilder {
  std::vector<Property> props;
  const char* group = "";

  Row add(const char* name, PropType t, const char* help, PropFlags f, Accessor acc, PropValue def, Widget w) {
    Property p{name, t, group, help, f, 0, 0, {}, std::move(def), Relevance{}, nullptr, w, 0};
    props.push_back(std::move(p));
    accessors()[name] = std::move(acc);
    return Row{props.back()};
  }
  template <class I>
  Row integer(const char* name, I Config::*m, int64_t def, int64_t lo, int64_t hi, PropFlags f, const char* help) {
    const bool wide = double(hi) / std::max<double>(1, double(lo)) > 300.0;
    Row r = add(name, PropType::Int, help, f,
                {[m](const Config& c) { return PropValue(int64_t(c.*m)); },
                 [m](Config& c, const PropValue& v) { c.*m = I(std::get<int64_t>(v)); }},
                def, wide ? Widget::IntLogSlider : Widget::IntSlider);
    r.p.min = double(lo);
    r.p.max = double(hi);
    return r;
  }
  Row real(const char* name, double Config::*m, double def, double lo, double hi, PropFlags f, const char* help) {
    const bool wide = lo >= 0 && hi > 100 * std::max(lo, 1e-3);
    Row r = add(name, PropType::Float, help, f,
                {[m](const Config& c) { return PropValue(c.*m); },
                 [m](Config& c, const PropValue& v) { c.*m = std::get<double>(v); }},
                def, wide ? Widget::LogSlider : Widget::Slider);
    r.p.min = lo;
    r.p.max = hi;
    return r;
  }
  Row boolean(const char* name, bool Config::*m, bool def, PropFlags f, const char* help) {
    return add(name, PropType::Bool, help, f,
               {[m](const Config& c) { return PropValue(c.*m); },
                [m](Config& c, const PropValue& v) { c.*m = std::get<bool>(v); }},
               def, Widget::Checkbox);
  }
  Row text(const char* name, std::string Config::*m, const char* def, PropFlags f, const char* help) {
    return add(name, PropType::String, help, f,
               {[m](const Config& c) { return PropValue(c.*m); },
                [m](Config& c, const PropValue& v) { c.*m = std::get<std::string>(v); }},
               std::string(def), Widget::TextField);
  }
  template <class En>
  Row choice(const char* name, En Config::*m, std::vector<std::string> names, const char* def, PropFlags f,
             const char* help) {
    Row r = add(name, PropType::Choice, help, f,
                {[m, names](const Config& c) { return PropValue(names[size_t(c.*m)]); },
                 [m, names](Config& c, const PropValue& v) {
                   for (size_t i = 0; i < names.size(); ++i)
                     if (names[i] == std::get<std::string>(v)) c.*m = En(i);
                 }},
                std::string(def), Widget::Combo);
    r.p.choices = std::move(names);
    return r;
  }
};

// [SECTION] Relevance rules: when the simulator reads a setting (the code each one mirrors is named).
bool has_router(const Config& c) { return c.router != RouterKind::dense; }   // Model: routed_experts(), rs.has_router
bool token_choice(const Config& c) { return c.router == RouterKind::topk; }  // router.cpp: route_token_choice
constexpr Relevance kNeedsRouter{has_router, "not for router = dense (one FFN, no router)"};
constexpr Relevance kTokenChoiceScore{token_choice, "only for router = topk (expert choice scores by softmax)"};
constexpr Relevance kRenormalised{
    [](const Config& c) { return token_choice(c) && c.score == Score::softmax; },
    "only for router = topk with score = softmax (sigmoid gates are always renormalised)"};
constexpr Relevance kDropsTokens{[](const Config& c) { return token_choice(c) && c.capacity_factor > 0; },
                                 "only for router = topk with capacity_factor > 0 (nothing is dropped otherwise)"};
constexpr Relevance kAuxFreeBias{token_choice,
                                 "only for router = topk (the bias steers which k experts a token picks)"};
constexpr Relevance kSgd{[](const Config& c) { return c.optimizer == Optimizer::sgd; }, "only for optimizer = sgd"};
constexpr Relevance kAdamW{[](const Config& c) { return c.optimizer == Optimizer::adamw; },
                           "only for optimizer = adamw"};
constexpr Relevance kGeneratedText{
    [](const Config& c) { return c.text_file.empty() && (c.task != Task::lm || c.lm_text == LmText::generated); },
    "only for the generated text (text_file = \"\", and lm_text = generated for lm)"};
constexpr Relevance kLmDefaultText{[](const Config& c) { return c.text_file.empty(); },
                                   "only without a text file (text_file = \"\")"};

std::vector<Property> build_table() {
  TableBuilder b;
  constexpr PropFlags L = PropFlags_Live, A = PropFlags_Advanced;
  constexpr Widget LogZero = Widget::LogSliderZero;

  b.group = "Run";
  b.choice("task", &Config::task, {"blobs", "teacher", "chars", "lm"}, "blobs", 0,
           "Training task: 2-D Gaussian blobs (classification), a hidden teacher MoE (regression), next-character "
           "prediction from a window (chars), or a tiny MoE transformer on text (lm: Mixtral, Switch, DeepSeek).");
  b.integer("seed", &Config::seed, 1, 0, 2147483647, PropFlags_Seed,
            "Seed of every random draw: data, initial weights, router noise.")
      .drawn_as(Widget::IntField);
  b.integer("steps", &Config::steps, 2000, 1, 100000000, 0, "Default run length in training steps.");
  b.integer("batch_size", &Config::batch_size, 256, 1, 65536, 0,
            "T, tokens per training step (lm: positions, a multiple of lm_context).");
  b.integer("threads", &Config::threads, 0, 0, 64, A,
            "Worker threads for one step (0 = all cores). Results are identical for any value.");

  b.group = "Model";
  b.integer("d_model", &Config::d_model, 32, 2, 1024, 0, "d, the model width every MoE layer reads and writes.");
  b.integer("n_layers", &Config::n_layers, 1, 1, 4, 0, "Number of MoE layers, each a residual block.");
  b.integer("num_experts", &Config::num_experts, 8, 1, kMaxRoutedExperts, 0,
            "E, routed experts per layer (Shazeer et al. 2017; DeepSeekMoE uses many small ones).")
      .when(kNeedsRouter);
  // Expert choice reads k as well: its capacity factor is k when capacity_factor = 0.
  b.integer("top_k", &Config::top_k, 2, 1, 256, L,
            "k, experts each token runs (Switch: 1, Mixtral: 2, DeepSeek-V3: 8).")
      .when(kNeedsRouter)
      .at_most("num_experts");
  b.integer("expert_hidden", &Config::expert_hidden, 64, 1, 4096, 0, "h, hidden width of each expert FFN.");
  b.integer("shared_experts", &Config::shared_experts, 0, 0, 8, 0,
            "S, experts every token runs besides the routed ones (DeepSeekMoE, Dai et al. 2024).");
  b.choice("activation", &Config::activation, {"relu", "gelu", "silu"}, "gelu", 0,
           "Expert nonlinearity: relu, gelu (tanh form, Hendrycks & Gimpel 2016), silu (Elfwing et al. 2018).");

  b.group = "Router";
  b.choice("router", &Config::router, {"topk", "expert_choice", "dense"}, "topk", 0,
           "topk: tokens choose experts (Shazeer 2017). expert_choice: experts choose tokens (Zhou et al. 2022). "
           "dense: one FFN, no router.");
  b.choice("score", &Config::score, {"softmax", "sigmoid"}, "softmax", L,
           "Router score: softmax (Switch, Mixtral) or sigmoid with renormalised gates (DeepSeek-V3).")
      .when(kTokenChoiceScore);
  b.choice("renormalize", &Config::renormalize, {"auto", "true", "false"}, "auto", L | PropFlags_ChoiceOrBool,
           "Renormalise gates over the chosen k (Mixtral) or keep raw softmax (Switch, GShard). auto: on for k >= 2.")
      .when(kRenormalised);
  b.boolean("noisy_gating", &Config::noisy_gating, false, L,
            "Add trainable Gaussian noise to router logits in training (noisy top-k, Shazeer et al. 2017).")
      .when(kNeedsRouter);
  b.real(
       "capacity_factor", &Config::capacity_factor, 0.0, 0.0, 64.0, L,
       "c: each expert takes at most ceil(c*k*T/E) tokens, the rest ride the residual (GShard, Switch). 0 = no limit.")
      .when(kNeedsRouter);
  b.choice(
       "drop_policy", &Config::drop_policy, {"position", "gate"}, "position", L,
       "Which overflowing tokens an expert drops: latest first (position) or lowest gate first (V-MoE batch priority).")
      .when(kDropsTokens);

  b.group = "Losses";
  b.real("alpha", &Config::alpha, 0.01, 0.0, 10.0, L,
         "alpha, weight of the load-balance loss E*sum f_i P_i (Switch: 1e-2). Hugging Face's Mixtral loss reads k "
         "times larger.")
      .when(kNeedsRouter)
      .drawn_as(LogZero, 1e-5);
  b.real("beta", &Config::beta, 0.0, 0.0, 10.0, L,
         "beta, weight of the router z-loss mean(logsumexp(z)^2) (ST-MoE, Zoph et al. 2022: 1e-3).")
      .when(kNeedsRouter)
      .drawn_as(LogZero, 1e-5);
  b.real("w_importance", &Config::w_importance, 0.0, 0.0, 10.0, L,
         "Weight of the importance loss CV(sum of gates)^2 (Shazeer et al. 2017: 0.1).")
      .when(kNeedsRouter)
      .drawn_as(LogZero, 1e-5);
  b.real(
       "aux_free_gamma", &Config::aux_free_gamma, 0.0, 0.0, 1.0, L,
       "gamma, speed of the aux-loss-free selection bias b_i += gamma*sign(mean n - n_i) (DeepSeek-V3: 1e-3). 0 = off.")
      .when(kAuxFreeBias)
      .drawn_as(LogZero, 1e-6);

  b.group = "Optimiser";
  b.choice(
      "optimizer", &Config::optimizer, {"sgd", "adam", "adamw"}, "adam", 0,
      "SGD with momentum, Adam (Kingma & Ba 2015) or AdamW with decoupled weight decay (Loshchilov & Hutter 2019).");
  b.real("lr", &Config::lr, 3e-3, 0.0, 10.0, L, "Learning rate.").drawn_as(LogZero, 1e-5);
  b.real("momentum", &Config::momentum, 0.9, 0.0, 0.999, L, "SGD momentum.").when(kSgd);
  b.real("weight_decay", &Config::weight_decay, 0.01, 0.0, 1.0, L, "AdamW decoupled weight decay.").when(kAdamW);
  b.real("grad_clip", &Config::grad_clip, 0.0, 0.0, 1000.0, L,
         "Clip the global gradient norm to this value (0 = off).");
  b.real("router_lr_scale", &Config::router_lr_scale, 1.0, 0.0, 100.0, L,
         "Learning-rate multiplier for router weights.")
      .when(kNeedsRouter);

  b.group = "Metrics";
  b.integer("dead_window", &Config::dead_window, 100, 1, 1000000, L,
            "W: an expert that took no token in the last W steps counts as dead.");
  b.integer("probe_size", &Config::probe_size, 256, 8, 4096, A,
            "Tokens in the fixed probe batch drawn as the gate heatmap (lm: whole held-out windows, rounded down).");

  b.group = "Task";
  b.integer("blob_clusters", &Config::blob_clusters, 8, 2, 64, PropFlags_TaskBlobs,
            "blobs: Gaussian clusters in the plane.");
  b.integer("blob_classes", &Config::blob_classes, 4, 2, 64, PropFlags_TaskBlobs,
            "blobs: class labels; clusters share them round-robin, so one class may need several experts.")
      .at_most("blob_clusters");
  b.real("blob_spread", &Config::blob_spread, 0.15, 0.01, 2.0, PropFlags_TaskBlobs,
         "blobs: standard deviation of each cluster.");
  b.integer("teacher_inputs", &Config::teacher_inputs, 16, 1, 1024, PropFlags_TaskTeacher, "teacher: input width.");
  b.integer("teacher_outputs", &Config::teacher_outputs, 4, 1, 256, PropFlags_TaskTeacher,
            "teacher: regression outputs.");
  b.integer("teacher_experts", &Config::teacher_experts, 4, 1, 64, PropFlags_TaskTeacher,
            "teacher: experts of the hidden top-1 MoE that makes the targets.");
  b.integer("teacher_hidden", &Config::teacher_hidden, 32, 1, 1024, PropFlags_TaskTeacher,
            "teacher: hidden width of its experts.");
  b.real("teacher_noise", &Config::teacher_noise, 0.0, 0.0, 10.0, PropFlags_TaskTeacher,
         "teacher: std of noise added to targets.");
  b.integer("chars_window", &Config::chars_window, 8, 1, 64, PropFlags_TaskChars,
            "chars: previous characters the model sees.");
  b.integer("chars_embed", &Config::chars_embed, 8, 1, 256, PropFlags_TaskChars,
            "chars: embedding width per character.");
  b.integer("text_length", &Config::text_length, 200000, 1000, 20000000, PropFlags_TaskChars | PropFlags_TaskLm,
            "chars, lm: length of the generated text in characters.")
      .when(kGeneratedText);
  b.text("text_file", &Config::text_file, "", PropFlags_TaskChars | PropFlags_TaskLm,
         "chars, lm: a UTF-8 text file to learn instead (\"\" = the generated text, or lm_text for lm).");
  b.integer("lm_context", &Config::lm_context, 64, 2, 256, PropFlags_TaskLm,
            "lm: n, positions a sequence sees; a step draws batch_size/n windows of n+1 characters.");
  b.integer("lm_heads", &Config::lm_heads, 4, 1, 16, PropFlags_TaskLm,
            "lm: H, causal attention heads per block (Vaswani et al. 2017); must divide d_model.");
  b.choice("lm_text", &Config::lm_text, {"fortunes", "generated"}, "fortunes", PropFlags_TaskLm,
           "lm: fortunes = real English, the fortunes-min package's files (Debian), or the generated text.")
      .when(kLmDefaultText);
  b.real("sample_temperature", &Config::sample_temperature, 0.8, 0.0, 2.0, L | PropFlags_TaskLm,
         "lm: temperature of the text the window samples from the model (logits / T; 0 = always the likeliest).");
  return std::move(b.props);
}

std::string lower_first_error(const Property& p, const std::string& what) {
  return "setting '" + std::string(p.name) + "': " + what + "; allowed: " + p.describe_allowed();
}

}  // namespace

const std::vector<Property>& properties() {
  static const std::vector<Property> table = build_table();
  return table;
}

namespace {
// Short names a lecturer writes on the board; accepted wherever a setting name is.
struct Alias {
  const char* alias;
  const char* name;
  const char* display;
};
constexpr Alias kAliases[] = {
    {"k", "top_k", "k"},           {"E", "num_experts", "E"},    {"gamma", "aux_free_gamma", "\u03b3"},
    {"c", "capacity_factor", "c"}, {"T", "batch_size", "T"},     {"d", "d_model", "d"},
    {"h", "expert_hidden", "h"},   {"alpha", "alpha", "\u03b1"}, {"beta", "beta", "\u03b2"},
    {"S", "shared_experts", "S"},  {"lr", "lr", "lr"},
};
}  // namespace

const Property* find_property(std::string_view name) {
  for (const Alias& a : kAliases)
    if (name == a.alias) name = a.name;
  for (const Property& p : properties())
    if (name == p.name) return &p;
  return nullptr;
}

const char* short_name(std::string_view name) {
  for (const Alias& a : kAliases)
    if (name == a.name) return a.display;
  const Property* p = find_property(name);
  return p ? p->name : "?";
}

Config default_config() {
  Config c;
  for (const Property& p : properties()) p.set(c, p.default_value);
  return c;
}

PropValue Property::get(const Config& c) const { return accessors().find(name)->second.get(c); }

std::string format_value(const PropValue& v) {
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", *d);
    return buf;
  }
  return std::get<std::string>(v);
}

std::string format_value_exact(const PropValue& v) {
  if (auto d = std::get_if<double>(&v)) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, *d);  // shortest round-trip form
    return std::string(buf, r.ptr);
  }
  return format_value(v);
}

std::string choice_name(const Property& p, const Config& c) { return format_value(p.get(c)); }

std::string Property::describe_allowed() const {
  char buf[128];
  switch (type) {
    case PropType::Bool: return "true or false";
    case PropType::Int: std::snprintf(buf, sizeof buf, "an integer in [%.0f, %.0f]", min, max); return buf;
    case PropType::Float: std::snprintf(buf, sizeof buf, "a number in [%g, %g]", min, max); return buf;
    case PropType::String: return "a text";
    case PropType::Choice: {
      std::string s = "one of ";
      for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
      if (flags & PropFlags_ChoiceOrBool) s += " (or a boolean)";
      return s;
    }
  }
  return "";
}

std::string Property::set(Config& c, const PropValue& v) const {
  PropValue val = v;
  switch (type) {
    case PropType::Bool:
      if (!std::holds_alternative<bool>(val)) return lower_first_error(*this, "expected a boolean");
      break;
    case PropType::Int: {
      if (auto d = std::get_if<double>(&val)) {
        if (std::floor(*d) != *d || !std::isfinite(*d))
          return lower_first_error(*this, "expected an integer, got " + format_value(val));
        if (*d < min || *d > max)
          return lower_first_error(
              *this, format_value(val) + " is out of range");  // before int64_t(*d): UB when it does not fit
        val = int64_t(*d);
      }
      if (!std::holds_alternative<int64_t>(val)) return lower_first_error(*this, "expected an integer");
      int64_t i = std::get<int64_t>(val);
      if (double(i) < min || double(i) > max) return lower_first_error(*this, std::to_string(i) + " is out of range");
      break;
    }
    case PropType::Float: {
      if (auto i = std::get_if<int64_t>(&val)) val = double(*i);
      if (!std::holds_alternative<double>(val)) return lower_first_error(*this, "expected a number");
      double d = std::get<double>(val);
      if (!std::isfinite(d)) return lower_first_error(*this, "value is not finite");
      if (d < min || d > max) return lower_first_error(*this, format_value(val) + " is out of range");
      break;
    }
    case PropType::Choice: {
      if (auto b = std::get_if<bool>(&val); b && (flags & PropFlags_ChoiceOrBool))
        val = std::string(*b ? "true" : "false");
      if (!std::holds_alternative<std::string>(val)) return lower_first_error(*this, "expected a name");
      const std::string& s = std::get<std::string>(val);
      bool ok = false;
      for (const auto& ch : choices) ok |= (ch == s);
      if (!ok) return lower_first_error(*this, "'" + s + "' is not a choice");
      break;
    }
    case PropType::String:
      if (!std::holds_alternative<std::string>(val)) return lower_first_error(*this, "expected a text");
      break;
  }
  accessors().find(name)->second.put(c, val);
  return "";
}

std::string Property::set_from_text(Config& c, std::string_view text) const {
  std::string s(text);
  switch (type) {
    case PropType::Bool:
      if (s == "true" || s == "1" || s == "on") return set(c, true);
      if (s == "false" || s == "0" || s == "off") return set(c, false);
      return lower_first_error(*this, "'" + s + "' is not a boolean");
    case PropType::Int: {
      // Decimal only: "0x2", " 2" or "2 " are refused (strtoll/strtod would read them).
      if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos)
        return lower_first_error(*this, "'" + s + "' is not an integer (decimal digits, e.g. 2 or 1e3)");
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (*end != '\0' || errno) {
        // accept "1e3"-style integers
        double d = std::strtod(s.c_str(), &end);
        if (*end == '\0' && std::floor(d) == d && std::fabs(d) < 9e15) return set(c, int64_t(d));
        return lower_first_error(*this, "'" + s + "' is not an integer");
      }
      return set(c, int64_t(v));
    }
    case PropType::Float: {
      if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos)
        return lower_first_error(*this, "'" + s + "' is not a number (decimal, e.g. 0.01 or 1e-3)");
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (*end != '\0') return lower_first_error(*this, "'" + s + "' is not a number");
      if (!std::isfinite(d)) return lower_first_error(*this, "'" + s + "' is out of range (beyond about 1.8e308)");
      return set(c, d);
    }
    case PropType::Choice:
    case PropType::String: return set(c, s);
  }
  return "";
}

std::string Property::irrelevance(const Config& c) const {
  if ((flags & PropFlags_TaskBlobs) && c.task != Task::blobs) return "only for task = blobs";
  if ((flags & PropFlags_TaskTeacher) && c.task != Task::teacher) return "only for task = teacher";
  if ((flags & PropFlags_TaskChars) && (flags & PropFlags_TaskLm)) {
    if (c.task != Task::chars && c.task != Task::lm) return "only for task = chars or lm";
  } else {
    if ((flags & PropFlags_TaskChars) && c.task != Task::chars) return "only for task = chars";
    if ((flags & PropFlags_TaskLm) && c.task != Task::lm) return "only for task = lm";
  }
  if (relevance.holds && !relevance.holds(c)) return relevance.when;
  return "";
}

int64_t Property::upper_bound(const Config& c) const {
  const int64_t own = int64_t(max);
  if (!at_most) return own;
  const Property* other = find_property(at_most);
  return other ? std::min(own, std::get<int64_t>(other->get(c))) : own;
}

// Peak resident bytes of one run, from the buffers the model allocates (model.cpp
// Model::Model, router.cpp ensure_rows; floats are 4 bytes). Checked against peak RSS
// (/usr/bin/time -v) for teacher, blobs and chars configs up to batch 65536: within
// about 10% (see the README's input table and tests/test_config.cpp).
double estimate_bytes(const Config& c) {
  const double E = c.routed_experts(), T = c.batch_size, d = c.d_model, h = c.expert_hidden, L = c.n_layers;
  const double S = c.shared_experts, k = std::max(1, c.active_k());
  double d_in = 2, n_out = c.blob_classes, window = 0;
  if (c.task == Task::teacher) d_in = c.teacher_inputs, n_out = c.teacher_outputs;
  // chars: the vocabulary is at most 128 for the generated ASCII text, 1024 (the cap) for a text file
  if (c.task == Task::chars)
    window = c.chars_window, d_in = window * c.chars_embed, n_out = c.text_file.empty() ? 128 : 1024;
  if (c.task == Task::lm) d_in = 0, n_out = c.text_file.empty() ? 128 : 1024;  // no input projection
  const double per_expert = d * h * 2 + h + d;
  const double params = d_in * d + d + L * ((E + S) * per_expert + 2 * d * E) + d * n_out + n_out +
                        (c.task == Task::chars ? 1024.0 * c.chars_embed : 0);
  const double R = std::max<double>(T, c.probe_size);  // rows every buffer is sized for
  // Packed expert rows per layer: R·k assignments, or E·C for expert choice.
  double rows = R * k;
  if (c.router == RouterKind::expert_choice) {
    const double cap = c.capacity_factor > 0 ? c.capacity_factor : double(c.top_k);
    rows = E * std::min(R, std::ceil(cap * R / E));
  }
  constexpr double kProcessBytes = 8.0 * 1024 * 1024;  // the binary, its libraries, the thread stacks
  // Per layer: 11 [R,E] float matrices + slot/order index arrays (57 B per entry); per packed
  // row Xp, O, dO, dXp [d] and Hpre, H, keep [h] plus its token id; per shared expert and row
  // Hpre, H, keep [h] and O, dX [d]. Outside the layers: x, dx [L+1, R, d]; inputs u, du and the
  // task's batch (double) [R, d_in]; outputs, their gradient and targets [R, n_out].
  const double layer = R * E * 57 + rows * ((4 * d + 3 * h) * 4 + 4) + R * S * (3 * h + 2 * d) * 4 + R * 8;
  const double acts = L * layer + (L + 1) * R * d * 8 + R * (d_in * 24 + n_out * 20 + window * 8 + 64);
  // The chars corpus: generated ASCII text, stored as ids and classes (3 bytes a character).
  const double text = c.task == Task::chars && c.text_file.empty() ? double(c.text_length) * 3 : 0;
  if (c.task == Task::lm) {
    // lm (model.cpp, the lm buffers): embeddings [vocab + n, d], per block 4 [d,d] attention maps and
    // two gains; per block and row the stream, two norms, Q, K, V, context, a and their gradients
    // (16 [R,d]), the attention probabilities and their gradient [R, H·n] (2·H·n), the text (3 B a character).
    const double vocab = c.text_file.empty() ? 128 : 1024, n = c.lm_context, H = c.lm_heads;
    const double lm_params = (vocab + n) * d + L * (4 * d * d + 2 * d);
    const double lm_acts = L * R * (16 * d + 2 * H * n) * 4 + R * (vocab * 8 + 16 * d);
    const double lm_text = c.text_file.empty() && c.lm_text == LmText::generated ? double(c.text_length) * 3 : 4e5;
    return kProcessBytes + 4.0 * (params + lm_params) * 4 + acts + lm_acts + lm_text;
  }
  return kProcessBytes + 4.0 * params * 4 /* values, grads, two moments */ + acts + text;
}

std::string validate(const Config& c) {
  // Bounds taken from another setting (k <= E, classes <= clusters), where the run reads the setting.
  for (const Property& p : properties()) {
    if (!p.at_most || !p.relevant(c)) continue;
    const int64_t v = std::get<int64_t>(p.get(c)), bound = std::get<int64_t>(find_property(p.at_most)->get(c));
    if (v > bound) {
      char allowed[96];
      std::snprintf(allowed, sizeof allowed, "an integer in [%.0f, %s]", p.min, p.at_most);
      return "setting '" + std::string(p.name) + "': " + std::to_string(v) + " is more than " + p.at_most + " = " +
             std::to_string(bound) + "; allowed: " + allowed;
    }
  }
  if (c.task == Task::lm) {
    if (c.d_model % c.lm_heads != 0)
      return "setting 'lm_heads': " + std::to_string(c.lm_heads) +
             " does not divide d_model = " + std::to_string(c.d_model) +
             "; allowed: a divisor of d_model (each head reads d_model/lm_heads columns)";
    if (c.batch_size % c.lm_context != 0)
      return "setting 'batch_size': " + std::to_string(c.batch_size) +
             " is not a multiple of lm_context = " + std::to_string(c.lm_context) +
             "; allowed: a multiple of lm_context (for task = lm it counts positions)";
  }
  if (c.router == RouterKind::expert_choice && c.score == Score::sigmoid)
    return "setting 'score': sigmoid is not defined for router = expert_choice (Zhou et al. 2022 use softmax); "
           "allowed: softmax";
  const double bytes = estimate_bytes(c);
  if (bytes > kMaxRunBytes) {
    char buf[256];
    std::snprintf(
        buf, sizeof buf,
        "settings 'batch_size', 'num_experts', 'expert_hidden', 'd_model', 'n_layers': this run would need about "
        "%.1f GiB; allowed: at most %.0f GiB (make the batch, the experts or the widths smaller)",
        bytes / (1024.0 * 1024 * 1024), kMaxRunBytes / (1024.0 * 1024 * 1024));
    return buf;
  }
  return "";
}

bool structural_change(const Config& a, const Config& b) {
  for (const Property& p : properties())
    if (!p.live() && p.get(a) != p.get(b)) return true;
  return false;
}

std::vector<std::string> changed_settings(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const Property& p : properties())
    if (p.get(a) != p.get(b)) out.push_back(p.name);
  return out;
}

}  // namespace moe

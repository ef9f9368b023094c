// lesson_parse.cpp: reading and validating a lesson file (lesson.h). Every problem is
// collected, each with its line (from json_positions) and field, so `moescope lesson
// --check` reports all of them at once.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "config_io.h"
#include "json_positions.h"
#include "lesson.h"
#include "lesson_claims.h"
#include "lesson_formula.h"
#include "panel_names.h"

namespace moe::lesson {

namespace fs = std::filesystem;
using nlohmann::json;

const char* action_name(ActionKind k) {
  switch (k) {
    case ActionKind::preset: return "preset";
    case ActionKind::config: return "config";
    case ActionKind::set: return "set";
    case ActionKind::schedule: return "schedule";
    case ActionKind::play_to: return "play_to";
    case ActionKind::compare: return "compare";
    case ActionKind::seeds: return "seeds";
    case ActionKind::pause: return "pause";
  }
  return "?";
}

const char* compare_text(Compare c) {
  switch (c) {
    case Compare::lt: return "<";
    case Compare::le: return "<=";
    case Compare::gt: return ">";
    case Compare::ge: return ">=";
    case Compare::between: return "between";
  }
  return "?";
}

std::string Problem::text() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!field.empty()) s += field + ": ";
  return s + message;
}

namespace {

// The panels a step's focus may name: the window's (panel_names.h), in its order.
const std::vector<std::string>& focus_panel_names() {
  static const std::vector<std::string> names(std::begin(kPanelNames), std::end(kPanelNames));
  return names;
}

constexpr size_t kMaxTitle = 80, kMaxSummary = 160, kMaxProse = 420, kMaxQuestion = 200, kMaxAnswer = 120,
                 kMaxWhy = 320, kMaxClaimText = 200;
constexpr int kMinSteps = 1, kMaxSteps = 12, kMaxActions = 12, kMaxClaims = 8;
constexpr int64_t kMaxLessonStep = 100000;

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string type_name(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "true/false";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

// Where a value is: its JSON pointer (for the line) and its readable field name.
struct Where {
  std::string ptr, field;
  Where key(const std::string& k) const { return {ptr + "/" + k, field.empty() ? k : field + "." + k}; }
  Where index(size_t i) const { return {ptr + "/" + std::to_string(i), field + "[" + std::to_string(i) + "]"}; }
};

class Checker {
 public:
  Checker(const std::string& file, const JsonPositions& pos, std::vector<Problem>* out)
      : file_(file), pos_(pos), out_(out) {}

  void problem(const Where& w, const std::string& message) {
    out_->push_back({file_, pos_.line_of(w.ptr), w.field, message});
    ++count_;
  }
  int count() const { return count_; }

  // The object's keys must be among `allowed`.
  void only_keys(const json& obj, const Where& w, const std::vector<std::string>& allowed) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        problem(w.key(it.key()), "unknown field '" + it.key() + "'; allowed: " + join(allowed));
  }
  bool string(const json& obj, const Where& w, const char* key, std::string& out, bool required, size_t max_len) {
    const Where k = w.key(key);
    if (!obj.contains(key)) {
      if (required)
        problem(k, std::string("missing; allowed: a text of 1 to ") + std::to_string(max_len) + " characters");
      return false;
    }
    const json& v = obj[key];
    if (!v.is_string()) {
      problem(k, type_name(v) + " is not allowed; allowed: a text of 1 to " + std::to_string(max_len) + " characters");
      return false;
    }
    out = v.get<std::string>();
    const size_t chars = utf8_length(out);
    if (chars == 0 || chars > max_len) {
      problem(k, "is " + std::to_string(chars) + " characters long; allowed: 1 to " + std::to_string(max_len));
      return false;
    }
    return true;
  }
  bool integer(const json& obj, const Where& w, const char* key, int64_t& out, bool required, int64_t lo, int64_t hi) {
    const Where k = w.key(key);
    const std::string allowed = "allowed: a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (!obj.contains(key)) {
      if (required) problem(k, "missing; " + allowed);
      return false;
    }
    const json& v = obj[key];
    if (!v.is_number_integer() && !v.is_number_unsigned()) {
      problem(k, (v.is_number() ? "the number " + v.dump() : type_name(v)) + " is not allowed; " + allowed);
      return false;
    }
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) {
      problem(k, v.dump() + " is out of range; " + allowed);
      return false;
    }
    const int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) {
      problem(k, std::to_string(x) + " is out of range; " + allowed);
      return false;
    }
    out = x;
    return true;
  }
  bool number(const json& v, const Where& k, double& out) {
    if (!v.is_number()) {
      problem(k, type_name(v) + " is not allowed; allowed: a number");
      return false;
    }
    out = v.get<double>();
    return true;
  }
  const json* array(const json& obj, const Where& w, const char* key, bool required, size_t lo, size_t hi) {
    const Where k = w.key(key);
    const std::string allowed = "allowed: an array of " + std::to_string(lo) + " to " + std::to_string(hi) + " items";
    if (!obj.contains(key)) {
      if (required) problem(k, "missing; " + allowed);
      return nullptr;
    }
    const json& v = obj[key];
    if (!v.is_array()) {
      problem(k, type_name(v) + " is not allowed; " + allowed);
      return nullptr;
    }
    if (v.size() < lo || v.size() > hi) {
      problem(k, "has " + std::to_string(v.size()) + " items; " + allowed);
      return nullptr;
    }
    return &v;
  }
  const json* object(const json& obj, const Where& w, const char* key, bool required) {
    const Where k = w.key(key);
    if (!obj.contains(key)) {
      if (required) problem(k, "missing; allowed: an object");
      return nullptr;
    }
    if (!obj[key].is_object()) {
      problem(k, type_name(obj[key]) + " is not allowed; allowed: an object");
      return nullptr;
    }
    return &obj[key];
  }

  static size_t utf8_length(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }

  const std::string& file() const { return file_; }
  int line_of(const Where& w) const { return pos_.line_of(w.ptr); }

 private:
  const std::string& file_;
  const JsonPositions& pos_;
  std::vector<Problem>* out_;
  int count_ = 0;
};

// {"alpha": 0.01, "top_k": 2}: every key a setting, every value in its range; `live_only` for
// changes after step 0 (schedule, compare at a later step, set after playing).
void parse_settings(Checker& ck, const json& obj, const Where& w, Action& a) {
  const Where sw = w.key("settings");
  const json* s = ck.object(obj, w, "settings", true);
  if (!s) return;
  if (s->empty()) ck.problem(sw, "is empty; allowed: an object of settings, e.g. {\"alpha\": 0.01}");
  for (auto it = s->begin(); it != s->end(); ++it) {
    const Where kw = sw.key(it.key());
    const Property* p = find_property(it.key());
    if (!p) {
      ck.problem(kw, "unknown setting '" + it.key() + "'; allowed: a setting of `moescope run --help`");
      continue;
    }
    const json& v = it.value();
    std::string text;
    if (v.is_string())
      text = v.get<std::string>();
    else if (v.is_boolean())
      text = v.get<bool>() ? "true" : "false";
    else if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float())
      text = v.dump();
    else {
      ck.problem(kw, type_name(v) + " is not allowed; allowed: " + p->describe_allowed());
      continue;
    }
    Config scratch = default_config();
    if (std::string e = p->set_from_text(scratch, text); !e.empty()) {
      ck.problem(kw, e);
      continue;
    }
    a.settings.emplace_back(p->name, text);
  }
}

void parse_action(Checker& ck, const json& v, const Where& w, const fs::path& dir, Action& a) {
  a.line = ck.line_of(w);
  if (!v.is_object()) {
    ck.problem(w, type_name(v) + " is not allowed; allowed: an object such as {\"do\": \"play_to\", \"step\": 400}");
    return;
  }
  static const std::vector<std::string> verbs = {"preset",  "config",  "set",   "schedule",
                                                 "play_to", "compare", "seeds", "pause"};
  std::string verb;
  if (!v.contains("do") || !v["do"].is_string()) {
    ck.problem(w.key("do"), std::string(v.contains("do") ? "is not a text" : "missing") + "; allowed: " + join(verbs));
    return;
  }
  verb = v["do"].get<std::string>();
  const auto it = std::find(verbs.begin(), verbs.end(), verb);
  if (it == verbs.end()) {
    ck.problem(w.key("do"), "'" + verb + "' is not an action; allowed: " + join(verbs));
    return;
  }
  a.kind = ActionKind(it - verbs.begin());
  switch (a.kind) {
    case ActionKind::preset: {
      ck.only_keys(v, w, {"do", "name"});
      if (ck.string(v, w, "name", a.name, true, 64)) {
        const auto presets = list_presets(nullptr);
        std::vector<std::string> names;
        for (const Preset& p : presets) names.push_back(p.name);
        if (std::find(names.begin(), names.end(), a.name) == names.end())
          ck.problem(w.key("name"), "no preset '" + a.name + "'; allowed: " + join(names));
      }
      break;
    }
    case ActionKind::config: {
      ck.only_keys(v, w, {"do", "file"});
      if (ck.string(v, w, "file", a.name, true, 256)) {
        const fs::path p = fs::path(a.name).is_absolute() ? fs::path(a.name) : dir / a.name;
        Config cfg = default_config();
        std::vector<std::string> warn;
        if (std::string e = load_config_file(p.string(), cfg, &warn); !e.empty()) ck.problem(w.key("file"), e);
        a.name = p.string();
      }
      break;
    }
    case ActionKind::set:
      ck.only_keys(v, w, {"do", "settings"});
      parse_settings(ck, v, w, a);
      break;
    case ActionKind::schedule:
      ck.only_keys(v, w, {"do", "at", "settings"});
      ck.integer(v, w, "at", a.step, true, 1, kMaxLessonStep);
      parse_settings(ck, v, w, a);
      break;
    case ActionKind::play_to:
      ck.only_keys(v, w, {"do", "step"});
      ck.integer(v, w, "step", a.step, true, 1, kMaxLessonStep);
      break;
    case ActionKind::compare:
      ck.only_keys(v, w, {"do", "at", "settings", "label"});
      ck.integer(v, w, "at", a.step, false, 0, kMaxLessonStep);
      parse_settings(ck, v, w, a);
      ck.string(v, w, "label", a.name, false, 40);
      break;
    case ActionKind::seeds: {
      ck.only_keys(v, w, {"do", "count"});
      int64_t n = 0;
      if (ck.integer(v, w, "count", n, true, 2, 16)) a.count = int(n);
      break;
    }
    case ActionKind::pause: ck.only_keys(v, w, {"do"}); break;
  }
}

void parse_focus(Checker& ck, const json& step, const Where& sw, Focus& f) {
  const json* obj = ck.object(step, sw, "focus", true);
  if (!obj) return;
  const Where w = sw.key("focus");
  ck.only_keys(*obj, w, {"panels", "highlight"});
  if (const json* panels = ck.array(*obj, w, "panels", true, 1, 4)) {
    for (size_t i = 0; i < panels->size(); ++i) {
      const json& p = (*panels)[i];
      const auto& names = focus_panel_names();
      if (!p.is_string() || std::find(names.begin(), names.end(), p.get<std::string>()) == names.end())
        ck.problem(w.key("panels").index(i), (p.is_string() ? "'" + p.get<std::string>() + "' is not a panel"
                                                            : type_name(p) + " is not allowed") +
                                                 "; allowed: " + join(names));
      else if (std::find(f.panels.begin(), f.panels.end(), p.get<std::string>()) != f.panels.end())
        ck.problem(w.key("panels").index(i), "'" + p.get<std::string>() + "' is named twice; allowed: each panel once");
      else
        f.panels.push_back(p.get<std::string>());
    }
  }
  const json* h = ck.object(*obj, w, "highlight", false);
  if (!h) return;
  const Where hw = w.key("highlight");
  ck.only_keys(*h, hw, {"expert", "series", "threshold", "label"});
  if (h->contains("expert")) {
    const json& e = (*h)["expert"];
    if (e.is_string() && e.get<std::string>() == "most_loaded")
      f.highlight.expert = kMostLoaded;
    else if ((e.is_number_integer() || e.is_number_unsigned()) && e.get<int64_t>() >= 0 && e.get<int64_t>() < 256)
      f.highlight.expert = int(e.get<int64_t>());
    else
      ck.problem(hw.key("expert"),
                 e.dump() + " is not allowed; allowed: an expert index in [0, 255] or \"most_loaded\"");
  }
  if (h->contains("series")) {
    const json& s = (*h)["series"];
    if (!s.is_string() || !find_metric(s.get<std::string>()))
      ck.problem(hw.key("series"), (s.is_string() ? "'" + s.get<std::string>() + "'" : type_name(s)) +
                                       " is not a metric; allowed: a key of the metric table, e.g. load_entropy, "
                                       "router_entropy, max_vio, dead_experts, drop_rate, loss_z");
    else
      f.highlight.series = s.get<std::string>();
  }
  if (h->contains("threshold")) {
    double t = 0;
    if (ck.number((*h)["threshold"], hw.key("threshold"), t)) f.highlight.threshold = t;
  }
  ck.string(*h, hw, "label", f.highlight.threshold_label, false, 40);
}

void parse_predict(Checker& ck, const json& step, const Where& sw, Step& s) {
  const json* obj = ck.object(step, sw, "predict", false);
  if (!obj) return;
  const Where w = sw.key("predict");
  ck.only_keys(*obj, w, {"question", "answers", "correct", "why"});
  s.has_predict = true;
  Predict& p = s.predict;
  ck.string(*obj, w, "question", p.question, true, kMaxQuestion);
  if (const json* a = ck.array(*obj, w, "answers", true, 2, 3)) {
    for (size_t i = 0; i < a->size(); ++i) {
      std::string text;
      if (!(*a)[i].is_string() || Checker::utf8_length((*a)[i].get<std::string>()) == 0 ||
          Checker::utf8_length((*a)[i].get<std::string>()) > kMaxAnswer)
        ck.problem(w.key("answers").index(i), "allowed: a text of 1 to " + std::to_string(kMaxAnswer) + " characters");
      else
        p.answers.push_back((*a)[i].get<std::string>());
    }
  }
  int64_t c = 0;
  const int64_t n = obj->contains("answers") && (*obj)["answers"].is_array() ? int64_t((*obj)["answers"].size()) : 3;
  if (ck.integer(*obj, w, "correct", c, true, 0, std::max<int64_t>(0, n - 1))) p.correct = int(c);
  ck.string(*obj, w, "why", p.why, true, kMaxWhy);
}

void parse_claim(Checker& ck, const json& v, const Where& w, Claim& c) {
  c.line = ck.line_of(w);
  if (!v.is_object()) {
    ck.problem(
        w, type_name(v) + " is not allowed; allowed: an object {\"metric\", \"step\", \"op\", \"value\", \"text\"}");
    return;
  }
  ck.only_keys(v, w, {"metric", "layer", "expert", "step", "window", "run", "ratio_to", "op", "value", "text"});
  if (ck.string(v, w, "metric", c.metric, true, 64)) {
    if (std::string e = claim_metric_problem(c.metric); !e.empty()) ck.problem(w.key("metric"), e);
  }
  int64_t x = 0;
  if (ck.integer(v, w, "layer", x, false, 0, 3)) c.layer = int(x);
  if (v.contains("expert")) {
    const json& e = v["expert"];
    if (e.is_string() && e.get<std::string>() == "max")
      c.expert = kExpertMax;
    else if (e.is_string() && e.get<std::string>() == "min")
      c.expert = kExpertMin;
    else if ((e.is_number_integer() || e.is_number_unsigned()) && e.get<int64_t>() >= 0 && e.get<int64_t>() < 256)
      c.expert = int(e.get<int64_t>());
    else
      ck.problem(w.key("expert"),
                 e.dump() + " is not allowed; allowed: an expert index in [0, 255], \"max\" or \"min\"");
  }
  if (claim_metric_problem(c.metric).empty() && claim_metric_is_per_expert(c.metric) && !v.contains("expert"))
    ck.problem(w.key("expert"),
               "missing: '" + c.metric + "' has a value per expert; allowed: an index, \"max\" or \"min\"");
  if (ck.integer(v, w, "step", x, true, 0, kMaxLessonStep)) c.step = x;
  if (ck.integer(v, w, "window", x, false, 1, 10000)) c.window = int(x);
  for (const char* key : {"run", "ratio_to"}) {
    std::string r;
    if (!ck.string(v, w, key, r, false, 1)) continue;
    if (r != "a" && r != "b")
      ck.problem(w.key(key), "'" + r + "' is not a run; allowed: a (the lesson's run) or b (the comparison run)");
    (std::string(key) == "run" ? c.run : c.ratio_to) = r;
  }
  static const std::vector<std::string> ops = {"<", "<=", ">", ">=", "between"};
  std::string op;
  if (ck.string(v, w, "op", op, true, 8)) {
    const auto it = std::find(ops.begin(), ops.end(), op);
    if (it == ops.end())
      ck.problem(w.key("op"), "'" + op + "' is not a comparison; allowed: " + join(ops));
    else
      c.cmp = Compare(it - ops.begin());
  }
  if (!v.contains("value")) {
    ck.problem(w.key("value"), "missing; allowed: a number, or [low, high] for between");
  } else if (c.cmp == Compare::between) {
    const json& r = v["value"];
    if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number() ||
        r[0].get<double>() > r[1].get<double>())
      ck.problem(w.key("value"), r.dump() + " is not allowed; allowed for between: [low, high] with low <= high");
    else
      c.value = r[0].get<double>(), c.value2 = r[1].get<double>();
  } else {
    ck.number(v["value"], w.key("value"), c.value);
  }
  ck.string(v, w, "text", c.text, true, kMaxClaimText);
}

void parse_step(Checker& ck, const json& v, const Where& w, const fs::path& dir, Step& s) {
  s.line = ck.line_of(w);
  if (!v.is_object()) {
    ck.problem(w, type_name(v) + " is not allowed; allowed: an object (a step)");
    return;
  }
  ck.only_keys(v, w, {"title", "prose", "formula", "actions", "focus", "predict", "claims"});
  ck.string(v, w, "title", s.title, true, kMaxTitle);
  if (v.contains("prose") && v["prose"].is_string() && Checker::utf8_length(v["prose"].get<std::string>()) > kMaxProse)
    ck.problem(w.key("prose"), "is " + std::to_string(Checker::utf8_length(v["prose"].get<std::string>())) +
                                   " characters long; allowed: 1 to " + std::to_string(kMaxProse) +
                                   " (two or three short sentences, read from the back of the room)");
  else
    ck.string(v, w, "prose", s.prose, true, kMaxProse);
  if (ck.string(v, w, "formula", s.formula, false, 40) && !formula_exists(s.formula))
    ck.problem(w.key("formula"), "no formula '" + s.formula + "'; allowed: " + join(formula_names()));
  if (const json* a = ck.array(v, w, "actions", false, 0, kMaxActions)) {
    s.actions.resize(a->size());
    for (size_t i = 0; i < a->size(); ++i) parse_action(ck, (*a)[i], w.key("actions").index(i), dir, s.actions[i]);
  }
  parse_focus(ck, v, w, s.focus);
  parse_predict(ck, v, w, s);
  if (const json* c = ck.array(v, w, "claims", false, 0, kMaxClaims)) {
    s.claims.resize(c->size());
    for (size_t i = 0; i < c->size(); ++i) parse_claim(ck, (*c)[i], w.key("claims").index(i), s.claims[i]);
  }
}

// Checks that need the whole lesson: each step's run (plan_for_step) and its claims against it.
void check_plans(Checker& ck, const Lesson& l) {
  for (size_t i = 0; i < l.steps.size(); ++i) {
    const Step& s = l.steps[i];
    const Where w = Where{"/steps", "steps"}.index(i);
    RunPlan plan;
    if (std::string e = plan_for_step(l, int(i), plan); !e.empty()) {
      ck.problem(w.key("actions"), e);
      continue;
    }
    for (size_t j = 0; j < s.claims.size(); ++j) {
      const Claim& c = s.claims[j];
      const Where cw = w.key("claims").index(j);
      if (!claim_metric_problem(c.metric).empty()) continue;
      const bool needs_run = claim_metric_needs_run(c.metric);
      if (needs_run && (c.step < 1 || c.step > plan.play_to))
        ck.problem(cw.key("step"), std::to_string(c.step) + " is not a step this lesson step plays; allowed: 1 to " +
                                       std::to_string(plan.play_to) + " (its play_to)");
      if (needs_run && c.window > c.step)
        ck.problem(cw.key("window"), std::to_string(c.window) + " is more steps than the claim's step " +
                                         std::to_string(c.step) + "; allowed: 1 to the step");
      if ((c.run == "b" || c.ratio_to == "b") && !plan.has_b)
        ck.problem(cw.key(c.run == "b" ? "run" : "ratio_to"),
                   "run b needs a compare action in this step or an earlier one of its run; allowed: a");
      if (!c.ratio_to.empty() && c.ratio_to == c.run)
        ck.problem(cw.key("ratio_to"), "is the claim's own run; allowed: the other run");
      const int layers = plan.cfg.n_layers;
      if (c.layer >= layers)
        ck.problem(cw.key("layer"), std::to_string(c.layer) + " is not a layer of this run; allowed: 0 to " +
                                        std::to_string(layers - 1));
      if (c.expert >= plan.cfg.routed_experts())
        ck.problem(cw.key("expert"), std::to_string(c.expert) + " is not an expert of this run; allowed: 0 to " +
                                         std::to_string(plan.cfg.routed_experts() - 1) + ", max or min");
    }
  }
}

}  // namespace

bool parse_lesson(const std::string& text, const std::string& path, Lesson& out, std::vector<Problem>* problems) {
  std::vector<Problem> local;
  std::vector<Problem>& found = problems ? *problems : local;
  const size_t before = found.size();
  out = Lesson{};
  out.path = path;
  out.name = fs::path(path).stem().string();
  json doc;
  std::vector<std::string> warnings;
  if (std::string e = parse_json_text(text, path, doc, &warnings); !e.empty()) {
    // "<path>: malformed JSON at line 3, column 7: ..." -> its line
    Problem p{path, 0, "", e.substr(path.size() + 2)};
    if (const auto at = e.find("line "); at != std::string::npos) p.line = std::atoi(e.c_str() + at + 5);
    found.push_back(p);
    return false;
  }
  for (const std::string& w : warnings) found.push_back({path, 0, "", w.substr(path.size() + 2)});
  const JsonPositions pos(text);
  Checker ck(path, pos, &found);
  const Where root{"", ""};
  if (!doc.is_object()) {
    ck.problem(root,
               type_name(doc) + " is not allowed; allowed: an object {\"title\", \"summary\", \"order\", \"steps\"}");
    return false;
  }
  ck.only_keys(doc, root, {"title", "summary", "order", "steps"});
  ck.string(doc, root, "title", out.title, true, kMaxTitle);
  ck.string(doc, root, "summary", out.summary, true, kMaxSummary);
  int64_t order = 0;
  if (ck.integer(doc, root, "order", order, false, 0, 1000)) out.order = int(order);
  const fs::path dir = fs::path(path).parent_path();
  if (const json* steps = ck.array(doc, root, "steps", true, kMinSteps, kMaxSteps)) {
    out.steps.resize(steps->size());
    for (size_t i = 0; i < steps->size(); ++i)
      parse_step(ck, (*steps)[i], root.key("steps").index(i), dir, out.steps[i]);
  }
  if (ck.count() == 0) check_plans(ck, out);
  return found.size() == before + warnings.size() && ck.count() == 0;
}

bool read_lesson_file(const std::string& path, Lesson& out, std::vector<Problem>* problems) {
  std::string text, err;
  if (!read_file(path, &text, &err)) {
    if (problems) problems->push_back({path, 0, "", err});
    return false;
  }
  return parse_lesson(text, path, out, problems);
}

std::vector<Lesson> list_lessons(std::vector<std::string>* warnings) {
  std::vector<Lesson> out;
  const fs::path dir = fs::path(assets_dir()) / "lessons";
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    Lesson l;
    std::vector<Problem> problems;
    if (read_lesson_file(f.string(), l, &problems)) {
      out.push_back(std::move(l));
      continue;
    }
    for (const Problem& p : problems) {
      const std::string w = "lesson skipped: " + p.text();
      if (warnings)
        warnings->push_back(w);
      else
        std::fprintf(stderr, "moescope: warning: %s\n", w.c_str());
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Lesson& a, const Lesson& b) { return a.order < b.order; });
  return out;
}

std::string load_lesson(const std::string& name_or_path, Lesson& out) {
  if (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json") {
    std::vector<Problem> problems;
    if (read_lesson_file(name_or_path, out, &problems)) return "";
    std::string e;
    for (const Problem& p : problems) e += (e.empty() ? "" : "\n") + p.text();
    return e;
  }
  std::vector<std::string> warnings;
  const auto lessons = list_lessons(&warnings);
  std::vector<std::string> names;
  for (const Lesson& l : lessons) {
    if (l.name == name_or_path) {
      out = l;
      return "";
    }
    names.push_back(l.name);
  }
  return "no lesson '" + name_or_path + "'; lessons: " + (names.empty() ? std::string("none found") : join(names)) +
         (warnings.empty() ? "" : "\n" + join(warnings, "\n"));
}

}  // namespace moe::lesson

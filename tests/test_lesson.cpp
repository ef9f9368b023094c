// test_lesson.cpp: lesson files (app/lesson/). Proves: every shipped lesson parses and
// has 4-8 steps, each claim's metric exists and each step's run can be built; each kind of
// mistake gives its message with the line and field; truncated and mutated files never
// crash; the step plans replay actions (compare, schedule, play_to) as documented; the math
// markup flattens to plain text; every formula's live value equals the metric it explains.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "config_io.h"
#include "lesson.h"
#include "lesson_claims.h"
#include "lesson_formula.h"
#include "math_markup.h"
#include "session.h"
#include "session_test_support.h"

namespace moe::lesson {
namespace {

// A small valid lesson; tests change one thing in it.
std::string good_lesson() {
  return R"({
  "title": "Test lesson",
  "summary": "One line",
  "order": 3,
  "steps": [
    {
      "title": "Start",
      "prose": "Two short sentences. Here.",
      "formula": "load_entropy",
      "actions": [{"do": "preset", "name": "collapse"}, {"do": "play_to", "step": 20}],
      "focus": {"panels": ["load", "entropy"], "highlight": {"expert": "most_loaded", "series": "load_entropy"}},
      "claims": [{"metric": "load_entropy", "step": 20, "op": ">", "value": 0.0, "text": "positive"}]
    },
    {
      "title": "Compare",
      "prose": "A second step.",
      "actions": [{"do": "compare", "at": 10, "settings": {"alpha": 0.01}}, {"do": "play_to", "step": 30}],
      "focus": {"panels": ["collapse"]},
      "predict": {"question": "What?", "answers": ["this", "that"], "correct": 1, "why": "Because."},
      "claims": [{"metric": "max_vio", "step": 30, "run": "b", "op": "<", "value": 100, "text": "bounded"}]
    }
  ]
})";
}

std::vector<Problem> problems_of(const std::string& text) {
  Lesson l;
  std::vector<Problem> p;
  EXPECT_FALSE(parse_lesson(text, "/x/bad.json", l, &p)) << text;
  return p;
}

// The text with its first `from` replaced by `to`.
std::string with(const std::string& from, const std::string& to) {
  std::string s = good_lesson();
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

void expect_problem(const std::string& text, int line, const std::string& field, const std::string& words) {
  const std::vector<Problem> p = problems_of(text);
  ASSERT_FALSE(p.empty());
  bool found = false;
  for (const Problem& x : p)
    found = found || (x.line == line && x.field == field && x.message.find(words) != std::string::npos);
  std::string all;
  for (const Problem& x : p) all += x.text() + "\n";
  EXPECT_TRUE(found) << "wanted line " << line << ", field " << field << ", '" << words << "'; got:\n" << all;
}

TEST(Lesson, GoodFileParsesWithEveryField) {
  Lesson l;
  std::vector<Problem> p;
  ASSERT_TRUE(parse_lesson(good_lesson(), "/x/test-lesson.json", l, &p)) << (p.empty() ? "" : p[0].text());
  EXPECT_EQ(l.name, "test-lesson");
  EXPECT_EQ(l.order, 3);
  ASSERT_EQ(l.steps.size(), 2u);
  EXPECT_EQ(l.steps[0].formula, "load_entropy");
  EXPECT_EQ(l.steps[0].focus.highlight.expert, kMostLoaded);
  EXPECT_EQ(l.steps[0].actions[1].kind, ActionKind::play_to);
  EXPECT_EQ(l.steps[0].actions[1].step, 20);
  EXPECT_EQ(l.steps[1].line, 14);
  EXPECT_TRUE(l.steps[1].has_predict);
  EXPECT_EQ(l.steps[1].predict.correct, 1);
  EXPECT_EQ(l.steps[1].claims[0].run, "b");
}

TEST(Lesson, EachMistakeNamesItsLineFieldAndWhatIsAllowed) {
  expect_problem(with("\"do\": \"play_to\", \"step\": 20", "\"do\": \"plya_to\", \"step\": 20"), 10,
                 "steps[0].actions[1].do", "allowed: preset, config, set, schedule, play_to, compare, seeds, pause");
  expect_problem(with("\"name\": \"collapse\"", "\"name\": \"colapse\""), 10, "steps[0].actions[0].name",
                 "no preset 'colapse'");
  expect_problem(with("\"formula\": \"load_entropy\"", "\"formula\": \"entropy\""), 9, "steps[0].formula",
                 "allowed: balance_loss, capacity");
  expect_problem(with("[\"load\", \"entropy\"]", "[\"load\", \"entrpy\"]"), 11, "steps[0].focus.panels[1]",
                 "'entrpy' is not a panel");
  expect_problem(with("\"metric\": \"load_entropy\"", "\"metric\": \"load_entrop\""), 12, "steps[0].claims[0].metric",
                 "is not a metric");
  expect_problem(with("\"step\": 20, \"op\"", "\"step\": 25, \"op\""), 12, "steps[0].claims[0].step",
                 "allowed: 1 to 20 (its play_to)");
  expect_problem(with("\"op\": \">\"", "\"op\": \"=>\""), 12, "steps[0].claims[0].op",
                 "allowed: <, <=, >, >=, between");
  expect_problem(with("\"correct\": 1", "\"correct\": 2"), 19, "steps[1].predict.correct",
                 "allowed: a whole number in [0, 1]");
  expect_problem(with("\"alpha\": 0.01", "\"alpha\": -1"), 17, "steps[1].actions[0].settings.alpha", "alpha");
  expect_problem(with("\"alpha\": 0.01", "\"alphaa\": 0.01"), 17, "steps[1].actions[0].settings.alphaa",
                 "unknown setting");
  expect_problem(with("\"title\": \"Start\",", "\"title\": \"Start\", \"colour\": 3,"), 7, "steps[0].colour",
                 "unknown field 'colour'");
  expect_problem(with("\"run\": \"b\"", "\"run\": \"c\""), 20, "steps[1].claims[0].run", "allowed: a");
  expect_problem(with("\"Two short sentences. Here.\"", "\"" + std::string(500, 'x') + "\""), 8, "steps[0].prose",
                 "allowed: 1 to 420");
  // A structural setting changed mid-run is refused by the step's plan, named with the step.
  expect_problem(with("{\"do\": \"compare\", \"at\": 10, \"settings\": {\"alpha\": 0.01}}",
                      "{\"do\": \"schedule\", \"at\": 25, \"settings\": {\"num_experts\": 4}}"),
                 17, "steps[1].actions", "cannot change mid-run");
  // play_to that goes backwards.
  expect_problem(with("{\"do\": \"play_to\", \"step\": 30}", "{\"do\": \"play_to\", \"step\": 10}"), 17,
                 "steps[1].actions", "is not after the run's step 20");
  // Malformed JSON: the reader's line.
  const std::vector<Problem> p = problems_of(with("\"order\": 3,", "\"order\": 3"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].line, 5);
  EXPECT_NE(p[0].message.find("malformed JSON"), std::string::npos) << p[0].text();
}

TEST(Lesson, EveryProblemIsReportedNotOnlyTheFirst) {
  std::string s = with("\"title\": \"Test lesson\"", "\"title\": 4");
  s.replace(s.find("\"correct\": 1"), 12, "\"correct\": 9");
  s.replace(s.find("\"panels\": [\"collapse\"]"), 22, "\"panels\": []");
  const auto p = problems_of(s);
  EXPECT_GE(p.size(), 3u);
  EXPECT_NE(p[0].text().find("bad.json:2: title:"), std::string::npos) << p[0].text();
}

TEST(Lesson, TruncatedAndMutatedFilesNeverCrash) {
  const std::string good = good_lesson();
  Lesson l;
  std::vector<Problem> p;
  for (size_t n = 0; n < good.size(); n += 7) {  // every prefix: malformed JSON, reported
    p.clear();
    EXPECT_FALSE(parse_lesson(good.substr(0, n), "t.json", l, &p));
    EXPECT_FALSE(p.empty());
  }
  // Byte flips and type swaps: parse or report, never crash.
  const char* swaps[] = {"0", "-1", "1e400", "\"\"", "[]", "{}", "null", "true", "99999999999999999999"};
  for (size_t i = 0; i < good.size(); i += 3) {
    std::string s = good;
    s[i] = char((s[i] * 7 + 13) & 0x7f);
    p.clear();
    const bool ok = parse_lesson(s, "t.json", l, &p);
    EXPECT_EQ(ok, p.empty()) << s;
  }
  for (const char* v : swaps)
    for (const char* key : {"\"order\": 3", "\"step\": 20", "\"correct\": 1", "\"value\": 100", "\"at\": 10"}) {
      std::string s = good;
      const auto at = s.find(key);
      const auto colon = s.find(':', at);
      const auto end = s.find_first_of(",}", colon);
      s.replace(colon + 2, end - colon - 2, v);
      p.clear();
      const bool ok = parse_lesson(s, "t.json", l, &p);
      EXPECT_EQ(ok, p.empty()) << s;
    }
}

TEST(Lesson, ShippedLessonsParseInOrderWithFourToEightSteps) {
  std::vector<std::string> warnings;
  const auto lessons = list_lessons(&warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  const std::vector<std::string> order = {"why-sparse", "the-gate",       "collapse",  "balance-loss",
                                          "capacity",   "bias-balancing", "stability", "who-learns-what"};
  ASSERT_EQ(lessons.size(), order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(lessons[i].name, order[i]);
    EXPECT_GE(lessons[i].steps.size(), 4u) << order[i];
    EXPECT_LE(lessons[i].steps.size(), 8u) << order[i];
    for (int s = 0; s < int(lessons[i].steps.size()); ++s) {
      RunPlan plan;
      EXPECT_EQ(plan_for_step(lessons[i], s, plan), "") << order[i] << " step " << s + 1;
    }
  }
}

TEST(Lesson, PlanReplaysFromTheLastStepThatLoadsARun) {
  Lesson l;
  std::vector<Problem> p;
  ASSERT_TRUE(parse_lesson(good_lesson(), "t.json", l, &p));
  RunPlan a, b;
  ASSERT_EQ(plan_for_step(l, 0, a), "");
  EXPECT_EQ(a.play_to, 20);
  EXPECT_EQ(a.start_from, 0);
  EXPECT_FALSE(a.has_b);
  ASSERT_EQ(plan_for_step(l, 1, b), "");
  EXPECT_EQ(b.start_from, 20);  // where step 1 left the run
  EXPECT_EQ(b.play_to, 30);
  ASSERT_TRUE(b.has_b);
  EXPECT_EQ(b.cfg_b.alpha, 0.0);  // the fork: the same run until step 10
  ASSERT_EQ(b.schedule_b.size(), 1u);
  EXPECT_EQ(b.schedule_b[0].step, 10);
  EXPECT_EQ(b.schedule_b[0].key, "alpha");
  EXPECT_EQ(b.label_b, "\u03b1 = 0.01");
  Config collapse;
  ASSERT_EQ(load_preset("collapse", collapse), "");
  EXPECT_TRUE(changed_settings(collapse, b.cfg).empty());
}

TEST(Lesson, ClaimMetricsAreCheckedAgainstTheTables) {
  EXPECT_EQ(claim_metric_problem("load_entropy"), "");
  EXPECT_EQ(claim_metric_problem("mixtral.active_share"), "");
  EXPECT_EQ(claim_metric_problem("active_share"), "");
  EXPECT_NE(claim_metric_problem("top1_hist"), "");  // a histogram has no single value
  EXPECT_NE(claim_metric_problem("gpt5.active"), "");
  EXPECT_NE(claim_metric_problem("mixtral.size"), "");
  EXPECT_TRUE(claim_metric_is_per_expert("load"));
  EXPECT_FALSE(claim_metric_needs_run("deepseek.total"));
}

TEST(MathMarkup, FlattensSubscriptsFractionsAndSums) {
  EXPECT_EQ(math_to_plain("L_{bal} = \u03b1\u00b7E\u00b7\\sum_{i=1}^{E} f_i\u00b7P_i"),
            "L_bal = \u03b1\u00b7E\u00b7\u03a3_(i=1)^E f_i\u00b7P_i");
  EXPECT_EQ(math_to_plain("\\frac{a}{b} + \\frac{x + 1}{2}"), "a/b + (x + 1)/2");
  EXPECT_EQ(math_to_plain("\\{ unclosed {x"), "{ unclosed {x");
  const MathNode n = parse_math("e^{z_i}");
  ASSERT_EQ(n.kids.size(), 2u);
  EXPECT_EQ(n.kids[1].kind, MathNode::Sup);
  // Deep nesting and stray characters: never crash.
  parse_math(std::string(5000, '{') + std::string(100, '_') + std::string(5000, '^'));
}

// A snapshot after a few real steps, as the window would hold it.
std::shared_ptr<const RunSnapshot> snapshot_after(const std::string& preset, int64_t steps) {
  Config cfg;
  EXPECT_EQ(load_preset(preset, cfg), "");
  Session s(cfg, preset);
  s.run_to(steps);
  return test::wait_until_idle(
      s, [steps](const RunSnapshot& snap) { return snap.steps_done >= steps && !snap.probe.empty(); },
      "step " + std::to_string(steps) + " with a probe");
}

TEST(LessonFormula, LiveValuesEqualTheMetricsTheyExplain) {
  const auto s = snapshot_after("balanced", 30);
  const LayerMetrics& m = s->last.layers[0];
  const FormulaLines bal = evaluate_formula("balance_loss", *s);
  EXPECT_NEAR(bal.value, s->cfg.alpha * s->last.losses.balance, 1e-6);  // one layer: the loss is its E·Σ f·P
  EXPECT_NE(bal.live.find("= 0.01 \u00b7 8 \u00b7 ("), std::string::npos) << bal.live;
  EXPECT_NEAR(evaluate_formula("load_entropy", *s).value, m.load_entropy, 1e-9);
  EXPECT_NEAR(evaluate_formula("max_vio", *s).value, m.max_vio, 1e-9);
  EXPECT_NEAR(evaluate_formula("router_entropy", *s).value, m.router_entropy, 1e-12);
  EXPECT_NEAR(evaluate_formula("z_loss", *s).value, s->last.losses.z, 1e-12);
  EXPECT_NEAR(evaluate_formula("sparsity", *s).value, s->sparsity.active_params / s->sparsity.total_params, 1e-12);
  const FormulaLines g = evaluate_formula("gate_softmax", *s);  // top-1, raw: the largest p of token 0
  EXPECT_NEAR(g.value, *std::max_element(s->probe[0].gates.begin(), s->probe[0].gates.begin() + s->probe[0].experts),
              1e-6);
  // Capacity: C = ceil(c k T / E), and no expert kept more than C.
  const auto sw = snapshot_after("switch-top1", 20);
  const FormulaLines c = evaluate_formula("capacity", *sw);
  EXPECT_EQ(c.value, std::ceil(1.25 * 1 * sw->cfg.batch_size / 8.0));
  for (double kept : sw->last.layers[0].kept) EXPECT_LE(kept, c.value);
  for (const std::string& name : formula_names()) EXPECT_FALSE(evaluate_formula(name, *s).symbolic.empty()) << name;
}

TEST(LessonFormula, MutualInformationMatchesTheSpecialisationMetricsDefinition) {
  const auto s = snapshot_after("blobs-regions", 40);
  const FormulaLines f = evaluate_formula("mutual_information", *s);
  EXPECT_TRUE(std::isfinite(f.value));
  EXPECT_GE(f.value, 0.0);
  EXPECT_LE(f.value, 1.0 + 1e-9);
  EXPECT_NE(f.live.find("nats"), std::string::npos);
}

}  // namespace
}  // namespace moe::lesson

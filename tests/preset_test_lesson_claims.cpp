// preset_test_lesson_claims.cpp: every number a lesson says is a claim in its file
// (assets/lessons/*.json), and every claim holds on seeds 1..5 (lesson_claims.h), as the
// presets' claims do in preset_test_claims.cpp. One test per lesson, named for it; the
// measured range of each claim is printed, like the presets' descriptions.
#include <gtest/gtest.h>

#include <cstdio>

#include "lesson.h"
#include "lesson_claims.h"

namespace moe::lesson {
namespace {

void check_lesson(const std::string& name) {
  Lesson l;
  ASSERT_EQ(load_lesson(name, l), "");
  size_t claims = 0;
  for (const Step& s : l.steps) claims += s.claims.size();
  const std::vector<ClaimCheck> checks = check_claims(l, 5);
  ASSERT_EQ(checks.size(), claims);
  for (const ClaimCheck& c : checks) {
    std::printf("  %s\n", describe(c).c_str());
    EXPECT_TRUE(c.holds) << describe(c);
    if (claim_metric_needs_run(c.claim->metric)) {
      EXPECT_EQ(c.values.size(), 5u) << describe(c);
    }
  }
}

TEST(LessonClaims, WhySparse) { check_lesson("why-sparse"); }
TEST(LessonClaims, TheGate) { check_lesson("the-gate"); }
TEST(LessonClaims, Collapse) { check_lesson("collapse"); }
TEST(LessonClaims, BalanceLoss) { check_lesson("balance-loss"); }
TEST(LessonClaims, Capacity) { check_lesson("capacity"); }
TEST(LessonClaims, BiasBalancing) { check_lesson("bias-balancing"); }
TEST(LessonClaims, Stability) { check_lesson("stability"); }
TEST(LessonClaims, WhoLearnsWhat) { check_lesson("who-learns-what"); }

// Lesson 1's figures are the sparsity panel's: the claims read app/published_models.h, the
// table panel_sparsity.cpp draws; this pins the table to the published numbers.
TEST(LessonClaims, EveryLessonHasClaimsExceptWhereItSaysNoNumber) {
  for (const Lesson& l : list_lessons()) {
    size_t claims = 0;
    for (const Step& s : l.steps) claims += s.claims.size();
    EXPECT_GE(claims, 3u) << l.name;
  }
}

}  // namespace
}  // namespace moe::lesson

// test_pca.cpp: the principal plane of core/pca.h against closed forms, and the
// trainer's probe putting the router inputs on it.
//
// Four points ±3·q1, ±1·q2 in R^4 (q1, q2 orthonormal, rotated off the axes) have
// mean 0 and covariance (9·2/4) q1q1ᵀ + (1·2/4) q2q2ᵀ: λ1 = 4.5, λ2 = 0.5, trace 5,
// axes ±q1, ±q2, and the points project to (±3, 0) and (0, ±1).
#include <gtest/gtest.h>

#include <cmath>

#include "pca.h"
#include "trainer.h"

namespace moe {
namespace {

// Two orthonormal directions in R^4 whose largest entries are positive (the sign pca.h fixes).
void directions(Eigen::Vector4d& q1, Eigen::Vector4d& q2) {
  q1 = Eigen::Vector4d(0.5, 0.5, 0.5, 0.5);
  q2 = Eigen::Vector4d(0.7, -0.1, -0.1, -0.5);
  q2 -= q2.dot(q1) * q1;
  q2.normalize();
}

TEST(Pca, FourPointsOnTwoOrthogonalDirectionsGiveTheClosedForm) {
  Eigen::Vector4d q1, q2;
  directions(q1, q2);
  const Eigen::Vector4d shift(1.0, -2.0, 0.25, 3.0);  // the mean, taken off before the covariance
  Mat<float> x(5, 4);                                 // one spare row: only `rows` rows count
  const double coef[4][2] = {{3, 0}, {-3, 0}, {0, 1}, {0, -1}};
  for (int t = 0; t < 4; ++t) x.row(t) = (shift + coef[t][0] * q1 + coef[t][1] * q2).transpose().cast<float>();
  x.row(4).setConstant(1000.0f);

  PrincipalPlane plane;
  fit_principal_plane(x, 4, plane);
  ASSERT_EQ(plane.dim, 4);
  EXPECT_NEAR(plane.variance[0], 4.5, 1e-5);
  EXPECT_NEAR(plane.variance[1], 0.5, 1e-5);
  EXPECT_NEAR(plane.total_variance, 5.0, 1e-5);
  for (int j = 0; j < 4; ++j) {
    EXPECT_NEAR(plane.mean(j), shift(j), 1e-6);
    EXPECT_NEAR(plane.axes(j, 0), q1(j), 1e-5) << "axis 1 = q1, sign fixed by its largest entry";
    EXPECT_NEAR(plane.axes(j, 1), q2(j), 1e-5) << "axis 2 = q2";
  }
  std::vector<float> xy;
  project_onto_plane(x, 4, plane, xy);
  ASSERT_EQ(xy.size(), 8u);
  for (int t = 0; t < 4; ++t) {
    EXPECT_NEAR(xy[size_t(2 * t)], coef[t][0], 1e-5) << "token " << t;
    EXPECT_NEAR(xy[size_t(2 * t + 1)], coef[t][1], 1e-5) << "token " << t;
  }
  // The same rows negated give the same axes (signs are fixed, not inherited from the solver).
  Mat<float> neg = -x;
  PrincipalPlane again;
  fit_principal_plane(neg, 4, again);
  EXPECT_NEAR((again.axes - plane.axes).cwiseAbs().maxCoeff(), 0.0, 1e-5);
}

TEST(Pca, DegenerateInputsGiveZeroAxesNotNaN) {
  Mat<float> x(3, 1);
  x << 1.0f, 2.0f, 4.0f;
  PrincipalPlane plane;
  fit_principal_plane(x, 3, plane);
  EXPECT_NEAR(plane.axes(0, 0), 1.0, 1e-12) << "d = 1: the one axis";
  EXPECT_EQ(plane.axes(0, 1), 0.0) << "and no second one";
  EXPECT_NEAR(plane.variance[0], 14.0 / 9.0, 1e-9);  // mean 7/3, deviations -4/3, -1/3, 5/3
  fit_principal_plane(x, 1, plane);
  EXPECT_EQ(plane.variance[0], 0.0) << "one row has no spread";
  std::vector<float> xy;
  project_onto_plane(x, 3, plane, xy);
  for (float v : xy) EXPECT_EQ(v, 0.0f);
}

// The trainer projects the probe batch's router inputs (the MoE layer's input) and
// keeps the axes until they are kPlaneRefitSteps old or a refit is asked for.
TEST(Pca, TheProbeProjectsTheRouterInputAndRefitsOnSchedule) {
  Config cfg = default_config();
  cfg.task = Task::teacher;
  cfg.d_model = 8;
  cfg.batch_size = 32;
  cfg.probe_size = 64;
  std::string err;
  std::unique_ptr<Trainer> tr = Trainer::create(cfg, &err);
  ASSERT_TRUE(tr) << err;
  ProbeResult p;
  tr->probe(0, p);
  ASSERT_EQ(p.plane.dim, cfg.d_model);
  EXPECT_EQ(p.plane.fitted_step, 0);
  ASSERT_EQ(p.plane_xy.size(), size_t(2 * p.tokens));
  // Projected coordinates have mean 0 and the fitted variances.
  double m0 = 0, m1 = 0, v0 = 0, v1 = 0;
  for (int t = 0; t < p.tokens; ++t) m0 += p.plane_xy[size_t(2 * t)], m1 += p.plane_xy[size_t(2 * t + 1)];
  m0 /= p.tokens, m1 /= p.tokens;
  for (int t = 0; t < p.tokens; ++t) {
    v0 += std::pow(p.plane_xy[size_t(2 * t)] - m0, 2);
    v1 += std::pow(p.plane_xy[size_t(2 * t + 1)] - m1, 2);
  }
  EXPECT_NEAR(m0, 0.0, 1e-4);
  EXPECT_NEAR(m1, 0.0, 1e-4);
  EXPECT_NEAR(v0 / p.tokens, p.plane.variance[0], 1e-3 * p.plane.variance[0]);
  EXPECT_NEAR(v1 / p.tokens, p.plane.variance[1], 1e-3 * p.plane.variance[1]);
  EXPECT_GE(p.plane.variance[0], p.plane.variance[1]);

  for (int i = 0; i < 10; ++i) tr->step();
  tr->probe(0, p);
  EXPECT_EQ(p.plane.fitted_step, 0) << "10 steps: the axes stay";
  tr->probe(0, p, true);
  EXPECT_EQ(p.plane.fitted_step, 10) << "asked: refitted";
  for (int i = 0; i < int(kPlaneRefitSteps); ++i) tr->step();
  tr->probe(0, p);
  EXPECT_EQ(p.plane.fitted_step, 10 + kPlaneRefitSteps) << "stale: refitted";

  // Deterministic: a second trainer on the same config gives the same numbers, bit for bit.
  std::unique_ptr<Trainer> tr2 = Trainer::create(cfg, &err);
  ProbeResult q, r;
  std::unique_ptr<Trainer> tr3 = Trainer::create(cfg, &err);
  tr2->probe(0, q);
  tr3->probe(0, r);
  EXPECT_EQ(q.plane_xy, r.plane_xy);
}

}  // namespace
}  // namespace moe

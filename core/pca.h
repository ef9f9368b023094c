// pca.h: the plane of the two leading principal components of a set of rows (the
// router inputs of the probe batch), and the rows projected onto it — the routing
// map of any task whose inputs have no plane of their own.
//
//   mean m = (1/T) Σ_t x_t                        [d]
//   covariance C = (1/T) Σ_t (x_t − m)ᵀ(x_t − m)  [d, d], symmetric
//   axes a_1, a_2: unit eigenvectors of C for its two largest eigenvalues λ_1 ≥ λ_2
//   projection of x: ((x − m)·a_1, (x − m)·a_2)
//
// Deterministic: sums run in a fixed order in double, and each axis's sign is fixed
// so that its largest-magnitude entry (the first such, by index) is positive.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "tensor.h"

namespace moe {

struct PrincipalPlane {
  int dim = 0;                  // d: width of the rows the axes were fitted to (0 = not fitted)
  Eigen::VectorXd mean;         // [d] m
  Eigen::MatrixXd axes;         // [d, 2] a_1, a_2 as columns
  double variance[2] = {0, 0};  // λ_1, λ_2: the variance along each axis
  double total_variance = 0;    // trace C: λ_k / trace C is the share axis k explains
  int64_t fitted_step = -1;     // the training step the axes were fitted at (-1 = never)
};

// Fits the plane to rows 0..rows-1 of x ([≥rows, d], row-major). With d = 1 the second
// axis is zero; with fewer than two rows every axis is zero. Reuses out's storage.
void fit_principal_plane(const Mat<float>& x, int rows, PrincipalPlane& out);

// xy[2t], xy[2t+1] = projection of row t of x (rows 0..rows-1) onto the plane; xy is
// resized to 2·rows. x's width must equal plane.dim.
void project_onto_plane(const Mat<float>& x, int rows, const PrincipalPlane& plane, std::vector<float>& xy);

}  // namespace moe

// pca.cpp: see pca.h.
#include "pca.h"

#include <Eigen/Eigenvalues>
#include <cassert>
#include <cmath>

namespace moe {

void fit_principal_plane(const Mat<float>& x, int rows, PrincipalPlane& out) {
  assert(rows >= 0 && rows <= x.rows() && "fit_principal_plane: rows must be within x");
  const int d = int(x.cols());
  out.dim = d;
  out.mean.setZero(d);
  out.axes.setZero(d, 2);
  out.variance[0] = out.variance[1] = 0;
  out.total_variance = 0;
  if (rows < 2 || d < 1) return;
  // Mean, then the covariance of the centred rows, in double.
  for (int t = 0; t < rows; ++t) out.mean += x.row(t).transpose().cast<double>();
  out.mean /= double(rows);
  Eigen::MatrixXd centred = x.topRows(rows).cast<double>();  // [T, d]
  centred.rowwise() -= out.mean.transpose();
  const Eigen::MatrixXd cov = (centred.transpose() * centred) / double(rows);  // [d, d]
  out.total_variance = cov.trace();
  // Eigenvalues come in increasing order: the leading axes are the last columns.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  if (eig.info() != Eigen::Success) return;
  for (int k = 0; k < 2 && k < d; ++k) {
    const int col = d - 1 - k;
    Eigen::VectorXd a = eig.eigenvectors().col(col);
    Eigen::Index big = 0;
    a.cwiseAbs().maxCoeff(&big);  // the first index of the largest magnitude
    if (a(big) < 0) a = -a;
    out.axes.col(k) = a;
    out.variance[k] = std::max(0.0, eig.eigenvalues()(col));
  }
}

void project_onto_plane(const Mat<float>& x, int rows, const PrincipalPlane& plane, std::vector<float>& xy) {
  assert(rows >= 0 && rows <= x.rows() && "project_onto_plane: rows must be within x");
  assert(int(x.cols()) == plane.dim && "project_onto_plane: x's width must be the plane's dim");
  xy.resize(size_t(2) * size_t(rows));
  const int d = plane.dim;
  for (int t = 0; t < rows; ++t) {
    double p0 = 0, p1 = 0;
    for (int j = 0; j < d; ++j) {
      const double c = double(x(t, j)) - plane.mean(j);
      p0 += c * plane.axes(j, 0);
      p1 += c * plane.axes(j, 1);
    }
    xy[size_t(2 * t)] = float(p0);
    xy[size_t(2 * t + 1)] = float(p1);
  }
}

}  // namespace moe

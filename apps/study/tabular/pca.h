// Principal component analysis (Eigen), fitted on some rows of a matrix and applied to any rows:
// the mean of the fitted rows, the top k eigenvectors of their covariance (with n - 1, as NumPy's
// np.cov and scikit-learn), found as right singular vectors of the centred rows by a randomized SVD
// (exact when k + 10 >= min(n, D)), largest variance first, each axis signed so that its largest-magnitude entry is
// positive (a deterministic choice; the sign of an eigenvector is arbitrary), and the projection
//   scores = (x - mean) V_k^T            (N, k)
// divided by sqrt(variance_k) when whitened (scikit-learn's whiten=True), so that every component
// has unit variance on the fitted rows. Used by `hito pixels` on flattened, downsized images.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor.h"

namespace hito::study {

struct Pca {
  Tensor mean;                            // f32 (D)
  Tensor components;                      // f32 (k, D), orthonormal rows, largest variance first
  std::vector<double> variance;           // the k eigenvalues (variance along each axis)
  std::vector<double> explained_ratio;    // the k axes' eigenvalue / total variance (trace of the covariance)
  bool whiten = false;

  // x: f32 (N, D) on the CPU; fitted on rows `rows` (at least 2). k <= D.
  static Pca fit(const Tensor& x, const std::vector<int64_t>& rows, int64_t k, bool whiten);
  // x: f32 (M, D) -> f32 (M, k).
  Tensor transform(const Tensor& x) const;
  int64_t dims() const { return components.defined() ? components.size(0) : 0; }
};

}  // namespace hito::study

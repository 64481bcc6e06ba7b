// PCA through the eigen decomposition of the fitted rows' covariance.
#include "apps/study/tabular/pca.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "engine/random.h"

namespace hito::study {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}  // namespace

Pca Pca::fit(const Tensor& x, const std::vector<int64_t>& rows, int64_t k, bool whiten) {
  HITO_CHECK(x.dim() == 2 && x.dtype() == DType::F32, "PCA: expected f32 (N, D) data, got ", x.describe());
  const int64_t d = x.size(1), n = static_cast<int64_t>(rows.size());
  HITO_CHECK(n >= 2, "PCA: needs at least 2 rows to fit, got ", n);
  HITO_CHECK(k >= 1 && k <= d, "PCA: components must be in [1, ", d, "], got ", k);
  std::vector<float> all = x.to(Device::CPU).to_vector<float>();

  // Centred fitted rows in double: (n, D).
  Eigen::MatrixXd centred(n, d);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = rows[static_cast<size_t>(i)];
    HITO_CHECK(r >= 0 && r < x.size(0), "PCA: row ", r, " outside the data (", x.size(0), " rows)");
    for (int64_t j = 0; j < d; ++j) centred(i, j) = all[static_cast<size_t>(r * d + j)];
  }
  const Eigen::RowVectorXd mean = centred.colwise().mean();
  centred.rowwise() -= mean;
  // The top k right singular vectors of the centred rows, by a randomized range finder with power
  // iterations (Halko, Martinsson & Tropp 2011, algorithm 4.4): Q spans X Omega for a random Omega of
  // l = k + 10 columns, refined by (X X^T)^q; then the SVD of the small B = Q^T X (l, D). Exact when
  // l reaches min(n, D); for images, whose spectrum decays fast, the top components agree with a
  // full eigen decomposition to float precision, at a fraction of its O(D^3) cost.
  const int64_t l = std::min({k + 10, d, n});
  Eigen::MatrixXd omega(d, l);
  Generator gen(0x9ca);
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < l; ++j) {
      // Box-Muller from two uniforms of the seeded generator: the same Omega on every platform.
      const double u1 = std::max<double>(gen.uniform(), 1e-12), u2 = gen.uniform();
      omega(i, j) = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
  auto orthonormal = [](const Eigen::MatrixXd& y) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(y);
    return Eigen::MatrixXd(qr.householderQ() * Eigen::MatrixXd::Identity(y.rows(), y.cols()));
  };
  Eigen::MatrixXd q = orthonormal(centred * omega);  // (n, l)
  for (int iteration = 0; iteration < 4; ++iteration) {
    q = orthonormal(centred * orthonormal(centred.transpose() * q));
  }
  Eigen::MatrixXd b = q.transpose() * centred;  // (l, D)
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(b, Eigen::ComputeThinV);
  const Eigen::VectorXd& singular = svd.singularValues();  // descending
  const double total = centred.squaredNorm() / static_cast<double>(n - 1);

  Pca pca;
  pca.whiten = whiten;
  std::vector<float> components(static_cast<size_t>(k * d));
  for (int64_t c = 0; c < k; ++c) {
    Eigen::VectorXd axis = svd.matrixV().col(c);
    Eigen::Index largest = 0;
    axis.cwiseAbs().maxCoeff(&largest);
    if (axis(largest) < 0) axis = -axis;
    for (int64_t j = 0; j < d; ++j) components[static_cast<size_t>(c * d + j)] = static_cast<float>(axis(j));
    const double variance = singular(c) * singular(c) / static_cast<double>(n - 1);
    pca.variance.push_back(variance);
    pca.explained_ratio.push_back(total > 0 ? variance / total : 0.0);
  }
  std::vector<float> mean_values(static_cast<size_t>(d));
  for (int64_t j = 0; j < d; ++j) mean_values[static_cast<size_t>(j)] = static_cast<float>(mean(j));
  pca.mean = Tensor::from_vector(mean_values, {d});
  pca.components = Tensor::from_vector(components, {k, d});
  return pca;
}

Tensor Pca::transform(const Tensor& x) const {
  const int64_t d = mean.size(0), k = dims();
  HITO_CHECK(x.dim() == 2 && x.size(1) == d && x.dtype() == DType::F32, "PCA: expected f32 (N, ", d, ") data, got ",
             x.describe());
  Tensor input = x.to(Device::CPU);
  std::vector<float> values = input.to_vector<float>(), mean_values = mean.to_vector<float>(),
                     axes = components.to_vector<float>();
  Eigen::Map<RowMatrix> data(values.data(), x.size(0), d);
  data.rowwise() -= Eigen::Map<const Eigen::RowVectorXf>(mean_values.data(), d);
  Eigen::Map<const RowMatrix> v(axes.data(), k, d);
  RowMatrix scores = data * v.transpose();  // (N, k)
  if (whiten)
    for (int64_t c = 0; c < k; ++c) {
      const double s = variance[static_cast<size_t>(c)];
      scores.col(c) *= s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
    }
  std::vector<float> out(scores.data(), scores.data() + scores.size());
  return Tensor::from_vector(out, {x.size(0), k});
}

}  // namespace hito::study

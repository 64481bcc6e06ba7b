// Newton's method for the multinomial logistic regression of logistic_regression.h.
#include "apps/study/fusion/logistic_regression.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace hito::study {

namespace {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

// Softmax of each row of z (n, K), in place.
void softmax_rows(Matrix& z) {
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    double top = z.row(i).maxCoeff();
    z.row(i) = (z.row(i).array() - top).exp();
    z.row(i) /= z.row(i).sum();
  }
}

struct Problem {
  Matrix x;        // (n, F + 1): the features with a trailing 1 for the bias
  std::vector<int64_t> y;
  Vector s;        // (n) sample weights
  int64_t f = 0, k = 0;
  double c = 1.0;

  // theta (K (F + 1)): class k's weights then its bias at [k (F + 1), (k + 1)(F + 1)).
  Matrix probabilities(const Vector& theta) const {
    Eigen::Map<const Matrix> w(theta.data(), f + 1, k);  // column k = class k's (weights, bias)
    Matrix z = x * w;
    softmax_rows(z);
    return z;
  }
  double objective(const Vector& theta) const {
    Eigen::Map<const Matrix> w(theta.data(), f + 1, k);
    Matrix z = x * w;
    double loss = 0.0;
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
      double top = z.row(i).maxCoeff();
      double lse = top + std::log((z.row(i).array() - top).exp().sum());
      loss += s[i] * (lse - z(i, y[static_cast<size_t>(i)]));
    }
    return 0.5 * w.topRows(f).squaredNorm() + c * loss;
  }
};

}  // namespace

std::vector<double> LogisticRegression::predict_proba(const std::vector<double>& x) const {
  HITO_CHECK(features > 0 && x.size() % static_cast<size_t>(features) == 0, "logistic regression: ", x.size(),
             " inputs are not rows of ", features, " features");
  int64_t n = static_cast<int64_t>(x.size()) / features;
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> xs(x.data(), n, features);
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> w(weight.data(), classes,
                                                                                               features);
  Matrix z = xs * w.transpose();
  z.rowwise() += Eigen::Map<const Eigen::RowVectorXd>(bias.data(), classes);
  softmax_rows(z);
  std::vector<double> out(static_cast<size_t>(n * classes));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < classes; ++c) out[static_cast<size_t>(i * classes + c)] = z(i, c);
  return out;
}

LogisticRegression fit_logistic_regression(const std::vector<double>& x, int64_t features,
                                           const std::vector<int64_t>& y, int64_t classes,
                                           const std::vector<double>& sample_weight, const LogisticOptions& options) {
  HITO_CHECK(features > 0 && classes >= 2, "logistic regression needs features and at least two classes");
  int64_t n = static_cast<int64_t>(y.size());
  HITO_CHECK(n > 0 && x.size() == static_cast<size_t>(n * features), "logistic regression: ", x.size(),
             " inputs for ", n, " rows of ", features, " features");
  HITO_CHECK(sample_weight.empty() || sample_weight.size() == y.size(), "logistic regression: ",
             sample_weight.size(), " sample weights for ", n, " rows");
  HITO_CHECK(options.C > 0, "logistic regression: C must be positive, got ", options.C);

  Problem pb;
  pb.f = features;
  pb.k = classes;
  pb.c = options.C;
  pb.y = y;
  pb.x.resize(n, features + 1);
  pb.s.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    HITO_CHECK(y[static_cast<size_t>(i)] >= 0 && y[static_cast<size_t>(i)] < classes, "logistic regression: label ",
               y[static_cast<size_t>(i)], " of row ", i, " is not in [0, ", classes, ")");
    for (int64_t j = 0; j < features; ++j) pb.x(i, j) = x[static_cast<size_t>(i * features + j)];
    pb.x(i, features) = 1.0;
    pb.s[i] = sample_weight.empty() ? 1.0 : sample_weight[static_cast<size_t>(i)];
  }

  const int64_t d = features + 1, p = classes * d;
  Vector theta = Vector::Zero(p);
  double scale = std::max(1.0, options.C * pb.s.sum());
  int iteration = 0;
  for (; iteration < options.max_iterations; ++iteration) {
    Matrix prob = pb.probabilities(theta);
    // Gradient, class block k: C sum_i r_ik x~_i plus the penalty on the weights.
    Matrix r = prob;
    for (int64_t i = 0; i < n; ++i) {
      r(i, y[static_cast<size_t>(i)]) -= 1.0;
      r.row(i) *= pb.s[i];
    }
    Matrix grad_blocks = options.C * (pb.x.transpose() * r);  // (d, K)
    Vector grad(p);
    for (int64_t c = 0; c < classes; ++c)
      for (int64_t j = 0; j < d; ++j) grad[c * d + j] = grad_blocks(j, c) + (j < features ? theta[c * d + j] : 0.0);
    if (grad.cwiseAbs().maxCoeff() <= options.tolerance * scale) break;

    // Hessian blocks (a, b): C sum_i s_i (p_ia [a = b] - p_ia p_ib) x~_i x~_i^T.
    Matrix hessian = Matrix::Zero(p, p);
    for (int64_t a = 0; a < classes; ++a)
      for (int64_t b = a; b < classes; ++b) {
        Vector coef(n);
        for (int64_t i = 0; i < n; ++i) coef[i] = pb.s[i] * ((a == b ? prob(i, a) : 0.0) - prob(i, a) * prob(i, b));
        Matrix block = options.C * (pb.x.transpose() * coef.asDiagonal() * pb.x);
        hessian.block(a * d, b * d, d, d) = block;
        if (a != b) hessian.block(b * d, a * d, d, d) = block.transpose();
      }
    for (int64_t c = 0; c < classes; ++c)
      for (int64_t j = 0; j < d; ++j) hessian(c * d + j, c * d + j) += j < features ? 1.0 : 1e-8;
    Vector step = hessian.ldlt().solve(-grad);

    // Backtracking (Armijo) line search on J.
    double current = pb.objective(theta), slope = grad.dot(step), t = 1.0;
    Vector candidate = theta + step;
    while (pb.objective(candidate) > current + 1e-4 * t * slope && t > 1e-10) {
      t *= 0.5;
      candidate = theta + t * step;
    }
    theta = candidate;
  }

  LogisticRegression model;
  model.features = features;
  model.classes = classes;
  model.iterations = iteration;
  model.weight.resize(static_cast<size_t>(classes * features));
  model.bias.resize(static_cast<size_t>(classes));
  for (int64_t c = 0; c < classes; ++c) {
    for (int64_t j = 0; j < features; ++j) model.weight[static_cast<size_t>(c * features + j)] = theta[c * d + j];
    model.bias[static_cast<size_t>(c)] = theta[c * d + features];
  }
  return model;
}

}  // namespace hito::study

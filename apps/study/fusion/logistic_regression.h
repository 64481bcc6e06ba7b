// Multinomial logistic regression fitted to convergence by Newton's method with a backtracking line
// search: the stacking combiner of late fusion. It minimises scikit-learn's objective for
// LogisticRegression(multi_class="multinomial", C=C) with sample weights s_i,
//
//   J(W, b) = 1/2 ||W||_F^2 + C * sum_i s_i * ( -log softmax(W x_i + b)[y_i] ),   b not penalised,
//
// so that, both converged, the two agree (tests/fusion compares with a scikit-learn fixture).
// Gradient, with p_i = softmax(W x_i + b) and r_i = s_i (p_i - onehot(y_i)):
//   dJ/dW = W + C sum_i r_i x_i^T,        dJ/db = C sum_i r_i;
// Hessian over theta = [W | b] (row k of W followed by b_k), with x~_i = (x_i, 1):
//   H = diag(1..1, 0) + C sum_i s_i (diag(p_i) - p_i p_i^T) (x) x~_i x~_i^T.
// H is singular along "add the same vector to every class" in b only; a 1e-8 ridge on b removes
// that without changing the probabilities.
#pragma once

#include <cstdint>
#include <vector>

namespace hito::study {

struct LogisticRegression {
  int64_t features = 0, classes = 0;
  std::vector<double> weight;  // (classes, features), row-major
  std::vector<double> bias;    // (classes)
  int iterations = 0;          // Newton steps taken

  // x: (n, features) row-major -> probabilities (n, classes) row-major.
  std::vector<double> predict_proba(const std::vector<double>& x) const;
};

struct LogisticOptions {
  double C = 1.0;            // inverse regularisation strength, as in scikit-learn
  int max_iterations = 100;
  double tolerance = 1e-9;   // stop when max |gradient| <= tolerance * max(1, C * sum s_i)
};

// x: (n, features) row-major; y: n labels in [0, classes); sample_weight: n weights (empty: all 1).
LogisticRegression fit_logistic_regression(const std::vector<double>& x, int64_t features,
                                           const std::vector<int64_t>& y, int64_t classes,
                                           const std::vector<double>& sample_weight, const LogisticOptions& options);

}  // namespace hito::study

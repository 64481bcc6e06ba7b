// Late fusion: the class probabilities saved by several models combined into one prediction, by
//   mean      p = (1/M) sum_m p_m
//   weighted  p = sum_m w_m p_m, the weights (on a grid over the simplex, step 1/grid_steps) chosen
//             for the best balanced accuracy on the rows fitted on (ties: lower log loss)
//   stacking  a multinomial logistic regression (logistic_regression.h, classes weighted as
//             scikit-learn's "balanced") on the concatenated log-probabilities (or probabilities)
// The three are compared on the validation split by cross-fitting (cross_fit.h, lesion-grouped
// folds), so that no validation row is scored by a combiner fitted on it; the best one is then fitted
// on all validation rows and applied to the test rows.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/study/fusion/logistic_regression.h"

namespace hito::study {

// The probabilities of M models for the same n rows: probs[m] is (n, classes) row-major.
struct LateInputs {
  int64_t rows = 0, classes = 0;
  std::vector<std::vector<double>> probs;
  int64_t models() const { return static_cast<int64_t>(probs.size()); }
};

inline const std::vector<std::string>& late_methods() {
  static const std::vector<std::string> methods = {"mean", "weighted", "stacking"};
  return methods;
}

struct LateOptions {
  int folds = 5;                          // cross-fitting folds on the validation split
  int grid_steps = 10;                    // weighted mean: weights in multiples of 1 / grid_steps
  double stack_c = 1.0;                   // stacking: scikit-learn's C
  std::string stack_features = "logprob"; // stacking: "logprob" (log of p clipped at 1e-6) or "prob"
  uint64_t seed = 0;                      // fold assignment
};

struct LateCombiner {
  std::string method;
  std::vector<double> weights;  // mean and weighted: one per model
  std::string stack_features;
  LogisticRegression stacker;   // stacking only

  // Combined probabilities (rows.size(), classes) of the given rows of `inputs`.
  std::vector<double> combine(const LateInputs& inputs, const std::vector<int64_t>& rows) const;
  nlohmann::ordered_json to_json() const;
  static LateCombiner from_json(const nlohmann::json& j, const std::string& where);
};

// The stacking features of the given rows: (rows.size(), M * classes) row-major.
std::vector<double> stacking_features(const LateInputs& inputs, const std::vector<int64_t>& rows,
                                      const std::string& kind);

// Fits `method` on the given rows (labels indexed like the rows of `inputs`).
LateCombiner fit_late_combiner(const std::string& method, const LateInputs& inputs, const std::vector<int64_t>& labels,
                               const std::vector<int64_t>& rows, const LateOptions& options);

struct LateChoice {
  std::vector<double> cv_bacc;            // per late_methods(): cross-fitted validation balanced accuracy
  std::vector<std::vector<double>> cv_probs;  // per method: the cross-fitted (n, classes) probabilities
  std::vector<int> folds;                 // fold of each validation row
  size_t chosen = 0;                      // index into late_methods(); ties go to the simpler method
  LateCombiner combiner;                  // the chosen method fitted on every validation row
};

// Compares the three methods on the validation rows (groups: lesion of each row) and fits the best.
LateChoice choose_late_fusion(const LateInputs& val, const std::vector<int64_t>& labels,
                              const std::vector<int64_t>& groups, const LateOptions& options);

}  // namespace hito::study

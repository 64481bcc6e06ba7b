// Classification metrics of the study, computed from true labels and predicted probabilities:
// accuracy, balanced accuracy, per-class and macro precision / recall / F1, one-vs-rest ROC AUC,
// confusion matrix, expected calibration error with its reliability-diagram data, and log loss.
//
// Conventions (chosen to match scikit-learn 1.2, against which the tests compare):
// - The predicted class is the argmax of a row's probabilities (the first one on ties).
// - Precision / recall / F1 whose denominator is zero are 0 (scikit-learn's zero_division default,
//   "warn", which returns 0). Macro averages run over the classes that occur in y_true or in the
//   predictions (scikit-learn's default `labels`); a class absent from both is not counted.
// - Balanced accuracy is the mean recall over the classes present in y_true
//   (sklearn.metrics.balanced_accuracy_score).
// - ROC AUC is one-vs-rest per class (the Mann-Whitney statistic, ties counted one half). It is
//   undefined (NaN) for a class absent from y_true, or when every row belongs to it; the macro AUC
//   is the mean over the classes where it is defined, and `auc_classes` says how many those are.
//   (scikit-learn raises an error instead.)
// - Expected calibration error: rows are put in `bins` equal-width bins of (0, 1] by their maximum
//   probability (bin b holds confidences in (b/B, (b+1)/B]); ECE = sum_b n_b/N |acc_b - conf_b|.
// - Log loss: -mean_i log p_i[y_i], with each row renormalised to sum 1 and p clipped to
//   [1e-15, 1 - 1e-15] so that a confident mistake costs a large finite amount.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace hito::eval {

// What a model predicted for a set of rows. Requires labels in [0, num_classes) and probs of
// size rows * num_classes (row-major, rows of non-negative values). `groups` is optional: the
// group (lesion) of each row for the bootstrap, empty meaning every row is its own group.
struct Predictions {
  int64_t num_classes = 0;
  std::vector<int64_t> labels;  // (N)
  std::vector<double> probs;    // (N, K)
  std::vector<int64_t> groups;  // (N) or empty

  int64_t rows() const { return static_cast<int64_t>(labels.size()); }
  double prob(int64_t row, int64_t k) const { return probs[row * num_classes + k]; }
  int64_t predicted(int64_t row) const;  // argmax of the row
  // The given rows (repeats allowed), in that order, with their groups.
  Predictions subset(const std::vector<int64_t>& rows) const;
  // Throws a clear error (naming `what`) when shapes or values break the requirements above.
  void validate(const std::string& what = "predictions") const;
};

// labels: i64 (N); probs: f32 (N, K) on any device; groups: optional group ids (N).
Predictions make_predictions(const Tensor& labels, const Tensor& probs, std::vector<int64_t> groups = {});
// Dense ids 0, 1, ... for string groups (lesion ids), in order of first appearance.
std::vector<int64_t> group_ids(const std::vector<std::string>& names);

struct ClassScores {
  int64_t support = 0;    // rows whose true class this is
  int64_t predicted = 0;  // rows predicted as this class
  double precision = 0, recall = 0, f1 = 0;
  double auc = 0;  // NaN where undefined (see above)
};

struct ReliabilityBin {
  double lower = 0, upper = 0;  // the bin is (lower, upper]
  int64_t count = 0;
  double confidence = 0;  // mean max-probability in the bin (NaN when empty)
  double accuracy = 0;    // share of correct predictions in the bin (NaN when empty)
};

struct ClassificationMetrics {
  int64_t rows = 0, num_classes = 0;
  double accuracy = 0, balanced_accuracy = 0;
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double macro_auc = 0;
  int64_t auc_classes = 0;  // classes the macro AUC averages over
  double ece = 0, log_loss = 0;
  std::vector<ClassScores> per_class;           // (K)
  std::vector<std::vector<int64_t>> confusion;  // (K, K): [true][predicted]
  std::vector<ReliabilityBin> reliability;      // (bins)
};

constexpr int kDefaultCalibrationBins = 15;

// Every metric above at once. Requires at least one row.
ClassificationMetrics compute_metrics(const Predictions& p, int calibration_bins = kDefaultCalibrationBins);

// The single metrics, for use as bootstrap statistics (each validates nothing; call p.validate()).
// balanced_accuracy is overloaded (see below): pass it as
// [](const Predictions& p) { return balanced_accuracy(p); }.
double accuracy(const Predictions& p);
double balanced_accuracy(const Predictions& p);
double macro_f1(const Predictions& p);
double macro_auc(const Predictions& p);
double log_loss(const Predictions& p);
double expected_calibration_error(const Predictions& p, int bins = kDefaultCalibrationBins);
std::vector<std::vector<int64_t>> confusion_matrix(const Predictions& p);
// From hard predictions (class indices) instead of probabilities, e.g. a training epoch's argmax
// outputs; same conventions. Requires equal lengths and classes in [0, num_classes).
std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int64_t>& labels,
                                                   const std::vector<int64_t>& predicted, int64_t num_classes);
double balanced_accuracy(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                         int64_t num_classes);
// One-vs-rest AUC of class k: P(score of a positive > score of a negative) + 1/2 P(tie).
double roc_auc_one_vs_rest(const Predictions& p, int64_t k);
std::vector<ReliabilityBin> reliability_bins(const Predictions& p, int bins = kDefaultCalibrationBins);

}  // namespace hito::eval

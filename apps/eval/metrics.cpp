// Classification metrics (see metrics.h for the conventions on empty classes and ties).
#include "apps/eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>
#include <unordered_map>

#include "base/error.h"

namespace hito::eval {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLogLossClip = 1e-15;

double safe_ratio(double num, double den) { return den > 0 ? num / den : 0.0; }  // zero_division = 0

double mean_or_nan(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}
}  // namespace

int64_t Predictions::predicted(int64_t row) const {
  const double* p = probs.data() + row * num_classes;
  return std::max_element(p, p + num_classes) - p;  // first maximum on ties
}

Predictions Predictions::subset(const std::vector<int64_t>& rows) const {
  Predictions out;
  out.num_classes = num_classes;
  out.labels.reserve(rows.size());
  out.probs.reserve(rows.size() * num_classes);
  if (!groups.empty()) out.groups.reserve(rows.size());
  for (int64_t r : rows) {
    out.labels.push_back(labels[r]);
    out.probs.insert(out.probs.end(), probs.begin() + r * num_classes, probs.begin() + (r + 1) * num_classes);
    if (!groups.empty()) out.groups.push_back(groups[r]);
  }
  return out;
}

void Predictions::validate(const std::string& what) const {
  HITO_CHECK(num_classes >= 2, what, ": need at least 2 classes, got ", num_classes);
  HITO_CHECK(static_cast<int64_t>(probs.size()) == rows() * num_classes, what, ": ", probs.size(),
             " probabilities for ", rows(), " rows x ", num_classes, " classes");
  HITO_CHECK(groups.empty() || groups.size() == labels.size(), what, ": ", groups.size(), " group ids for ", rows(),
             " rows");
  for (int64_t i = 0; i < rows(); ++i) {
    HITO_CHECK(labels[i] >= 0 && labels[i] < num_classes, what, ": row ", i, " has label ", labels[i], ", outside [0, ",
               num_classes, ")");
    for (int64_t k = 0; k < num_classes; ++k)
      HITO_CHECK(std::isfinite(prob(i, k)) && prob(i, k) >= 0, what, ": row ", i, " class ", k, " has probability ",
                 prob(i, k));
  }
}

Predictions make_predictions(const Tensor& labels, const Tensor& probs, std::vector<int64_t> groups) {
  HITO_CHECK(labels.dim() == 1 && probs.dim() == 2 && probs.size(0) == labels.size(0),
             "make_predictions: labels (N) and probabilities (N, K) expected, got ", labels.describe(), " and ",
             probs.describe());
  Predictions p;
  p.num_classes = probs.size(1);
  p.labels = labels.to_vector<int64_t>();
  std::vector<float> values = probs.to_vector<float>();
  p.probs.assign(values.begin(), values.end());
  p.groups = std::move(groups);
  p.validate();
  return p;
}

std::vector<int64_t> group_ids(const std::vector<std::string>& names) {
  std::unordered_map<std::string, int64_t> ids;
  std::vector<int64_t> out;
  out.reserve(names.size());
  for (const auto& name : names) out.push_back(ids.emplace(name, static_cast<int64_t>(ids.size())).first->second);
  return out;
}

std::vector<std::vector<int64_t>> confusion_matrix(const Predictions& p) {
  std::vector<std::vector<int64_t>> m(p.num_classes, std::vector<int64_t>(p.num_classes, 0));
  for (int64_t i = 0; i < p.rows(); ++i) ++m[p.labels[i]][p.predicted(i)];
  return m;
}

std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int64_t>& labels,
                                                   const std::vector<int64_t>& predicted, int64_t num_classes) {
  HITO_CHECK(labels.size() == predicted.size(), "confusion matrix: ", labels.size(), " labels but ", predicted.size(),
             " predictions");
  std::vector<std::vector<int64_t>> m(num_classes, std::vector<int64_t>(num_classes, 0));
  for (size_t i = 0; i < labels.size(); ++i) {
    HITO_CHECK(labels[i] >= 0 && labels[i] < num_classes && predicted[i] >= 0 && predicted[i] < num_classes,
               "confusion matrix: row ", i, " has label ", labels[i], " and prediction ", predicted[i],
               ", outside [0, ", num_classes, ")");
    ++m[labels[i]][predicted[i]];
  }
  return m;
}

double accuracy(const Predictions& p) {
  if (p.rows() == 0) return kNaN;
  int64_t correct = 0;
  for (int64_t i = 0; i < p.rows(); ++i) correct += p.predicted(i) == p.labels[i];
  return static_cast<double>(correct) / static_cast<double>(p.rows());
}

namespace {
// Per-class counts and precision / recall / F1 from the confusion matrix.
std::vector<ClassScores> class_scores(const std::vector<std::vector<int64_t>>& confusion) {
  const size_t K = confusion.size();
  std::vector<ClassScores> scores(K);
  for (size_t t = 0; t < K; ++t)
    for (size_t q = 0; q < K; ++q) {
      scores[t].support += confusion[t][q];
      scores[q].predicted += confusion[t][q];
    }
  for (size_t k = 0; k < K; ++k) {
    auto& s = scores[k];
    double tp = static_cast<double>(confusion[k][k]);
    s.precision = safe_ratio(tp, static_cast<double>(s.predicted));
    s.recall = safe_ratio(tp, static_cast<double>(s.support));
    s.f1 = safe_ratio(2 * s.precision * s.recall, s.precision + s.recall);
  }
  return scores;
}

// Macro averages over the classes present in y_true or the predictions.
struct MacroScores {
  double precision, recall, f1;
};
MacroScores macro_scores(const std::vector<ClassScores>& scores) {
  std::vector<double> precision, recall, f1;
  for (const auto& s : scores) {
    if (s.support == 0 && s.predicted == 0) continue;
    precision.push_back(s.precision), recall.push_back(s.recall), f1.push_back(s.f1);
  }
  return {mean_or_nan(precision), mean_or_nan(recall), mean_or_nan(f1)};
}

double balanced_accuracy_of(const std::vector<ClassScores>& scores) {
  std::vector<double> recalls;
  for (const auto& s : scores)
    if (s.support > 0) recalls.push_back(s.recall);
  return mean_or_nan(recalls);
}

// The one-vs-rest AUC of every class.
std::vector<double> class_aucs(const Predictions& p) {
  std::vector<double> aucs(p.num_classes);
  for (int64_t k = 0; k < p.num_classes; ++k) aucs[k] = roc_auc_one_vs_rest(p, k);
  return aucs;
}

// Mean of the defined (non-NaN) AUCs, and how many there were.
std::pair<double, int64_t> mean_of_defined(const std::vector<double>& aucs) {
  std::vector<double> defined;
  for (double auc : aucs)
    if (!std::isnan(auc)) defined.push_back(auc);
  return {mean_or_nan(defined), static_cast<int64_t>(defined.size())};
}
}  // namespace

double balanced_accuracy(const Predictions& p) { return balanced_accuracy_of(class_scores(confusion_matrix(p))); }

double balanced_accuracy(const std::vector<int64_t>& labels, const std::vector<int64_t>& predicted,
                         int64_t num_classes) {
  return balanced_accuracy_of(class_scores(confusion_matrix(labels, predicted, num_classes)));
}

double macro_f1(const Predictions& p) { return macro_scores(class_scores(confusion_matrix(p))).f1; }

double macro_auc(const Predictions& p) { return mean_of_defined(class_aucs(p)).first; }

double roc_auc_one_vs_rest(const Predictions& p, int64_t k) {
  const int64_t n = p.rows();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p.prob(a, k) < p.prob(b, k); });
  // Mann-Whitney: AUC = (R+ - n+(n+ + 1)/2) / (n+ n-), R+ the sum of the positives' (mid)ranks.
  double positive_rank_sum = 0;
  int64_t positives = 0;
  for (int64_t start = 0; start < n;) {
    int64_t end = start;
    while (end < n && p.prob(order[end], k) == p.prob(order[start], k)) ++end;
    double midrank = (start + 1 + end) / 2.0;  // ranks start+1 .. end share their mean
    for (int64_t j = start; j < end; ++j)
      if (p.labels[order[j]] == k) positive_rank_sum += midrank, ++positives;
    start = end;
  }
  const int64_t negatives = n - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  return (positive_rank_sum - positives * (positives + 1) / 2.0) / (static_cast<double>(positives) * negatives);
}

std::vector<ReliabilityBin> reliability_bins(const Predictions& p, int bins) {
  HITO_CHECK(bins >= 1, "calibration needs at least one bin, got ", bins);
  std::vector<ReliabilityBin> out(bins);
  std::vector<double> confidence_sum(bins, 0.0), correct(bins, 0.0);
  for (int64_t i = 0; i < p.rows(); ++i) {
    int64_t pred = p.predicted(i);
    double confidence = p.prob(i, pred);
    // Bin b holds (b/B, (b+1)/B]; a confidence of exactly 0 joins the first bin.
    int b = std::clamp(static_cast<int>(std::ceil(confidence * bins)) - 1, 0, bins - 1);
    ++out[b].count;
    confidence_sum[b] += confidence;
    correct[b] += pred == p.labels[i];
  }
  for (int b = 0; b < bins; ++b) {
    out[b].lower = static_cast<double>(b) / bins;
    out[b].upper = static_cast<double>(b + 1) / bins;
    out[b].confidence = out[b].count ? confidence_sum[b] / out[b].count : kNaN;
    out[b].accuracy = out[b].count ? correct[b] / out[b].count : kNaN;
  }
  return out;
}

namespace {
double ece_of(const std::vector<ReliabilityBin>& bins, int64_t rows) {
  if (rows == 0) return kNaN;
  double ece = 0;
  for (const auto& bin : bins)
    if (bin.count) ece += static_cast<double>(bin.count) / rows * std::abs(bin.accuracy - bin.confidence);
  return ece;
}
}  // namespace

double expected_calibration_error(const Predictions& p, int bins) {
  return ece_of(reliability_bins(p, bins), p.rows());
}

double log_loss(const Predictions& p) {
  if (p.rows() == 0) return kNaN;
  double total = 0;
  for (int64_t i = 0; i < p.rows(); ++i) {
    double row_sum = 0;
    for (int64_t k = 0; k < p.num_classes; ++k) row_sum += p.prob(i, k);
    double q = row_sum > 0 ? p.prob(i, p.labels[i]) / row_sum : 0.0;
    total -= std::log(std::clamp(q, kLogLossClip, 1.0 - kLogLossClip));
  }
  return total / static_cast<double>(p.rows());
}

ClassificationMetrics compute_metrics(const Predictions& p, int calibration_bins) {
  p.validate();
  HITO_CHECK(p.rows() > 0, "cannot compute metrics on zero rows");
  ClassificationMetrics m;
  m.rows = p.rows();
  m.num_classes = p.num_classes;
  m.confusion = confusion_matrix(p);
  m.per_class = class_scores(m.confusion);
  std::vector<double> aucs = class_aucs(p);
  for (int64_t k = 0; k < p.num_classes; ++k) m.per_class[k].auc = aucs[k];
  std::tie(m.macro_auc, m.auc_classes) = mean_of_defined(aucs);
  m.accuracy = accuracy(p);
  m.balanced_accuracy = balanced_accuracy_of(m.per_class);
  MacroScores macro = macro_scores(m.per_class);
  m.macro_precision = macro.precision;
  m.macro_recall = macro.recall;
  m.macro_f1 = macro.f1;
  m.reliability = reliability_bins(p, calibration_bins);
  m.ece = ece_of(m.reliability, p.rows());
  m.log_loss = log_loss(p);
  return m;
}

}  // namespace hito::eval

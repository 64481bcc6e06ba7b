// Mean, weighted mean and stacking of saved probabilities, compared by cross-fitting.
#include "apps/study/fusion/late_fusion.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "apps/eval/metrics.h"
#include "apps/study/train/cross_fit.h"
#include "base/error.h"

namespace hito::study {

namespace {

double bacc_of(const std::vector<double>& probs, const std::vector<int64_t>& labels, const std::vector<int64_t>& rows,
               int64_t k) {
  std::vector<int64_t> truth, predicted;
  for (size_t i = 0; i < rows.size(); ++i) {
    const double* p = probs.data() + i * static_cast<size_t>(k);
    truth.push_back(labels[static_cast<size_t>(rows[i])]);
    predicted.push_back(std::max_element(p, p + k) - p);
  }
  return eval::balanced_accuracy(truth, predicted, k);
}

double log_loss_of(const std::vector<double>& probs, const std::vector<int64_t>& labels,
                   const std::vector<int64_t>& rows, int64_t k) {
  double loss = 0.0;
  for (size_t i = 0; i < rows.size(); ++i)
    loss -= std::log(std::max(probs[i * static_cast<size_t>(k) + static_cast<size_t>(labels[static_cast<size_t>(rows[i])])], 1e-15));
  return loss / static_cast<double>(std::max<size_t>(rows.size(), 1));
}

// Every weight vector of M non-negative multiples of 1/steps summing to 1.
void simplex_grid(int64_t models, int steps, std::vector<int>& current, std::vector<std::vector<double>>& out) {
  int used = std::accumulate(current.begin(), current.end(), 0);
  if (static_cast<int64_t>(current.size()) == models - 1) {
    std::vector<double> w;
    for (int c : current) w.push_back(static_cast<double>(c) / steps);
    w.push_back(static_cast<double>(steps - used) / steps);
    out.push_back(w);
    return;
  }
  for (int c = 0; c <= steps - used; ++c) {
    current.push_back(c);
    simplex_grid(models, steps, current, out);
    current.pop_back();
  }
}

// scikit-learn's class_weight="balanced": n / (classes present * n_k) for a row of class k.
std::vector<double> class_sample_weights(const std::vector<int64_t>& labels, const std::vector<int64_t>& rows, int64_t k) {
  std::vector<double> count(static_cast<size_t>(k), 0.0);
  for (int64_t r : rows) count[static_cast<size_t>(labels[static_cast<size_t>(r)])] += 1.0;
  double present = static_cast<double>(std::count_if(count.begin(), count.end(), [](double n) { return n > 0; }));
  std::vector<double> w;
  for (int64_t r : rows) {
    double n_k = count[static_cast<size_t>(labels[static_cast<size_t>(r)])];
    w.push_back(static_cast<double>(rows.size()) / (present * n_k));
  }
  return w;
}

}  // namespace

std::vector<double> stacking_features(const LateInputs& inputs, const std::vector<int64_t>& rows,
                                      const std::string& kind) {
  HITO_CHECK(kind == "logprob" || kind == "prob", "stacking features must be logprob or prob, got '", kind, "'");
  int64_t k = inputs.classes, m_count = inputs.models();
  std::vector<double> x;
  x.reserve(rows.size() * static_cast<size_t>(m_count * k));
  for (int64_t r : rows)
    for (int64_t m = 0; m < m_count; ++m)
      for (int64_t c = 0; c < k; ++c) {
        double p = inputs.probs[static_cast<size_t>(m)][static_cast<size_t>(r * k + c)];
        x.push_back(kind == "logprob" ? std::log(std::max(p, 1e-6)) : p);
      }
  return x;
}

std::vector<double> LateCombiner::combine(const LateInputs& inputs, const std::vector<int64_t>& rows) const {
  int64_t k = inputs.classes;
  if (method == "stacking") {
    HITO_CHECK(stacker.features == inputs.models() * k, "stacking combiner expects ", stacker.features,
               " features, the inputs give ", inputs.models() * k);
    return stacker.predict_proba(stacking_features(inputs, rows, stack_features));
  }
  HITO_CHECK(static_cast<int64_t>(weights.size()) == inputs.models(), method, " combiner has ", weights.size(),
             " weights for ", inputs.models(), " models");
  std::vector<double> out(rows.size() * static_cast<size_t>(k), 0.0);
  for (size_t i = 0; i < rows.size(); ++i)
    for (int64_t m = 0; m < inputs.models(); ++m)
      for (int64_t c = 0; c < k; ++c)
        out[i * static_cast<size_t>(k) + static_cast<size_t>(c)] +=
            weights[static_cast<size_t>(m)] * inputs.probs[static_cast<size_t>(m)][static_cast<size_t>(rows[i] * k + c)];
  return out;
}

nlohmann::ordered_json LateCombiner::to_json() const {
  nlohmann::ordered_json j;
  j["method"] = method;
  if (method == "stacking") {
    j["stack_features"] = stack_features;
    j["features"] = stacker.features;
    j["classes"] = stacker.classes;
    j["coefficients"] = stacker.weight;
    j["intercepts"] = stacker.bias;
  } else {
    j["weights"] = weights;
  }
  return j;
}

LateCombiner LateCombiner::from_json(const nlohmann::json& j, const std::string& where) {
  LateCombiner c;
  try {
    c.method = j.at("method").get<std::string>();
    if (c.method == "stacking") {
      c.stack_features = j.at("stack_features").get<std::string>();
      c.stacker.features = j.at("features").get<int64_t>();
      c.stacker.classes = j.at("classes").get<int64_t>();
      c.stacker.weight = j.at("coefficients").get<std::vector<double>>();
      c.stacker.bias = j.at("intercepts").get<std::vector<double>>();
      HITO_CHECK(c.stacker.weight.size() == static_cast<size_t>(c.stacker.features * c.stacker.classes) &&
                     c.stacker.bias.size() == static_cast<size_t>(c.stacker.classes),
                 where, ": stacking coefficients do not match features x classes");
    } else {
      HITO_CHECK(c.method == "mean" || c.method == "weighted", where, ": unknown late-fusion method '", c.method, "'");
      c.weights = j.at("weights").get<std::vector<double>>();
    }
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(where, ": bad late-fusion combiner: ", e.what());
  }
  return c;
}

LateCombiner fit_late_combiner(const std::string& method, const LateInputs& inputs, const std::vector<int64_t>& labels,
                               const std::vector<int64_t>& rows, const LateOptions& options) {
  int64_t m_count = inputs.models(), k = inputs.classes;
  LateCombiner c;
  c.method = method;
  if (method == "mean") {
    c.weights.assign(static_cast<size_t>(m_count), 1.0 / static_cast<double>(m_count));
  } else if (method == "weighted") {
    std::vector<std::vector<double>> grid;
    std::vector<int> current;
    simplex_grid(m_count, options.grid_steps, current, grid);
    double best_bacc = -1.0, best_loss = 0.0;
    for (const std::vector<double>& w : grid) {
      LateCombiner trial{"weighted", w, "", {}};
      std::vector<double> p = trial.combine(inputs, rows);
      double bacc = bacc_of(p, labels, rows, k), loss = log_loss_of(p, labels, rows, k);
      if (bacc > best_bacc + 1e-12 || (std::abs(bacc - best_bacc) <= 1e-12 && loss < best_loss)) {
        best_bacc = bacc;
        best_loss = loss;
        c.weights = w;
      }
    }
  } else if (method == "stacking") {
    c.stack_features = options.stack_features;
    std::vector<int64_t> y;
    for (int64_t r : rows) y.push_back(labels[static_cast<size_t>(r)]);
    c.stacker = fit_logistic_regression(stacking_features(inputs, rows, options.stack_features), m_count * k, y, k,
                                        class_sample_weights(labels, rows, k), {.C = options.stack_c});
  } else {
    HITO_FAIL("unknown late-fusion method '", method, "' (mean, weighted, stacking)");
  }
  return c;
}

LateChoice choose_late_fusion(const LateInputs& val, const std::vector<int64_t>& labels,
                              const std::vector<int64_t>& groups, const LateOptions& options) {
  HITO_CHECK(val.models() >= 2, "late fusion needs at least two models, got ", val.models());
  HITO_CHECK(static_cast<int64_t>(labels.size()) == val.rows && groups.size() == labels.size(),
             "late fusion: labels and groups must have one entry per validation row");
  LateChoice choice;
  choice.folds = grouped_folds(groups, options.folds, options.seed);
  std::vector<int64_t> all(static_cast<size_t>(val.rows));
  std::iota(all.begin(), all.end(), 0);
  double best = -1.0;
  for (size_t m = 0; m < late_methods().size(); ++m) {
    const std::string& method = late_methods()[m];
    std::vector<double> p = cross_fit(choice.folds, val.classes, [&](const std::vector<int64_t>& fit_rows) -> RowPredictor {
      LateCombiner fitted = fit_late_combiner(method, val, labels, fit_rows, options);
      return [&val, fitted](const std::vector<int64_t>& rows) { return fitted.combine(val, rows); };
    });
    double bacc = bacc_of(p, labels, all, val.classes);
    choice.cv_bacc.push_back(bacc);
    choice.cv_probs.push_back(std::move(p));
    if (bacc > best + 1e-12) {
      best = bacc;
      choice.chosen = m;
    }
  }
  choice.combiner = fit_late_combiner(late_methods()[choice.chosen], val, labels, all, options);
  return choice;
}

}  // namespace hito::study

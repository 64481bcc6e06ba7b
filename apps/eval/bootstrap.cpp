// Group bootstrap: percentile intervals of a metric, and of the difference between two models.
#include "apps/eval/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "base/error.h"

namespace hito::eval {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs `replicate(rows)` on each resample of p's groups and returns the results in draw order.
std::vector<double> replicate_over_groups(const Predictions& p, const BootstrapOptions& options,
                                          const std::function<double(const std::vector<int64_t>&)>& replicate) {
  HITO_CHECK(options.resamples > 0, "bootstrap needs at least one resample, got ", options.resamples);
  HITO_CHECK(options.confidence > 0 && options.confidence < 1, "bootstrap confidence must be in (0, 1), got ",
             options.confidence);
  HITO_CHECK(p.rows() > 0, "bootstrap on zero rows");
  auto groups = rows_by_group(p.groups, p.rows());
  Generator gen(options.seed);
  std::vector<double> out;
  out.reserve(options.resamples);
  for (int64_t r = 0; r < options.resamples; ++r) out.push_back(replicate(resample_rows(groups, gen)));
  return out;
}

// The percentile interval of the defined replicates around `estimate`.
Interval percentile_interval(double estimate, std::vector<double> replicates, const BootstrapOptions& options,
                             int64_t groups) {
  std::erase_if(replicates, [](double v) { return std::isnan(v); });
  Interval out;
  out.estimate = estimate;
  out.confidence = options.confidence;
  out.resamples = static_cast<int64_t>(replicates.size());
  out.groups = groups;
  double tail = (1.0 - options.confidence) / 2.0;
  out.lower = quantile(replicates, tail);
  out.upper = quantile(replicates, 1.0 - tail);
  return out;
}

int64_t count_groups(const Predictions& p) { return static_cast<int64_t>(rows_by_group(p.groups, p.rows()).size()); }
}  // namespace

std::vector<std::vector<int64_t>> rows_by_group(const std::vector<int64_t>& groups, int64_t rows) {
  std::vector<std::vector<int64_t>> out;
  if (groups.empty()) {
    for (int64_t i = 0; i < rows; ++i) out.push_back({i});
    return out;
  }
  HITO_CHECK(static_cast<int64_t>(groups.size()) == rows, "bootstrap: ", groups.size(), " group ids for ", rows,
             " rows");
  std::unordered_map<int64_t, size_t> index;
  for (int64_t i = 0; i < rows; ++i) {
    auto [it, added] = index.emplace(groups[i], out.size());
    if (added) out.emplace_back();
    out[it->second].push_back(i);
  }
  return out;
}

std::vector<int64_t> resample_rows(const std::vector<std::vector<int64_t>>& rows_of_group, Generator& gen) {
  const int64_t n = static_cast<int64_t>(rows_of_group.size());
  std::vector<int64_t> rows;
  for (int64_t g = 0; g < n; ++g) {
    const auto& members = rows_of_group[gen.integer(n)];
    rows.insert(rows.end(), members.begin(), members.end());
  }
  return rows;
}

std::vector<double> bootstrap_replicates(const Predictions& p, const Statistic& statistic,
                                         const BootstrapOptions& options) {
  return replicate_over_groups(p, options, [&](const std::vector<int64_t>& rows) { return statistic(p.subset(rows)); });
}

Interval bootstrap_interval(const Predictions& p, const Statistic& statistic, const BootstrapOptions& options) {
  return percentile_interval(statistic(p), bootstrap_replicates(p, statistic, options), options, count_groups(p));
}

PairedDifference paired_bootstrap_difference(const Predictions& a, const Predictions& b, const Statistic& statistic,
                                             const BootstrapOptions& options) {
  HITO_CHECK(a.labels == b.labels,
             "paired comparison: the two models were not scored on the same rows (labels differ)");
  HITO_CHECK(a.groups == b.groups, "paired comparison: the two models' group ids differ");
  std::vector<double> differences = replicate_over_groups(a, options, [&](const std::vector<int64_t>& rows) {
    return statistic(a.subset(rows)) - statistic(b.subset(rows));
  });
  PairedDifference out;
  int64_t defined = 0, a_better = 0;
  for (double d : differences)
    if (!std::isnan(d)) ++defined, a_better += d > 0;
  out.share_a_better = defined ? static_cast<double>(a_better) / defined : kNaN;
  out.difference = percentile_interval(statistic(a) - statistic(b), std::move(differences), options, count_groups(a));
  return out;
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  double h = (static_cast<double>(values.size()) - 1.0) * q;
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

}  // namespace hito::eval

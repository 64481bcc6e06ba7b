// The shared synthetic data set of the tests/data suite.
#include "tests/data/data_fixture.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "apps/study/synth/synth.h"
#include "data/csv.h"
#include "base/error.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"

namespace hito::testing {

const std::filesystem::path& synthetic_data() {
  static const std::filesystem::path dir = testing::synthetic_for_tests(600, 1);
  return dir;
}

std::filesystem::path copy_of_synthetic_data(const std::string& name) {
  std::filesystem::path dir = temp_dir(name) / "data";
  std::filesystem::copy(synthetic_data(), dir, std::filesystem::copy_options::recursive);
  return dir;
}

study::PrepareResult prepare_quietly(const std::filesystem::path& data, const std::filesystem::path& run,
                                     study::PrepareOptions options) {
  options.data_dir = data;
  options.run_dir = run;
  options.verbose = false;
  return study::prepare_dataset(options);
}

SplitSummary summarize_split(const std::filesystem::path& rows_csv) {
  data::CsvTable rows = data::read_csv(rows_csv);
  int64_t group = rows.require_column("group"), split = rows.require_column("split"), label = rows.require_column("label");
  std::map<std::string, std::set<std::string>> sides;
  std::map<std::string, std::map<std::string, double>> counts;  // split -> label -> rows
  std::map<std::string, double> totals;
  for (const auto& r : rows.rows) {
    const std::string &g = r[size_t(group)], &s = r[size_t(split)], &l = r[size_t(label)];
    sides[g].insert(s);
    counts[s][l] += 1, counts["all"][l] += 1;
    totals[s] += 1, totals["all"] += 1;
  }
  std::map<std::string, int64_t> group_rows;
  for (const auto& r : rows.rows) ++group_rows[r[size_t(group)]];
  std::map<std::string, double> multi_rows;  // split -> rows in groups of two or more
  for (const auto& r : rows.rows)
    if (group_rows[r[size_t(group)]] > 1) multi_rows[r[size_t(split)]] += 1, multi_rows["all"] += 1;
  SplitSummary summary;
  for (const auto& [g, s] : sides) summary.groups_on_two_sides += s.size() > 1;
  for (const char* s : {"train", "val", "test"})
    summary.worst_multi_row_gap = std::max(summary.worst_multi_row_gap,
                                           std::abs(multi_rows[s] / totals[s] - multi_rows["all"] / totals["all"]));
  for (const char* s : {"train", "val", "test"})
    for (const auto& [l, count] : counts["all"]) {
      double gap = std::abs(counts[s][l] / totals[s] - count / totals["all"]);
      if (gap > summary.worst_share_gap) summary.worst_share_gap = gap, summary.worst_gap_at = std::string(s) + "/" + l;
    }
  summary.train_fraction = totals["train"] / totals["all"];
  return summary;
}

}  // namespace hito::testing

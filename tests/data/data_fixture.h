// Shared by the tests of tests/data: one small synthetic data set per test process (made by
// testing::synthetic_for_tests), copies of it to corrupt, and a quiet prepare_dataset call.
#pragma once

#include <filesystem>
#include <string>

#include "apps/study/prepare/prepare.h"

namespace hito::testing {

// The synthetic set (600 images, seed 1), made on first use in the temp folder and then reused.
const std::filesystem::path& synthetic_data();
// A fresh copy of the synthetic set to change, at temp_dir(name).
std::filesystem::path copy_of_synthetic_data(const std::string& name);
// Prepares `data` into `run` with the ham10000 preset and the given changes to the options.
study::PrepareResult prepare_quietly(const std::filesystem::path& data, const std::filesystem::path& run,
                                     study::PrepareOptions options = {});
// What the split of a prepared rows.csv looks like: groups with rows on two sides, the largest gap
// between a class's share in a split and its share of the whole (and where), the same for the share
// of rows that belong to groups of several rows, the training fraction.
struct SplitSummary {
  int64_t groups_on_two_sides = 0;
  double worst_share_gap = 0.0;
  std::string worst_gap_at;  // "test/df"
  double worst_multi_row_gap = 0.0;
  double train_fraction = 0.0;
};
SplitSummary summarize_split(const std::filesystem::path& rows_csv);

}  // namespace hito::testing

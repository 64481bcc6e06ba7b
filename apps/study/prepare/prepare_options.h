// The options of `hito prepare` (prepare.h), shared by its steps: checking the rows
// (prepare_rows.h), choosing the feature columns (prepare_columns.h) and writing prepared/.
#pragma once

#include <cstdint>
#include <filesystem>

#include "data/dataset_config.h"
#include "data/split.h"

namespace hito::study {

struct PrepareOptions {
  std::filesystem::path data_dir;
  std::filesystem::path run_dir = "run";
  data::DatasetConfig config = data::DatasetConfig::preset("ham10000");
  data::SplitFractions fractions;
  uint64_t seed = 0;
  bool skip_bad_rows = false;    // --on-bad-row skip: skip and list bad rows instead of failing
  double leak_threshold = 0.95;  // a column whose lone balanced accuracy reaches this is dropped
  int threads = 0;               // image decoding threads (0: all cores)
  bool verbose = true;           // a summary on stdout
};

}  // namespace hito::study

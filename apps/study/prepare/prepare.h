// `hito prepare`: turns a data folder (metadata CSV + images) into <run>/prepared/, the contract every
// later command trains and tests on (the files are listed in prepared_files.h). Everything fitted
// (encoders, image statistics, the leakage check) sees the training rows only. The folder is built
// under a temporary name and swapped in at the end: an error leaves no half-written prepared/ behind.
#pragma once

#include <filesystem>
#include <string>

#include "apps/study/prepare/prepare_options.h"

namespace hito::study {

namespace fs = std::filesystem;

struct PrepareResult {
  fs::path prepared_dir;
  std::string fingerprint;
  int64_t rows = 0, skipped = 0;
  int64_t train = 0, val = 0, test = 0;
  double seconds = 0.0;
};

PrepareResult prepare_dataset(const PrepareOptions& options);

}  // namespace hito::study

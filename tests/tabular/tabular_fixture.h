// Shared set-up of the tabular tests: a private copy of the prepared synthetic run (so that the model
// folders written do not land in the run other suites share), and quiet options for it.
#pragma once

#include <filesystem>
#include <string>

#include "apps/study/prepare/prepare.h"
#include "apps/study/tabular/tabular.h"
#include "base/fs.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"

namespace hito::study {

// <tmp>/hito-tabular-<name>/ holding prepared/ of testing::prepared_run_for_tests(160, 1).
inline fs::path tabular_test_run(const std::string& name) {
  fs::path run = testing::temp_dir("hito-tabular-" + name);
  fs::copy(testing::prepared_run_for_tests(160, 1) / "prepared", run / "prepared", fs::copy_options::recursive);
  return run;
}

// A few quick epochs on the run, without a progress bar.
inline TabularOptions quick_tabular_options(const fs::path& run) {
  TabularOptions o;
  o.run_dir = run;
  o.hyper.epochs = 4;
  o.hyper.width = 16;
  o.hyper.batch_size = 32;
  o.progress = false;
  o.seed = 3;
  return o;
}

}  // namespace hito::study

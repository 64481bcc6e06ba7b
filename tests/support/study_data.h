// Shared test data for the study's suites: a small synthetic HAM10000-format data set and a run
// folder with it prepared, each made once per build of hito (its folder name carries n, the seed and
// the `hito` binary's modification time, so a changed generator never serves stale data) in the
// system temp folder, appearing by an atomic rename so that parallel test processes agree.
#pragma once

#include <cstdint>
#include <filesystem>

namespace hito::testing {

// n images of 200x150 (hito synth with this seed). Returns its folder.
std::filesystem::path synthetic_for_tests(int64_t n = 160, uint64_t seed = 1);
// A run folder whose prepared/ holds synthetic_for_tests(n, seed) prepared with the defaults;
// load_prepared() on it works, and its image caches are shared by the tests that use it.
std::filesystem::path prepared_run_for_tests(int64_t n = 160, uint64_t seed = 1);

}  // namespace hito::testing

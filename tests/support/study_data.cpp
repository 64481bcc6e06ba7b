// Making the shared test data sets once per build (see study_data.h).
#include "tests/support/study_data.h"

#include <unistd.h>

#include <functional>

#include "apps/study/prepare/prepare.h"
#include "apps/study/prepare/prepared_data.h"
#include "apps/study/synth/synth.h"
#include "base/error.h"
#include "base/hash.h"
#include "tests/support/testing.h"

namespace hito::testing {

namespace {

// The build of hito under test: every change to the library relinks the `hito` binary.
std::string build_key() {
  auto stamp = fs::last_write_time(hito_binary()).time_since_epoch().count();
  return Hasher().add(static_cast<uint64_t>(stamp)).hex().substr(0, 8);
}

// Makes `dir` with `make(temporary)` unless it exists; the rename makes it appear whole, and a
// process that loses the race drops its copy.
fs::path make_once(const fs::path& dir, const std::function<void(const fs::path&)>& make) {
  if (fs::is_directory(dir)) return dir;
  fs::path mine = dir;
  mine += ".making-" + std::to_string(::getpid());
  make(mine);
  std::error_code ec;
  fs::rename(mine, dir, ec);  // fails when another process got there first, with the same content
  if (ec) fs::remove_all(mine);
  HITO_CHECK(fs::is_directory(dir), "cannot make the shared test data ", dir.string());
  return dir;
}

}  // namespace

fs::path synthetic_for_tests(int64_t n, uint64_t seed) {
  const fs::path dir = fs::temp_directory_path() /
                       ("hito-synthetic-n" + std::to_string(n) + "-s" + std::to_string(seed) + "-" + build_key());
  return make_once(dir, [&](const fs::path& out) {
    study::SynthOptions options;
    options.out_dir = out;
    options.n = n;
    options.seed = seed;
    study::synth_dataset(options);
  });
}

fs::path prepared_run_for_tests(int64_t n, uint64_t seed) {
  const fs::path data = synthetic_for_tests(n, seed);
  fs::path run = data;
  run += "-run";
  return make_once(run, [&](const fs::path& out) {
    study::PrepareOptions options;
    options.data_dir = data;
    options.run_dir = out;
    options.verbose = false;
    study::prepare_dataset(options);
  });
}

}  // namespace hito::testing

// The shared synthetic data set of the tests/data suite.
#include "tests/data/data_fixture.h"

#include <functional>

#include "apps/study/synth.h"
#include "engine/error.h"
#include "tests/support/testing.h"

namespace hito::testing {

const std::filesystem::path& synthetic_data() {
  static const std::filesystem::path dir = study::synthetic_for_tests(600, 1);
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

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace hito::testing

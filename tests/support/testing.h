// Helpers shared by the test suites: paths to fixtures and to the real data beside the project,
// closeness checks, the finite-difference gradient check, and skipping when no GPU is present.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace hito::testing {

namespace fs = std::filesystem;

fs::path source_dir();                        // the project root
fs::path fixture_path(const std::string& relative);  // tests/fixtures/<relative>
fs::path shared_path(const std::string& relative);   // ../shared/<relative> (real data, weights)
fs::path hito_binary();                       // the built `hito` executable
// A fresh empty folder under the system temp dir, removed by the caller or left for inspection.
fs::path temp_dir(const std::string& name);

// A shell command's exit status (-1 when it did not exit normally) and its stdout + stderr.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_shell(const std::string& command);
// The built `hito` with these arguments (already quoted where needed).
CommandResult run_hito(const std::string& arguments);

// The message of the hito::Error `f` throws ("" when it throws none).
std::string error_message(const std::function<void()>& f);

// Max |a - b| / (atol + rtol |b|) over all elements must be <= 1; reports the worst element.
::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, float rtol, float atol);
::testing::AssertionResult all_close(const std::vector<float>& actual, const std::vector<float>& expected, float rtol,
                                     float atol);

// Exact equality of two tensors of any dtype and device (values copied to the host; NaN equals NaN).
::testing::AssertionResult identical(const Tensor& actual, const Tensor& expected);

// Closeness of two results: |a - b| <= atol + rtol |b| element by element (see all_close).
struct Tolerance {
  float rtol = 1e-5f;
  float atol = 1e-6f;
};
// Equal shape and dtype, and f32 values within `tol`, other dtypes' values exactly.
::testing::AssertionResult same_values(const Tensor& actual, const Tensor& expected, Tolerance tol);

struct GradcheckOptions {
  float eps = 1e-2f;    // central-difference step
  float rtol = 1e-2f;   // tolerance of analytic vs numeric, relative...
  float atol = 1e-3f;   // ...and absolute
  uint64_t seed = 7;    // for the random projection of the output
};
// Checks the gradient of every input that requires grad: the analytic gradient of
// L = sum(f(inputs) * R), R a fixed random tensor, against central differences of L computed in
// double precision from f32 evaluations. Inputs live on the CPU or GPU.
::testing::AssertionResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     const std::vector<Tensor>& inputs, GradcheckOptions options = {});

// Random tensors for tests (f32 normal, or uniform in [lo, hi)).
Tensor randn(const Shape& shape, uint64_t seed, Device device = Device::CPU);
Tensor rand_uniform(const Shape& shape, float lo, float hi, uint64_t seed, Device device = Device::CPU);

}  // namespace hito::testing

// Skips the current test (with the reason in the output) when no CUDA device is usable.
#define HITO_REQUIRE_CUDA()                                                                   \
  do {                                                                                        \
    if (!::hito::cuda_available())                                                            \
      GTEST_SKIP() << "CUDA test skipped: " << ::hito::cuda_unavailable_reason();             \
  } while (0)

// Skips the current test when a path (real data or weights beside the project) is missing.
#define HITO_REQUIRE_PATH(path)                                                               \
  do {                                                                                        \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "skipped: " << (path) << " not found"; \
  } while (0)

// Test helpers: paths, closeness, gradcheck.
#include "tests/support/testing.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/random.h"
#include "kernels/runtime.h"

namespace hito::testing {

fs::path source_dir() { return HITO_SOURCE_DIR; }
fs::path fixture_path(const std::string& relative) { return source_dir() / "tests" / "fixtures" / relative; }
fs::path shared_path(const std::string& relative) { return source_dir().parent_path() / "shared" / relative; }
fs::path hito_binary() { return HITO_BINARY; }

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("hito-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

CommandResult run_shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int raw = ::pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

CommandResult run_hito(const std::string& arguments) {
  return run_shell("'" + hito_binary().string() + "' " + arguments);
}

::testing::AssertionResult all_close(const std::vector<float>& actual, const std::vector<float>& expected, float rtol,
                                     float atol) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << "sizes differ: " << actual.size() << " vs " << expected.size();
  double worst = 0.0;
  size_t worst_i = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (!std::isfinite(actual[i]) && !(std::isnan(actual[i]) && std::isnan(expected[i])) && actual[i] != expected[i])
      return ::testing::AssertionFailure() << "element " << i << " is " << actual[i] << ", expected " << expected[i];
    double ratio = std::abs(double(actual[i]) - expected[i]) / (atol + rtol * std::abs(double(expected[i])));
    if (ratio > worst) worst = ratio, worst_i = i;
  }
  if (worst <= 1.0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "element " << worst_i << ": " << actual[worst_i] << " vs expected "
                                       << expected[worst_i] << " (" << worst << " times the tolerance rtol=" << rtol
                                       << " atol=" << atol << ")";
}

::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, float rtol, float atol) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << "shapes differ: " << actual.describe() << " vs " << expected.describe();
  return all_close(actual.to_vector<float>(), expected.to_vector<float>(), rtol, atol);
}

::testing::AssertionResult identical(const Tensor& actual, const Tensor& expected) {
  if (actual.shape() != expected.shape() || actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << actual.describe() << " vs " << expected.describe();
  auto compare = [&](auto a, auto b) -> ::testing::AssertionResult {
    for (size_t i = 0; i < a.size(); ++i)
      if (!(a[i] == b[i]) && !(a[i] != a[i] && b[i] != b[i]))  // NaN equals NaN here
        return ::testing::AssertionFailure() << "element " << i << ": " << +a[i] << " vs expected " << +b[i];
    return ::testing::AssertionSuccess();
  };
  switch (expected.dtype()) {
    case DType::F32: return compare(actual.to_vector<float>(), expected.to_vector<float>());
    case DType::I64: return compare(actual.to_vector<int64_t>(), expected.to_vector<int64_t>());
    case DType::U8: return compare(actual.to_vector<uint8_t>(), expected.to_vector<uint8_t>());
  }
  return ::testing::AssertionFailure() << "unknown dtype";
}

::testing::AssertionResult same_values(const Tensor& actual, const Tensor& expected, Tolerance tol) {
  if (actual.shape() != expected.shape() || actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << actual.describe() << " vs " << expected.describe();
  if (expected.dtype() == DType::F32) return all_close(actual, expected, tol.rtol, tol.atol);
  return identical(actual, expected);
}

Tensor randn(const Shape& shape, uint64_t seed, Device device) {
  Generator gen(seed);
  return normal_tensor(shape, 0.0f, 1.0f, gen, device);
}

Tensor rand_uniform(const Shape& shape, float lo, float hi, uint64_t seed, Device device) {
  Generator gen(seed);
  return uniform_tensor(shape, lo, hi, gen, device);
}

::testing::AssertionResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     const std::vector<Tensor>& inputs, GradcheckOptions options) {
  // Analytic: backward of L = sum(f(x) * R).
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) {
    Tensor leaf = x.detach();
    if (x.requires_grad()) leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }
  Tensor out = f(leaves);
  Tensor projection = randn(out.shape(), options.seed, out.device());
  sum(mul(out, projection)).backward();
  std::vector<float> r = projection.to_vector<float>();

  auto loss_at = [&](const std::vector<Tensor>& xs) {
    NoGradGuard no_grad;
    std::vector<float> y = f(xs).to_vector<float>();
    double total = 0.0;
    for (size_t i = 0; i < y.size(); ++i) total += double(y[i]) * r[i];
    return total;
  };
  for (size_t k = 0; k < leaves.size(); ++k) {
    if (!inputs[k].requires_grad()) continue;
    Tensor grad = leaves[k].grad();
    if (!grad.defined()) return ::testing::AssertionFailure() << "input " << k << " received no gradient";
    std::vector<float> analytic = grad.to_vector<float>(), numeric(analytic.size());
    std::vector<float> values = inputs[k].to_vector<float>();
    for (size_t i = 0; i < values.size(); ++i) {
      std::vector<Tensor> probe;
      for (const Tensor& x : leaves) probe.push_back(x.detach());
      std::vector<float> shifted = values;
      shifted[i] = values[i] + options.eps;
      probe[k] = Tensor::from_vector(shifted, inputs[k].shape(), inputs[k].device());
      double plus = loss_at(probe);
      shifted[i] = values[i] - options.eps;
      probe[k] = Tensor::from_vector(shifted, inputs[k].shape(), inputs[k].device());
      double minus = loss_at(probe);
      numeric[i] = static_cast<float>((plus - minus) / (2.0 * options.eps));
    }
    auto result = all_close(analytic, numeric, options.rtol, options.atol);
    if (!result) return ::testing::AssertionFailure() << "gradient of input " << k << ": " << result.message();
  }
  return ::testing::AssertionSuccess();
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

// The lab harness: device buffers, inputs, the card's ceilings, timing and the report lines.
#include "bench/lab/lab.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <exception>

#include "base/error.h"
#include "kernels/cuda/runtime.h"
#include "kernels/kernel_types.h"

namespace hito::lab {

template <typename T>
DeviceBuffer<T>::DeviceBuffer(size_t count) : count_(count) {
  data_ = static_cast<T*>(cuda::malloc_or_null(std::max<size_t>(count, 1) * sizeof(T)));
  HITO_CHECK(data_ != nullptr, "lab: cannot allocate ", count * sizeof(T), " bytes on the GPU");
  cuda::zero(data_, count * sizeof(T));
}

template <typename T>
DeviceBuffer<T>::DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) {
  cuda::copy(data_, true, host.data(), false, host.size() * sizeof(T));
}

template <typename T>
DeviceBuffer<T>::~DeviceBuffer() {
  cuda::free(data_);
}

template <typename T>
std::vector<T> DeviceBuffer<T>::download() const {
  std::vector<T> host(count_);
  cuda::copy(host.data(), false, data_, true, count_ * sizeof(T));
  return host;
}

template class DeviceBuffer<float>;
template class DeviceBuffer<int64_t>;
template class DeviceBuffer<uint8_t>;

std::string text(const char* format, ...) {
  char buffer[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

std::vector<float> random_floats(size_t n, float lo, float hi, uint64_t seed) {
  std::vector<float> values(n);
  for (size_t i = 0; i < n; ++i) values[i] = lo + (hi - lo) * uniform_from_counter(seed, i);
  return values;
}

std::vector<int64_t> random_indices(size_t n, int64_t bound, uint64_t seed) {
  std::vector<int64_t> values(n);
  for (size_t i = 0; i < n; ++i) {
    values[i] = std::min<int64_t>(bound - 1, static_cast<int64_t>(uniform_from_counter(seed, i) * bound));
  }
  return values;
}

double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  HITO_CHECK(got.size() == want.size(), "lab: outputs of ", got.size(), " and ", want.size(), " values");
  double scale = 1, worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
    const double difference = std::abs(static_cast<double>(got[i]) - want[i]);
    worst = std::isnan(difference) ? INFINITY : std::max(worst, difference);
  }
  return worst / scale;
}

double product_tolerance() { return cuda::tf32_requested() ? 5e-3 : 1e-4; }

const char* product_precision() { return cuda::tf32_requested() ? "tf32" : "fp32"; }

double mismatch(const std::vector<int64_t>& got, const std::vector<int64_t>& want) { return got == want ? 0 : 1; }

namespace {

// FP32 lanes per multiprocessor: 64 on Volta, Turing and the A100; 128 on later consumer parts,
// Hopper and Blackwell.
int fp32_lanes_per_multiprocessor(int major, int minor) {
  if (major < 8 || (major == 8 && minor == 0)) return 64;
  return 128;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Device-to-device copies of 256 MiB, the best of a few: what any streaming kernel can hope for.
double measured_copy_gb_per_s() {
  const size_t bytes = size_t{256} << 20;
  DeviceBuffer<uint8_t> from(bytes), to(bytes);
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) cuda::copy(to.get(), true, from.get(), true, bytes);
    cuda::synchronize();
    best = std::max(best, 4 * 2.0 * bytes / seconds_since(start) / 1e9);
  }
  return best;
}

Card probe_card() {
  const cuda::DeviceProperties props = cuda::device_properties();
  Card card;
  card.name = props.name;
  card.fp32_tflops = props.multiprocessors * fp32_lanes_per_multiprocessor(props.compute_major, props.compute_minor) *
                     2.0 * props.clock_khz * 1e3 / 1e12;
  card.copy_gb_per_s = measured_copy_gb_per_s();
  return card;
}

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

Lab::Lab(std::string family, bool quick, std::FILE* json, Card card)
    : family_(std::move(family)), quick_(quick), json_(json), card_(std::move(card)) {
  std::printf("lab %s on %s: copy %.0f GB/s (measured), FP32 peak %.1f TFLOP/s%s\n", family_.c_str(),
              card_.name.c_str(), card_.copy_gb_per_s, card_.fp32_tflops, quick_ ? " (quick: checks only)" : "");
}

double Lab::seconds_per_call(const std::function<void()>& launch) const {
  const double budget = quick_ ? 0.0 : 0.2;
  launch();  // warm-up: cuDNN plans, cuBLAS handles, caches
  cuda::synchronize();
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  do {
    launch();
    ++calls;
    if (calls % 8 == 0) cuda::synchronize();
  } while (calls < 3 || (calls % 8 != 0) || seconds_since(start) < budget);
  cuda::synchronize();
  return seconds_since(start) / calls;
}

void Lab::report(const Measurement& m) {
  const bool passed = m.error <= m.tolerance;
  if (!passed) ++failures_;
  const double gb_per_s = m.bytes / m.seconds / 1e9;
  const double tflops = m.flops / m.seconds / 1e12;
  char throughput[96];
  if (m.flops > 0) {
    std::snprintf(throughput, sizeof throughput, "%7.2f TFLOP/s (%4.0f%% of FP32 peak)", tflops,
                  100 * tflops / card_.fp32_tflops);
  } else {
    std::snprintf(throughput, sizeof throughput, "%7.0f GB/s (%4.0f%% of copy)", gb_per_s,
                  100 * gb_per_s / card_.copy_gb_per_s);
  }
  std::printf("  %-34s %-28s %9.1f us  %s  error %.1e (<= %.0e) %s\n", m.kernel.c_str(), m.shape.c_str(),
              m.seconds * 1e6, throughput, m.error, m.tolerance, passed ? "ok" : "FAILED");
  if (json_) {
    std::fprintf(json_,
                 "{\"lab\": %s, \"kernel\": %s, \"shape\": %s, \"card\": %s, \"us_per_call\": %.3f, "
                 "\"gb_per_s\": %.2f, \"tflops\": %.4f, \"copy_gb_per_s\": %.1f, \"fp32_peak_tflops\": %.2f, "
                 "\"error\": %.3e, \"tolerance\": %.1e, \"passed\": %s}\n",
                 json_string(family_).c_str(), json_string(m.kernel).c_str(), json_string(m.shape).c_str(),
                 json_string(card_.name).c_str(), m.seconds * 1e6, gb_per_s, tflops, card_.copy_gb_per_s,
                 card_.fp32_tflops, m.error, m.tolerance, passed ? "true" : "false");
    std::fflush(json_);
  }
  std::fflush(stdout);
}

int run(const char* family, int argc, char** argv, const std::function<void(Lab&)>& cases) {
  bool quick = false;
  const char* json_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--json FILE]\n", argv[0]);
      return 1;
    }
  }
  if (cuda::device_count() == 0) {
    std::printf("lab %s skipped: no CUDA device (%s)\n", family, cuda::device_error().c_str());
    return 2;
  }
  std::FILE* json = nullptr;
  if (json_path && !(json = std::fopen(json_path, "a"))) {
    std::fprintf(stderr, "lab %s: cannot open %s for appending: %s\n", family, json_path, std::strerror(errno));
    return 1;
  }
  int status = 1;
  try {
    Lab lab(family, quick, json, probe_card());
    cases(lab);
    status = lab.exit_status();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lab %s failed: %s\n", family, e.what());
  }
  if (json) std::fclose(json);
  return status;
}

}  // namespace hito::lab

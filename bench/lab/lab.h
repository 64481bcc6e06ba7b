// The harness of the kernel lab (bench/lab/lab_<family>.cpp, one program per CUDA kernel family, in
// the spirit of llm.c's dev/cuda): each program runs its family's CUDA kernels on shapes taken from
// the study's models, compares every output with the CPU kernel of the same contract
// (kernels/api/*.inc), times the CUDA kernel, and prints its throughput against the card's ceiling:
// GB/s against the measured device-to-device copy bandwidth for memory-bound kernels, TFLOP/s
// against the FP32 (SIMT) peak for products and convolutions.
//
// Usage: lab_<family> [--quick] [--json FILE]
//   --quick      small shapes and few repetitions: the check alone (ctest's Lab.* entries)
//   --json FILE  also append one JSON line per case to FILE (bench/device_check.sh collects them)
// Exit status: 0 every check passed; 1 a check failed or a kernel threw; 2 no CUDA device here.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace hito::lab {

// A device buffer of `count` elements of T, uploaded from the host or zeroed, freed on scope exit.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(const std::vector<T>& host);
  explicit DeviceBuffer(size_t count);
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer();

  T* get() { return data_; }
  size_t count() const { return count_; }
  std::vector<T> download() const;

 private:
  T* data_ = nullptr;
  size_t count_ = 0;
};

// printf into a std::string (the labels of the report lines).
std::string text(const char* format, ...) __attribute__((format(printf, 1, 2)));

// n values drawn uniformly from [lo, hi), the same for a given seed.
std::vector<float> random_floats(size_t n, float lo, float hi, uint64_t seed);
// n integers drawn uniformly from [0, bound).
std::vector<int64_t> random_indices(size_t n, int64_t bound, uint64_t seed);

// The card's ceilings, measured or computed once per program.
struct Card {
  std::string name;
  double copy_gb_per_s = 0;  // cudaMemcpy device-to-device, bytes read + written per second
  double fp32_tflops = 0;    // multiprocessors x FP32 lanes x 2 (an FMA) x boost clock
};

// What one case measured; bytes and flops are those the kernel must move and compute at least.
struct Measurement {
  std::string kernel;  // "unary_forward relu"
  std::string shape;   // "n=33554432"
  double seconds = 0;  // per call
  double bytes = 0;
  double flops = 0;  // 0 for memory-bound kernels: judged by bytes
  double error = 0;  // max |cuda - cpu| / max(1, max |cpu|), over every output
  double tolerance = 0;
};

// max |got - want| / max(1, max |want|): the error of an output relative to its magnitude.
double relative_error(const std::vector<float>& got, const std::vector<float>& want);
// The tolerance of products and convolutions, whose sums run over thousands of terms: 1e-4 in FP32;
// 5e-3 when HITO_CUDA_TF32=1 lets cuBLAS and cuDNN round the inputs to TF32 (a 10-bit mantissa).
double product_tolerance();
// "fp32" or "tf32": the precision the products of this run use (for the report lines).
const char* product_precision();
// 0 when the two integer outputs are equal, 1 otherwise.
double mismatch(const std::vector<int64_t>& got, const std::vector<int64_t>& want);

class Lab {
 public:
  Lab(std::string family, bool quick, std::FILE* json, Card card);

  bool quick() const { return quick_; }
  // `full` in a normal run, `small` under --quick.
  int64_t size(int64_t full, int64_t small) const { return quick_ ? small : full; }
  // Seconds per call of `launch` (already run once, for the check): warm-up, then repetitions until
  // about 0.2 s have passed (a handful under --quick), closed by a device synchronisation.
  double seconds_per_call(const std::function<void()>& launch) const;
  // Prints the case's line (and its JSON line) and remembers a failed check.
  void report(const Measurement& m);
  int exit_status() const { return failures_ == 0 ? 0 : 1; }

 private:
  std::string family_;
  bool quick_;
  std::FILE* json_;
  Card card_;
  int failures_ = 0;
};

// The whole program: parses the flags, probes the card (exit 2 without one), runs `cases` and
// returns the exit status; a thrown error is printed and fails the program.
int run(const char* family, int argc, char** argv, const std::function<void(Lab&)>& cases);

}  // namespace hito::lab

// Device runtime: forwards to the CUDA back end when it is compiled in, otherwise explains why not.
#include "kernels/runtime.h"

#include <omp.h>

#include <cstring>

#include "base/error.h"
#include "kernels/cpu/kernels.h"
#ifdef HITO_WITH_CUDA
#include "kernels/cuda/runtime.h"
#endif

namespace hito {

#ifdef HITO_WITH_CUDA
bool cuda_available() {
  static const bool available = cuda::device_count() > 0;
  return available;
}
std::string cuda_unavailable_reason() {
  return cuda_available() ? "" : "no CUDA device is present (" + cuda::device_error() + ")";
}
void* device_malloc(size_t bytes) { return cuda::malloc_or_null(bytes); }
void device_free(void* ptr) { cuda::free(ptr); }
#else
bool cuda_available() { return false; }
std::string cuda_unavailable_reason() { return "hito was built without CUDA"; }
void* device_malloc(size_t) { HITO_FAIL(cuda_unavailable_reason()); }
void device_free(void*) {}
#endif

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes) {
  if (bytes == 0) return;
  if (dst_device == Device::CPU && src_device == Device::CPU) {
    std::memcpy(dst, src, bytes);
    return;
  }
#ifdef HITO_WITH_CUDA
  cuda::copy(dst, dst_device == Device::CUDA, src, src_device == Device::CUDA, bytes);
#else
  HITO_FAIL(cuda_unavailable_reason());
#endif
}

void zero_bytes(void* ptr, Device device, size_t bytes) {
  if (bytes == 0) return;
  if (device == Device::CPU) {
    std::memset(ptr, 0, bytes);
    return;
  }
#ifdef HITO_WITH_CUDA
  cuda::zero(ptr, bytes);
#else
  HITO_FAIL(cuda_unavailable_reason());
#endif
}

void synchronize(Device device) {
#ifdef HITO_WITH_CUDA
  if (device == Device::CUDA) cuda::synchronize();
#endif
}

void set_num_threads(int threads) {
  HITO_CHECK(threads >= 1, "number of threads must be >= 1, got ", threads);
  omp_set_num_threads(threads);
  cpu::set_blas_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace hito

// CUDA runtime wrappers: all work runs on the legacy default stream, so the order of kernels,
// copies and frees is the program order and the caching allocator can reuse blocks at once.
#include "kernels/cuda/runtime.h"

#include <cstdlib>
#include <cstring>

#include "kernels/cuda/check.h"

namespace hito::cuda {

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error so that later checks start clean
    return 0;
  }
  return count;
}

std::string device_error() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  cudaGetLastError();
  return status == cudaSuccess ? (count ? "ok" : "0 devices") : cudaGetErrorString(status);
}

std::string device_name() {
  cudaDeviceProp prop;
  HITO_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  return prop.name;
}

int multiprocessor_count() {
  static const int count = [] {
    int value = 0;
    HITO_CUDA_CHECK(cudaDeviceGetAttribute(&value, cudaDevAttrMultiProcessorCount, 0));
    return value;
  }();
  return count;
}

DeviceProperties device_properties() {
  DeviceProperties props;
  props.name = device_name();
  auto attribute = [](cudaDeviceAttr which) {
    int value = 0;
    HITO_CUDA_CHECK(cudaDeviceGetAttribute(&value, which, 0));
    return value;
  };
  props.compute_major = attribute(cudaDevAttrComputeCapabilityMajor);
  props.compute_minor = attribute(cudaDevAttrComputeCapabilityMinor);
  props.multiprocessors = attribute(cudaDevAttrMultiProcessorCount);
  props.clock_khz = attribute(cudaDevAttrClockRate);
  props.memory_clock_khz = attribute(cudaDevAttrMemoryClockRate);
  props.memory_bus_bits = attribute(cudaDevAttrGlobalMemoryBusWidth);
  return props;
}

bool tf32_requested() {
  static const bool requested = [] {
    const char* value = std::getenv("HITO_CUDA_TF32");
    return value && std::strcmp(value, "1") == 0;
  }();
  return requested;
}

void* malloc_or_null(size_t bytes) {
  void* ptr = nullptr;
  if (cudaMalloc(&ptr, bytes) != cudaSuccess) {
    cudaGetLastError();
    return nullptr;
  }
  return ptr;
}

void free(void* ptr) {
  cudaError_t status = cudaFree(ptr);
  // At process exit the caching allocator may hand its blocks back after the CUDA runtime has begun
  // to unload; the driver reclaims that memory with the context, so this is not an error.
  if (status == cudaErrorCudartUnloading) {
    cudaGetLastError();
    return;
  }
  HITO_CUDA_CHECK(status);
}

void copy(void* dst, bool dst_on_device, const void* src, bool src_on_device, size_t bytes) {
  cudaMemcpyKind kind = dst_on_device ? (src_on_device ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                                      : cudaMemcpyDeviceToHost;
  HITO_CUDA_CHECK(cudaMemcpy(dst, src, bytes, kind));
}

void zero(void* ptr, size_t bytes) { HITO_CUDA_CHECK(cudaMemsetAsync(ptr, 0, bytes, 0)); }

void synchronize() { HITO_CUDA_CHECK(cudaDeviceSynchronize()); }

}  // namespace hito::cuda

// The device runtime as the engine sees it: is CUDA here, raw device memory, copies between devices.
// In a CPU-only build every CUDA entry point exists and fails with a clear message.
#pragma once

#include <cstddef>
#include <string>

#include "base/types.h"

namespace hito {

// True when hito was built with CUDA and at least one GPU answers.
bool cuda_available();
// Why cuda_available() is false ("hito was built without CUDA", "no CUDA device: ...").
std::string cuda_unavailable_reason();

// Raw device memory for the caching allocator; nullptr when out of memory.
void* device_malloc(size_t bytes);
void device_free(void* ptr);

// Copies bytes between any two devices (memcpy, or cudaMemcpy in the right direction).
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t bytes);
// Sets bytes to zero on the given device.
void zero_bytes(void* ptr, Device device, size_t bytes);
// Waits for all queued work on the device (a no-op on the CPU).
void synchronize(Device device);

// Threads used by CPU kernels (OpenMP loops and OpenBLAS products). Default: all cores.
void set_num_threads(int threads);
int num_threads();

}  // namespace hito

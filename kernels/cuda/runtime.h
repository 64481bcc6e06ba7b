// CUDA runtime wrappers used by the engine: device discovery, memory, copies, synchronization.
// Every CUDA call is checked; a failure throws hito::Error naming the call.
#pragma once

#include <cstddef>
#include <string>

namespace hito::cuda {

int device_count();               // 0 when no device (or no driver) is present
std::string device_error();       // the runtime's reason when device_count() is 0
std::string device_name();        // "NVIDIA H100 80GB HBM3"
int multiprocessor_count();       // of device 0, read once (sizes the grids of reductions)
void* malloc_or_null(size_t bytes);
void free(void* ptr);
void copy(void* dst, bool dst_on_device, const void* src, bool src_on_device, size_t bytes);
void zero(void* ptr, size_t bytes);
void synchronize();

}  // namespace hito::cuda

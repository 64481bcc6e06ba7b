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

// Device 0's size and clocks, from which the lab programs (bench/lab) compute the card's ceilings.
struct DeviceProperties {
  std::string name;
  int compute_major = 0, compute_minor = 0;
  int multiprocessors = 0;
  int clock_khz = 0;         // the SM boost clock
  int memory_clock_khz = 0;  // the memory clock (HBM transfers twice per cycle)
  int memory_bus_bits = 0;
};
DeviceProperties device_properties();

// True when the environment sets HITO_CUDA_TF32=1 (read once): cuBLAS and cuDNN may then round FP32
// inputs to TF32 on the tensor cores; otherwise products and convolutions run in full FP32.
bool tf32_requested();

void* malloc_or_null(size_t bytes);
void free(void* ptr);
void copy(void* dst, bool dst_on_device, const void* src, bool src_on_device, size_t bytes);
void zero(void* ptr, size_t bytes);
void synchronize();

}  // namespace hito::cuda

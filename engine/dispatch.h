// HITO_DISPATCH(device, kernel, args...): calls hito::cuda::kernel(args...) for CUDA tensors and
// hito::cpu::kernel(args...) otherwise. In a CPU-only build a CUDA call fails with a clear message.
#pragma once

#include "base/types.h"
#include "kernels/cpu/kernels.h"
#ifdef HITO_WITH_CUDA
#include "kernels/cuda/kernels.h"
#endif

namespace hito::detail {
[[noreturn]] void no_cuda_kernel(const char* kernel);
}

#ifdef HITO_WITH_CUDA
#define HITO_DISPATCH(device, kernel, ...) \
  ((device) == ::hito::Device::CUDA ? ::hito::cuda::kernel(__VA_ARGS__) : ::hito::cpu::kernel(__VA_ARGS__))
#else
#define HITO_DISPATCH(device, kernel, ...)                                          \
  ((device) == ::hito::Device::CUDA ? ::hito::detail::no_cuda_kernel(#kernel) \
                                    : ::hito::cpu::kernel(__VA_ARGS__))
#endif

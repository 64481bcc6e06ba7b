// cuBLAS, opened on first use. Linking libcublas would load it (and libcublasLt, about 500 MB) into
// every hito process at start-up, costing some 200 MB of resident memory even in runs that never
// touch the GPU. So the library is dlopen()ed by the first matrix product on the GPU, and this header
// gives the few entry points hito calls, plus the one handle they share.
#pragma once

#include <cublas_v2.h>

#include "base/error.h"

namespace hito::cuda::cublas {

struct Api {
  decltype(&cublasSgemm) sgemm;
  decltype(&cublasSgemmStridedBatched) sgemm_strided_batched;
  decltype(&cublasGetStatusName) status_name;
  decltype(&cublasGetStatusString) status_string;
  // Made once, on the legacy default stream (a new handle's stream), like every other kernel.
  // FP32 math (CUBLAS_DEFAULT_MATH never rounds FP32 inputs to TF32) unless the environment sets
  // HITO_CUDA_TF32=1, which opts in to TF32 tensor-core math (CUBLAS_TF32_TENSOR_OP_MATH): several
  // times faster on Ampere and Hopper, with a 10-bit mantissa on the inputs (relative error near
  // 1e-3 instead of 1e-6).
  cublasHandle_t handle;
};

// Loads libcublas.so.<major of the headers> and makes the handle on the first call (thread-safe);
// throws hito::Error naming the library and the loader's reason when it cannot be opened.
const Api& api();

// "CUBLAS_STATUS_...: description" for a failed call.
std::string describe(cublasStatus_t status);

}  // namespace hito::cuda::cublas

// Fails with the cuBLAS call, the status's name and its description.
#define HITO_CUBLAS_CHECK(call)                                                                   \
  do {                                                                                            \
    cublasStatus_t hito_status_ = (call);                                                         \
    if (hito_status_ != CUBLAS_STATUS_SUCCESS)                                                    \
      HITO_FAIL(#call, " failed: ", ::hito::cuda::cublas::describe(hito_status_));                \
  } while (0)

// Opening cuBLAS on first use (see cublas.h): dlopen, the entry points by name, the shared handle.
#include "kernels/cuda/cublas.h"

#include <dlfcn.h>

#include <string>

#include "kernels/cuda/runtime.h"

namespace hito::cuda::cublas {

namespace {

const std::string kLibrary = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);

// The entry point `name` of the opened library, typed as `Fn`.
template <class Fn>
Fn entry(void* library, const char* name) {
  void* symbol = dlsym(library, name);
  HITO_CHECK(symbol, kLibrary, " has no ", name, ": ", dlerror());
  return reinterpret_cast<Fn>(symbol);
}

Api open() {
  // Never closed: the handle lives as long as the process, and the driver releases it at exit
  // (destroying it from a static destructor could run after the CUDA runtime has unloaded).
  void* library = dlopen(kLibrary.c_str(), RTLD_NOW | RTLD_LOCAL);
  HITO_CHECK(library, "cannot open ", kLibrary, " (cuBLAS ", CUBLAS_VER_MAJOR,
             ", needed for matrix products on the GPU; put its folder on LD_LIBRARY_PATH): ", dlerror());
  Api api{};
  // cublas_v2.h maps cublasCreate and cublasSgemm to their _v2 symbols.
  auto create = entry<decltype(&cublasCreate)>(library, "cublasCreate_v2");
  auto set_math_mode = entry<decltype(&cublasSetMathMode)>(library, "cublasSetMathMode");
  api.sgemm = entry<decltype(&cublasSgemm)>(library, "cublasSgemm_v2");
  api.sgemm_strided_batched = entry<decltype(&cublasSgemmStridedBatched)>(library, "cublasSgemmStridedBatched");
  api.status_name = entry<decltype(&cublasGetStatusName)>(library, "cublasGetStatusName");
  api.status_string = entry<decltype(&cublasGetStatusString)>(library, "cublasGetStatusString");
  cublasStatus_t status = create(&api.handle);
  HITO_CHECK(status == CUBLAS_STATUS_SUCCESS, "cublasCreate failed: ", api.status_name(status), " (",
             api.status_string(status), ")");
  status = set_math_mode(api.handle, tf32_requested() ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
  HITO_CHECK(status == CUBLAS_STATUS_SUCCESS, "cublasSetMathMode failed: ", api.status_name(status), " (",
             api.status_string(status), ")");
  return api;
}

}  // namespace

const Api& api() {
  static const Api opened = open();
  return opened;
}

std::string describe(cublasStatus_t status) {
  const Api& cublas = api();
  return std::string(cublas.status_name(status)) + ": " + cublas.status_string(status);
}

}  // namespace hito::cuda::cublas

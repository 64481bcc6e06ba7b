// `hito --version` (see version.h). HITO_VERSION and HITO_COMMIT come from CMake (CMakeLists.txt).
#include "apps/cli/version.h"

#include "base/error.h"
#include "kernels/cpu/kernels.h"

#ifdef HITO_WITH_CUDA
#include <cuda_runtime_api.h>
#include <cudnn.h>
#endif

#ifndef HITO_VERSION
#define HITO_VERSION "unknown"
#endif
#ifndef HITO_COMMIT
#define HITO_COMMIT "unknown"
#endif

namespace hito::app {

namespace {
// The ISA level the CPU kernels run at (kernels/cpu/isa.h) and the product back end.
std::string cpu_path() {
  const std::string supported = std::string("this CPU supports up to ") + cpu::isa_name(cpu::supported_isa());
  try {
    return std::string(cpu::isa_name(cpu::active_isa())) + " (" + supported + "), products " +
           cpu::gemm_backend_name();
  } catch (const Error& e) {
    return std::string("refused (") + supported + "): " + e.what();
  }
}

std::string cuda_text() {
#ifdef HITO_WITH_CUDA
  const int cuda = CUDART_VERSION;
  return "CUDA " + std::to_string(cuda / 1000) + "." + std::to_string(cuda % 1000 / 10) + ", cuDNN " +
         std::to_string(CUDNN_MAJOR) + "." + std::to_string(CUDNN_MINOR) + "." + std::to_string(CUDNN_PATCHLEVEL);
#else
  return "CUDA not built in";
#endif
}
}  // namespace

std::string version_text() {
  return std::string("hito ") + HITO_VERSION + "\ncommit " + HITO_COMMIT + " (when the build was configured)\ncompiler " +
         __VERSION__ + "\nCPU code " + cpu_path() + "\n" + cuda_text();
}

}  // namespace hito::app

// Control of the CPU's matrix-product back end (see gemm.cpp), kept apart so that only gemm.cpp
// sees cblas.h.
#pragma once

namespace hito::cpu {
void set_blas_threads(int threads);
// "eigen" or "openblas": the back end gemm() uses (HITO_GEMM overrides the default).
const char* gemm_backend_name();
}  // namespace hito::cpu

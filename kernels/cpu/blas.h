// The CPU's BLAS (OpenBLAS): thread count control, kept apart so that only this file and gemm.cpp
// see cblas.h.
#pragma once

namespace hito::cpu {
void set_blas_threads(int threads);
}

// The CPU back end's kernels: the declarations of kernels/api/*.inc inside namespace hito::cpu.
#pragma once

#include <cstdint>

#include "kernels/conv_types.h"
#include "kernels/kernel_types.h"

namespace hito::cpu {
#include "kernels/api/conv.inc"
#include "kernels/api/elementwise.inc"
#include "kernels/api/gemm.inc"
#include "kernels/api/layout.inc"
#include "kernels/api/norm.inc"
#include "kernels/api/optim.inc"
#include "kernels/api/pool.inc"
#include "kernels/api/reduce.inc"
#include "kernels/api/softmax.inc"
}  // namespace hito::cpu

// The declarations of the CPU back end's three ISA variants: the same kernels/cpu/*.cpp compiled for
// x86-64-v2 (hito::cpu::scalar), x86-64-v3 (hito::cpu::avx2) and x86-64-v4 (hito::cpu::avx512) by
// cmake/cpu_variants.cmake. A variant's sources define their functions inside
// `namespace hito::cpu::HITO_CPU_ISA`, the macro naming the variant being compiled; everything above
// kernels/cpu calls them through kernels.h, which picks the variant.
#pragma once

#include <cstdint>

#include "kernels/conv_types.h"
#include "kernels/kernel_types.h"

namespace hito::cpu {
namespace scalar {
#include "kernels/cpu/declarations.inc"
}  // namespace scalar
namespace avx2 {
#include "kernels/cpu/declarations.inc"
}  // namespace avx2
namespace avx512 {
#include "kernels/cpu/declarations.inc"
}  // namespace avx512
}  // namespace hito::cpu

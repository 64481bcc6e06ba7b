// The CPU back end as the rest of hito calls it: hito::cpu::<kernel>(args...) for every kernel of
// kernels/api/*.inc (and the few of declarations.inc), each a call object that runs the kernel of the
// ISA variant active_isa() chose (isa.h, variant.h). One switch per call, on a value decided once.
#pragma once

#include "kernels/cpu/isa.h"
#include "kernels/cpu/variant.h"

// `scope` is empty or a nested namespace with its `::` (conv_detail::).
#define HITO_CPU_KERNEL(scope, name)                                                  \
  inline constexpr auto name = [](auto&&... args) {                                   \
    switch (::hito::cpu::active_isa()) {                                              \
      case ::hito::cpu::Isa::avx512: return ::hito::cpu::avx512::scope name(args...); \
      case ::hito::cpu::Isa::avx2: return ::hito::cpu::avx2::scope name(args...);     \
      case ::hito::cpu::Isa::scalar: break;                                           \
    }                                                                                 \
    return ::hito::cpu::scalar::scope name(args...);                                  \
  };

namespace hito::cpu {
// conv.inc
HITO_CPU_KERNEL(, conv2d_forward)
HITO_CPU_KERNEL(, conv2d_backward_data)
HITO_CPU_KERNEL(, conv2d_backward_weight)
// elementwise.inc
HITO_CPU_KERNEL(, unary_forward)
HITO_CPU_KERNEL(, unary_backward)
HITO_CPU_KERNEL(, binary_forward)
HITO_CPU_KERNEL(, reduce_broadcast)
HITO_CPU_KERNEL(, affine)
HITO_CPU_KERNEL(, axpy)
HITO_CPU_KERNEL(, fill)
HITO_CPU_KERNEL(, cast_i64_to_f32)
HITO_CPU_KERNEL(, cast_u8_to_f32)
// gemm.inc and the product back end
HITO_CPU_KERNEL(, gemm)
HITO_CPU_KERNEL(, gemm_batched)
HITO_CPU_KERNEL(, set_blas_threads)
HITO_CPU_KERNEL(, gemm_backend_name)
// layout.inc
HITO_CPU_KERNEL(, copy_slab)
HITO_CPU_KERNEL(, embedding_forward)
HITO_CPU_KERNEL(, embedding_backward)
HITO_CPU_KERNEL(, dropout_forward)
HITO_CPU_KERNEL(, dropout_backward)
// norm.inc
HITO_CPU_KERNEL(, batch_norm_forward_train)
HITO_CPU_KERNEL(, batch_norm_forward_eval)
HITO_CPU_KERNEL(, batch_norm_backward)
HITO_CPU_KERNEL(, layer_norm_forward)
HITO_CPU_KERNEL(, layer_norm_backward)
// optim.inc
HITO_CPU_KERNEL(, sgd_step)
HITO_CPU_KERNEL(, adam_step)
// pool.inc
HITO_CPU_KERNEL(, max_pool2d_forward)
HITO_CPU_KERNEL(, max_pool2d_backward)
HITO_CPU_KERNEL(, avg_pool2d_forward)
HITO_CPU_KERNEL(, avg_pool2d_backward)
HITO_CPU_KERNEL(, adaptive_avg_pool2d_forward)
HITO_CPU_KERNEL(, adaptive_avg_pool2d_backward)
// reduce.inc
HITO_CPU_KERNEL(, sum_dim)
HITO_CPU_KERNEL(, sum_dim_backward)
HITO_CPU_KERNEL(, max_dim)
HITO_CPU_KERNEL(, max_dim_backward)
HITO_CPU_KERNEL(, sum_squares)
// softmax.inc
HITO_CPU_KERNEL(, softmax_forward)
HITO_CPU_KERNEL(, softmax_backward)
HITO_CPU_KERNEL(, cross_entropy_forward)
HITO_CPU_KERNEL(, cross_entropy_backward)

namespace conv_detail {
HITO_CPU_KERNEL(conv_detail::, conv_gemm)
}  // namespace conv_detail
}  // namespace hito::cpu

#undef HITO_CPU_KERNEL

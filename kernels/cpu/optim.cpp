// Fused optimizer updates on the CPU: one pass over each parameter (formulas in optim.inc).
#include <cmath>

#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

void sgd_step(float* param, float* velocity, const float* grad, float lr, float momentum, float dampening,
              float weight_decay, bool nesterov, bool first_step, int64_t n) {
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float g = grad[i] + weight_decay * param[i];
      if (momentum != 0.0f) {
        velocity[i] = first_step ? g : momentum * velocity[i] + (1.0f - dampening) * g;
        g = nesterov ? g + momentum * velocity[i] : velocity[i];
      }
      param[i] -= lr * g;
    }
  });
}

namespace {
// One slice of the Adam update. The arrays never overlap (restrict), and this file is compiled
// without errno for sqrt (CMakeLists.txt), so that the loop becomes vector instructions.
void adam_range(float* __restrict param, float* __restrict m, float* __restrict v, const float* __restrict grad,
                float step_size, float inv_sqrt_c2, float decay, float l2, float beta1, float beta2, float eps,
                int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i] + l2 * param[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * g;
    v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
    param[i] = param[i] * decay - step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_c2 + eps);
  }
}
}  // namespace

void adam_step(float* param, float* m, float* v, const float* grad, float lr, float beta1, float beta2, float eps,
               float weight_decay, bool decoupled, int64_t step, int64_t n) {
  float correction1 = 1.0f - std::pow(beta1, static_cast<float>(step));
  float correction2 = 1.0f - std::pow(beta2, static_cast<float>(step));
  float step_size = lr / correction1, inv_sqrt_c2 = 1.0f / std::sqrt(correction2);
  float decay = decoupled ? 1.0f - lr * weight_decay : 1.0f, l2 = decoupled ? 0.0f : weight_decay;
  parallel_for(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    adam_range(param + begin, m + begin, v + begin, grad + begin, step_size, inv_sqrt_c2, decay, l2, beta1, beta2, eps,
               end - begin);
  });
}

}  // namespace hito::cpu::HITO_CPU_ISA

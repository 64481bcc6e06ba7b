// Fused optimizer updates on CUDA (contract and formulas in kernels/api/optim.inc): one kernel per
// parameter tensor reads the gradient and state once and writes the parameter and state once, with
// the arithmetic of kernels/cpu/optim.cpp.
#include <cmath>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"

namespace hito::cuda {

namespace {

// param, grad: (n); velocity: (n), or null when momentum == 0.
__global__ void sgd_step_kernel(float* param, float* velocity, const float* grad, float lr, float momentum,
                                float dampening, float weight_decay, bool nesterov, bool first_step, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    float g = grad[i] + weight_decay * param[i];
    if (momentum != 0.0f) {
      float v = first_step ? g : momentum * velocity[i] + (1.0f - dampening) * g;
      velocity[i] = v;
      g = nesterov ? g + momentum * v : v;
    }
    param[i] -= lr * g;
  }
}

// param, m, v, grad: (n). step_size = lr / (1 - beta1^t), inv_sqrt_c2 = 1 / sqrt(1 - beta2^t);
// decay = 1 - lr * wd for AdamW (else 1), l2 = wd for Adam (else 0).
__global__ void adam_step_kernel(float* param, float* m, float* v, const float* grad, float beta1, float beta2,
                                 float eps, float step_size, float inv_sqrt_c2, float decay, float l2, int64_t n) {
  for (int64_t i = global_index(); i < n; i += grid_stride()) {
    float p = param[i];
    float g = grad[i] + l2 * p;
    float m_new = beta1 * m[i] + (1.0f - beta1) * g;
    float v_new = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = m_new;
    v[i] = v_new;
    param[i] = p * decay - step_size * m_new / (sqrtf(v_new) * inv_sqrt_c2 + eps);
  }
}

}  // namespace

void sgd_step(float* param, float* velocity, const float* grad, float lr, float momentum, float dampening,
              float weight_decay, bool nesterov, bool first_step, int64_t n) {
  if (n == 0) return;
  sgd_step_kernel<<<grid_for(n), kBlock>>>(param, velocity, grad, lr, momentum, dampening, weight_decay, nesterov,
                                           first_step, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void adam_step(float* param, float* m, float* v, const float* grad, float lr, float beta1, float beta2, float eps,
               float weight_decay, bool decoupled, int64_t step, int64_t n) {
  if (n == 0) return;
  // The bias corrections are computed once, on the host, exactly as the CPU kernel does.
  float correction1 = 1.0f - std::pow(beta1, static_cast<float>(step));
  float correction2 = 1.0f - std::pow(beta2, static_cast<float>(step));
  float step_size = lr / correction1, inv_sqrt_c2 = 1.0f / std::sqrt(correction2);
  float decay = decoupled ? 1.0f - lr * weight_decay : 1.0f, l2 = decoupled ? 0.0f : weight_decay;
  adam_step_kernel<<<grid_for(n), kBlock>>>(param, m, v, grad, beta1, beta2, eps, step_size, inv_sqrt_c2, decay, l2,
                                            n);
  HITO_CUDA_CHECK_LAUNCH();
}

}  // namespace hito::cuda

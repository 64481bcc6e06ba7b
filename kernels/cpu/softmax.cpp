// Softmax, log-softmax and fused softmax cross-entropy on the CPU.
#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

void softmax_forward(float* out, const float* x, int64_t outer, int64_t d, int64_t inner, bool log) {
  if (d == 0) return;  // rows of no elements: nothing to write, and no first element to read
  parallel_for(outer * inner, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(d, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t base = (r / inner) * d * inner + r % inner;
      const float* xs = x + base;
      float* ys = out + base;
      float peak = xs[0];
      for (int64_t j = 1; j < d; ++j) peak = std::max(peak, xs[j * inner]);
      float total = 0.0f;
      for (int64_t j = 0; j < d; ++j) total += std::exp(xs[j * inner] - peak);
      if (log) {
        float log_total = std::log(total) + peak;
        for (int64_t j = 0; j < d; ++j) ys[j * inner] = xs[j * inner] - log_total;
      } else {
        float inv = 1.0f / total;
        for (int64_t j = 0; j < d; ++j) ys[j * inner] = std::exp(xs[j * inner] - peak) * inv;
      }
    }
  });
}

void softmax_backward(float* dx, const float* dout, const float* out, int64_t outer, int64_t d, int64_t inner,
                      bool log) {
  parallel_for(outer * inner, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(d, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t base = (r / inner) * d * inner + r % inner;
      const float *g = dout + base, *y = out + base;
      float* dxs = dx + base;
      float dot = 0.0f;
      for (int64_t j = 0; j < d; ++j) dot += log ? g[j * inner] : g[j * inner] * y[j * inner];
      for (int64_t j = 0; j < d; ++j)
        dxs[j * inner] = log ? g[j * inner] - std::exp(y[j * inner]) * dot : y[j * inner] * (g[j * inner] - dot);
    }
  });
}

namespace {
float weight_of(const float* class_weight, int64_t k) { return class_weight ? class_weight[k] : 1.0f; }

void check_target(int64_t y, int64_t i, int64_t K) {
  HITO_CHECK(y >= 0 && y < K, "cross_entropy: target ", y, " of row ", i, " is not a class in [0, ", K, ")");
}
}  // namespace

void cross_entropy_forward(float* loss, float* probs, const float* logits, const int64_t* target,
                           const float* class_weight, float smoothing, int64_t N, int64_t K) {
  double total = 0.0, weight_total = 0.0;
  for (int64_t i = 0; i < N; ++i) {
    int64_t y = target[i];
    check_target(y, i, K);
    const float* z = logits + i * K;
    float* p = probs + i * K;
    float peak = *std::max_element(z, z + K);
    float denom = 0.0f;
    for (int64_t k = 0; k < K; ++k) denom += std::exp(z[k] - peak);
    float log_denom = std::log(denom) + peak;  // -log p[k] = log_denom - z[k]
    float smooth = 0.0f;
    for (int64_t k = 0; k < K; ++k) {
      p[k] = std::exp(z[k] - log_denom);
      smooth += weight_of(class_weight, k) * (log_denom - z[k]);
    }
    float wy = weight_of(class_weight, y);
    total += (1.0f - smoothing) * wy * (log_denom - z[y]) + smoothing / K * smooth;
    weight_total += wy;
  }
  *loss = static_cast<float>(total / weight_total);
}

void cross_entropy_backward(float* dlogits, const float* dloss, const float* probs, const int64_t* target,
                            const float* class_weight, float smoothing, int64_t N, int64_t K) {
  double weight_total = 0.0;
  float weight_sum = 0.0f;
  for (int64_t i = 0; i < N; ++i) weight_total += weight_of(class_weight, target[i]);
  for (int64_t k = 0; k < K; ++k) weight_sum += weight_of(class_weight, k);
  float scale = static_cast<float>(*dloss / weight_total);
  for (int64_t i = 0; i < N; ++i) {
    int64_t y = target[i];
    const float* p = probs + i * K;
    float* d = dlogits + i * K;
    float hard = (1.0f - smoothing) * weight_of(class_weight, y);
    for (int64_t j = 0; j < K; ++j)
      d[j] = scale * (hard * (p[j] - (j == y ? 1.0f : 0.0f)) +
                      smoothing / K * (weight_sum * p[j] - weight_of(class_weight, j)));
  }
}

}  // namespace hito::cpu::HITO_CPU_ISA

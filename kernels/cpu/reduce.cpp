// Reductions along one dimension on the CPU, over the (outer, d, inner) view of reduce.inc.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

void sum_dim(float* out, const float* x, int64_t outer, int64_t d, int64_t inner) {
  if (inner == 1) {  // contiguous runs: one sum per output, double accumulator for long runs
    parallel_for(outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(d, 1)), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const float* run = x + o * d;
        double total = 0.0;
        for (int64_t j = 0; j < d; ++j) total += run[j];
        out[o] = static_cast<float>(total);
      }
    });
    return;
  }
  // Rows of `inner` values added up in double, like the contiguous case: d can be a whole batch.
  parallel_for(outer, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(d * inner, 1)), [&](int64_t b, int64_t e) {
    std::vector<double> acc(inner);
    for (int64_t o = b; o < e; ++o) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t j = 0; j < d; ++j) {
        const float* row = x + (o * d + j) * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
      }
      for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<float>(acc[i]);
    }
  });
}

void sum_dim_backward(float* dx, const float* g, float scale, int64_t outer, int64_t d, int64_t inner) {
  parallel_for(outer * d, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(inner, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* src = g + (r / d) * inner;
      float* dst = dx + r * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] = scale * src[i];
    }
  });
}

void max_dim(float* values, int64_t* indices, const float* x, int64_t outer, int64_t d, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float* col = x + o * d * inner + i;
      // A NaN counts as the largest value, and the first one wins (PyTorch's rule): a diverged
      // value must not be hidden by a max.
      int64_t best = 0;
      for (int64_t j = 1; j < d && !std::isnan(col[best * inner]); ++j)
        if (col[j * inner] > col[best * inner] || std::isnan(col[j * inner])) best = j;
      values[o * inner + i] = col[best * inner];
      indices[o * inner + i] = best;
    }
}

void max_dim_backward(float* dx, const float* g, const int64_t* indices, int64_t outer, int64_t d, int64_t inner) {
  std::fill(dx, dx + outer * d * inner, 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) dx[(o * d + indices[o * inner + i]) * inner + i] = g[o * inner + i];
}

void sum_squares(float* out, const float* x, int64_t n) {
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) total += static_cast<double>(x[i]) * x[i];
  out[0] = static_cast<float>(total);
}

}  // namespace hito::cpu::HITO_CPU_ISA

// Batch norm and layer norm on the CPU. Statistics are accumulated in double: a channel of a
// 2-d batch norm can hold millions of values.
#include <cmath>

#include "kernels/cpu/variant.h"
#include "kernels/cpu/parallel.h"

namespace hito::cpu::HITO_CPU_ISA {

namespace {
// Calls fn(run) for each of the N contiguous runs of S values that channel c owns in (N, C, S).
template <class Fn>
void for_channel_runs(const float* x, int64_t N, int64_t C, int64_t S, int64_t c, Fn&& fn) {
  for (int64_t n = 0; n < N; ++n) fn(x + (n * C + c) * S, n);
}

void normalize_channel(float* out, const float* x, float mean, float invstd, const float* weight, const float* bias,
                       int64_t N, int64_t C, int64_t S, int64_t c) {
  float scale = invstd * (weight ? weight[c] : 1.0f);
  float shift = (bias ? bias[c] : 0.0f) - mean * scale;
  for_channel_runs(x, N, C, S, c, [&](const float* run, int64_t n) {
    float* y = out + (n * C + c) * S;
    for (int64_t s = 0; s < S; ++s) y[s] = run[s] * scale + shift;
  });
}
}  // namespace

void batch_norm_forward_train(float* out, float* save_mean, float* save_invstd, float* running_mean,
                              float* running_var, const float* x, const float* weight, const float* bias,
                              float momentum, float eps, int64_t N, int64_t C, int64_t S) {
  int64_t M = N * S;
  parallel_for(C, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(M, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      double total = 0.0;
      for_channel_runs(x, N, C, S, c, [&](const float* run, int64_t) {
        for (int64_t s = 0; s < S; ++s) total += run[s];
      });
      double mean = total / M, squares = 0.0;
      for_channel_runs(x, N, C, S, c, [&](const float* run, int64_t) {
        for (int64_t s = 0; s < S; ++s) squares += (run[s] - mean) * (run[s] - mean);
      });
      double var = squares / M;  // biased: used to normalise
      float invstd = static_cast<float>(1.0 / std::sqrt(var + eps));
      save_mean[c] = static_cast<float>(mean);
      save_invstd[c] = invstd;
      if (running_mean) running_mean[c] = static_cast<float>((1 - momentum) * running_mean[c] + momentum * mean);
      if (running_var)  // unbiased: what PyTorch tracks
        running_var[c] = static_cast<float>((1 - momentum) * running_var[c] + momentum * squares / (M > 1 ? M - 1 : 1));
      normalize_channel(out, x, save_mean[c], invstd, weight, bias, N, C, S, c);
    }
  });
}

void batch_norm_forward_eval(float* out, float* save_mean, float* save_invstd, const float* x,
                             const float* running_mean, const float* running_var, const float* weight,
                             const float* bias, float eps, int64_t N, int64_t C, int64_t S) {
  for (int64_t c = 0; c < C; ++c) {
    save_mean[c] = running_mean[c];
    save_invstd[c] = 1.0f / std::sqrt(running_var[c] + eps);
  }
  parallel_for(C, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(N * S, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) normalize_channel(out, x, save_mean[c], save_invstd[c], weight, bias, N, C, S, c);
  });
}

void batch_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* save_mean, const float* save_invstd, const float* weight,
                         bool batch_statistics, int64_t N, int64_t C, int64_t S) {
  int64_t M = N * S;
  parallel_for(C, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(M, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float mean = save_mean[c], invstd = save_invstd[c], w = weight ? weight[c] : 1.0f;
      double sum_g = 0.0, sum_g_xhat = 0.0;
      for_channel_runs(dout, N, C, S, c, [&](const float* g, int64_t n) {
        const float* xs = x + (n * C + c) * S;
        for (int64_t s = 0; s < S; ++s) {
          sum_g += g[s];
          sum_g_xhat += g[s] * (xs[s] - mean) * invstd;
        }
      });
      if (dbias) dbias[c] = static_cast<float>(sum_g);
      if (dweight) dweight[c] = static_cast<float>(sum_g_xhat);
      float k = w * invstd;
      float mean_g = static_cast<float>(sum_g / M), mean_g_xhat = static_cast<float>(sum_g_xhat / M);
      for_channel_runs(dout, N, C, S, c, [&](const float* g, int64_t n) {
        const float* xs = x + (n * C + c) * S;
        float* d = dx + (n * C + c) * S;
        if (batch_statistics)
          for (int64_t s = 0; s < S; ++s) d[s] = k * (g[s] - mean_g - (xs[s] - mean) * invstd * mean_g_xhat);
        else
          for (int64_t s = 0; s < S; ++s) d[s] = k * g[s];
      });
    }
  });
}

void layer_norm_forward(float* out, float* save_mean, float* save_invstd, const float* x, const float* weight,
                        const float* bias, float eps, int64_t N, int64_t D) {
  parallel_for(N, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(D, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* xs = x + r * D;
      double total = 0.0, squares = 0.0;
      for (int64_t j = 0; j < D; ++j) total += xs[j];
      double mean = total / D;
      for (int64_t j = 0; j < D; ++j) squares += (xs[j] - mean) * (xs[j] - mean);
      float invstd = static_cast<float>(1.0 / std::sqrt(squares / D + eps));
      save_mean[r] = static_cast<float>(mean);
      save_invstd[r] = invstd;
      float* y = out + r * D;
      for (int64_t j = 0; j < D; ++j)
        y[j] = (xs[j] - save_mean[r]) * invstd * (weight ? weight[j] : 1.0f) + (bias ? bias[j] : 0.0f);
    }
  });
}

void layer_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* save_mean, const float* save_invstd, const float* weight, int64_t N,
                         int64_t D) {
  parallel_for(N, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(D, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float *xs = x + r * D, *g = dout + r * D;
      float mean = save_mean[r], invstd = save_invstd[r];
      double mean_gw = 0.0, mean_gw_xhat = 0.0;
      for (int64_t j = 0; j < D; ++j) {
        float gw = g[j] * (weight ? weight[j] : 1.0f);
        mean_gw += gw;
        mean_gw_xhat += gw * (xs[j] - mean) * invstd;
      }
      mean_gw /= D;
      mean_gw_xhat /= D;
      float* d = dx + r * D;
      for (int64_t j = 0; j < D; ++j) {
        float gw = g[j] * (weight ? weight[j] : 1.0f), xhat = (xs[j] - mean) * invstd;
        d[j] = invstd * (gw - static_cast<float>(mean_gw) - xhat * static_cast<float>(mean_gw_xhat));
      }
    }
  });
  // Parameter gradients sum over rows: a separate pass keeps the row loop above free of races.
  if (dweight) std::fill(dweight, dweight + D, 0.0f);
  if (dbias) std::fill(dbias, dbias + D, 0.0f);
  for (int64_t r = 0; r < N; ++r) {
    const float *xs = x + r * D, *g = dout + r * D;
    for (int64_t j = 0; j < D; ++j) {
      if (dweight) dweight[j] += g[j] * (xs[j] - save_mean[r]) * save_invstd[r];
      if (dbias) dbias[j] += g[j];
    }
  }
}

}  // namespace hito::cpu::HITO_CPU_ISA

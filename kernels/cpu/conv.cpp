// 2-d convolution on the CPU: im2col + GEMM per image and group (a 1x1, stride-1 convolution is a
// plain GEMM on the input), the direct kernel for depthwise convolutions (conv_depthwise.cpp).
//
// Threading: with at least as many images as threads, the images are split over the threads and
// each product runs on one thread (no synchronisation inside a layer, each thread's im2col buffer
// stays in its cache); with fewer images the images run in turn and gemm() splits each product.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/conv_internal.h"
#include "kernels/cpu/kernels.h"

namespace hito::cpu {

using namespace conv_detail;

namespace {

int image_threads(int64_t N) {
  return omp_in_parallel() ? 1 : static_cast<int>(std::min<int64_t>(omp_get_max_threads(), N));
}

// Calls body(n, thread) for every image n in [0, N), on `threads` threads (see the note at the top).
template <class Fn>
void for_each_image(int64_t N, int threads, Fn&& body) {
  if (threads <= 1) {
    for (int64_t n = 0; n < N; ++n) body(n, 0);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    for (int64_t n = N * t / threads; n < N * (t + 1) / threads; ++n) body(n, t);
  }
}

struct GroupSizes {
  int64_t Cg, Kg, HW, PQ, CRS;  // channels and filters per group, plane sizes, im2col rows
};
GroupSizes group_sizes(const ConvGeometry& g) {
  int64_t Cg = g.channels_per_group();
  return {Cg, g.filters_per_group(), g.H * g.W, g.P * g.Q, Cg * g.R * g.S};
}

}  // namespace

void conv2d_forward(float* out, const float* x, const float* weight, const float* bias, const float* residual,
                    FusedActivation act, const ConvGeometry& g) {
  if (g.is_depthwise()) return depthwise_forward(out, x, weight, bias, residual, act, g);
  const GroupSizes z = group_sizes(g);
  for_each_image(g.N, image_threads(g.N), [&](int64_t n, int) {
    float* out_n = out + n * g.K * z.PQ;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* x_g = x + (n * g.C + grp * z.Cg) * z.HW;
      const float* cols = x_g;  // (CRS, PQ)
      if (!g.is_pointwise()) {
        float* buffer = thread_buffer(0, z.CRS * z.PQ);
        im2col(buffer, x_g, z.Cg, g);
        cols = buffer;
      }
      // out_g (Kg, PQ) = weight_g (Kg, CRS) cols (CRS, PQ)
      gemm(false, false, z.Kg, z.PQ, z.CRS, 1.0f, weight + grp * z.Kg * z.CRS, cols, 0.0f, out_n + grp * z.Kg * z.PQ);
    }
    apply_epilogue(out_n, bias, residual ? residual + n * g.K * z.PQ : nullptr, act, g.K, z.PQ);
  });
}

void conv2d_backward_data(float* dx, const float* dout, const float* weight, const ConvGeometry& g) {
  if (g.is_depthwise()) return depthwise_backward_data(dx, dout, weight, g);
  const GroupSizes z = group_sizes(g);
  for_each_image(g.N, image_threads(g.N), [&](int64_t n, int) {
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      float* dx_g = dx + (n * g.C + grp * z.Cg) * z.HW;
      const float* dout_g = dout + (n * g.K + grp * z.Kg) * z.PQ;
      const float* weight_g = weight + grp * z.Kg * z.CRS;
      // dcols (CRS, PQ) = weight_g^T (CRS, Kg) dout_g (Kg, PQ); for a pointwise convolution the
      // columns are dx itself.
      if (g.is_pointwise()) {
        gemm(true, false, z.CRS, z.PQ, z.Kg, 1.0f, weight_g, dout_g, 0.0f, dx_g);
        continue;
      }
      float* dcols = thread_buffer(0, z.CRS * z.PQ);
      gemm(true, false, z.CRS, z.PQ, z.Kg, 1.0f, weight_g, dout_g, 0.0f, dcols);
      std::memset(dx_g, 0, z.Cg * z.HW * sizeof(float));
      col2im_add(dx_g, dcols, z.Cg, g);
    }
  });
}

void conv2d_backward_weight(float* dweight, float* dbias, const float* dout, const float* x, const ConvGeometry& g) {
  if (g.is_depthwise()) return depthwise_backward_weight(dweight, dbias, dout, x, g);
  const GroupSizes z = group_sizes(g);
  const int threads = image_threads(g.N);
  // Thread 0 accumulates into dweight and dbias, every other thread into its own partial sums,
  // added in at the end.
  const int64_t weight_size = g.K * z.CRS;
  std::vector<float> partials(static_cast<size_t>(threads - 1) * (weight_size + g.K), 0.0f);
  std::memset(dweight, 0, weight_size * sizeof(float));
  if (dbias) std::memset(dbias, 0, g.K * sizeof(float));
  for_each_image(g.N, threads, [&](int64_t n, int t) {
    float* dw = t == 0 ? dweight : partials.data() + (t - 1) * (weight_size + g.K);
    float* db = t == 0 ? dbias : dw + weight_size;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* x_g = x + (n * g.C + grp * z.Cg) * z.HW;
      const float* dout_g = dout + (n * g.K + grp * z.Kg) * z.PQ;
      const float* cols = x_g;
      if (!g.is_pointwise()) {
        float* buffer = thread_buffer(0, z.CRS * z.PQ);
        im2col(buffer, x_g, z.Cg, g);
        cols = buffer;
      }
      // dweight_g (Kg, CRS) += dout_g (Kg, PQ) cols^T (PQ, CRS)
      gemm(false, true, z.Kg, z.CRS, z.PQ, 1.0f, dout_g, cols, 1.0f, dw + grp * z.Kg * z.CRS);
    }
    if (db) {
      for (int64_t k = 0; k < g.K; ++k) {
        const float* row = dout + (n * g.K + k) * z.PQ;
        float total = 0.0f;
        for (int64_t i = 0; i < z.PQ; ++i) total += row[i];
        db[k] += total;
      }
    }
  });
  for (int t = 1; t < threads; ++t) {
    const float* partial = partials.data() + (t - 1) * (weight_size + g.K);
    for (int64_t i = 0; i < weight_size; ++i) dweight[i] += partial[i];
    if (dbias)
      for (int64_t k = 0; k < g.K; ++k) dbias[k] += partial[weight_size + k];
  }
}

}  // namespace hito::cpu

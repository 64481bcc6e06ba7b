// 2-d convolution on the CPU: im2col + GEMM (a 1x1, stride-1 convolution reads its input as the
// GEMM operand directly), and the direct kernel for depthwise convolutions (conv_depthwise.cpp).
//
// Threading: with at least as many images as threads, the images are split over the threads and
// each product runs on one thread (no synchronisation inside a layer, each thread's buffers stay
// in its cache); with fewer images the images run in turn and conv_gemm() splits each product.
// Small outputs (the 7x7 maps of a ResNet's last stage) make thin products that waste the GEMM
// kernel's register tiles, so images are put side by side into products of about kTargetColumns
// columns: im2col writes each image's columns next to the previous one's, and the (Kg, images*PQ)
// result is scattered back to (images, K, PQ).
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/conv_internal.h"
#include "kernels/cpu/variant.h"

namespace hito::cpu::HITO_CPU_ISA {

using namespace conv_detail;

namespace {

constexpr int64_t kTargetColumns = 384;  // columns of a product worth filling (8 tiles of 48)

struct Plan {
  int threads;     // images are split over this many threads (1: products threaded instead)
  int64_t images;  // images per product
  int64_t Cg, Kg, HW, PQ, CRS;  // channels and filters per group, plane sizes, im2col rows
};

Plan make_plan(const ConvGeometry& g) {
  Plan plan;
  plan.threads = omp_in_parallel() ? 1 : static_cast<int>(std::min<int64_t>(omp_get_max_threads(), g.N));
  plan.Cg = g.channels_per_group(), plan.Kg = g.filters_per_group();
  plan.HW = g.H * g.W, plan.PQ = g.P * g.Q, plan.CRS = plan.Cg * g.R * g.S;
  const int64_t per_thread = (g.N + plan.threads - 1) / plan.threads;
  plan.images = std::clamp<int64_t>((kTargetColumns + plan.PQ - 1) / plan.PQ, 1, per_thread);
  return plan;
}

// Calls body(first image, image count, thread) for consecutive runs of at most plan.images images,
// each thread taking a contiguous share of the batch.
template <class Fn>
void for_each_run(int64_t N, const Plan& plan, Fn&& body) {
  auto share = [&](int t) {
    const int64_t begin = N * t / plan.threads, end = N * (t + 1) / plan.threads;
    for (int64_t n = begin; n < end; n += plan.images) body(n, std::min(plan.images, end - n), t);
  };
  if (plan.threads <= 1) return share(0);
#pragma omp parallel num_threads(plan.threads)
  share(omp_get_thread_num());
}

// The im2col columns (CRS, count*PQ) of images [n0, n0 + count) in group grp: the input itself
// when it can be read as it is.
const float* columns(const float* x, int64_t n0, int64_t count, int64_t grp, const ConvGeometry& g, const Plan& p) {
  if (count == 1 && g.is_pointwise()) return x + (n0 * g.C + grp * p.Cg) * p.HW;
  float* cols = thread_buffer(0, p.CRS * count * p.PQ);
  for (int64_t i = 0; i < count; ++i)
    im2col(cols + i * p.PQ, count * p.PQ, x + ((n0 + i) * g.C + grp * p.Cg) * p.HW, p.Cg, g);
  return cols;
}

// Between t: (N, K, PQ) and its group-grp rows of images [n0, n0 + count) side by side as
// (Kg, count*PQ): to_side_by_side copies into `side`, from_side_by_side back into t.
void to_side_by_side(float* side, const float* t, int64_t n0, int64_t count, int64_t grp, const ConvGeometry& g,
                     const Plan& p) {
  for (int64_t i = 0; i < count; ++i)
    for (int64_t k = 0; k < p.Kg; ++k)
      std::memcpy(side + k * count * p.PQ + i * p.PQ, t + ((n0 + i) * g.K + grp * p.Kg + k) * p.PQ,
                  p.PQ * sizeof(float));
}
void from_side_by_side(float* t, const float* side, int64_t n0, int64_t count, int64_t grp, const ConvGeometry& g,
                       const Plan& p) {
  for (int64_t i = 0; i < count; ++i)
    for (int64_t k = 0; k < p.Kg; ++k)
      std::memcpy(t + ((n0 + i) * g.K + grp * p.Kg + k) * p.PQ, side + k * count * p.PQ + i * p.PQ,
                  p.PQ * sizeof(float));
}

// The (Kg, count*PQ) gradient of group grp for a run of images, read in place for one image.
const float* output_gradient(const float* dout, int64_t n0, int64_t count, int64_t grp, const ConvGeometry& g,
                             const Plan& p) {
  if (count == 1) return dout + (n0 * g.K + grp * p.Kg) * p.PQ;
  float* side = thread_buffer(2, p.Kg * count * p.PQ);
  to_side_by_side(side, dout, n0, count, grp, g, p);
  return side;
}

}  // namespace

void conv2d_forward(float* out, const float* x, const float* weight, const float* bias, const float* residual,
                    FusedActivation act, const ConvGeometry& g) {
  if (g.is_depthwise()) return depthwise_forward(out, x, weight, bias, residual, act, g);
  const Plan p = make_plan(g);
  for_each_run(g.N, p, [&](int64_t n0, int64_t count, int) {
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* cols = columns(x, n0, count, grp, g, p);
      // out (Kg, count*PQ) = weight_g (Kg, CRS) cols (CRS, count*PQ)
      const float* weight_g = weight + grp * p.Kg * p.CRS;
      if (count == 1) {
        conv_gemm(false, false, p.Kg, p.PQ, p.CRS, weight_g, cols, false, out + (n0 * g.K + grp * p.Kg) * p.PQ);
      } else {
        float* side = thread_buffer(2, p.Kg * count * p.PQ);
        conv_gemm(false, false, p.Kg, count * p.PQ, p.CRS, weight_g, cols, false, side);
        from_side_by_side(out, side, n0, count, grp, g, p);
      }
    }
    for (int64_t n = n0; n < n0 + count; ++n)
      apply_epilogue(out + n * g.K * p.PQ, bias, residual ? residual + n * g.K * p.PQ : nullptr, act, g.K, p.PQ);
  });
}

void conv2d_backward_data(float* dx, const float* dout, const float* weight, const ConvGeometry& g) {
  if (g.is_depthwise()) return depthwise_backward_data(dx, dout, weight, g);
  const Plan p = make_plan(g);
  for_each_run(g.N, p, [&](int64_t n0, int64_t count, int) {
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* dout_g = output_gradient(dout, n0, count, grp, g, p);
      const float* weight_g = weight + grp * p.Kg * p.CRS;
      // dcols (CRS, count*PQ) = weight_g^T (CRS, Kg) dout_g (Kg, count*PQ); for a pointwise
      // convolution of one image the columns are dx itself.
      if (count == 1 && g.is_pointwise()) {
        conv_gemm(true, false, p.CRS, p.PQ, p.Kg, weight_g, dout_g, false, dx + (n0 * g.C + grp * p.Cg) * p.HW);
        continue;
      }
      float* dcols = thread_buffer(0, p.CRS * count * p.PQ);
      conv_gemm(true, false, p.CRS, count * p.PQ, p.Kg, weight_g, dout_g, false, dcols);
      for (int64_t i = 0; i < count; ++i) {
        float* dx_g = dx + ((n0 + i) * g.C + grp * p.Cg) * p.HW;
        std::memset(dx_g, 0, p.Cg * p.HW * sizeof(float));
        col2im_add(dx_g, dcols + i * p.PQ, count * p.PQ, p.Cg, g);
      }
    }
  });
}

void conv2d_backward_weight(float* dweight, float* dbias, const float* dout, const float* x, const ConvGeometry& g) {
  if (g.is_depthwise()) return depthwise_backward_weight(dweight, dbias, dout, x, g);
  const Plan p = make_plan(g);
  // Thread 0 accumulates into dweight and dbias, every other thread into its own partial sums,
  // added in at the end.
  const int64_t weight_size = g.K * p.CRS;
  std::vector<float> partials(static_cast<size_t>(p.threads - 1) * (weight_size + g.K), 0.0f);
  std::memset(dweight, 0, weight_size * sizeof(float));
  if (dbias) std::memset(dbias, 0, g.K * sizeof(float));
  for_each_run(g.N, p, [&](int64_t n0, int64_t count, int t) {
    float* dw = t == 0 ? dweight : partials.data() + (t - 1) * (weight_size + g.K);
    float* db = dbias ? (t == 0 ? dbias : dw + weight_size) : nullptr;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const float* cols = columns(x, n0, count, grp, g, p);
      const float* dout_g = output_gradient(dout, n0, count, grp, g, p);
      // dweight_g (Kg, CRS) += dout_g (Kg, count*PQ) cols^T (count*PQ, CRS)
      conv_gemm(false, true, p.Kg, p.CRS, count * p.PQ, dout_g, cols, true, dw + grp * p.Kg * p.CRS);
    }
    if (!db) return;
    for (int64_t n = n0; n < n0 + count; ++n)
      for (int64_t k = 0; k < g.K; ++k) {
        const float* row = dout + (n * g.K + k) * p.PQ;
        float total = 0.0f;
        for (int64_t i = 0; i < p.PQ; ++i) total += row[i];
        db[k] += total;
      }
  });
  for (int t = 1; t < p.threads; ++t) {
    const float* partial = partials.data() + (t - 1) * (weight_size + g.K);
    for (int64_t i = 0; i < weight_size; ++i) dweight[i] += partial[i];
    if (dbias)
      for (int64_t k = 0; k < g.K; ++k) dbias[k] += partial[weight_size + k];
  }
}

}  // namespace hito::cpu::HITO_CPU_ISA

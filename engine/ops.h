// The functional op API: every differentiable computation of hito. Each op checks its arguments,
// allocates its output on the inputs' device, runs the CPU or CUDA kernel, and records its backward
// (see autograd.h) when an input requires grad. All float ops take and return f32 tensors.
#pragma once

#include <vector>

#include "engine/tensor.h"
#include "kernels/conv_types.h"

namespace hito {

// ---- products ----------------------------------------------------------------------------------
// a: (M, K) (or (K, M) when trans_a), b: (K, N) (or (N, K) when trans_b) -> (M, N)
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
// x: (N, C), weight: (K, C), bias: (K) or undefined -> (N, K) = x weight^T + bias
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- broadcasting arithmetic -------------------------------------------------------------------
// Shapes broadcast as in NumPy where the smaller operand's non-1 dimensions form one contiguous
// block of the larger's: (N, K) with (K), (N, C, H, W) with (C, 1, 1) or (N, C, 1, 1), anything with
// a one-element tensor.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// alpha * x + beta, for scalars.
Tensor affine(const Tensor& x, float alpha, float beta);
// dst += src, in place and never recorded (gradient accumulation, running sums).
void add_(const Tensor& dst, const Tensor& src);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator*(const Tensor& a, float s) { return affine(a, s, 0.0f); }
inline Tensor operator*(float s, const Tensor& a) { return affine(a, s, 0.0f); }
inline Tensor operator+(const Tensor& a, float s) { return affine(a, 1.0f, s); }
inline Tensor operator-(const Tensor& a, float s) { return affine(a, 1.0f, -s); }
inline Tensor operator-(const Tensor& a) { return affine(a, -1.0f, 0.0f); }

// ---- elementwise functions ---------------------------------------------------------------------
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, float negative_slope = 0.01f);
Tensor relu6(const Tensor& x);
Tensor gelu(const Tensor& x);  // exact (erf) form, PyTorch's default
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);

// ---- reductions --------------------------------------------------------------------------------
Tensor sum(const Tensor& x);   // all elements -> shape ()
Tensor mean(const Tensor& x);  // all elements -> shape ()
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);  // values; gradient to the first argmax
Tensor max(const Tensor& x);                                       // all elements -> shape ()
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false); // i64, not differentiable

// ---- softmax and losses ------------------------------------------------------------------------
Tensor softmax(const Tensor& x, int64_t dim = -1);
Tensor log_softmax(const Tensor& x, int64_t dim = -1);

struct CrossEntropyOptions {
  Tensor class_weight;         // (K) or undefined
  float label_smoothing = 0.0f;
};
// logits: (N, K) f32, target: (N) i64 in [0, K) -> scalar; PyTorch's F.cross_entropy (mean
// reduction, weighted mean when class weights are given, with label smoothing).
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});

// ---- regularisation ----------------------------------------------------------------------------
// Zeroes each element with probability p and scales the rest by 1/(1-p) when training; identity
// otherwise. The mask comes from default_generator() unless a seed is given.
Tensor dropout(const Tensor& x, float p, bool training);
Tensor dropout(const Tensor& x, float p, bool training, uint64_t seed);

// ---- layout ------------------------------------------------------------------------------------
// Joins tensors along dim (all other sizes equal). Works for every dtype; differentiable for f32.
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim);
// Elements [start, end) along dim, copied.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end);

// ---- normalisation -----------------------------------------------------------------------------
// x: (N, C), (N, C, L) or (N, C, H, W); weight, bias: (C) or undefined; running stats: (C) buffers
// or undefined. training: batch statistics, running stats updated in place; else running stats.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, float momentum = 0.1f, float eps = 1e-5f);
// Normalises over the last dimension; weight, bias: (D) or undefined.
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps = 1e-5f);

// ---- lookup and conversion ---------------------------------------------------------------------
// weight: (V, D), index: any shape, i64 in [0, V) -> index.shape + (D)
Tensor embedding(const Tensor& weight, const Tensor& index);
// i64 or u8 -> f32 (not differentiable)
Tensor to_float(const Tensor& x);

// ---- convolution and pooling (NCHW; engine/ops/conv*.cpp, pool.cpp) -----------------------------
// A size for both spatial dimensions: one number for both, or {h, w}.
struct Size2 {
  int64_t h = 1, w = 1;
  Size2(int64_t both) : h(both), w(both) {}  // NOLINT: implicit, so that options read {.stride = 2}
  Size2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
};

struct Conv2dOptions {
  Size2 stride = 1, padding = 0, dilation = 1;
  int64_t groups = 1;  // C and K divisible by it; groups == C is a depthwise convolution
};
// x: (N, C, H, W), weight: (K, C / groups, R, S), bias: (K) or undefined -> (N, K, P, Q), as
// torch.nn.functional.conv2d (zero padding, floor-mode output size).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Conv2dOptions& options = {});
// Inference only (refuses inputs that require grad): act(conv2d(x, weight, bias) + residual) in one
// pass over the output; residual: (N, K, P, Q) or undefined.
Tensor conv2d_fused(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options,
                    FusedActivation act, const Tensor& residual = Tensor());

// The convolution that equals conv2d followed by batch_norm in eval mode:
//   scale = bn_weight / sqrt(running_var + eps), weight' = weight * scale (per output channel),
//   bias' = bn_bias + (bias - running_mean) * scale   (bias, bn_weight, bn_bias may be undefined).
// Not recorded by autograd: for inference.
struct FoldedConv {
  Tensor weight, bias;
};
FoldedConv fold_batch_norm(const Tensor& weight, const Tensor& bias, const Tensor& bn_weight, const Tensor& bn_bias,
                           const Tensor& running_mean, const Tensor& running_var, float eps);

struct Pool2dOptions {
  Size2 kernel = 1;
  Size2 stride = 0;  // 0: the kernel size, as in PyTorch
  Size2 padding = 0;
  bool count_include_pad = true;  // avg_pool2d: padding counts in the divisor
};
// x: (N, C, H, W) -> (N, C, P, Q); floor-mode output sizes, padding at most half the kernel.
Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options);
Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options);
// x: (N, C, H, W) -> (N, C, output.h, output.w), PyTorch's adaptive windows; output 1 is the
// global average pool.
Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output);

}  // namespace hito

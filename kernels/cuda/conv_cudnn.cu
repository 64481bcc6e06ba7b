// 2-d convolution on CUDA through cuDNN: forward, backward data and backward filter. All of hito's
// cuDNN code is in this file.
//  - One cuDNN handle, made on first use on the legacy default stream (the stream of every kernel;
//    see README.md), never destroyed (like the cuBLAS handle).
//  - Descriptors live in RAII wrappers; those of one geometry are made once and cached with the
//    algorithms chosen for it.
//  - Each algorithm is chosen once per geometry by timing the candidates (cudnnFind*AlgorithmEx on
//    the call's own buffers) and cached; workspaces come from the caching allocator.
//  - FP32 math (CUDNN_FMA_MATH: no TF32 rounding) unless HITO_CUDA_TF32=1, as for cuBLAS.
// The fused inference convolution act(conv + bias + residual) is one cuDNN call
// (cudnnConvolutionBiasActivationForward) when the activation is ReLU and there is a bias (a ResNet
// with BatchNorm folded in): its epilogue then never makes a second pass over the output. The other
// cases (no activation, ReLU6, no bias) and the bias gradient use our own kernels (conv_epilogue.cu).
#include <cudnn.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include "kernels/cuda/check.h"
#include "kernels/cuda/conv_internal.h"
#include "kernels/cuda/runtime.h"
#include "kernels/cuda/kernels.h"
#include "kernels/cuda/runtime.h"
#include "kernels/cuda/scratch.h"

#define HITO_CUDNN_CHECK(call)                                                            \
  do {                                                                                    \
    cudnnStatus_t hito_status_ = (call);                                                  \
    if (hito_status_ != CUDNN_STATUS_SUCCESS)                                             \
      HITO_FAIL(#call, " failed: ", cudnnGetErrorString(hito_status_));                  \
  } while (0)

namespace hito::cuda {

namespace {

cudnnHandle_t handle() {
  static const cudnnHandle_t made = [] {
    cudnnHandle_t h = nullptr;
    HITO_CUDNN_CHECK(cudnnCreate(&h));
    return h;
  }();
  return made;
}

// A cuDNN descriptor owned by this object.
template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
class Descriptor {
 public:
  Descriptor() { HITO_CUDNN_CHECK(Create(&value_)); }
  ~Descriptor() { Destroy(value_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  operator T() const { return value_; }

 private:
  T value_{};
};
using TensorDescriptor = Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor = Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor =
    Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor>;
using ActivationDescriptor =
    Descriptor<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor, cudnnDestroyActivationDescriptor>;

template <class Algo>
struct Choice {
  Algo algo;
  size_t workspace_bytes;
};

// Everything cuDNN needs for one geometry, and the algorithms chosen for it so far.
struct Plan {
  TensorDescriptor x, y, bias;  // bias: (1, K, 1, 1)
  ActivationDescriptor relu;
  FilterDescriptor w;
  ConvolutionDescriptor conv;
  std::optional<Choice<cudnnConvolutionFwdAlgo_t>> forward;
  std::optional<Choice<cudnnConvolutionBwdDataAlgo_t>> backward_data;
  std::optional<Choice<cudnnConvolutionBwdFilterAlgo_t>> backward_filter;

  explicit Plan(const ConvGeometry& g) {
    auto i = [](int64_t v) { return static_cast<int>(v); };
    HITO_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.N), i(g.C), i(g.H), i(g.W)));
    HITO_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.N), i(g.K), i(g.P), i(g.Q)));
    HITO_CUDNN_CHECK(cudnnSetTensor4dDescriptor(bias, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, i(g.K), 1, 1));
    // NaN passes through ReLU, as in the CPU epilogue.
    HITO_CUDNN_CHECK(cudnnSetActivationDescriptor(relu, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0));
    HITO_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, i(g.K), i(g.C / g.groups),
                                                i(g.R), i(g.S)));
    HITO_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, i(g.pad_h), i(g.pad_w), i(g.stride_h), i(g.stride_w),
                                                     i(g.dilation_h), i(g.dilation_w), CUDNN_CROSS_CORRELATION,
                                                     CUDNN_DATA_FLOAT));
    HITO_CUDNN_CHECK(cudnnSetConvolutionGroupCount(conv, i(g.groups)));
    HITO_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, tf32_requested() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH));
  }
};

// The plan of a geometry, made on first use. Plans are never dropped: a network has a few dozen
// geometries.
Plan& plan_for(const ConvGeometry& g) {
  using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                         int64_t, int64_t, int64_t, int64_t>;
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<Plan>> plans;
  Key key{g.N, g.C, g.H, g.W, g.K, g.R, g.S, g.stride_h, g.stride_w, g.pad_h, g.pad_w, g.dilation_h, g.dilation_w,
          g.groups};
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<Plan>& plan = plans[key];
  if (!plan) plan = std::make_unique<Plan>(g);
  return *plan;
}

// Device memory for cuDNN from the caching allocator (none for 0 bytes).
class Workspace {
 public:
  explicit Workspace(size_t bytes) {
    if (bytes > 0) scratch_.emplace(static_cast<int64_t>(bytes));
  }
  void* get() const { return scratch_ ? scratch_->get() : nullptr; }

 private:
  std::optional<Scratch<char>> scratch_;
};

// The largest workspace the algorithm search offers: a quarter of the free memory, at most 1 GiB.
size_t search_workspace_bytes() {
  size_t free_bytes = 0, total_bytes = 0;
  HITO_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  return std::min<size_t>(free_bytes / 4, size_t(1) << 30);
}

// The fastest candidate that ran, from cuDNN's timings (sorted fastest first).
template <class Perf>
auto fastest(const Perf* results, int count, const char* what) {
  for (int i = 0; i < count; ++i)
    if (results[i].status == CUDNN_STATUS_SUCCESS)
      return Choice<decltype(results[i].algo)>{results[i].algo, results[i].memory};
  HITO_FAIL("cuDNN found no ", what, " algorithm for this convolution");
}

constexpr int kCandidates = 16;
const float kOne = 1.0f, kZero = 0.0f;

}  // namespace

void conv2d_forward(float* out, const float* x, const float* weight, const float* bias, const float* residual,
                    FusedActivation act, const ConvGeometry& g) {
  if (g.N == 0) return;
  Plan& plan = plan_for(g);
  if (!plan.forward) {
    const size_t bytes = search_workspace_bytes();
    Workspace workspace(bytes);
    cudnnConvolutionFwdAlgoPerf_t results[kCandidates];
    int count = 0;
    HITO_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(handle(), plan.x, x, plan.w, weight, plan.conv, plan.y,
                                                            out, kCandidates, &count, results, workspace.get(), bytes));
    plan.forward = fastest(results, count, "forward");
  }
  Workspace workspace(plan.forward->workspace_bytes);
  if (act == FusedActivation::Relu && bias) {
    // out = relu(conv + residual + bias); without a residual z is `out` itself, scaled by 0.
    const float* z = residual ? residual : out;
    HITO_CUDNN_CHECK(cudnnConvolutionBiasActivationForward(
        handle(), &kOne, plan.x, x, plan.w, weight, plan.conv, plan.forward->algo, workspace.get(),
        plan.forward->workspace_bytes, residual ? &kOne : &kZero, plan.y, z, plan.bias, bias, plan.relu, plan.y, out));
    return;
  }
  HITO_CUDNN_CHECK(cudnnConvolutionForward(handle(), &kOne, plan.x, x, plan.w, weight, plan.conv, plan.forward->algo,
                                           workspace.get(), plan.forward->workspace_bytes, &kZero, plan.y, out));
  conv_epilogue(out, bias, residual, act, g.N, g.K, g.P * g.Q);
}

void conv2d_backward_data(float* dx, const float* dout, const float* weight, const ConvGeometry& g) {
  if (g.N == 0) return;
  Plan& plan = plan_for(g);
  if (!plan.backward_data) {
    const size_t bytes = search_workspace_bytes();
    Workspace workspace(bytes);
    cudnnConvolutionBwdDataAlgoPerf_t results[kCandidates];
    int count = 0;
    HITO_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(handle(), plan.w, weight, plan.y, dout, plan.conv,
                                                                 plan.x, dx, kCandidates, &count, results,
                                                                 workspace.get(), bytes));
    plan.backward_data = fastest(results, count, "backward-data");
  }
  Workspace workspace(plan.backward_data->workspace_bytes);
  HITO_CUDNN_CHECK(cudnnConvolutionBackwardData(handle(), &kOne, plan.w, weight, plan.y, dout, plan.conv,
                                                plan.backward_data->algo, workspace.get(),
                                                plan.backward_data->workspace_bytes, &kZero, plan.x, dx));
}

void conv2d_backward_weight(float* dweight, float* dbias, const float* dout, const float* x, const ConvGeometry& g) {
  if (g.N == 0) {
    zero(dweight, static_cast<size_t>(g.K * (g.C / g.groups) * g.R * g.S) * sizeof(float));
    if (dbias) zero(dbias, static_cast<size_t>(g.K) * sizeof(float));
    return;
  }
  Plan& plan = plan_for(g);
  if (!plan.backward_filter) {
    const size_t bytes = search_workspace_bytes();
    Workspace workspace(bytes);
    cudnnConvolutionBwdFilterAlgoPerf_t results[kCandidates];
    int count = 0;
    HITO_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(handle(), plan.x, x, plan.y, dout, plan.conv,
                                                                   plan.w, dweight, kCandidates, &count, results,
                                                                   workspace.get(), bytes));
    plan.backward_filter = fastest(results, count, "backward-filter");
  }
  Workspace workspace(plan.backward_filter->workspace_bytes);
  HITO_CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle(), &kOne, plan.x, x, plan.y, dout, plan.conv,
                                                  plan.backward_filter->algo, workspace.get(),
                                                  plan.backward_filter->workspace_bytes, &kZero, plan.w, dweight));
  if (dbias) conv_bias_gradient(dbias, dout, g.N, g.K, g.P * g.Q);
}

}  // namespace hito::cuda

// The pooling ops: max, average and adaptive average pooling over NCHW tensors. The arithmetic is
// in kernels/api/pool.inc.
#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

namespace {

PoolGeometry pool_geometry(const Tensor& x, const Pool2dOptions& o, const char* op) {
  check_f32(x, op);
  HITO_CHECK(x.dim() == 4, op, ": expected an input (N, C, H, W), got ", x.describe());
  PoolGeometry g;
  g.N = x.size(0), g.C = x.size(1), g.H = x.size(2), g.W = x.size(3);
  g.kernel_h = o.kernel.h, g.kernel_w = o.kernel.w;
  g.stride_h = o.stride.h == 0 ? o.kernel.h : o.stride.h;
  g.stride_w = o.stride.w == 0 ? o.kernel.w : o.stride.w;
  g.pad_h = o.padding.h, g.pad_w = o.padding.w;
  g.count_include_pad = o.count_include_pad;
  HITO_CHECK(g.kernel_h >= 1 && g.kernel_w >= 1 && g.stride_h >= 1 && g.stride_w >= 1, op,
             ": kernel and stride must be >= 1");
  // As in PyTorch: a window made only of padding would have no maximum and no elements.
  HITO_CHECK(g.pad_h >= 0 && g.pad_w >= 0 && 2 * g.pad_h <= g.kernel_h && 2 * g.pad_w <= g.kernel_w, op,
             ": padding must be between 0 and half the kernel, got ", g.pad_h, "x", g.pad_w, " for a ", g.kernel_h,
             "x", g.kernel_w, " kernel");
  g.P = window_output_size(g.H, g.kernel_h, g.stride_h, g.pad_h);
  g.Q = window_output_size(g.W, g.kernel_w, g.stride_w, g.pad_w);
  HITO_CHECK(g.P >= 1 && g.Q >= 1, op, ": a ", g.kernel_h, "x", g.kernel_w, " window does not fit the input ",
             x.describe());
  return g;
}

}  // namespace

Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options) {
  const PoolGeometry g = pool_geometry(x, options, "max_pool2d");
  Device dev = x.device();
  Tensor out = Tensor::empty({g.N, g.C, g.P, g.Q}, DType::F32, dev);
  bool grad = needs_grad({x});
  Tensor argmax = grad ? Tensor::empty(out.shape(), DType::I64, dev) : Tensor();
  HITO_DISPATCH(dev, max_pool2d_forward, out.data<float>(), grad ? argmax.data<int64_t>() : nullptr, x.data<float>(),
                g);
  if (grad) {
    // Each window's maximum passes its gradient to the element that won it.
    record(out, "max_pool2d", {x}, [x, argmax, g](const Tensor& dout) {
      Tensor dx = empty_like(x);
      HITO_DISPATCH(dout.device(), max_pool2d_backward, dx.data<float>(), dout.data<float>(),
                    argmax.data<int64_t>(), g);
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options) {
  const PoolGeometry g = pool_geometry(x, options, "avg_pool2d");
  Device dev = x.device();
  Tensor out = Tensor::empty({g.N, g.C, g.P, g.Q}, DType::F32, dev);
  HITO_DISPATCH(dev, avg_pool2d_forward, out.data<float>(), x.data<float>(), g);
  if (needs_grad({x})) {
    // Each window spreads its gradient evenly (by its divisor) over the elements it averaged.
    record(out, "avg_pool2d", {x}, [x, g](const Tensor& dout) {
      Tensor dx = empty_like(x);
      HITO_DISPATCH(dout.device(), avg_pool2d_backward, dx.data<float>(), dout.data<float>(), g);
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output) {
  check_f32(x, "adaptive_avg_pool2d");
  HITO_CHECK(x.dim() == 4, "adaptive_avg_pool2d: expected an input (N, C, H, W), got ", x.describe());
  HITO_CHECK(output.h >= 1 && output.w >= 1, "adaptive_avg_pool2d: output size must be >= 1, got ", output.h, "x",
             output.w);
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  HITO_CHECK(H >= 1 && W >= 1, "adaptive_avg_pool2d: empty input ", x.describe());
  Device dev = x.device();
  Tensor out = Tensor::empty({x.size(0), x.size(1), output.h, output.w}, DType::F32, dev);
  HITO_DISPATCH(dev, adaptive_avg_pool2d_forward, out.data<float>(), x.data<float>(), planes, H, W, output.h,
                output.w);
  if (needs_grad({x})) {
    record(out, "adaptive_avg_pool2d", {x}, [x, planes, H, W, output](const Tensor& dout) {
      Tensor dx = empty_like(x);
      HITO_DISPATCH(dout.device(), adaptive_avg_pool2d_backward, dx.data<float>(), dout.data<float>(), planes, H, W,
                    output.h, output.w);
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

}  // namespace hito

// Reductions: sum and mean (all elements or along a dimension), max and argmax.
#include "engine/ops/common.h"

namespace hito {
using namespace ops_detail;

namespace {

// sum over `dim` times `scale` (1 for sum, 1/d for mean); x seen as (outer, d, inner).
Tensor scaled_sum(const Tensor& x, Axis axis, Shape out_shape, float scale, const char* name) {
  check_f32(x, name);
  Tensor out = Tensor::empty(out_shape, DType::F32, x.device());
  HITO_DISPATCH(x.device(), sum_dim, out.data<float>(), x.data<float>(), axis.outer, axis.d, axis.inner);
  if (scale != 1.0f) HITO_DISPATCH(x.device(), affine, out.data<float>(), out.data<float>(), scale, 0.0f, out.numel());
  if (needs_grad({x})) {
    // Each input element contributes once (times scale) to its output element: dx = scale * dout,
    // repeated along the reduced dimension.
    record(out, name, {x}, [x, axis, scale](const Tensor& g) {
      Tensor dx = empty_like(x);
      HITO_DISPATCH(x.device(), sum_dim_backward, dx.data<float>(), g.data<float>(), scale, axis.outer, axis.d,
                    axis.inner);
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

Tensor max_along(const Tensor& x, Axis axis, Shape out_shape) {
  check_f32(x, "max");
  HITO_CHECK(axis.d > 0, "max: reduction over an empty dimension of ", x.describe());
  Tensor values = Tensor::empty(out_shape, DType::F32, x.device());
  Tensor indices = Tensor::empty(out_shape, DType::I64, x.device());
  HITO_DISPATCH(x.device(), max_dim, values.data<float>(), indices.data<int64_t>(), x.data<float>(), axis.outer,
                axis.d, axis.inner);
  if (needs_grad({x})) {
    // The maximum passes its gradient to the (first) element that attained it.
    record(values, "max", {x}, [x, axis, indices](const Tensor& g) {
      Tensor dx = empty_like(x);
      HITO_DISPATCH(x.device(), max_dim_backward, dx.data<float>(), g.data<float>(), indices.data<int64_t>(),
                    axis.outer, axis.d, axis.inner);
      return std::vector<Tensor>{dx};
    });
  }
  return values;
}

}  // namespace

Tensor sum(const Tensor& x) { return scaled_sum(x, {1, x.numel(), 1}, {}, 1.0f, "sum"); }

Tensor mean(const Tensor& x) {
  HITO_CHECK(x.numel() > 0, "mean of an empty tensor");
  return scaled_sum(x, {1, x.numel(), 1}, {}, 1.0f / static_cast<float>(x.numel()), "mean");
}

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  dim = normalize_dim(dim, x.dim(), "sum");
  return scaled_sum(x, split_axis(x.shape(), dim), reduced_shape(x.shape(), dim, keepdim), 1.0f, "sum");
}

Tensor mean(const Tensor& x, int64_t dim, bool keepdim) {
  dim = normalize_dim(dim, x.dim(), "mean");
  Axis axis = split_axis(x.shape(), dim);
  HITO_CHECK(axis.d > 0, "mean over an empty dimension of ", x.describe());
  return scaled_sum(x, axis, reduced_shape(x.shape(), dim, keepdim), 1.0f / static_cast<float>(axis.d), "mean");
}

Tensor max(const Tensor& x, int64_t dim, bool keepdim) {
  dim = normalize_dim(dim, x.dim(), "max");
  return max_along(x, split_axis(x.shape(), dim), reduced_shape(x.shape(), dim, keepdim));
}

Tensor max(const Tensor& x) { return max_along(x, {1, x.numel(), 1}, {}); }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  check_f32(x, "argmax");
  dim = normalize_dim(dim, x.dim(), "argmax");
  Axis axis = split_axis(x.shape(), dim);
  HITO_CHECK(axis.d > 0, "argmax over an empty dimension of ", x.describe());
  Shape out_shape = reduced_shape(x.shape(), dim, keepdim);
  Tensor values = Tensor::empty(out_shape, DType::F32, x.device());
  Tensor indices = Tensor::empty(out_shape, DType::I64, x.device());
  HITO_DISPATCH(x.device(), max_dim, values.data<float>(), indices.data<int64_t>(), x.data<float>(), axis.outer,
                axis.d, axis.inner);
  return indices;
}

}  // namespace hito

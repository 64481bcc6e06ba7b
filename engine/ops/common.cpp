// Argument checks and axis arithmetic for the ops.
#include "engine/ops/common.h"

namespace hito::ops_detail {

void check_f32(const Tensor& x, const char* what) {
  HITO_CHECK(x.defined(), what, ": undefined tensor");
  HITO_CHECK(x.dtype() == DType::F32, what, ": expected an f32 tensor, got ", x.describe());
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  HITO_CHECK(a.device() == b.device(), op, ": tensors on different devices: ", a.describe(), " and ",
             b.describe(), " (move one with .to())");
}

int64_t normalize_dim(int64_t dim, int64_t rank, const char* op) {
  HITO_CHECK(dim >= -rank && dim < rank, op, ": dimension ", dim, " out of range for a ", rank, "-d tensor");
  return dim < 0 ? dim + rank : dim;
}

Axis split_axis(const Shape& shape, int64_t dim) {
  Axis axis;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    if (i < dim) axis.outer *= shape[i];
    else if (i == dim) axis.d = shape[i];
    else axis.inner *= shape[i];
  }
  return axis;
}

Shape reduced_shape(const Shape& shape, int64_t dim, bool keepdim) {
  Shape out = shape;
  if (keepdim) out[dim] = 1;
  else out.erase(out.begin() + dim);
  return out;
}

}  // namespace hito::ops_detail

// Layout ops: reshape, concat and slice along a dimension, embedding lookup, dropout.
#include "engine/ops/common.h"
#include "engine/random.h"

namespace hito {

// Tensor::reshape (declared with Tensor) is defined here because it is differentiable: it records
// its backward like every op.
Tensor Tensor::reshape(const Shape& new_shape) const {
  Shape shape_out = new_shape;
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < shape_out.size(); ++i) {
    if (shape_out[i] == -1) {
      HITO_CHECK(inferred < 0, "reshape: more than one -1 in ", shape_str(new_shape));
      inferred = static_cast<int64_t>(i);
    } else {
      known *= shape_out[i];
    }
  }
  if (inferred >= 0) {
    HITO_CHECK(known > 0 && numel() % known == 0, "reshape: cannot infer -1 in ", shape_str(new_shape), " for ",
               describe());
    shape_out[inferred] = numel() / known;
  }
  HITO_CHECK(shape_numel(shape_out) == numel(), "reshape: ", describe(), " cannot be seen as ",
             shape_str(shape_out));
  Tensor out = from_storage(impl().storage, shape_out, dtype(), impl().offset);
  if (needs_grad({*this})) {
    Shape in_shape = shape();
    // The gradient of a reshape is the output's gradient seen with the input's shape.
    record(out, "reshape", {*this}, [in_shape](const Tensor& g) {
      return std::vector<Tensor>{g.reshape(in_shape)};
    });
  }
  return out;
}

using namespace ops_detail;

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
  HITO_CHECK(!tensors.empty(), "concat of an empty list");
  const Tensor& first = tensors[0];
  dim = normalize_dim(dim, first.dim(), "concat");
  int64_t total = 0;
  for (size_t t = 0; t < tensors.size(); ++t) {
    const Tensor& x = tensors[t];
    HITO_CHECK(x.defined() && x.dtype() == first.dtype() && x.device() == first.device() && x.dim() == first.dim(),
               "concat: tensor ", t, " (", x.describe(), ") does not match tensor 0 (", first.describe(), ")");
    for (int64_t d = 0; d < x.dim(); ++d)
      HITO_CHECK(d == dim || x.size(d) == first.size(d), "concat along ", dim, ": tensor ", t, " ",
                 shape_str(x.shape()), " differs from ", shape_str(first.shape()), " in dimension ", d);
    total += x.size(dim);
  }
  Shape out_shape = first.shape();
  out_shape[dim] = total;
  Tensor out = Tensor::empty(out_shape, first.dtype(), first.device());
  Axis axis = split_axis(out_shape, dim);
  int64_t elem = static_cast<int64_t>(dtype_size(first.dtype()));
  std::vector<int64_t> offsets;
  int64_t offset = 0;
  for (const Tensor& x : tensors) {
    HITO_DISPATCH(out.device(), copy_slab, out.raw_data(), total, offset, x.raw_data(), x.size(dim), 0, axis.outer,
                  x.size(dim), axis.inner, elem);
    offsets.push_back(offset);
    offset += x.size(dim);
  }
  if (first.dtype() == DType::F32 && needs_grad(tensors)) {
    // Each piece's gradient is its window of the output's gradient.
    record(out, "concat", tensors, [tensors, offsets, dim](const Tensor& g) {
      std::vector<Tensor> grads;
      for (size_t t = 0; t < tensors.size(); ++t)
        grads.push_back(tensors[t].requires_grad()
                            ? slice(g, dim, offsets[t], offsets[t] + tensors[t].size(dim))
                            : Tensor());
      return grads;
    });
  }
  return out;
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end) {
  HITO_CHECK(x.defined(), "slice of an undefined tensor");
  dim = normalize_dim(dim, x.dim(), "slice");
  HITO_CHECK(0 <= start && start <= end && end <= x.size(dim), "slice [", start, ", ", end, ") out of range for dimension ",
             dim, " of ", x.describe());
  Shape out_shape = x.shape();
  out_shape[dim] = end - start;
  Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
  Axis axis = split_axis(x.shape(), dim);
  int64_t elem = static_cast<int64_t>(dtype_size(x.dtype()));
  HITO_DISPATCH(x.device(), copy_slab, out.raw_data(), end - start, 0, x.raw_data(), axis.d, start, axis.outer,
                end - start, axis.inner, elem);
  if (x.dtype() == DType::F32 && needs_grad({x})) {
    // The window's gradient goes back to its place; the rest of the input gets zero.
    record(out, "slice", {x}, [x, axis, start, end](const Tensor& g) {
      Tensor dx = Tensor::zeros(x.shape(), DType::F32, x.device());
      HITO_DISPATCH(x.device(), copy_slab, dx.raw_data(), axis.d, start, g.raw_data(), end - start, 0, axis.outer,
                    end - start, axis.inner, int64_t(sizeof(float)));
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

Tensor embedding(const Tensor& weight, const Tensor& index) {
  check_f32(weight, "embedding (weight)");
  HITO_CHECK(weight.dim() == 2, "embedding: weight must be (V, D), got ", weight.describe());
  HITO_CHECK(index.defined() && index.dtype() == DType::I64, "embedding: index must be i64, got ", index.describe());
  check_same_device(weight, index, "embedding");
  int64_t V = weight.size(0), D = weight.size(1), n = index.numel();
  Shape out_shape = index.shape();
  out_shape.push_back(D);
  Tensor out = Tensor::empty(out_shape, DType::F32, weight.device());
  HITO_DISPATCH(weight.device(), embedding_forward, out.data<float>(), weight.data<float>(), index.data<int64_t>(), n,
                V, D);
  if (needs_grad({weight})) {
    // Each looked-up row receives the sum of the gradients of the positions that read it.
    record(out, "embedding", {weight}, [weight, index, n, V, D](const Tensor& g) {
      Tensor dweight = empty_like(weight);
      HITO_DISPATCH(g.device(), embedding_backward, dweight.data<float>(), g.data<float>(), index.data<int64_t>(), n, V,
                    D);
      return std::vector<Tensor>{dweight};
    });
  }
  return out;
}

Tensor dropout(const Tensor& x, float p, bool training) {
  if (!training || p == 0.0f) return x;
  return dropout(x, p, training, default_generator().next_u64());
}

Tensor dropout(const Tensor& x, float p, bool training, uint64_t seed) {
  check_f32(x, "dropout");
  HITO_CHECK(p >= 0.0f && p < 1.0f, "dropout probability must be in [0, 1), got ", p);
  if (!training || p == 0.0f) return x;
  Tensor out = empty_like(x);
  Tensor mask = Tensor::empty(x.shape(), DType::U8, x.device());
  HITO_DISPATCH(x.device(), dropout_forward, out.data<float>(), mask.data<uint8_t>(), x.data<float>(), p, seed,
                x.numel());
  if (needs_grad({x})) {
    // out = x * mask / (1 - p) is linear in x: dx = dout * mask / (1 - p).
    record(out, "dropout", {x}, [mask, p](const Tensor& g) {
      Tensor dx = empty_like(g);
      HITO_DISPATCH(g.device(), dropout_backward, dx.data<float>(), g.data<float>(), mask.data<uint8_t>(), p,
                    g.numel());
      return std::vector<Tensor>{dx};
    });
  }
  return out;
}

}  // namespace hito

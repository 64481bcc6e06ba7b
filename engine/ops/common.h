// Helpers shared by the op implementations: argument checks and the (outer, d, inner) view of a
// tensor around one dimension.
#pragma once

#include <string>

#include "engine/autograd.h"
#include "engine/dispatch.h"
#include "engine/ops.h"

namespace hito::ops_detail {

// Checks that x is defined, f32 (and on `device` when given); `what` names the op and argument.
void check_f32(const Tensor& x, const char* what);
void check_same_device(const Tensor& a, const Tensor& b, const char* op);

// Maps a possibly negative dimension into [0, rank).
int64_t normalize_dim(int64_t dim, int64_t rank, const char* op);

// A tensor seen as (outer, d, inner) around dimension `dim`.
struct Axis {
  int64_t outer = 1, d = 1, inner = 1;
};
Axis split_axis(const Shape& shape, int64_t dim);

// The shape with dimension `dim` removed (or set to 1 when keepdim).
Shape reduced_shape(const Shape& shape, int64_t dim, bool keepdim);

inline Tensor empty_like(const Tensor& x) { return Tensor::empty(x.shape(), x.dtype(), x.device()); }

// data<float>() of an optional tensor: nullptr when undefined.
inline float* data_or_null(const Tensor& t) { return t.defined() ? t.data<float>() : nullptr; }

}  // namespace hito::ops_detail

// Reductions along one dimension on CUDA (contract in kernels/api/reduce.inc), over the
// (outer, d, inner) view: contiguous rows (inner == 1) are added by blocks of the per-channel sums
// of reduction.cuh; strided columns (inner > 1) by one thread per output column, coalesced across
// columns, with d split among several blocks when there are too few columns to fill the GPU.
#include <algorithm>
#include <cmath>

#include "kernels/cuda/check.h"
#include "kernels/cuda/grid.cuh"
#include "kernels/cuda/kernels.h"
#include "kernels/cuda/reduction.cuh"
#include "kernels/cuda/runtime.h"
#include "kernels/cuda/scratch.h"

namespace hito::cuda {

namespace {

// Row o of (outer, d) is channel o of the (1, outer, d) view.
struct RowValues {
  const float* x;
  __device__ SumPair operator()(int64_t, int64_t, int64_t offset) const { return {x[offset], 0.0}; }
};

struct SquareValues {
  const float* x;
  __device__ SumPair operator()(int64_t, int64_t, int64_t offset) const {
    double v = x[offset];
    return {v * v, 0.0};
  }
};

// x: (outer, d, inner) -> partial: (splits, outer * inner). Thread k = o * inner + i of split
// blockIdx.y adds x[o, j, i] over the split's chunk of j, in double as on the CPU (d can be a whole
// batch).
__global__ void column_partial_sums_kernel(double* partial, const float* x, int64_t outer, int64_t d, int64_t inner,
                                           int64_t chunk) {
  int64_t columns = outer * inner, begin = blockIdx.y * chunk, end = begin + chunk < d ? begin + chunk : d;
  for (int64_t k = global_index(); k < columns; k += grid_stride()) {
    int64_t o = k / inner, i = k - o * inner;
    const float* column = x + o * d * inner + i;
    double total = 0.0;
    for (int64_t j = begin; j < end; ++j) total += column[j * inner];
    partial[blockIdx.y * columns + k] = total;
  }
}

// partial: (splits, columns) -> out: (columns), adding the splits in order.
__global__ void add_column_splits_kernel(float* out, const double* partial, int splits, int64_t columns) {
  for (int64_t k = global_index(); k < columns; k += grid_stride()) {
    double total = 0.0;
    for (int s = 0; s < splits; ++s) total += partial[s * columns + k];
    out[k] = static_cast<float>(total);
  }
}

void column_sums(float* out, const float* x, int64_t outer, int64_t d, int64_t inner) {
  int64_t columns = outer * inner;
  int64_t wanted = (4 * multiprocessor_count() * int64_t(kBlock) + columns - 1) / columns;
  int splits = static_cast<int>(std::clamp<int64_t>(std::min(wanted, (d + 15) / 16), 1, 65535));
  int64_t chunk = (d + splits - 1) / splits;
  Scratch<double> partial(splits * columns);
  dim3 grid(grid_for(columns), static_cast<unsigned>(splits));
  column_partial_sums_kernel<<<grid, kBlock>>>(partial.get(), x, outer, d, inner, chunk);
  HITO_CUDA_CHECK_LAUNCH();
  add_column_splits_kernel<<<grid_for(columns), kBlock>>>(out, partial.get(), splits, columns);
  HITO_CUDA_CHECK_LAUNCH();
}

// g: (outer, inner) -> dx: (outer, d, inner)
__global__ void sum_dim_backward_kernel(float* dx, const float* g, float scale, int64_t d, int64_t inner, int64_t n) {
  for (int64_t k = global_index(); k < n; k += grid_stride()) dx[k] = scale * g[(k / (d * inner)) * inner + k % inner];
}

// An argmax candidate. As in PyTorch (and kernels/cpu/reduce.cpp), a NaN counts as the largest
// value; among equal values, and among NaNs, the smaller index (the first) wins.
struct Candidate {
  float value;
  int64_t index;
};
__device__ __forceinline__ Candidate better(Candidate a, Candidate b) {
  bool a_nan = isnan(a.value), b_nan = isnan(b.value);
  if (a_nan != b_nan) return b_nan ? b : a;
  if (a_nan || a.value == b.value) return b.index < a.index ? b : a;
  return b.value > a.value ? b : a;
}

// x: (rows, d) -> values, indices: (rows). One warp per row, lanes striding over the row, then a
// butterfly over the warp. The starting candidate (-inf at index d) loses to any element.
__global__ void max_rows_kernel(float* values, int64_t* indices, const float* x, int64_t rows, int64_t d) {
  int lane = threadIdx.x % kWarp;
  int64_t warps = grid_stride() / kWarp;
  for (int64_t r = global_index() / kWarp; r < rows; r += warps) {
    const float* row = x + r * d;
    Candidate best{-INFINITY, d};
    for (int64_t j = lane; j < d; j += kWarp) best = better(best, Candidate{row[j], j});
    for (int offset = kWarp / 2; offset > 0; offset /= 2) {
      Candidate other{__shfl_xor_sync(0xffffffffu, best.value, offset),
                      __shfl_xor_sync(0xffffffffu, best.index, offset)};
      best = better(best, other);
    }
    if (lane == 0) {
      values[r] = best.value;
      indices[r] = best.index;
    }
  }
}

// x: (outer, d, inner) -> values, indices: (outer, inner). One thread per output column, walking
// d in order: a later element wins only when strictly larger, and the first NaN ends the search.
__global__ void max_columns_kernel(float* values, int64_t* indices, const float* x, int64_t outer, int64_t d,
                                   int64_t inner) {
  for (int64_t k = global_index(); k < outer * inner; k += grid_stride()) {
    int64_t o = k / inner, i = k - o * inner;
    const float* column = x + o * d * inner + i;
    int64_t best = 0;
    for (int64_t j = 1; j < d && !isnan(column[best * inner]); ++j)
      if (column[j * inner] > column[best * inner] || isnan(column[j * inner])) best = j;
    values[k] = column[best * inner];
    indices[k] = best;
  }
}

// g, indices: (outer, inner) -> dx: (outer, d, inner); every element written (g or 0).
__global__ void max_dim_backward_kernel(float* dx, const float* g, const int64_t* indices, int64_t d, int64_t inner,
                                        int64_t n) {
  for (int64_t k = global_index(); k < n; k += grid_stride()) {
    int64_t o = k / (d * inner), rest = k - o * d * inner, j = rest / inner, i = rest - j * inner;
    int64_t out = o * inner + i;
    dx[k] = indices[out] == j ? g[out] : 0.0f;
  }
}

}  // namespace

void sum_dim(float* out, const float* x, int64_t outer, int64_t d, int64_t inner) {
  if (outer * inner == 0) return;
  if (inner == 1) return channel_sums_to(out, RowValues{x}, 1, outer, d);
  column_sums(out, x, outer, d, inner);
}

void sum_dim_backward(float* dx, const float* g, float scale, int64_t outer, int64_t d, int64_t inner) {
  int64_t n = outer * d * inner;
  if (n == 0) return;
  sum_dim_backward_kernel<<<grid_for(n), kBlock>>>(dx, g, scale, d, inner, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void max_dim(float* values, int64_t* indices, const float* x, int64_t outer, int64_t d, int64_t inner) {
  if (outer * inner == 0) return;
  if (inner == 1) {
    max_rows_kernel<<<grid_for(outer * kWarp), kBlock>>>(values, indices, x, outer, d);
  } else {
    max_columns_kernel<<<grid_for(outer * inner), kBlock>>>(values, indices, x, outer, d, inner);
  }
  HITO_CUDA_CHECK_LAUNCH();
}

void max_dim_backward(float* dx, const float* g, const int64_t* indices, int64_t outer, int64_t d, int64_t inner) {
  int64_t n = outer * d * inner;
  if (n == 0) return;
  max_dim_backward_kernel<<<grid_for(n), kBlock>>>(dx, g, indices, d, inner, n);
  HITO_CUDA_CHECK_LAUNCH();
}

void sum_squares(float* out, const float* x, int64_t n) { channel_sums_to(out, SquareValues{x}, 1, 1, n); }

}  // namespace hito::cuda

// Batch norm whose statistics are those of the global batch, across every rank of the job: what
// makes N ranks with a batch of B/N rows each compute the same update as one process with B rows.
// BatchNorm (layers/norm.h) uses it in training mode whenever the job runs under mpirun.
#pragma once

#include "dist/communicator.h"
#include "engine/tensor.h"

namespace hito::dist {

// x: (N, C), (N, C, L) or (N, C, H, W) (this rank's rows); weight, bias: (C) or undefined; the
// running statistics (C) move towards the global mean and unbiased variance.
//
// Forward, with n_r values per channel on rank r, M = sum_r n_r, and rank r's own mean m_r and
// biased variance v_r (the batch-norm kernel, accumulated in double):
//   mean = sum_r (n_r / M) m_r,  var = sum_r (n_r / M) (v_r + (m_r - mean)^2)      (two all-reduces)
//   y = weight * (x - mean) / sqrt(var + eps) + bias
// Backward, g = dL/dy of the global loss, xhat = (x - mean) / sqrt(var + eps), sums over all ranks:
//   dx = weight / sqrt(var + eps) * (g - sum(g) / M - xhat * sum(g xhat) / M)      (one all-reduce)
//   dweight = sum(g xhat), dbias = sum(g) over this rank's values (the gradient all-reduce sums them)
Tensor sync_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, float momentum, float eps, Communicator& comm);

}  // namespace hito::dist

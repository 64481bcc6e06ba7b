// The CUDA-against-CPU harness of the test_cuda suite: runs a computation on CPU tensors and on
// their CUDA copies, and compares the outputs and, through autograd, the gradients of every input.
// Every test of this suite is named Cuda* and begins with HITO_REQUIRE_CUDA().
#pragma once

#include <functional>
#include <vector>

#include "kernels/runtime.h"  // cuda_available(), for HITO_REQUIRE_CUDA()
#include "engine/tensor.h"
#include "tests/support/testing.h"

namespace hito::testing {

using Computation = std::function<Tensor(const std::vector<Tensor>&)>;

// The inputs live on the CPU; those that require grad are differentiated on both devices. The
// gradients are those of L = sum(f(inputs) * R) for one fixed random R, so every output element
// contributes. Integer outputs must match exactly; f32 ones within `forward`, gradients within
// `backward`.
::testing::AssertionResult matches_cpu(const Computation& f, const std::vector<Tensor>& inputs,
                                       Tolerance forward = {}, Tolerance backward = {});

// A CPU f32 input that requires grad.
Tensor leaf(Tensor t);

}  // namespace hito::testing

// Lab: the matrix products (kernels/api/gemm.inc, cuBLAS on CUDA) at square and study shapes, with
// each transposition a backward pass uses, and a batched product. flops = 2 M N K per product;
// judged against the card's FP32 peak (run with HITO_CUDA_TF32=1 to see the tensor cores).
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

struct Product {
  bool trans_a = false, trans_b = false;
  int64_t M = 0, N = 0, K = 0, batch = 1;
  const char* role;  // what the study uses this shape for
};

void gemm(Lab& lab, const Product& p) {
  const int64_t a_size = p.M * p.K, b_size = p.K * p.N, c_size = p.M * p.N;
  const std::vector<float> A = random_floats(a_size * p.batch, -1, 1, 71),
                           B = random_floats(b_size * p.batch, -1, 1, 72);
  std::vector<float> want(c_size * p.batch);
  cpu::gemm_batched(p.trans_a, p.trans_b, p.M, p.N, p.K, 1, A.data(), a_size, B.data(), b_size, 0, want.data(), c_size,
                    p.batch);
  DeviceBuffer<float> device_a(A), device_b(B), C(want.size());
  const auto launch = [&] {
    if (p.batch == 1) {
      cuda::gemm(p.trans_a, p.trans_b, p.M, p.N, p.K, 1, device_a.get(), device_b.get(), 0, C.get());
    } else {
      cuda::gemm_batched(p.trans_a, p.trans_b, p.M, p.N, p.K, 1, device_a.get(), a_size, device_b.get(), b_size, 0,
                         C.get(), c_size, p.batch);
    }
  };
  launch();
  const std::string kernel = text("%s %c%c %s", p.batch == 1 ? "gemm" : "gemm_batched", p.trans_a ? 'T' : 'N',
                                  p.trans_b ? 'T' : 'N', product_precision());
  const std::string shape = text("%ldx%ldx%ld b%ld (%s)", p.M, p.N, p.K, p.batch, p.role);
  lab.report({kernel, shape, lab.seconds_per_call(launch), 4.0 * p.batch * (a_size + b_size + c_size),
              2.0 * p.batch * p.M * p.N * p.K, relative_error(C.download(), want), product_tolerance()});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("gemm", argc, argv, [](lab::Lab& lab) {
    const int64_t square = lab.size(4096, 128), rows = lab.size(65536, 256);
    for (const lab::Product& p : {
             lab::Product{false, false, square, square, square, 1, "square"},
             lab::Product{false, true, rows, 256, 1024, 1, "MLP forward: x W^T"},
             lab::Product{false, false, rows, 1024, 256, 1, "MLP backward: dx = dy W"},
             lab::Product{true, false, 256, 1024, rows, 1, "MLP backward: dW = dy^T x"},
             lab::Product{false, false, 256, 3136, 576, lab.size(64, 2), "conv as GEMM, 56x56"},
         }) {
      lab::gemm(lab, p);
    }
  });
}

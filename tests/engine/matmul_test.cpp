// matmul with all four transpose combinations and linear with and without bias against naive triple
// loops, at sizes big enough to split over threads too, on both gemm back ends. Gradients, PyTorch's
// values and CUDA parity: the op table (tests/support/op_table_matmul.cpp).
#include <cstdlib>

#include "base/fs.h"
#include "engine/ops.h"
#include "kernels/cpu/kernels.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// C (M, N) = op(A) op(B) in double, A stored (M, K) or (K, M), B stored (K, N) or (N, K).
std::vector<float> naive_matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  std::vector<float> A = a.to_vector<float>(), B = b.to_vector<float>();
  int64_t M = ta ? a.size(1) : a.size(0), K = ta ? a.size(0) : a.size(1), N = tb ? b.size(0) : b.size(1);
  std::vector<float> C(M * N);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double total = 0.0;
      for (int64_t k = 0; k < K; ++k) total += double(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
      C[i * N + j] = static_cast<float>(total);
    }
  return C;
}

class MatmulTest : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(MatmulTest, MatchesNaiveLoopSmallAndThreaded) {
  auto [ta, tb] = GetParam();
  // The last two sizes exceed gemm's 2^22 multiply-adds per thread: C is split by rows, then by columns.
  for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{3, 4, 5}, {1, 7, 2}, {300, 70, 520}, {40, 300, 800}}) {
    SCOPED_TRACE(::testing::Message() << M << "x" << N << "x" << K);
    Tensor a = testing::randn(ta ? Shape{K, M} : Shape{M, K}, 1), b = testing::randn(tb ? Shape{N, K} : Shape{K, N}, 2);
    Tensor c = matmul(a, b, ta, tb);
    ASSERT_EQ(c.shape(), (Shape{M, N}));
    EXPECT_TRUE(testing::all_close(c.to_vector<float>(), naive_matmul(a, b, ta, tb), 1e-4f, 1e-4f));
  }
}

INSTANTIATE_TEST_SUITE_P(Transposes, MatmulTest, ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "At" : "A") + (std::get<1>(info.param) ? "Bt" : "B");
                         });

TEST(Matmul, EmptyInnerDimensionGivesZeros) {
  Tensor c = matmul(Tensor::zeros({3, 0}), Tensor::zeros({0, 2}));
  EXPECT_EQ(c.to_vector<float>(), std::vector<float>(6, 0.0f));
  // The kernel itself, on memory that holds old values: C = alpha * (empty sum) + beta * C.
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      std::vector<float> C(6, 7.0f), none;
      cpu::gemm(ta, tb, 3, 2, 0, 1.0f, none.data(), none.data(), 0.0f, C.data());
      EXPECT_EQ(C, std::vector<float>(6, 0.0f)) << "beta 0, trans " << ta << tb;
      C.assign(6, 7.0f);
      cpu::gemm(ta, tb, 3, 2, 0, 1.0f, none.data(), none.data(), 0.5f, C.data());
      EXPECT_EQ(C, std::vector<float>(6, 3.5f)) << "beta 0.5, trans " << ta << tb;
    }
}

// gemm's back end (Eigen or OpenBLAS) is chosen once per process from HITO_GEMM: the product tests,
// and the op table's matmul and linear gradchecks and goldens, run again in a child process on the
// other back end, so that every run checks both.
TEST(Matmul, OtherGemmBackEndPassesTheSameTests) {
  if (std::getenv("HITO_GEMM")) GTEST_SKIP() << "this process already runs under HITO_GEMM=" << std::getenv("HITO_GEMM");
  std::string other = std::string(cpu::gemm_backend_name()) == "eigen" ? "openblas" : "eigen";
  testing::fs::path log = testing::temp_dir("gemm-backend") / "log.txt";
  std::string command = "HITO_GEMM=" + other + " '" + testing::fs::read_symlink("/proc/self/exe").string() +
                        "' --gtest_filter='Transposes/MatmulTest.*:Matmul.*:Linear.*:Table/*/matmul:Table/*/linear' > '" + log.string() + "' 2>&1";
  int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << "under HITO_GEMM=" << other << ":\n" << read_file(log);
  testing::fs::remove_all(log.parent_path());
}

TEST(Matmul, RefusesMismatchedShapes) {
  EXPECT_THROW(matmul(Tensor::zeros({2, 3}), Tensor::zeros({2, 3})), Error);
  EXPECT_NO_THROW(matmul(Tensor::zeros({2, 3}), Tensor::zeros({2, 3}), false, true));
  EXPECT_THROW(matmul(Tensor::zeros({2, 3, 1}), Tensor::zeros({3, 1})), Error);
}

std::vector<float> naive_linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  std::vector<float> out = naive_matmul(x, w, false, true);
  if (bias.defined()) {
    std::vector<float> b = bias.to_vector<float>();
    for (size_t i = 0; i < out.size(); ++i) out[i] += b[i % b.size()];
  }
  return out;
}

TEST(Linear, WithAndWithoutBias) {
  Tensor x = testing::randn({5, 4}, 5), w = testing::randn({3, 4}, 6), b = testing::randn({3}, 7);
  EXPECT_TRUE(testing::all_close(linear(x, w, b).to_vector<float>(), naive_linear(x, w, b), 1e-5f, 1e-6f));
  EXPECT_TRUE(testing::all_close(linear(x, w).to_vector<float>(), naive_linear(x, w, Tensor()), 1e-5f, 1e-6f));
}

TEST(Linear, Threaded) {
  Tensor x = testing::randn({256, 200}, 8), w = testing::randn({300, 200}, 9), b = testing::randn({300}, 10);
  EXPECT_TRUE(testing::all_close(linear(x, w, b).to_vector<float>(), naive_linear(x, w, b), 1e-4f, 1e-4f));
}

TEST(Linear, RefusesMismatchedShapes) {
  EXPECT_THROW(linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 2})), Error);
  EXPECT_THROW(linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 3}), Tensor::zeros({3})), Error);
  EXPECT_THROW(linear(Tensor::zeros({3}), Tensor::zeros({4, 3})), Error);
}

}  // namespace
}  // namespace hito

// The convolution's packed GEMM (kernels/cpu/conv_gemm.cpp) against a naive triple loop: every
// transpose combination, accumulation, edge tiles in both dimensions, several inner-dimension
// blocks, and the threaded column split.
#include <gtest/gtest.h>

#include "kernels/cpu/kernels.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(ConvGemm, MatchesNaiveProducts) {
  struct Size {
    int64_t M, N, K;
  };
  // Whole tiles (of the 14x32 AVX-512 tile, and 84x64 of the 6x16 AVX2 and 4x16 scalar ones too:
  // ctest runs this on every ISA level), ragged edges, K over several 256-blocks, M over several row
  // blocks, N over several column blocks, and degenerate sizes.
  const Size sizes[] = {{14, 32, 8},   {84, 64, 9},   {13, 31, 7},   {29, 70, 300}, {200, 45, 513},
                        {3, 3300, 20}, {1, 1, 1},     {64, 384, 576}, {170, 33, 17}, {5, 7, 0}};
  for (const Size& s : sizes)
    for (bool trans_a : {false, true})
      for (bool trans_b : {false, true})
        for (bool accumulate : {false, true}) {
          std::vector<float> a = testing::randn({s.M * s.K}, 1).to_vector<float>();
          std::vector<float> b = testing::randn({s.K * s.N}, 2).to_vector<float>();
          std::vector<float> c = testing::randn({s.M * s.N}, 3).to_vector<float>(), expected = c;
          for (int64_t i = 0; i < s.M; ++i)
            for (int64_t j = 0; j < s.N; ++j) {
              double total = accumulate ? expected[i * s.N + j] : 0.0;
              for (int64_t k = 0; k < s.K; ++k)
                total += double(trans_a ? a[k * s.M + i] : a[i * s.K + k]) * (trans_b ? b[j * s.K + k] : b[k * s.N + j]);
              expected[i * s.N + j] = static_cast<float>(total);
            }
          cpu::conv_detail::conv_gemm(trans_a, trans_b, s.M, s.N, s.K, a.data(), b.data(), accumulate, c.data());
          EXPECT_TRUE(testing::all_close(c, expected, 1e-4f, 1e-4f))
              << s.M << "x" << s.N << "x" << s.K << " trans_a " << trans_a << " trans_b " << trans_b << " accumulate "
              << accumulate;
        }
}

}  // namespace
}  // namespace hito

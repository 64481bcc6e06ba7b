// Pooling: max, average (padding counted or not) and adaptive average pooling against PyTorch,
// naive loops and finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/ops.h"
#include "tests/conv/conv_fixture.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::all_close;
using testing::gradcheck;
using testing::randn;

TEST(Pooling, MatchesPyTorch) {
  testing::ConvFixture golden("ops.safetensors");
  for (const char* name : {"max_3x3s2p1", "max_2x2", "avg_3x3s2p1_include", "avg_3x3s2p1_exclude", "avg_2x3",
                           "adaptive_1", "adaptive_3x2"}) {
    std::string c = std::string("pool.") + name;
    nlohmann::json o = golden.metadata(c);
    Tensor x = golden[c + ".x"].clone().set_requires_grad();
    Tensor out;
    if (c.find("adaptive") != std::string::npos) {
      out = adaptive_avg_pool2d(x, {o["extra"][0], o["extra"][1]});
    } else {
      Pool2dOptions options{.kernel = {o["kernel"][0], o["kernel"][1]},
                            .stride = {o["stride"][0], o["stride"][1]},
                            .padding = {o["padding"][0], o["padding"][1]}};
      if (c.find("max") != std::string::npos) {
        out = max_pool2d(x, options);
      } else {
        options.count_include_pad = o["extra"].get<bool>();
        out = avg_pool2d(x, options);
      }
    }
    EXPECT_TRUE(all_close(out, golden[c + ".out"], 1e-6f, 1e-6f)) << c;
    out.backward(golden[c + ".gout"]);
    EXPECT_TRUE(all_close(x.grad(), golden[c + ".dx"], 1e-5f, 1e-6f)) << c << " dx";
  }
}

TEST(Pooling, Gradcheck) {
  // Distinct values keep the max away from ties, where it is not differentiable.
  std::vector<float> values(2 * 3 * 7 * 6);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(1.7f * i) * 3.0f + 0.01f * i;
  Tensor x = Tensor::from_vector(values, {2, 3, 7, 6}).set_requires_grad();
  testing::GradcheckOptions fine{.eps = 1e-3f};
  EXPECT_TRUE(gradcheck([](const auto& in) { return max_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1}); },
                        {x}, fine));
  EXPECT_TRUE(gradcheck([](const auto& in) { return avg_pool2d(in[0], {.kernel = {3, 2}, .stride = {2, 1}, .padding = 1}); },
                        {x}));
  EXPECT_TRUE(gradcheck(
      [](const auto& in) { return avg_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1, .count_include_pad = false}); },
      {x}));
  EXPECT_TRUE(gradcheck([](const auto& in) { return adaptive_avg_pool2d(in[0], {4, 3}); }, {x}));
  EXPECT_TRUE(gradcheck([](const auto& in) { return adaptive_avg_pool2d(in[0], 1); }, {x}));
}

TEST(Pooling, GlobalAveragePoolIsThePlaneMean) {
  Tensor x = randn({3, 5, 7, 7}, 1);
  Tensor out = adaptive_avg_pool2d(x, 1);
  ASSERT_EQ(out.shape(), Shape({3, 5, 1, 1}));
  EXPECT_TRUE(all_close(out.flatten(1), mean(x.reshape({3, 5, 49}), 2), 1e-6f, 1e-6f));
}

TEST(Pooling, MaxPoolMatchesNaiveLoopsAndPropagatesNaN) {
  Tensor x = randn({2, 4, 13, 11}, 3);
  std::vector<float> v = x.to_vector<float>();
  v[5] = std::numeric_limits<float>::quiet_NaN();
  x = Tensor::from_vector(v, x.shape());
  Tensor out = max_pool2d(x, {.kernel = {3, 2}, .stride = {2, 3}, .padding = 1});
  const int64_t H = 13, W = 11, P = 7, Q = 4;
  ASSERT_EQ(out.shape(), Shape({2, 4, P, Q}));
  std::vector<float> expected;
  for (int64_t plane = 0; plane < 8; ++plane)
    for (int64_t p = 0; p < P; ++p)
      for (int64_t q = 0; q < Q; ++q) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t h = p * 2 - 1; h < p * 2 + 2; ++h)
          for (int64_t w = q * 3 - 1; w < q * 3 + 1; ++w)
            if (h >= 0 && h < H && w >= 0 && w < W) {
              float value = v[(plane * H + h) * W + w];
              if (std::isnan(value) || std::isnan(best)) best = std::numeric_limits<float>::quiet_NaN();
              else best = std::max(best, value);
            }
        expected.push_back(best);
      }
  EXPECT_TRUE(all_close(out.to_vector<float>(), expected, 0.0f, 0.0f));
  EXPECT_TRUE(std::isnan(out.to_vector<float>()[2]));  // the window of (p, q) = (0, 2) holds x[0, 0, 0, 5]
}

TEST(Pooling, RejectsBadArguments) {
  Tensor x = randn({1, 2, 5, 5}, 1);
  EXPECT_THROW(max_pool2d(x, {.kernel = 2, .padding = 2}), Error);  // padding over half the kernel
  EXPECT_THROW(max_pool2d(x, {.kernel = 7}), Error);                // window larger than the input
  EXPECT_THROW(avg_pool2d(randn({2, 5, 5}, 1), {.kernel = 2}), Error);
  EXPECT_THROW(adaptive_avg_pool2d(x, 0), Error);
}

}  // namespace
}  // namespace hito

// Early fusion's length balancing: per-modality standardisation, PCA fitted on the training rows,
// learned projections, and the block widths the classifier sees.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/study/fusion/early_fusion.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

std::vector<int64_t> first_rows(int64_t n) {
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  return rows;
}

EarlyFusionConfig two_blocks(const std::string& balance) {
  EarlyFusionConfig c;
  c.inputs = {"tabular", "image-head"};
  c.input_widths = {6, 40};
  c.balance = balance;
  c.width = 4;
  c.num_classes = 3;
  return c;
}

TEST(EarlyFusion, BalancingGivesEqualWidths) {
  Tensor tab = testing::randn({50, 6}, 1), img = testing::randn({50, 40}, 2) * 30.0f;
  for (const std::string balance : {"pca", "project"}) {
    EarlyFusionConfig c = two_blocks(balance);
    std::vector<BlockStatistics> s = {fit_block_statistics(tab, first_rows(40), balance, c.block_width(0)),
                                      fit_block_statistics(img, first_rows(40), balance, c.block_width(1))};
    EarlyFusionNet net(c, s);
    NoGradGuard no_grad;
    Tensor fused = net.fuse({tab, img});
    EXPECT_EQ(c.block_width(0), 4) << balance;
    EXPECT_EQ(c.block_width(1), 4) << balance;
    EXPECT_EQ(fused.size(1), 8) << balance;
    EXPECT_EQ(net.logits({tab, img}).size(1), 3);
  }
  EarlyFusionConfig none = two_blocks("none");
  EXPECT_EQ(none.fused_width(), 46);
  // PCA cannot give a block more components than it has columns.
  EarlyFusionConfig wide = two_blocks("pca");
  wide.width = 100;
  EXPECT_EQ(wide.block_width(0), 6);
  EXPECT_EQ(wide.block_width(1), 6);
}

TEST(EarlyFusion, PcaBlocksHaveUnitMeanVarianceOnTrainingRows) {
  // A 40-column block on a wildly larger scale than the 6-column one: after balancing, both have
  // mean 0 and mean column variance 1 on the training rows.
  Tensor tab = testing::randn({200, 6}, 3), img = testing::randn({200, 40}, 4) * 50.0f + 7.0f;
  EarlyFusionConfig c = two_blocks("pca");
  std::vector<int64_t> train = first_rows(150);
  std::vector<BlockStatistics> s = {fit_block_statistics(tab, train, "pca", 4), fit_block_statistics(img, train, "pca", 4)};
  EarlyFusionNet net(c, s);
  NoGradGuard no_grad;
  std::vector<float> f = net.fuse({tab, img}).to_vector<float>();
  for (int block = 0; block < 2; ++block) {
    double variance = 0.0;
    for (int j = 0; j < 4; ++j) {
      double mean = 0.0, sq = 0.0;
      for (int64_t i : train) mean += f[static_cast<size_t>(i * 8 + block * 4 + j)];
      mean /= 150.0;
      for (int64_t i : train) sq += std::pow(f[static_cast<size_t>(i * 8 + block * 4 + j)] - mean, 2);
      EXPECT_NEAR(mean, 0.0, 1e-4) << "block " << block << " column " << j;
      variance += sq / 149.0;  // PCA eigenvalues use the n - 1 covariance
    }
    EXPECT_NEAR(variance / 4.0, 1.0, 1e-3) << "block " << block;
  }
}

TEST(EarlyFusion, PcaFindsTheHandMadeAxis) {
  // Two columns moving together (x, 2x + small noise): after standardisation the first principal axis is
  // (1, 1)/sqrt(2), and it keeps almost all the variance.
  std::vector<float> v;
  for (int i = 0; i < 100; ++i) {
    float x = static_cast<float>(i % 10) - 4.5f, noise = (i % 3 == 0 ? 0.05f : -0.025f);
    v.push_back(x);
    v.push_back(2 * x + noise);
  }
  BlockStatistics s = fit_block_statistics(Tensor::from_vector(v, {100, 2}), first_rows(100), "pca", 1);
  std::vector<float> axis = s.components.to_vector<float>();
  EXPECT_NEAR(axis[0] / axis[1], 1.0, 1e-3);
  EXPECT_GT(axis[0], 0.0f);
  EXPECT_GT(s.explained[0], 0.99);
}

TEST(EarlyFusion, ZeroedBlockIsTheTrainingMean) {
  Tensor tab = testing::randn({30, 6}, 5), img = testing::randn({30, 40}, 6);
  EarlyFusionConfig c = two_blocks("none");
  std::vector<BlockStatistics> s = {fit_block_statistics(tab, first_rows(30), "none", 0),
                                    fit_block_statistics(img, first_rows(30), "none", 0)};
  EarlyFusionNet net(c, s);
  NoGradGuard no_grad;
  std::vector<float> full = net.fuse({tab, img}).to_vector<float>(), zeroed = net.fuse({tab, img}, 1).to_vector<float>();
  for (int64_t i = 0; i < 30; ++i)
    for (int64_t j = 0; j < 46; ++j) {
      float z = zeroed[static_cast<size_t>(i * 46 + j)];
      if (j < 6) EXPECT_EQ(z, full[static_cast<size_t>(i * 46 + j)]);
      else EXPECT_EQ(z, 0.0f);
    }
}

TEST(EarlyFusion, ConfigRoundTripsAndRefusesBadFields) {
  EarlyFusionConfig c = two_blocks("project");
  c.weights = {2.0f, 0.5f};
  EarlyFusionConfig back = EarlyFusionConfig::from_json(c.to_json(), "test");
  EXPECT_EQ(back.to_json(), c.to_json());
  c.balance = "lda";
  EXPECT_THROW(c.validate(), Error);
  c.balance = "pca";
  c.weights = {1.0f};
  EXPECT_THROW(c.validate(), Error);
}

}  // namespace
}  // namespace hito::study

// PCA (apps/study/tabular/pca.h) against NumPy (tests/scripts/make_pca_fixture.py): mean, axes, variances,
// explained variance ratios and scores, plain and whitened.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "apps/study/tabular/pca.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

std::vector<float> floats(const nlohmann::json& j) {
  std::vector<float> out;
  for (const auto& v : j) out.push_back(v.get<float>());
  return out;
}

struct PcaFixture {
  explicit PcaFixture(size_t c)
      : j(nlohmann::json::parse(read_file(testing::fixture_path("pca/pca.json")))["cases"].at(c)) {}
  nlohmann::json j;
  int64_t n = j["n"], d = j["d"], k = j["k"];
  Tensor x = Tensor::from_vector(floats(j["x"]), {n, d});
  std::vector<int64_t> rows = j["rows"].get<std::vector<int64_t>>();
};

class PcaCases : public ::testing::TestWithParam<size_t> {};

TEST_P(PcaCases, MatchesNumPy) {
  PcaFixture f(GetParam());
  Pca pca = Pca::fit(f.x, f.rows, f.k, false);
  EXPECT_TRUE(testing::all_close(pca.mean.to_vector<float>(), floats(f.j["mean"]), 1e-5f, 1e-4f));
  EXPECT_TRUE(testing::all_close(pca.components.to_vector<float>(), floats(f.j["components"]), 1e-4f, 1e-4f));
  std::vector<double> variance = f.j["variance"], ratio = f.j["explained_ratio"];
  ASSERT_EQ(pca.variance.size(), variance.size());
  for (size_t c = 0; c < variance.size(); ++c) EXPECT_NEAR(pca.variance[c], variance[c], 1e-4 * variance[c]);
  ASSERT_EQ(pca.explained_ratio.size(), ratio.size());
  for (size_t c = 0; c < ratio.size(); ++c) EXPECT_NEAR(pca.explained_ratio[c], ratio[c], 1e-5);
  EXPECT_TRUE(testing::all_close(pca.transform(f.x).to_vector<float>(), floats(f.j["scores"]), 1e-4f, 1e-4f));
}

TEST_P(PcaCases, WhitenedComponentsHaveUnitVarianceOnTheFittedRows) {
  PcaFixture f(GetParam());
  Pca pca = Pca::fit(f.x, f.rows, f.k, true);
  Tensor scores = pca.transform(f.x);
  EXPECT_TRUE(testing::all_close(scores.to_vector<float>(), floats(f.j["whitened"]), 1e-4f, 1e-4f));
  std::vector<float> s = scores.to_vector<float>();
  for (int64_t c = 0; c < f.k; ++c) {
    double sum = 0, sq = 0;
    for (int64_t r : f.rows) sum += s[static_cast<size_t>(r * f.k + c)];
    const double mean = sum / static_cast<double>(f.rows.size());
    for (int64_t r : f.rows) sq += std::pow(s[static_cast<size_t>(r * f.k + c)] - mean, 2);
    EXPECT_NEAR(sq / static_cast<double>(f.rows.size() - 1), 1.0, 1e-4);
  }
}

// 0: exact (k + 10 >= D); 1: randomized (D = 80).
INSTANTIATE_TEST_SUITE_P(Fixtures, PcaCases, ::testing::Values(0u, 1u));

TEST(Pca, RefusesBadArguments) {
  PcaFixture f(0);
  EXPECT_THROW(Pca::fit(f.x, {0}, 2, false), Error);
  EXPECT_THROW(Pca::fit(f.x, f.rows, f.d + 1, false), Error);
  Pca pca = Pca::fit(f.x, f.rows, 2, false);
  EXPECT_THROW(pca.transform(Tensor::zeros({3, f.d + 1})), Error);
}

}  // namespace
}  // namespace hito::study

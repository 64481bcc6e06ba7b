// `hito prepare` on the real HAM10000 data beside the project (skipped when absent): no lesion on two
// sides, class shares per split within 1 point of the whole and the share of images of multi-image
// lesions within 3 points (a representative split), dx_type dropped, the fingerprint
// reproduced from the data folder, and image statistics in a plausible range for dermoscopy.
#include <gtest/gtest.h>

#include "apps/study/prepare/prepared_data.h"
#include "base/fs.h"
#include "tests/data/data_fixture.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

TEST(RealData, PreparesHam10000WithoutLeaks) {
  fs::path data = testing::shared_path("data/ham10000");
  HITO_REQUIRE_PATH(data / "HAM10000_metadata.csv");
  fs::path run = testing::temp_dir("real") / "run";
  PrepareResult result = testing::prepare_quietly(data, run);
  EXPECT_EQ(result.rows, 7977);
  EXPECT_EQ(result.skipped, 0);

  testing::SplitSummary split = testing::summarize_split(run / "prepared" / "rows.csv");
  EXPECT_EQ(split.groups_on_two_sides, 0);
  EXPECT_LE(split.worst_share_gap, 0.01) << split.worst_gap_at;
  EXPECT_LE(split.worst_multi_row_gap, 0.03);
  EXPECT_NEAR(split.train_fraction, 0.70, 0.01);

  PreparedData p = load_prepared(run);  // recomputes the fingerprint from the folder
  EXPECT_EQ(p.fingerprint, result.fingerprint);
  EXPECT_EQ(snapshot_data(p.config, p.data_dir, p.ids).fingerprint, result.fingerprint);
  for (const std::string& f : p.tabular_features) EXPECT_EQ(f.find("dx_type"), std::string::npos) << f;
  EXPECT_EQ(p.code_columns, (std::vector<std::string>{"sex", "localization"}));
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_GT(p.image_mean[c], 0.3f);
    EXPECT_LT(p.image_mean[c], 0.9f);
    EXPECT_GT(p.image_std[c], 0.05f);
  }
  EXPECT_GT(p.image_mean[0], p.image_mean[2]);  // skin: more red than blue
}

}  // namespace
}  // namespace hito::study

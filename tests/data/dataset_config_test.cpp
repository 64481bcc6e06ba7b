// The data-set config: the HAM10000 preset (data/presets/ham10000.json, compiled in) describes the
// published data set, survives a JSON round trip, and an unknown preset is refused naming the known.
#include <gtest/gtest.h>

#include "data/dataset_config.h"
#include "data/presets.h"
#include "base/error.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

TEST(DatasetConfig, TheHam10000PresetDescribesThePublishedDataSet) {
  DatasetConfig c = DatasetConfig::preset("ham10000");
  EXPECT_EQ(c.name, "ham10000");
  EXPECT_EQ(c.metadata, "HAM10000_metadata.csv");
  EXPECT_EQ(c.id_column, "image_id");
  EXPECT_EQ(c.image_patterns, (std::vector<std::string>{"images/{image_id}.jpg", "HAM10000_images_part_1/{image_id}.jpg",
                                                         "HAM10000_images_part_2/{image_id}.jpg"}));
  EXPECT_EQ(c.mask_pattern, "masks/{image_id}_segmentation.png");
  EXPECT_EQ(c.label_column, "dx");
  EXPECT_EQ(c.group_column, "lesion_id");
  ASSERT_TRUE(c.features.has_value());
  ASSERT_EQ(c.features->size(), 3u);
  EXPECT_EQ((*c.features)[0].column, "age");
  EXPECT_EQ((*c.features)[0].kind, ColumnKind::Numeric);
  EXPECT_EQ((*c.features)[1].column, "sex");
  EXPECT_EQ((*c.features)[1].kind, ColumnKind::Categorical);
  EXPECT_EQ((*c.features)[2].column, "localization");
  EXPECT_EQ((*c.features)[2].kind, ColumnKind::Categorical);
  ASSERT_EQ(c.leaky_columns.size(), 1u);
  EXPECT_EQ(c.leaky_columns[0].column, "dx_type");
  EXPECT_EQ(c.missing_values, (std::vector<std::string>{"", "unknown"}));
  EXPECT_EQ(c.classes, (std::vector<std::string>{"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}));
  ASSERT_EQ(c.ranges.count("age"), 1u);
  EXPECT_EQ(c.ranges.at("age").min, 0);
  EXPECT_EQ(c.ranges.at("age").max, 120);
  EXPECT_EQ(DatasetConfig::from_json(c.to_json(), "round trip").to_json(), c.to_json());
}

TEST(DatasetConfig, RangesMustBeOrderedPairsOfNumbers) {
  auto load = [](const std::string& ranges) {
    return DatasetConfig::from_json(nlohmann::ordered_json::parse("{\"ranges\": " + ranges + "}"), "c.json");
  };
  EXPECT_EQ(load(R"({"bmi": [10, 80]})").ranges.at("bmi").max, 80);
  EXPECT_NE(testing::error_message([&] { load(R"({"age": [120, 0]})"); }).find("c.json: \"ranges\".age: [120, 0] must have"),
            std::string::npos);
  EXPECT_NE(testing::error_message([&] { load(R"({"age": [0]})"); }).find("must be [min, max], got [0]"), std::string::npos);
  EXPECT_THROW(load(R"({"age": [0, 1e300]})"), Error);
  EXPECT_THROW(load(R"([0, 1])"), Error);
}

TEST(DatasetConfig, AnUnknownPresetNamesTheKnownOnes) {
  EXPECT_EQ(preset_names(), std::vector<std::string>{"ham10000"});
  std::string message = testing::error_message([] { DatasetConfig::preset("isic2019"); });
  EXPECT_NE(message.find("unknown data-set preset 'isic2019' (known: ham10000)"), std::string::npos) << message;
}

}  // namespace
}  // namespace hito::data

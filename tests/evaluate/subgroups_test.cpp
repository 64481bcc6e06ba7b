// Subgroup assignment of the evaluation: age bands on their edges, missing ages, sex and body site
// from the raw metadata (missing values -> missing / unknown), display order.
#include <gtest/gtest.h>

#include "apps/study/evaluate/subgroups.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(Subgroups, AgeBandsOnTheirEdges) {
  EXPECT_EQ(study::age_band(0.0), "<30");
  EXPECT_EQ(study::age_band(29.99), "<30");
  EXPECT_EQ(study::age_band(30.0), "30-44");
  EXPECT_EQ(study::age_band(44.5), "30-44");
  EXPECT_EQ(study::age_band(45.0), "45-59");
  EXPECT_EQ(study::age_band(59.0), "45-59");
  EXPECT_EQ(study::age_band(60.0), "60-74");
  EXPECT_EQ(study::age_band(74.9), "60-74");
  EXPECT_EQ(study::age_band(75.0), ">=75");
  EXPECT_EQ(study::age_band(85.0), ">=75");
  EXPECT_EQ(study::age_band(std::nullopt), "missing");
}

TEST(Subgroups, SexFemaleMaleOrUnknown) {
  EXPECT_EQ(study::sex_group("female"), "female");
  EXPECT_EQ(study::sex_group(" Male "), "male");
  EXPECT_EQ(study::sex_group("unknown"), "unknown");
  EXPECT_EQ(study::sex_group(""), "unknown");
  EXPECT_EQ(study::sex_group("f"), "unknown");
}

// A hand-made "prepared" data set: only what subgroup assignment reads (the metadata CSV in the
// data folder, the ids in manifest order, the labels).
study::PreparedData tiny_data(const std::string& metadata) {
  study::PreparedData d;
  d.data_dir = testing::temp_dir("subgroups_data");
  write_file_atomic(d.data_dir / "meta.csv", metadata);
  d.config.metadata = "meta.csv";
  d.config.id_column = "image_id";
  d.config.missing_values = {"", "unknown"};
  d.classes = {"a", "b"};
  return d;
}

TEST(Subgroups, FamiliesFromTheRawMetadataInManifestOrder) {
  // The metadata lists the rows in another order than the manifest; one row is not in the data set.
  study::PreparedData d = tiny_data(
      "image_id,age,sex,localization\n"
      "i5,,unknown,back\n"
      "i0,29,female,face\n"
      "i1,30,male,back\n"
      "i2,45,FEMALE,unknown\n"
      "i3,60,,back\n"
      "i4,75,female,\n"
      "i6,74.9,male,trunk\n"
      "extra,50,male,face\n");
  d.ids = {"i0", "i1", "i2", "i3", "i4", "i5", "i6"};
  d.labels_text = {"a", "b", "a", "b", "a", "b", "a"};
  auto families = study::subgroup_families(d);
  ASSERT_EQ(families.size(), 4u);

  EXPECT_EQ(families[0].family, "class");
  EXPECT_EQ(families[0].of_row, d.labels_text);
  EXPECT_EQ(families[0].order, (std::vector<std::string>{"a", "b"}));

  EXPECT_EQ(families[1].family, "age");
  EXPECT_EQ(families[1].of_row, (std::vector<std::string>{"<30", "30-44", "45-59", "60-74", ">=75", "missing", "60-74"}));
  EXPECT_EQ(families[1].order, (std::vector<std::string>{"<30", "30-44", "45-59", "60-74", ">=75", "missing"}));

  EXPECT_EQ(families[2].family, "sex");
  EXPECT_EQ(families[2].of_row,
            (std::vector<std::string>{"female", "male", "female", "unknown", "female", "unknown", "male"}));
  EXPECT_EQ(families[2].order, (std::vector<std::string>{"female", "male", "unknown"}));

  // Sites by decreasing count (back 2, then face and trunk 1 each, by name), "unknown" last.
  EXPECT_EQ(families[3].family, "site");
  EXPECT_EQ(families[3].of_row, (std::vector<std::string>{"face", "back", "unknown", "back", "unknown", "back", "trunk"}));
  EXPECT_EQ(families[3].order, (std::vector<std::string>{"back", "face", "trunk", "unknown"}));
}

TEST(Subgroups, AFamilyWithoutItsColumnIsSkippedWithTheReason) {
  study::PreparedData d = tiny_data("image_id,age\ni0,40\n");
  d.ids = {"i0"};
  d.labels_text = {"a"};
  auto families = study::subgroup_families(d);
  EXPECT_TRUE(families[1].skipped.empty());
  EXPECT_NE(families[2].skipped.find("no column 'sex'"), std::string::npos) << families[2].skipped;
  EXPECT_TRUE(families[2].of_row.empty());
  EXPECT_NE(families[3].skipped.find("no column 'localization'"), std::string::npos);
}

TEST(Subgroups, ErrorsNameTheFileAndRow) {
  study::PreparedData d = tiny_data("image_id,age,sex,localization\ni0,forty,male,back\n");
  d.ids = {"i0"};
  d.labels_text = {"a"};
  try {
    study::subgroup_families(d);
    FAIL() << "expected an error for a non-numeric age";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("meta.csv:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("forty"), std::string::npos) << e.what();
  }
  d.ids = {"nope"};
  EXPECT_THROW(study::subgroup_families(d), Error);
}

}  // namespace
}  // namespace hito

// `hito prepare` on the synthetic set: the prepared folder, no lesion on two sides, class shares per
// split within 2 points of the whole, a fingerprint that is stable and changes with a label or an
// image (and load_prepared refusing then), statistics from the training split only, leaky and
// identifier columns dropped with reasons, and the leakage check on a column that copies the label.
#include <gtest/gtest.h>

#include <map>

#include "apps/study/prepare/prepared_data.h"
#include "data/csv.h"
#include "data/image.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/data/data_fixture.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

using data::CsvTable;
using data::read_csv;

// Column `name` of a CSV file, as a map from the first column's value.
std::map<std::string, std::string> column_by_key(const fs::path& csv, const std::string& name) {
  CsvTable t = read_csv(csv);
  int64_t c = t.require_column(name);
  std::map<std::string, std::string> out;
  for (const auto& row : t.rows) out[row[0]] = row[size_t(c)];
  return out;
}

// Replaces column `name` of the metadata row with id `id`.
void edit_metadata(const fs::path& data, const std::string& id, const std::string& name, const std::string& value) {
  fs::path path = data / "HAM10000_metadata.csv";
  CsvTable t = read_csv(path);
  data::CsvWriter out(t.header);
  for (auto row : t.rows) {
    if (row[1] == id) row[size_t(t.require_column(name))] = value;
    out.row(row);
  }
  out.write(path);
}

std::string first_id_in(const fs::path& prepared, const std::string& split) {
  for (const auto& [id, s] : column_by_key(prepared / "split.csv", "split"))
    if (s == split) return id;
  return "";
}

TEST(Prepare, WritesTheContractFiles) {
  fs::path run = testing::temp_dir("prepare-files") / "run";
  PrepareResult result = testing::prepare_quietly(testing::synthetic_data(), run);
  fs::path dir = run / "prepared";
  for (const char* file : {"split.csv", "rows.csv", "manifest.json", "labels.npy", "tabular.npy", "numeric.npy", "codes.npy",
                           "encoders.json", "image_stats.json", "missing.csv", "dropped_columns.csv", "leakage.csv",
                           "class_counts.csv", "distributions.csv", "summary.txt"})
    EXPECT_TRUE(fs::is_regular_file(dir / file)) << file;
  EXPECT_FALSE(fs::exists(dir / "skipped_rows.csv"));
  EXPECT_EQ(read_csv(dir / "split.csv").header, (std::vector<std::string>{"image_id", "split"}));
  EXPECT_EQ(result.rows, 600);
  EXPECT_EQ(result.train + result.val + result.test, 600);

  PreparedData p = load_prepared(run);
  EXPECT_EQ(p.size(), 600);
  EXPECT_EQ(p.classes, (std::vector<std::string>{"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}));
  EXPECT_EQ(p.tabular.size(1), int64_t(p.tabular_features.size()));
  EXPECT_EQ(p.codes.shape(), (Shape{600, 2}));
  EXPECT_EQ(p.code_columns, (std::vector<std::string>{"sex", "localization"}));
  EXPECT_EQ(p.numeric.size(1), int64_t(p.numeric_features.size()));
  EXPECT_EQ(p.tabular_features[0], "age");
  for (size_t c = 0; c < 3; ++c) EXPECT_TRUE(p.image_std[c] > 0.05f && p.image_mean[c] > 0.2f);
  // The tabular matrix is what the saved encoder makes of the metadata.
  CsvTable metadata = read_csv(p.data_dir / "HAM10000_metadata.csv");
  EXPECT_EQ(p.encoder.transform(metadata).tabular.to_vector<float>(), p.tabular.to_vector<float>());

  auto dropped = column_by_key(dir / "dropped_columns.csv", "reason");
  EXPECT_NE(dropped["dx_type"].find("label leakage"), std::string::npos);
  EXPECT_NE(dropped["image_id"].find("identifier"), std::string::npos);
  EXPECT_NE(dropped["lesion_id"].find("identifier"), std::string::npos);
  EXPECT_EQ(dropped.count("age"), 0u);
  // Missing values: synthetic ages are missing on about 2% of rows, "unknown" sites on about 3%.
  CsvTable missing = read_csv(dir / "missing.csv");
  bool found = false;
  for (const auto& row : missing.rows)
    if (row[0] == "localization" && row[1] == "all" && row[2] == "all") {
      found = true;
      EXPECT_GT(std::stoi(row[3]), 0);
    }
  EXPECT_TRUE(found);
}

TEST(Prepare, NoLesionOnTwoSidesAndSharesWithinTwoPoints) {
  fs::path run = testing::temp_dir("prepare-split") / "run";
  testing::prepare_quietly(testing::synthetic_data(), run);
  testing::SplitSummary split = testing::summarize_split(run / "prepared" / "rows.csv");
  EXPECT_EQ(split.groups_on_two_sides, 0);
  EXPECT_LE(split.worst_share_gap, 0.02) << split.worst_gap_at;
  EXPECT_NEAR(split.train_fraction, 0.70, 0.02);
}

TEST(Prepare, FingerprintIsStableAndFollowsEveryCellAndImageContent) {
  fs::path data = testing::copy_of_synthetic_data("prepare-fingerprint");
  fs::path run = data.parent_path() / "run";
  std::string first = testing::prepare_quietly(data, run).fingerprint;
  std::string split = read_file(run / "prepared" / "split.csv");
  std::string again = testing::prepare_quietly(data, run).fingerprint;
  EXPECT_EQ(first, again);
  EXPECT_EQ(read_file(run / "prepared" / "split.csv"), split);  // same seed, same split
  EXPECT_NO_THROW(load_prepared(run));

  // A label changes: the fingerprint changes, and later commands refuse the old preparation.
  std::string id = first_id_in(run / "prepared", "test");
  auto labels = column_by_key(data / "HAM10000_metadata.csv", "dx");
  std::string old_label = column_by_key(run / "prepared" / "rows.csv", "label")[id];
  edit_metadata(data, id, "dx", old_label == "nv" ? "mel" : "nv");
  std::string message = testing::error_message([&] { load_prepared(run); });
  EXPECT_NE(message.find("no longer match"), std::string::npos) << message;
  fs::path other_run = data.parent_path() / "run2";
  EXPECT_NE(testing::prepare_quietly(data, other_run).fingerprint, first);
  edit_metadata(data, id, "dx", old_label);
  EXPECT_NO_THROW(load_prepared(run));

  // An age changes (a feature cell, not the label): refused too.
  std::string old_age;
  CsvTable metadata = read_csv(data / "HAM10000_metadata.csv");
  for (const auto& row : metadata.rows)
    if (row[1] == id) old_age = row[size_t(metadata.require_column("age"))];
  edit_metadata(data, id, "age", old_age == "40.0" ? "45.0" : "40.0");
  message = testing::error_message([&] { load_prepared(run); });
  EXPECT_NE(message.find("no longer match"), std::string::npos) << message;
  edit_metadata(data, id, "age", old_age);
  EXPECT_NO_THROW(load_prepared(run));

  // An image is replaced by another of exactly the same size (one byte inside it flipped).
  fs::path image = data / "images" / (id + ".jpg");
  std::string bytes = read_file(image);
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x01);
  write_file_atomic(image, flipped);
  message = testing::error_message([&] { load_prepared(run); });
  EXPECT_NE(message.find("no longer match"), std::string::npos) << message;
  write_file_atomic(image, bytes);
  EXPECT_NO_THROW(load_prepared(run));

  // An image changes.
  data::Image blank(150, 200, 3, 128);
  data::write_jpeg(data / "images" / (id + ".jpg"), blank);
  message = testing::error_message([&] { load_prepared(run); });
  EXPECT_NE(message.find("no longer match"), std::string::npos) << message;
  EXPECT_NE(testing::prepare_quietly(data, other_run).fingerprint, first);
}

TEST(Prepare, StatisticsComeFromTheTrainingSplitOnly) {
  fs::path data = testing::copy_of_synthetic_data("prepare-stats");
  fs::path run = data.parent_path() / "run";
  testing::prepare_quietly(data, run);
  std::string encoders = read_file(run / "prepared" / "encoders.json");
  std::string image_stats = read_file(run / "prepared" / "image_stats.json");
  std::string split = read_file(run / "prepared" / "split.csv");

  // A test row gets an extreme age, an unseen site, and a white image: nothing fitted moves.
  std::string test_id = first_id_in(run / "prepared", "test");
  edit_metadata(data, test_id, "age", "5");
  edit_metadata(data, test_id, "localization", "elbow");
  data::write_jpeg(data / "images" / (test_id + ".jpg"), data::Image(150, 200, 3, 255));
  testing::prepare_quietly(data, run);
  EXPECT_EQ(read_file(run / "prepared" / "encoders.json"), encoders);
  EXPECT_EQ(read_file(run / "prepared" / "image_stats.json"), image_stats);
  EXPECT_EQ(read_file(run / "prepared" / "split.csv"), split);
  // ... and the unseen site lands in the unknown slot.
  PreparedData p = load_prepared(run);
  int64_t row = std::find(p.ids.begin(), p.ids.end(), test_id) - p.ids.begin();
  EXPECT_EQ(p.codes.to_vector<int64_t>()[size_t(row * 2 + 1)], p.code_cardinalities[1] - 1);

  // The same change on a training row moves them (the check above can fail).
  std::string train_id = first_id_in(run / "prepared", "train");
  edit_metadata(data, train_id, "age", "5");
  data::write_jpeg(data / "images" / (train_id + ".jpg"), data::Image(150, 200, 3, 255));
  testing::prepare_quietly(data, run);
  EXPECT_NE(read_file(run / "prepared" / "encoders.json"), encoders);
  EXPECT_NE(read_file(run / "prepared" / "image_stats.json"), image_stats);
}

TEST(Prepare, TheLeakageCheckDropsAColumnThatGivesTheLabelAway) {
  fs::path data = testing::copy_of_synthetic_data("prepare-leak");
  // A new column that spells the label out, and a config without a features list, so every
  // column is a candidate.
  CsvTable t = read_csv(data / "HAM10000_metadata.csv");
  std::vector<std::string> header = t.header;
  header.push_back("report_code");
  data::CsvWriter out(header);
  for (auto row : t.rows) {
    row.push_back("code-" + row[2]);
    out.row(row);
  }
  out.write(data / "HAM10000_metadata.csv");
  PrepareOptions options;
  options.config.features.reset();
  testing::prepare_quietly(data, data.parent_path() / "run", options);
  auto dropped = column_by_key(data.parent_path() / "run" / "prepared" / "dropped_columns.csv", "reason");
  EXPECT_NE(dropped["report_code"].find("label leakage: alone predicts dx with balanced accuracy 1.000"), std::string::npos)
      << dropped["report_code"];
  auto flagged = column_by_key(data.parent_path() / "run" / "prepared" / "leakage.csv", "flagged");
  EXPECT_EQ(flagged["report_code"], "true");
  EXPECT_EQ(flagged["localization"], "false");
  PreparedData p = load_prepared(data.parent_path() / "run");
  for (const std::string& f : p.tabular_features) EXPECT_EQ(f.find("report_code"), std::string::npos) << f;
}

TEST(Prepare, ACustomConfigDescribesAnotherDataSet) {
  // The same data under other names: a generic CSV + image folder.
  fs::path data = testing::copy_of_synthetic_data("prepare-config");
  fs::rename(data / "images", data / "pictures");
  CsvTable t = read_csv(data / "HAM10000_metadata.csv");
  data::CsvWriter out({"patient", "file", "diagnosis", "how", "age", "sex", "site"});
  for (const auto& row : t.rows) out.row(row);
  out.write(data / "table.csv");
  write_file_atomic(data / "config.json", R"({
    "name": "renamed", "metadata": "table.csv", "id_column": "file", "images": "pictures/{file}.jpg",
    "label_column": "diagnosis", "group_column": "patient", "leaky_columns": {"how": "decided with the diagnosis"},
    "features": {"age": "auto", "sex": "categorical", "site": "categorical"}, "missing_values": ["", "unknown"]
  })");
  PrepareOptions options;
  options.config = data::DatasetConfig::load(data / "config.json");
  testing::prepare_quietly(data, data.parent_path() / "run", options);
  PreparedData p = load_prepared(data.parent_path() / "run");
  EXPECT_EQ(p.size(), 600);
  EXPECT_EQ(read_csv(p.prepared_dir / "split.csv").header[0], "file");
  EXPECT_EQ(p.numeric_features[0], "age");  // "auto" inferred numeric
  EXPECT_TRUE(p.masks[0].empty());
  // A typo in a config key is an error, not a silent default.
  write_file_atomic(data / "typo.json", R"({"label_colum": "dx"})");
  EXPECT_NE(testing::error_message([&] { data::DatasetConfig::load(data / "typo.json"); }).find("unknown key \"label_colum\""),
            std::string::npos);
}

}  // namespace
}  // namespace hito::study

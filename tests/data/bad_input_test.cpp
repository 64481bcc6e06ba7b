// Every kind of bad input to `hito prepare` gives an error naming the file and row (and leaves no
// prepared folder behind); with --on-bad-row skip the row is skipped and listed with its reason.
#include <gtest/gtest.h>

#include <functional>

#include "apps/study/prepare/prepared_data.h"
#include "data/csv.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/data/data_fixture.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

using data::CsvTable;
using Rows = std::vector<std::vector<std::string>>;

constexpr size_t kBadRow = 10;  // data row index of the row made bad: line 12 of the file
const std::string kBadLine = "HAM10000_metadata.csv:12 (row 11";

struct BadCase {
  std::string name;
  std::function<void(const fs::path& data, Rows& rows)> spoil;  // changes the data and/or the rows
  std::string reason;                                          // part of the expected message
  bool no_classes = false;                                     // prepare without the preset's class list
};

void rewrite(const fs::path& data, const std::function<void(Rows&)>& change) {
  CsvTable t = data::read_csv(data / "HAM10000_metadata.csv");
  change(t.rows);
  std::string text = "lesion_id,image_id,dx,dx_type,age,sex,localization\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) text += (i ? "," : "") + data::csv_field(row[i]);
    text += "\n";
  }
  write_file_atomic(data / "HAM10000_metadata.csv", text);
}

std::string image_of(const Rows& rows) { return rows[kBadRow][1] + ".jpg"; }

std::vector<BadCase> cases() {
  return {
      {"missing-image", [](const fs::path& d, Rows& r) { fs::remove(d / "images" / image_of(r)); }, "image file not found"},
      {"truncated-jpeg",
       [](const fs::path& d, Rows& r) {
         std::string bytes = read_file(d / "images" / image_of(r));
         write_file_atomic(d / "images" / image_of(r), bytes.substr(0, bytes.size() * 2 / 3));
       },
       "truncated JPEG"},
      {"unreadable-jpeg",
       [](const fs::path& d, Rows& r) { write_file_atomic(d / "images" / image_of(r), "\xFF\xD8 no image here \xFF\xD9"); },
       "cannot decode image"},
      {"ragged-row", [](const fs::path&, Rows& r) { r[kBadRow].pop_back(); }, "6 fields, but the header has 7"},
      {"duplicate-id", [](const fs::path&, Rows& r) { r[kBadRow][1] = r[3][1]; }, "duplicate image_id"},
      {"empty-label", [](const fs::path&, Rows& r) { r[kBadRow][2] = ""; }, "empty label in column dx"},
      {"rare-class", [](const fs::path&, Rows& r) { r[kBadRow][2] = "newclass"; },
       "class 'newclass' has 1 lesion_id groups, but a split into 3 parts needs at least 3", true},
      {"outside-path", [](const fs::path&, Rows& r) { r[kBadRow][1] = "../../../etc/passwd"; }, "is outside the data folder"},
      {"absurd-age", [](const fs::path&, Rows& r) { r[kBadRow][4] = "1e308"; },
       "column 'age' holds 1e308, outside its range [0, 120]"},
      {"negative-age", [](const fs::path&, Rows& r) { r[kBadRow][4] = "-4"; }, "column 'age' holds -4, outside its range"},
      {"infinite-age", [](const fs::path&, Rows& r) { r[kBadRow][4] = "inf"; }, "column 'age' holds 'inf', not a number"},
  };
}

TEST(BadInput, EachIsAnErrorNamingFileAndRowAndLeavesNoPreparedFolder) {
  for (const BadCase& c : cases()) {
    fs::path data = testing::copy_of_synthetic_data("bad-" + c.name);
    rewrite(data, [&](Rows& rows) { c.spoil(data, rows); });
    PrepareOptions options;
    if (c.no_classes) options.config.classes.clear();
    fs::path run = data.parent_path() / "run";
    std::string message = testing::error_message([&] { testing::prepare_quietly(data, run, options); });
    EXPECT_NE(message.find(kBadLine), std::string::npos) << c.name << ": " << message;
    EXPECT_NE(message.find(c.reason), std::string::npos) << c.name << ": " << message;
    EXPECT_NE(message.find("1 bad row"), std::string::npos) << c.name << ": " << message;
    EXPECT_FALSE(fs::exists(run / "prepared")) << c.name;
    EXPECT_TRUE(!fs::exists(run) || fs::is_empty(run)) << c.name << ": something was left in " << run;
    fs::remove_all(data.parent_path());
  }
}

TEST(BadInput, SkipModeSkipsAndListsEveryBadRow) {
  fs::path data = testing::copy_of_synthetic_data("bad-skip");
  std::vector<BadCase> all = cases();
  // One bad row of each kind, on rows kBadRow, kBadRow + 1, ...: apply each spoil to its own row.
  rewrite(data, [&](Rows& rows) {
    for (size_t k = 0; k < all.size(); ++k) {
      if (all[k].no_classes) continue;
      std::swap(rows[kBadRow], rows[kBadRow + k]);
      all[k].spoil(data, rows);
      std::swap(rows[kBadRow], rows[kBadRow + k]);
    }
  });
  PrepareOptions options;
  options.skip_bad_rows = true;
  fs::path run = data.parent_path() / "run";
  PrepareResult result = testing::prepare_quietly(data, run, options);
  CsvTable skipped = data::read_csv(run / "prepared" / "skipped_rows.csv");
  EXPECT_EQ(skipped.header, (std::vector<std::string>{"line", "row", "id", "reason"}));
  ASSERT_EQ(skipped.num_rows(), int64_t(all.size()) - 1);
  size_t listed = 0;
  for (size_t k = 0; k < all.size(); ++k) {
    if (all[k].no_classes) continue;
    const auto& row = skipped.rows[listed++];
    EXPECT_EQ(row[0], std::to_string(12 + k)) << all[k].name;
    EXPECT_NE(row[3].find(all[k].reason), std::string::npos) << all[k].name << ": " << row[3];
  }
  EXPECT_EQ(result.skipped, int64_t(all.size()) - 1);
  EXPECT_EQ(result.rows, 600 - result.skipped);
  PreparedData p = load_prepared(run);  // the kept rows still match their fingerprint
  EXPECT_EQ(p.size(), result.rows);
  EXPECT_NE(read_file(run / "prepared" / "summary.txt").find("skipped: " + std::to_string(all.size() - 1)), std::string::npos);
}

}  // namespace
}  // namespace hito::study

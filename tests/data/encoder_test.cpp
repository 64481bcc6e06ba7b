// TabularEncoder: statistics from the training rows only (changing a test row moves nothing), the
// values against a hand computation, unseen categories in the unknown slot, missing values imputed
// with an indicator, the JSON round trip, and errors naming the cell.
#include <gtest/gtest.h>

#include "data/csv.h"
#include "data/tabular_encoder.h"
#include "base/error.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

const std::vector<std::pair<std::string, ColumnKind>> kFeatures = {{"age", ColumnKind::Numeric},
                                                                   {"site", ColumnKind::Categorical}};
const MissingValues kMissing({"unknown"});

CsvTable table() {
  // Rows 0-3 train, 4-5 test.
  return parse_csv(
      "id,age,site\n"
      "a,10,back\n"
      "b,,face\n"
      "c,30,back\n"
      "d,50,unknown\n"
      "e,90,ear\n"
      "f,,face\n",
      "t.csv");
}
const std::vector<int64_t> kTrain = {0, 1, 2, 3};

TEST(TabularEncoder, FitsOnTrainingRowsOnly) {
  CsvTable t = table();
  TabularEncoder e = TabularEncoder::fit(t, kFeatures, kTrain, kMissing);
  CsvTable changed = t;
  changed.rows[4] = {"e", "1000", "hand"};
  changed.rows[5] = {"f", "-5", "unknown"};
  EXPECT_EQ(TabularEncoder::fit(changed, kFeatures, kTrain, kMissing).to_json(), e.to_json());
  CsvTable train_changed = t;
  train_changed.rows[0] = {"a", "12", "back"};
  EXPECT_NE(TabularEncoder::fit(train_changed, kFeatures, kTrain, kMissing).to_json(), e.to_json());
}

TEST(TabularEncoder, ValuesMatchAHandComputation) {
  CsvTable t = table();
  TabularEncoder e = TabularEncoder::fit(t, kFeatures, kTrain, kMissing);
  // age on train: 10, missing, 30, 50 -> median 30, imputed column 10, 30, 30, 50.
  const NumericEncoding& age = e.numerics()[0];
  EXPECT_DOUBLE_EQ(age.median, 30.0);
  EXPECT_DOUBLE_EQ(age.mean, 30.0);
  EXPECT_NEAR(age.std, std::sqrt((400.0 + 0 + 0 + 400.0) / 4), 1e-12);
  EXPECT_TRUE(age.indicator);
  const CategoricalEncoding& site = e.categoricals()[0];
  EXPECT_EQ(site.vocabulary, (std::vector<std::string>{"back", "face"}));
  EXPECT_EQ(site.most_frequent, "back");
  EXPECT_TRUE(site.indicator);  // "unknown" counts as missing
  EXPECT_EQ(e.feature_names(),
            (std::vector<std::string>{"age", "age_missing", "site_missing", "site=back", "site=face", "site=<unknown>"}));
  EXPECT_EQ(e.numeric_names(), (std::vector<std::string>{"age", "age_missing", "site_missing"}));
  EXPECT_EQ(e.code_cardinalities(), (std::vector<int64_t>{3}));

  EncodedTable out = e.transform(t);
  ASSERT_EQ(out.tabular.shape(), (Shape{6, 6}));
  double s = age.std;
  std::vector<float> expected = {
      float(-20 / s), 0, 0, 1, 0, 0,  // a: 10, back
      0, 1, 0, 0, 1, 0,               // b: age missing -> median, face
      0, 0, 0, 1, 0, 0,               // c: 30, back
      float(20 / s), 0, 1, 1, 0, 0,   // d: 50, site missing -> back
      float(60 / s), 0, 0, 0, 0, 1,   // e: 90, "ear" never seen in training -> unknown slot
      0, 1, 0, 0, 1, 0,               // f
  };
  EXPECT_TRUE(testing::all_close(out.tabular.to_vector<float>(), expected, 1e-6f, 1e-6f));
  EXPECT_EQ(out.codes.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 0, 2, 1}));
  EXPECT_EQ(out.numeric.shape(), (Shape{6, 3}));
  EXPECT_EQ(out.numeric.to_vector<float>()[2 * 3 + 0], 0.0f);
}

TEST(TabularEncoder, JsonRoundTripTransformsNewDataTheSameWay) {
  CsvTable t = table();
  TabularEncoder e = TabularEncoder::fit(t, kFeatures, kTrain, kMissing);
  TabularEncoder back = TabularEncoder::from_json(nlohmann::ordered_json::parse(e.to_json().dump()), "enc.json");
  // New data with the columns in another order and an extra column.
  CsvTable fresh = parse_csv("site,extra,age\nface,x,20\nscalp,y,\n", "new.csv");
  EncodedTable a = e.transform(fresh), b = back.transform(fresh);
  EXPECT_EQ(a.tabular.to_vector<float>(), b.tabular.to_vector<float>());
  EXPECT_EQ(a.codes.to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  EXPECT_THROW(TabularEncoder::from_json(nlohmann::ordered_json::parse("{\"numeric\": []}"), "enc.json"), Error);
}

TEST(TabularEncoder, ErrorsNameTheCell) {
  CsvTable t = parse_csv("id,age,site\na,ten,back\n", "bad.csv");
  try {
    TabularEncoder::fit(t, kFeatures, {0}, kMissing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:2 (row 1): column 'age' is numeric, but holds 'ten'"), std::string::npos)
        << e.what();
  }
  CsvTable empty = parse_csv("id,age,site\na,,back\n", "empty.csv");
  EXPECT_THROW(TabularEncoder::fit(empty, kFeatures, {0}, kMissing), Error);  // no age on the training rows
  CsvTable no_column = parse_csv("id,site\na,back\n", "nc.csv");
  EXPECT_THROW(TabularEncoder::fit(no_column, kFeatures, {0}, kMissing), Error);
}

TEST(TabularEncoder, NumbersOutsideTheirRangeAreRefusedNamingTheCell) {
  // Finite but absurd: 1e308 squared overflows the std; without a declared range +-1e15 bounds it.
  CsvTable absurd = parse_csv("id,age,site\na,1e308,back\nb,40,face\n", "abs.csv");
  std::string message = testing::error_message([&] { TabularEncoder::fit(absurd, kFeatures, {0, 1}, kMissing); });
  EXPECT_NE(message.find("abs.csv:2 (row 1): column 'age' holds 1e308, outside its range [-1e+15, 1e+15]"),
            std::string::npos) << message;
  // A declared range, kept in the JSON and checked again on new data (hito predict).
  CsvTable t = table();
  std::map<std::string, NumericRange> ranges = {{"age", {0, 120}}};
  TabularEncoder e = TabularEncoder::fit(t, kFeatures, kTrain, kMissing, ranges);
  TabularEncoder back = TabularEncoder::from_json(nlohmann::ordered_json::parse(e.to_json().dump()), "enc.json");
  CsvTable negative = parse_csv("id,age,site\nz,-3,back\n", "new.csv");
  message = testing::error_message([&] { back.transform(negative); });
  EXPECT_NE(message.find("new.csv:2 (row 1): column 'age' holds -3, outside its range [0, 120]"), std::string::npos)
      << message;
  EXPECT_THROW(TabularEncoder::fit(parse_csv("id,age,site\na,130,back\n", "old.csv"), kFeatures, {0}, kMissing, ranges),
               Error);
}

}  // namespace
}  // namespace hito::data

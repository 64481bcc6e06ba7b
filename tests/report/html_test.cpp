// HTML building blocks: escaping, base64 (RFC 4648 test vectors), number and interval formatting,
// tables; numeric CSV columns; pivots of long tables.
#include "apps/report/html.h"

#include <cmath>

#include "data/csv_columns.h"
#include "apps/report/pivot.h"
#include "tests/report/xml_check.h"
#include "tests/support/testing.h"

namespace hito::report {
namespace {

TEST(Html, EscapeAndBase64) {
  EXPECT_EQ(escape_markup("<b>\"x\" & 'y'</b>"), "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x80", 3)), "/wCA");
  EXPECT_EQ(data_uri("image/png", "foo"), "data:image/png;base64,Zm9v");
}

TEST(Html, NumbersAndIntervals) {
  EXPECT_EQ(format_interval(0.7123, 0.6814, 0.7436), "0.712 [0.681, 0.744]");
  eval::Interval interval;
  interval.estimate = 0.5, interval.lower = 0.25, interval.upper = std::nan("");
  EXPECT_EQ(format_interval(interval, 2), "0.50 [0.25, -]");
  EXPECT_EQ(format_interval(0.5, std::nan(""), std::nan("")), "0.500");
  EXPECT_EQ(Cell::count(1234567).text, "1,234,567");
  EXPECT_EQ(Cell::count(-1000).text, "-1,000");
  EXPECT_EQ(Cell::count(12).text, "12");
  EXPECT_TRUE(Cell::number(0.1).numeric);
  EXPECT_EQ(Cell::number(std::nan("")).text, "-");
}

TEST(Html, TablesEscapeAndAlignNumbers) {
  Table table;
  table.caption = "Scores <val>";
  table.header = {"model", "bacc"};
  table.rows = {{"tabular & co", Cell::number(0.61234)}};
  std::string html = render_table(table);
  EXPECT_TRUE(testing::well_formed_xml(html));
  EXPECT_NE(html.find("tabular &amp; co"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">0.612</td>"), std::string::npos);
  EXPECT_NE(html.find("Scores &lt;val&gt;"), std::string::npos);
  table.rows.push_back({"short row"});
  EXPECT_THROW(render_table(table), Error);
  Table empty;
  empty.header = {"a"};
  EXPECT_NE(render_table(empty).find("no rows"), std::string::npos);
}

TEST(CsvColumns, NumbersMissingValuesAndErrors) {
  data::CsvTable t = data::parse_csv("name,count,loss\na,3,0.5\nb,,nan\nc,1.5e2,NA\nd,2,abc\n", "history.csv");
  EXPECT_TRUE(data::is_numeric_column(t, 1));
  EXPECT_FALSE(data::is_numeric_column(t, 0));
  EXPECT_FALSE(data::is_numeric_column(t, 2));  // "abc"
  std::vector<double> counts = data::column_numbers(t, 1);
  EXPECT_DOUBLE_EQ(counts[0], 3);
  EXPECT_TRUE(std::isnan(counts[1]));
  EXPECT_DOUBLE_EQ(counts[2], 150);
  try {
    data::column_numbers(t, 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("history.csv:5 (row 4), column 'loss': 'abc' is not a number"),
              std::string::npos)
        << e.what();
  }
  data::CsvTable empty = data::parse_csv("a\n\"\"\n", "e.csv");
  EXPECT_FALSE(data::is_numeric_column(empty, 0));  // no value at all is not a numeric column
}

TEST(Csv, TableFromCsvFormatsColumns) {
  data::CsvTable t = data::parse_csv("class,train,share\nnv,4693,0.6712\nmel,779,\n", "c.csv");
  Table table = table_from_csv(t);
  EXPECT_EQ(table.rows[0][1].text, "4,693");
  EXPECT_TRUE(table.rows[0][1].numeric);
  EXPECT_EQ(table.rows[0][2].text, "0.671");
  EXPECT_EQ(table.rows[1][2].text, "-");
  EXPECT_FALSE(table.rows[0][0].numeric);
}

TEST(Html, NumbersFormattedByKind) {
  EXPECT_EQ(number_kind("lr"), NumberKind::Rate);
  EXPECT_EQ(number_kind("weight_decay"), NumberKind::Rate);
  EXPECT_EQ(number_kind("backbone_lr"), NumberKind::Rate);
  EXPECT_EQ(number_kind("fit_seconds"), NumberKind::Seconds);
  EXPECT_EQ(number_kind("val_bacc"), NumberKind::Score);
  EXPECT_EQ(format_number_of_kind(3e-4, NumberKind::Rate), "3.0e-04");  // never 0.000
  EXPECT_EQ(format_number_of_kind(0.05, NumberKind::Rate), "0.05");
  EXPECT_EQ(format_number_of_kind(0.000696155, NumberKind::Seconds), "0.70 ms");
  EXPECT_EQ(format_number_of_kind(12.34, NumberKind::Seconds), "12.3 s");
  EXPECT_EQ(format_number_of_kind(125, NumberKind::Seconds), "2 min 05 s");
  EXPECT_EQ(format_number_of_kind(0.71234, NumberKind::Score), "0.712");
  EXPECT_EQ(count_of(1, "epoch"), "1 epoch");
  EXPECT_EQ(count_of(3, "test image"), "3 test images");
  data::CsvTable trials = data::parse_csv("trial,lr,weight_decay,val_bacc\n1,0.0003,0.00001,0.41234\n", "t.csv");
  Table table = table_from_csv(trials);
  EXPECT_EQ(table.rows[0][1].text, "3.0e-04");
  EXPECT_EQ(table.rows[0][2].text, "1.0e-05");
  EXPECT_EQ(table.rows[0][3].text, "0.412");
}

TEST(Pivot, LongTablesToCategoriesByGroup) {
  data::CsvTable long_form = data::parse_csv(
      "variable,value,split,count\nsex,f,train,6\nsex,m,train,4\nsex,m,val,1\nage,10,train,3\n", "l.csv");
  Pivot l = pivot_long(long_form, 1, 2, 3, [](const std::vector<std::string>& row) { return row[0] == "sex"; });
  EXPECT_EQ(l.categories, (std::vector<std::string>{"f", "m"}));
  EXPECT_EQ(l.groups, (std::vector<std::string>{"train", "val"}));
  EXPECT_TRUE(std::isnan(l.values[1][0]));  // no (f, val) row
  Pivot shares = shares_within_groups(l);
  EXPECT_DOUBLE_EQ(shares.values[0][0], 0.6);
  EXPECT_DOUBLE_EQ(shares.values[1][1], 1.0);
  data::CsvTable repeated = data::parse_csv("c,s,n\na,x,1\na,x,2\n", "r.csv");
  try {
    pivot_long(repeated, 0, 1, 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("r.csv:3 (row 2): repeats c 'a' and s 'x' of r.csv:2 (row 1)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hito::report

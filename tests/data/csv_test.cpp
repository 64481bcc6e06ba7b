// The CSV reader on the tricky cases (quotes, embedded commas/newlines/quotes, CRLF, BOM, empty
// fields, ragged rows), the writer's round trip, and column-kind inference.
#include <gtest/gtest.h>

#include "data/columns.h"
#include "data/csv.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(Csv, PlainRowsAndLines) {
  CsvTable t = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "t.csv");
  EXPECT_EQ(t.header, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t.rows, (Rows{{"1", "2", "3"}, {"4", "5", "6"}}));
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t.where(1), "t.csv:3 (row 2)");
  EXPECT_EQ(t.column("b"), 1);
  EXPECT_EQ(t.column("z"), -1);
}

TEST(Csv, QuotedFieldsWithCommasQuotesAndNewlines) {
  CsvTable t = parse_csv("id,text,n\n1,\"a, b\",2\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n4,\"\",5\n", "q.csv");
  ASSERT_EQ(t.num_rows(), 4);
  EXPECT_EQ(t.rows[0][1], "a, b");
  EXPECT_EQ(t.rows[1][1], "say \"hi\"");
  EXPECT_EQ(t.rows[2][1], "two\nlines");
  EXPECT_EQ(t.rows[3][1], "");
  // The row after the embedded newline starts on line 6.
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 3, 4, 6}));
}

TEST(Csv, CrlfBomEmptyFieldsAndBlankLines) {
  CsvTable t = parse_csv("\xEF\xBB\xBFid,age,sex\r\n1,,male\r\n\r\n2,40,\r\n3,\"\",\"\"\r\n", "w.csv");
  EXPECT_EQ(t.header[0], "id");  // the byte-order mark is not part of the first name
  EXPECT_EQ(t.rows, (Rows{{"1", "", "male"}, {"2", "40", ""}, {"3", "", ""}}));
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 4, 5}));
}

TEST(Csv, NoTrailingNewlineAndTrailingEmptyField) {
  CsvTable t = parse_csv("a,b\n1,", "e.csv");
  EXPECT_EQ(t.rows, (Rows{{"1", ""}}));
}

TEST(Csv, RaggedRowIsAnErrorNamingFileAndLine) {
  try {
    parse_csv("a,b,c\n1,2,3\n4,5\n", "ragged.csv");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ragged.csv:3 (row 2)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 fields, but the header has 3"), std::string::npos) << e.what();
  }
}

TEST(Csv, RaggedRowsCanBeCollected) {
  CsvTable t = parse_csv("a,b\n1,2\n3\n4,5,6\n7,8\n", "c.csv", RaggedRows::Collect);
  EXPECT_EQ(t.rows, (Rows{{"1", "2"}, {"7", "8"}}));
  EXPECT_EQ(t.records, (std::vector<int64_t>{1, 4}));
  ASSERT_EQ(t.rejected.size(), 2u);
  EXPECT_EQ(t.rejected[0].line, 3);
  EXPECT_EQ(t.rejected[1].line, 4);
  EXPECT_EQ(t.rejected[1].fields, (std::vector<std::string>{"4", "5", "6"}));
}

TEST(Csv, MalformedInputIsAnError) {
  EXPECT_THROW(parse_csv("a,b\n1,\"open\n", "u.csv"), Error);     // quote never closed
  EXPECT_THROW(parse_csv("a,b\n1,\"x\"y\n", "u.csv"), Error);      // text after a closing quote
  EXPECT_THROW(parse_csv("a,a\n1,2\n", "u.csv"), Error);           // duplicate column name
  EXPECT_THROW(parse_csv("a,,c\n1,2,3\n", "u.csv"), Error);        // empty column name
  EXPECT_THROW(parse_csv("", "u.csv"), Error);                     // no header
  try {
    parse_csv("a,b\n1,\"open\n", "u.csv");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("u.csv:2"), std::string::npos) << e.what();
  }
}

TEST(Csv, NulBytesAndInvalidUtf8AreRefusedNamingFileRowAndColumn) {
  std::string nul = testing::error_message([] { parse_csv(std::string("id,sex\na,male\nb,ma\0le\n", 23), "m.csv"); });
  EXPECT_NE(nul.find("m.csv:3 (row 2), column 'sex': the cell holds a NUL byte at byte 3"), std::string::npos) << nul;
  std::string latin1 = testing::error_message([] { parse_csv("id,site\na,caf\xE9\n", "m.csv"); });
  EXPECT_NE(latin1.find("m.csv:2 (row 1), column 'site': the cell holds invalid UTF-8 at byte 4"), std::string::npos) << latin1;
  std::string header = testing::error_message([] { parse_csv("id,\xFFx\n1,2\n", "m.csv"); });
  EXPECT_NE(header.find("m.csv:1: header field 2 holds invalid UTF-8"), std::string::npos) << header;
  EXPECT_NO_THROW(parse_csv("id,site\na,Bj\xC3\xB6rk\n", "m.csv"));
}

TEST(Csv, WriterRoundTrip) {
  Rows rows = {{"plain", "with, comma", "with \"quote\""}, {"multi\nline", "", " padded "}, {"crlf\r\nx", "1.5", "-"}};
  CsvWriter writer({"a", "b", "c"});
  for (const auto& r : rows) writer.row(r);
  fs::path dir = testing::temp_dir("csv");
  writer.write(dir / "out.csv");
  CsvTable back = read_csv(dir / "out.csv");
  EXPECT_EQ(back.rows, rows);
  EXPECT_THROW(writer.row({"too", "few"}), Error);
  fs::remove_all(dir);
}

TEST(Csv, MissingFileIsAnErrorNamingIt) {
  try {
    read_csv("/nonexistent/meta.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/meta.csv"), std::string::npos);
  }
}

TEST(Columns, KindsAreInferredAndNumbersParsed) {
  MissingValues missing({"unknown"});
  EXPECT_EQ(infer_kind({"1", "2.5", "", "unknown", " 3 "}, missing), ColumnKind::Numeric);
  EXPECT_EQ(infer_kind({"1", "x"}, missing), ColumnKind::Categorical);
  EXPECT_EQ(infer_kind({"", "unknown"}, missing), ColumnKind::Categorical);  // nothing to go on
  EXPECT_EQ(parse_number(" 45.0 "), 45.0);
  EXPECT_EQ(parse_number("+2"), 2.0);
  EXPECT_EQ(parse_number("-1e3"), -1000.0);
  EXPECT_FALSE(parse_number("12abc"));
  EXPECT_FALSE(parse_number("nan"));
  EXPECT_FALSE(parse_number("inf"));
  EXPECT_FALSE(parse_number(""));
  EXPECT_TRUE(missing.is_missing(" unknown "));
  EXPECT_TRUE(missing.is_missing("  "));
  EXPECT_FALSE(missing.is_missing("Unknown"));
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(75.0), "75");
}

}  // namespace
}  // namespace hito::data

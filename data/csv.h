// CSV files as tables of strings (RFC 4180 and the usual departures from it): quoted fields with
// embedded commas, quotes ("") and newlines, CRLF or LF line ends, a UTF-8 byte-order mark, empty
// fields. Every row remembers the line it starts on, so that an error can name "file:line".
// Writing goes through CsvWriter, which quotes only where needed and writes atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hito::data {

namespace fs = std::filesystem;

// What to do with a row whose field count differs from the header's.
enum class RaggedRows { Fail, Collect };

// A row the reader did not keep, with the reason (only with RaggedRows::Collect).
struct CsvReject {
  int64_t line = 0;    // 1-based line of the file where the row starts
  int64_t record = 0;  // 1-based data row number (the header is not counted)
  std::string reason;
  std::vector<std::string> fields;
};

struct CsvTable {
  fs::path source;  // the file read, for messages ("" when parsed from a string)
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each has header.size() fields
  std::vector<int64_t> lines;                  // lines[r]: line of the file where rows[r] starts
  std::vector<int64_t> records;                // records[r]: 1-based data row number of rows[r]
  std::vector<CsvReject> rejected;

  int64_t num_rows() const { return static_cast<int64_t>(rows.size()); }
  // Index of a column, or -1 when absent.
  int64_t column(std::string_view name) const;
  // Index of a column; an error naming the file and the columns it has when absent.
  int64_t require_column(std::string_view name) const;
  // "metadata.csv:12 (row 11)": where row r came from, for error messages.
  std::string where(int64_t r) const;
  // The cells of column c, in row order.
  std::vector<std::string> column_values(int64_t c) const;
};

// Parses CSV text; `source` only names it in messages. Requires a non-empty header with unique
// names. Fully blank lines are not rows. With RaggedRows::Fail a row of the wrong width is an error
// naming the line; with Collect it goes to `rejected`.
CsvTable parse_csv(std::string_view text, const fs::path& source = {}, RaggedRows ragged = RaggedRows::Fail);
CsvTable read_csv(const fs::path& path, RaggedRows ragged = RaggedRows::Fail);

// A field as CSV writes it: quoted (with "" for ") when it holds a comma, quote, CR or LF, or
// starts or ends with a space.
std::string csv_field(std::string_view value);
// Shortest text that reads back to the same double ("0.1", "75", "nan").
std::string format_number(double value);

// Builds a CSV file in memory; write() puts it in place atomically.
class CsvWriter {
 public:
  explicit CsvWriter(const std::vector<std::string>& header);
  // Requires as many fields as the header has.
  CsvWriter& row(const std::vector<std::string>& fields);
  const std::string& text() const { return text_; }
  void write(const fs::path& path) const;

 private:
  size_t width_;
  std::string text_;
};

}  // namespace hito::data

// CSV reading (a small state machine over the whole text) and writing.
#include "data/csv.h"

#include <charconv>
#include <cmath>
#include <unordered_set>

#include "base/error.h"
#include "base/fs.h"
#include "base/utf8.h"

namespace hito::data {

namespace {

std::string source_name(const fs::path& source) { return source.empty() ? std::string("<csv text>") : source.string(); }

// Splits the text into records of fields; `lines[i]` is the line where record i starts.
struct RawRecords {
  std::vector<std::vector<std::string>> fields;
  std::vector<int64_t> lines;
};

RawRecords split_records(std::string_view text, const fs::path& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
  RawRecords out;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false;       // inside a quoted field
  bool after_quote = false;     // just closed a quoted field: only , or a line end may follow
  bool record_started = false;  // the current record has at least one character
  int64_t line = 1, record_line = 1, quote_line = 1;

  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_record = [&] {
    if (record_started) {
      end_field();
      out.fields.push_back(std::move(record));
      out.lines.push_back(record_line);
    }
    record.clear();
    field.clear();
    record_started = false;
    after_quote = false;
  };

  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
      record_line = line;
      continue;
    }
    if (!record_started) record_started = true, record_line = line;
    if (c == ',') {
      end_field();
      continue;
    }
    HITO_CHECK(!after_quote, source_name(source), ":", line, ": unexpected character '", c,
               "' after the closing quote of a field");
    if (c == '"' && field.empty()) {
      in_quotes = true;
      quote_line = line;
      continue;
    }
    field += c;
  }
  HITO_CHECK(!in_quotes, source_name(source), ":", quote_line, ": quoted field is not closed before the end of the file");
  end_record();
  return out;
}

// Every cell must be UTF-8 text without NUL bytes: a NUL would become a category of its own, and
// invalid UTF-8 would fail much later inside a JSON writer with no location.
void check_text(const std::vector<std::string>& fields, const std::vector<std::string>& header, const std::string& name,
                int64_t line, int64_t record) {
  for (size_t c = 0; c < fields.size(); ++c) {
    std::string problem = text_problem(fields[c]);
    if (problem.empty()) continue;
    std::string column = c < header.size() ? "column '" + header[c] + "'" : "field " + std::to_string(c + 1);
    if (record == 0) HITO_FAIL(name, ":", line, ": header field ", c + 1, " holds ", problem);
    HITO_FAIL(name, ":", line, " (row ", record, "), ", column, ": the cell holds ", problem);
  }
}

}  // namespace

CsvTable parse_csv(std::string_view text, const fs::path& source, RaggedRows ragged) {
  RawRecords raw = split_records(text, source);
  std::string name = source_name(source);
  HITO_CHECK(!raw.fields.empty(), name, ": empty file (no header row)");
  CsvTable table;
  table.source = source;
  table.header = std::move(raw.fields[0]);
  check_text(table.header, {}, name, raw.lines[0], 0);
  std::unordered_set<std::string> seen;
  for (const std::string& column : table.header) {
    HITO_CHECK(!column.empty(), name, ":", raw.lines[0], ": the header has an empty column name");
    HITO_CHECK(seen.insert(column).second, name, ":", raw.lines[0], ": column '", column, "' appears twice in the header");
  }
  for (size_t i = 1; i < raw.fields.size(); ++i) {
    auto& fields = raw.fields[i];
    int64_t record = static_cast<int64_t>(i);
    check_text(fields, table.header, name, raw.lines[i], record);
    if (fields.size() != table.header.size()) {
      std::string reason = detail::cat(fields.size(), " fields, but the header has ", table.header.size());
      HITO_CHECK(ragged == RaggedRows::Collect, name, ":", raw.lines[i], " (row ", record, "): ", reason);
      table.rejected.push_back({raw.lines[i], record, reason, std::move(fields)});
      continue;
    }
    table.rows.push_back(std::move(fields));
    table.lines.push_back(raw.lines[i]);
    table.records.push_back(record);
  }
  return table;
}

CsvTable read_csv(const fs::path& path, RaggedRows ragged) { return parse_csv(read_file(path), path, ragged); }

int64_t CsvTable::column(std::string_view name) const {
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return static_cast<int64_t>(c);
  return -1;
}

int64_t CsvTable::require_column(std::string_view name) const {
  int64_t c = column(name);
  if (c < 0) {
    std::string known;
    for (const std::string& h : header) known += (known.empty() ? "" : ", ") + h;
    HITO_FAIL(source_name(source), ": no column '", name, "' (columns: ", known, ")");
  }
  return c;
}

std::string CsvTable::where(int64_t r) const {
  return detail::cat(source_name(source), ":", lines.at(static_cast<size_t>(r)), " (row ", records.at(static_cast<size_t>(r)),
                     ")");
}

std::vector<std::string> CsvTable::column_values(int64_t c) const {
  std::vector<std::string> values;
  values.reserve(rows.size());
  for (const auto& row : rows) values.push_back(row.at(static_cast<size_t>(c)));
  return values;
}

std::string csv_field(std::string_view value) {
  bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

CsvWriter::CsvWriter(const std::vector<std::string>& header) : width_(header.size()) { row(header); }

CsvWriter& CsvWriter::row(const std::vector<std::string>& fields) {
  HITO_CHECK(fields.size() == width_, "CsvWriter: a row of ", fields.size(), " fields for a header of ", width_);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text_ += ',';
    text_ += csv_field(fields[i]);
  }
  text_ += '\n';
  return *this;
}

void CsvWriter::write(const fs::path& path) const { write_file_atomic(path, text_); }

}  // namespace hito::data

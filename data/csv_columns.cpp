// Numeric CSV columns (see csv_columns.h).
#include "data/csv_columns.h"

#include <limits>

#include "data/columns.h"
#include "base/error.h"

namespace hito::data {

namespace {
const data::MissingValues& missing_spellings() {
  static const data::MissingValues missing({"nan", "NaN", "NA"});
  return missing;
}
}  // namespace

std::vector<double> column_numbers(const CsvTable& table, int64_t column) {
  std::vector<double> out;
  out.reserve(table.rows.size());
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    const std::string& field = table.rows[r].at(column);
    if (missing_spellings().is_missing(field)) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    auto value = data::parse_number(field);
    HITO_CHECK(value, table.where(r), ", column '", table.header.at(column), "': '", field, "' is not a number");
    out.push_back(*value);
  }
  return out;
}

bool is_numeric_column(const CsvTable& table, int64_t column) {
  return data::infer_kind(table.column_values(column), missing_spellings()) == data::ColumnKind::Numeric;
}

}  // namespace hito::data

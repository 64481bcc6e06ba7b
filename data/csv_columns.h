// Numeric columns of the run folder's CSV tables (read with data/csv.h): values as numbers,
// with the usual spellings of a missing value, and whether a column is numeric at all.
#pragma once

#include <cstdint>
#include <vector>

#include "data/csv.h"

namespace hito::data {

// The column as numbers: empty fields, "nan", "NaN" and "NA" give NaN; anything else that is not a
// number is an error naming the file, line and column.
std::vector<double> column_numbers(const CsvTable& table, int64_t column);
// True when every non-missing field of the column is a number, and one at least is present.
bool is_numeric_column(const CsvTable& table, int64_t column);

}  // namespace hito::data

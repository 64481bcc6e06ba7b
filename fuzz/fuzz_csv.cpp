// CSV files (data/csv.h) and what is read from their cells: column kinds, numbers, and the tabular
// encoder fitted on every row and applied (the path of a metadata file through hito prepare).
#include "data/csv.h"
#include "data/csv_columns.h"
#include "data/tabular_encoder.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hito::data;
  hito::fuzz::refuse_cleanly([&] {
    CsvTable table = parse_csv(hito::fuzz::as_text(data, size), "fuzz.csv", RaggedRows::Collect);
    MissingValues missing({"", "unknown"});
    std::vector<std::pair<std::string, ColumnKind>> features;
    for (int64_t c = 0; c < static_cast<int64_t>(table.header.size()); ++c) {
      ColumnKind kind = infer_kind(table.column_values(c), missing);
      if (is_numeric_column(table, c)) column_numbers(table, c);
      features.emplace_back(table.header[static_cast<size_t>(c)], kind);
    }
    std::vector<int64_t> rows;
    for (int64_t r = 0; r < table.num_rows(); ++r) rows.push_back(r);
    if (rows.empty()) return;
    TabularEncoder encoder = TabularEncoder::fit(table, features, rows, missing);
    encoder.transform(table);
  });
  return 0;
}

// The first step of `hito prepare`: reading the metadata and checking every row before anything is
// fitted. A row is bad when it is ragged, has an empty or duplicate id, an empty label (or one not in
// the config's classes), an image path outside the data folder, a missing image, or an image that
// does not decode (unreadable, not an image, truncated JPEG); and so are the rows of a class with
// fewer groups than the split has parts. Bad rows are an error (naming the file, line and reason of
// each) or, with skip, are dropped and returned with their reasons. The images of the good rows are
// decoded here (on all cores) once, which also yields their per-channel pixel sums for the
// training-split image statistics.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/study/prepare/prepare_options.h"
#include "data/csv.h"

namespace hito::study {

struct SkippedRow {
  int64_t line = 0, record = 0;  // line of the metadata file, 1-based data row number
  std::string id, reason;
};

struct CheckedRow {
  int64_t line = 0;
  std::string id, group, label;
  int64_t label_index = 0;
  std::filesystem::path image, mask;      // relative to the data folder (mask empty when the row has none)
  uint64_t image_hash = 0;  // content hash of the image file, for the fingerprint
  std::array<double, 3> channel_sum{}, channel_sum_sq{};  // over the decoded pixels, on [0, 1]
  int64_t pixels = 0;
};

struct CheckedData {
  data::CsvTable table;            // the good rows only, in file order
  std::vector<CheckedRow> rows;    // aligned with table.rows
  std::vector<SkippedRow> skipped; // in file order
  std::vector<std::string> classes;
};

CheckedData check_rows(const PrepareOptions& options);

}  // namespace hito::study

// The data fingerprint: a hash over every row of a prepared data set, in manifest order: the row's
// metadata cells (every column of the CSV, with the header) and a content hash of its image file.
// It is written into the split manifest and recomputed by every later command, which refuses to run
// when it differs: an edited age, a relabelled row, an image replaced by another of the same size,
// or a row added, removed or reordered means the split no longer describes the data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hito::data {

struct FingerprintRow {
  std::vector<std::string> cells;  // the row's metadata cells, in header order
  uint64_t image_hash = 0;         // image_content_hash of its image file
};

// The content hash of an image file's bytes.
uint64_t image_content_hash(std::string_view bytes);

// 16 hex digits. `header` names the columns of every row's cells.
std::string fingerprint(const std::vector<std::string>& header, const std::vector<FingerprintRow>& rows);

// What the fingerprint covers, as the manifest states it.
inline constexpr const char* kFingerprintCovers =
    "every metadata cell (all columns) and the content hash of the image of every row, in manifest order";

}  // namespace hito::data

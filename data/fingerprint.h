// The data fingerprint: a hash over the ordered (id, label, image file size) of every row of a
// prepared data set. It is written into the split manifest and recomputed by every later command,
// which refuses to run when it differs: a relabelled row, a replaced image, or a row added, removed
// or reordered means the split no longer describes the data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hito::data {

struct FingerprintRow {
  std::string id, label;
  uint64_t image_bytes = 0;
};

// 16 hex digits.
std::string fingerprint(const std::vector<FingerprintRow>& rows);

}  // namespace hito::data

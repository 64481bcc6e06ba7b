// The data fingerprint over Hasher.
#include "data/fingerprint.h"

#include "base/hash.h"

namespace hito::data {

uint64_t image_content_hash(std::string_view bytes) { return Hasher().add(bytes).digest(); }

std::string fingerprint(const std::vector<std::string>& header, const std::vector<FingerprintRow>& rows) {
  Hasher hasher;
  hasher.add("hito-fingerprint-v2").add(static_cast<uint64_t>(header.size()));
  for (const std::string& column : header) hasher.add(column);
  hasher.add(static_cast<uint64_t>(rows.size()));
  for (const FingerprintRow& row : rows) {
    hasher.add(static_cast<uint64_t>(row.cells.size()));
    for (const std::string& cell : row.cells) hasher.add(cell);
    hasher.add(row.image_hash);
  }
  return hasher.hex();
}

}  // namespace hito::data

// The data fingerprint over Hasher.
#include "data/fingerprint.h"

#include "base/hash.h"

namespace hito::data {

std::string fingerprint(const std::vector<FingerprintRow>& rows) {
  Hasher hasher;
  hasher.add("hito-fingerprint-v1").add(static_cast<uint64_t>(rows.size()));
  for (const FingerprintRow& row : rows) hasher.add(row.id).add(row.label).add(row.image_bytes);
  return hasher.hex();
}

}  // namespace hito::data

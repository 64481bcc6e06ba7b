// The data fingerprint over Hasher.
#include "engine/data/fingerprint.h"

#include "engine/data/hash.h"

namespace hito::data {

std::string fingerprint(const std::vector<FingerprintRow>& rows) {
  Hasher hasher;
  hasher.add("hito-fingerprint-v1").add(static_cast<uint64_t>(rows.size()));
  for (const FingerprintRow& row : rows) hasher.add(row.id).add(row.label).add(row.image_bytes);
  return hasher.hex();
}

}  // namespace hito::data

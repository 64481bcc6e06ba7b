// A 64-bit content hash for fingerprints and cache keys (FNV-1a over length-prefixed fields, then a
// SplitMix64 finaliser so that nearby inputs give unrelated digests). Not cryptographic: it detects
// accidental change (a relabelled row, a replaced image), not tampering.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hito {

class Hasher {
 public:
  // Each field is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
  Hasher& add(std::string_view field);
  Hasher& add(uint64_t value);
  uint64_t digest() const;
  std::string hex() const;  // 16 lowercase hex digits

 private:
  void mix_bytes(const void* data, size_t size);
  uint64_t state_ = 0xcbf29ce484222325ull;  // FNV offset basis
};

}  // namespace hito

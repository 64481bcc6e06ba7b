// FNV-1a with a SplitMix64 finaliser.
#include "base/hash.h"

#include <cstdio>

namespace hito {

void Hasher::mix_bytes(const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    state_ ^= bytes[i];
    state_ *= 0x100000001b3ull;  // FNV prime
  }
}

Hasher& Hasher::add(std::string_view field) {
  add(static_cast<uint64_t>(field.size()));
  mix_bytes(field.data(), field.size());
  return *this;
}

Hasher& Hasher::add(uint64_t value) {
  unsigned char bytes[8];
  for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(value >> (8 * b));  // fixed byte order
  mix_bytes(bytes, sizeof(bytes));
  return *this;
}

uint64_t Hasher::digest() const {
  uint64_t z = state_ + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string Hasher::hex() const {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(digest()));
  return text;
}

}  // namespace hito

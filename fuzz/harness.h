// What every harness shares: the bytes as a string, and the rule that a hito::Error is the one
// acceptable way to refuse an input. Anything else (a crash, a sanitizer report, another exception,
// a leak, a timeout, memory beyond -rss_limit_mb) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace hito::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `read` on the input; a hito::Error is a clean refusal, every other exception escapes.
template <class F>
void refuse_cleanly(F&& read) {
  try {
    read();
  } catch (const Error&) {
  }
}

}  // namespace hito::fuzz

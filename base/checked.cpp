// Overflow-checked size arithmetic (see checked.h), on the compiler's overflow builtins.
#include "base/checked.h"

#include "base/error.h"

namespace hito {

int64_t checked_mul(int64_t a, int64_t b, std::string_view what) {
  HITO_CHECK(a >= 0 && b >= 0, what, ": negative size (", a, " x ", b, ")");
  int64_t out;
  HITO_CHECK(!__builtin_mul_overflow(a, b, &out), what, ": size ", a, " x ", b, " overflows 64 bits");
  return out;
}

int64_t checked_add(int64_t a, int64_t b, std::string_view what) {
  HITO_CHECK(a >= 0 && b >= 0, what, ": negative size (", a, " + ", b, ")");
  int64_t out;
  HITO_CHECK(!__builtin_add_overflow(a, b, &out), what, ": size ", a, " + ", b, " overflows 64 bits");
  return out;
}

int64_t checked_product(const std::vector<int64_t>& sizes, std::string_view what) {
  int64_t n = 1;
  for (int64_t d : sizes) n = checked_mul(n, d, what);
  return n;
}

}  // namespace hito

// Checked size arithmetic: every shape, element count, byte size and offset that comes from a file
// (or is derived from one) is multiplied and added here, so that a hostile header cannot wrap a
// size round to a small number, pass a size check and then write past a buffer.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hito {

// a * b and a + b for non-negative sizes; an Error naming `what` on a negative operand or overflow.
int64_t checked_mul(int64_t a, int64_t b, std::string_view what);
int64_t checked_add(int64_t a, int64_t b, std::string_view what);
// The product of `sizes` (1 when empty); an Error naming `what` on a negative size or overflow.
int64_t checked_product(const std::vector<int64_t>& sizes, std::string_view what);

}  // namespace hito

// Every broadcasting pattern of the engine's binary ops, small: the naive-loop test
// (tests/engine/broadcast_test.cpp) and the op table's add, sub, mul and div cases run them all.
#pragma once

#include "base/types.h"

namespace hito::testing {

struct BroadcastPattern {
  const char* name;
  Shape a, b, out;
};

inline const BroadcastPattern kBroadcastPatterns[] = {
    {"same_shape", {2, 3}, {2, 3}, {2, 3}},
    {"scalar_right", {2, 3}, {}, {2, 3}},
    {"scalar_left", {}, {2, 3}, {2, 3}},
    {"one_element", {3, 2}, {1}, {3, 2}},
    {"row_vector", {4, 5}, {5}, {4, 5}},
    {"row_vector_left", {5}, {4, 5}, {4, 5}},
    {"per_channel", {2, 3, 2, 2}, {3, 1, 1}, {2, 3, 2, 2}},
    {"per_sample_channel", {2, 3, 2, 2}, {2, 3, 1, 1}, {2, 3, 2, 2}},
    {"outer", {3, 1}, {1, 3}, {3, 3}},
};

}  // namespace hito::testing

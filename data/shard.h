// This rank's share of each global batch in a data-parallel job: rank r of n takes the rows
// [B r / n, B (r + 1) / n) of every global batch of B rows, so `--batch-size` stays the global batch.
// A global batch with fewer rows than ranks (only ever the last of a pass) is dropped, so that no
// rank is left without rows.
#pragma once

#include <cstdint>

#include "base/error.h"

namespace hito::data {

struct Shard {
  int64_t rank = 0, count = 1;

  Shard() = default;
  Shard(int64_t rank_, int64_t count_) : rank(rank_), count(count_) {
    HITO_CHECK(count >= 1 && rank >= 0 && rank < count, "shard ", rank, " of ", count, " does not exist");
  }
  int64_t begin(int64_t rows) const { return rows * rank / count; }
  int64_t end(int64_t rows) const { return rows * (rank + 1) / count; }
  // Whether a global batch of `rows` rows is served at all (at least one row per rank).
  bool keeps(int64_t rows) const { return rows >= count; }
};

}  // namespace hito::data

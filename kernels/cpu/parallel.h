// parallel_for: splits [0, n) into contiguous chunks over the OpenMP threads, but only when the work
// is large enough to repay waking them (below `grain` items everything runs on the calling thread).
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace hito::cpu {

// Items per chunk below which threading costs more than it gains, for cheap elementwise work.
constexpr int64_t kElementwiseGrain = 1 << 16;

template <class Fn>  // fn(int64_t begin, int64_t end)
void parallel_for(int64_t n, int64_t grain, Fn&& fn) {
  int threads = omp_get_max_threads();
  int64_t chunks = std::min<int64_t>(threads, std::max<int64_t>(n / std::max<int64_t>(grain, 1), 1));
  if (chunks <= 1 || omp_in_parallel()) {
    fn(int64_t(0), n);
    return;
  }
#pragma omp parallel for num_threads(chunks) schedule(static)
  for (int64_t c = 0; c < chunks; ++c) fn(n * c / chunks, n * (c + 1) / chunks);
}

}  // namespace hito::cpu

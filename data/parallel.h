// parallel_items: runs fn(item, worker) for every item in [0, n) on `threads` std::threads that take
// items one at a time from a shared counter (image decoding has uneven costs, so static chunks would
// leave a core idle). The first exception stops the remaining items and is rethrown to the caller.
// `worker` is in [0, threads) and lets a caller keep one accumulator per thread.
#pragma once

#include <cstdint>
#include <functional>

namespace hito::data {

// threads <= 0 means hito::num_threads() (all cores unless --threads says otherwise).
int resolve_threads(int threads);

void parallel_items(int64_t n, int threads, const std::function<void(int64_t item, int worker)>& fn);

}  // namespace hito::data

// Work-sharing loop over std::thread for the data pipeline.
#include "data/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/runtime.h"

namespace hito::data {

int resolve_threads(int threads) { return threads > 0 ? threads : std::max(1, num_threads()); }

void parallel_items(int64_t n, int threads, const std::function<void(int64_t item, int worker)>& fn) {
  int workers = static_cast<int>(std::min<int64_t>(resolve_threads(threads), std::max<int64_t>(n, 1)));
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    for (int64_t item = next++; item < n && !failed; item = next++) {
      try {
        fn(item, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace hito::data

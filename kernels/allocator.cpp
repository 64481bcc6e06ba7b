// Caching allocator implementation and the two device backends (aligned host memory, cudaMalloc).
#include "kernels/allocator.h"

#include <malloc.h>

#include <cstdlib>

#include "base/error.h"
#include "kernels/runtime.h"

namespace hito {

CachingAllocator::CachingAllocator(Backend backend, size_t max_cached_bytes)
    : backend_(backend), max_cached_bytes_(max_cached_bytes) {}

CachingAllocator::~CachingAllocator() { empty_cache_locked(); }

size_t CachingAllocator::round_size(size_t bytes) {
  // Small blocks: multiples of 256 bytes. Large ones: 8 classes per power of two (<= 12.5% waste),
  // so that slightly different shapes (a last, shorter batch) still reuse each other's blocks.
  constexpr size_t kSmall = 1 << 20;
  if (bytes <= kSmall) return (bytes + 255) & ~size_t(255);
  size_t power = size_t(1) << (63 - __builtin_clzll(bytes - 1));  // largest power of two < bytes
  size_t step = power / 8;
  return (bytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t bytes) {
  HITO_CHECK(bytes > 0, "allocation of 0 bytes");
  size_t size = round_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* ptr = nullptr;
  auto it = free_blocks_.find(size);
  if (it != free_blocks_.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
    stats_.cached_bytes -= size;
  } else {
    ptr = backend_.allocate(size);
    if (!ptr) {  // out of memory: give the cache back and try once more
      empty_cache_locked();
      ptr = backend_.allocate(size);
    }
    HITO_CHECK(ptr, backend_.name, " out of memory allocating ", size, " bytes (", stats_.live_bytes,
               " bytes in use)");
    ++stats_.system_allocations;
  }
  stats_.live_bytes += size;
  if (stats_.live_bytes > stats_.peak_live_bytes) stats_.peak_live_bytes = stats_.live_bytes;
  return ptr;
}

void CachingAllocator::release(void* ptr, size_t bytes) {
  size_t size = round_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.live_bytes -= size;
  if (stats_.cached_bytes + size > max_cached_bytes_) {
    backend_.release(ptr);
    return;
  }
  free_blocks_[size].push_back(ptr);
  stats_.cached_bytes += size;
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_cache_locked();
}

void CachingAllocator::empty_cache_locked() {
  for (auto& [size, blocks] : free_blocks_)
    for (void* ptr : blocks) backend_.release(ptr);
  free_blocks_.clear();
  stats_.cached_bytes = 0;
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

namespace {
// glibc serves blocks above 128 KiB by mmap and unmaps them on free, so a library that allocates its
// work buffers on every call (Eigen's matrix-product blocking) pays page faults on fresh zeroed pages
// for each product: a tenth of an MLP training step. Keeping blocks up to 32 MiB in the heap, and
// not trimming it below 512 MiB, lets them be reused instead.
void tune_host_malloc() {
  static const bool once = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return true;
  }();
  (void)once;
}

void* host_allocate(size_t bytes) { return std::aligned_alloc(64, (bytes + 63) & ~size_t(63)); }
void host_release(void* ptr) { std::free(ptr); }
}  // namespace

CachingAllocator& allocator_for(Device device) {
  // Function-local statics: built on first use, destroyed after main, never raced at start-up.
  if (device == Device::CPU) {
    tune_host_malloc();
    static CachingAllocator host({host_allocate, host_release, "host memory"}, size_t(2) << 30);
    return host;
  }
  HITO_CHECK(cuda_available(), "a CUDA tensor was requested, but ", cuda_unavailable_reason());
  static CachingAllocator cuda({device_malloc, device_free, "CUDA device memory"}, size_t(64) << 30);
  return cuda;
}

}  // namespace hito

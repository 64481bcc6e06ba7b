// A caching allocator: a block freed by a tensor goes back to a free list of its size class instead
// of to the system, so that a training step, which asks for the same sizes on every iteration, makes
// no malloc/cudaMalloc calls after the first. One class serves both devices through a small backend.
#pragma once

#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/types.h"

namespace hito {

struct AllocatorStats {
  size_t live_bytes = 0;       // handed out and not yet released
  size_t cached_bytes = 0;     // released, kept for reuse
  size_t peak_live_bytes = 0;  // highest live_bytes seen
  size_t system_allocations = 0;  // calls that reached the backend (malloc / cudaMalloc)
};

class CachingAllocator {
 public:
  struct Backend {
    void* (*allocate)(size_t bytes);  // returns nullptr when out of memory
    void (*release)(void* ptr);
    const char* name;
  };
  // max_cached_bytes: above this, released blocks go back to the system instead of the cache.
  CachingAllocator(Backend backend, size_t max_cached_bytes);
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // Requires bytes > 0. Ensures a block of at least `bytes`, aligned to 64 bytes (256 on CUDA).
  void* allocate(size_t bytes);
  // Requires ptr came from allocate(bytes) with the same bytes.
  void release(void* ptr, size_t bytes);
  // Returns every cached block to the system.
  void empty_cache();
  AllocatorStats stats() const;

  // The size class a request of `bytes` is served from.
  static size_t round_size(size_t bytes);

 private:
  void empty_cache_locked();

  Backend backend_;
  size_t max_cached_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_blocks_;  // size class -> blocks
  AllocatorStats stats_;
};

// The allocator of each device; cuda throws when hito was built without CUDA.
CachingAllocator& allocator_for(Device device);

}  // namespace hito

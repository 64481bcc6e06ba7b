// Temporary device memory for a kernel launcher (partial sums and the like), taken from the CUDA
// caching allocator so that a training step makes no cudaMalloc calls after its first.
//
// The block goes back to the cache when the launcher returns, before its kernels have run. That is
// safe because all work is queued on the legacy default stream: whoever gets the block next can only
// touch it through work queued after ours (kernels, cudaMemcpy, cudaMemset all join that stream).
#pragma once

#include <cstdint>

#include "kernels/allocator.h"

namespace hito::cuda {

template <class T>
class Scratch {
 public:
  // Requires count > 0.
  explicit Scratch(int64_t count)
      : bytes_(static_cast<size_t>(count) * sizeof(T)),
        data_(static_cast<T*>(allocator_for(Device::CUDA).allocate(bytes_))) {}
  ~Scratch() { allocator_for(Device::CUDA).release(data_, bytes_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  T* get() const { return data_; }

 private:
  size_t bytes_;
  T* data_;
};

}  // namespace hito::cuda

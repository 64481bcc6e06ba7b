// Seeded random numbers. A Generator is a (seed, counter) pair fed to a counter-based hash, so a
// run is reproducible from its seed and the CPU and CUDA back ends draw the same dropout masks.
#pragma once

#include <cstdint>

#include "engine/tensor.h"

namespace hito {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  void reseed(uint64_t seed) { seed_ = seed; counter_ = 0; }
  // The draws made so far; with the seed, the whole state (a resumed training restores both).
  uint64_t counter() const { return counter_; }
  void restore(uint64_t seed, uint64_t counter) { seed_ = seed; counter_ = counter; }

  uint64_t next_u64();
  float uniform();            // [0, 1)
  float uniform(float lo, float hi);
  float normal();             // standard normal (Box-Muller)
  int64_t integer(int64_t n); // uniform in [0, n)

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
};

// The process-wide generator behind dropout and default initialisation.
Generator& default_generator();
void manual_seed(uint64_t seed);

// New f32 tensors on `device`, filled on the host from `gen` and copied over.
Tensor uniform_tensor(const Shape& shape, float lo, float hi, Generator& gen, Device device = Device::CPU);
Tensor normal_tensor(const Shape& shape, float mean, float std, Generator& gen, Device device = Device::CPU);

}  // namespace hito

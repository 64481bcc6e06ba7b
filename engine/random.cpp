// Generator implementation over kernels/kernel_types.h's counter hash.
#include "engine/random.h"

#include <cmath>
#include <vector>

#include "kernels/kernel_types.h"

namespace hito {

uint64_t Generator::next_u64() {
  // Two 32-bit draws of the counter hash make one 64-bit number.
  uint64_t hi = static_cast<uint64_t>(uniform_from_counter(seed_, counter_++) * 16777216.0f);
  uint64_t mid = static_cast<uint64_t>(uniform_from_counter(seed_, counter_++) * 16777216.0f);
  uint64_t lo = static_cast<uint64_t>(uniform_from_counter(seed_, counter_++) * 16777216.0f);
  return (hi << 40) ^ (mid << 16) ^ lo;
}

float Generator::uniform() { return uniform_from_counter(seed_, counter_++); }

float Generator::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

float Generator::normal() {
  // Box-Muller; u1 is kept away from 0 so that log() stays finite.
  float u1 = (static_cast<float>(next_u64() >> 40) + 0.5f) / 16777216.0f;
  float u2 = uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.283185307179586f * u2);
}

int64_t Generator::integer(int64_t n) {
  HITO_CHECK(n > 0, "Generator::integer needs n > 0, got ", n);
  return static_cast<int64_t>(next_u64() % static_cast<uint64_t>(n));
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().reseed(seed); }

Tensor uniform_tensor(const Shape& shape, float lo, float hi, Generator& gen, Device device) {
  std::vector<float> values(static_cast<size_t>(shape_numel(shape)));
  for (float& v : values) v = gen.uniform(lo, hi);
  return Tensor::from_vector(values, shape, device);
}

Tensor normal_tensor(const Shape& shape, float mean, float std, Generator& gen, Device device) {
  std::vector<float> values(static_cast<size_t>(shape_numel(shape)));
  for (float& v : values) v = mean + std * gen.normal();
  return Tensor::from_vector(values, shape, device);
}

}  // namespace hito

// Input values for op tests (see op_values.h).
#include "tests/support/op_values.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/ops.h"
#include "tests/support/testing.h"

namespace hito::testing {

Values normal(Shape shape, float scale, float shift) {
  return [=](uint64_t seed) { return affine(randn(shape, seed), scale, shift); };
}

Values uniform(Shape shape, float lo, float hi) {
  return [=](uint64_t seed) { return rand_uniform(shape, lo, hi, seed); };
}

Values away_from(Values inner, std::vector<float> kinks, float gap) {
  return [=](uint64_t seed) {
    Tensor t = inner(seed);
    std::vector<float> v = t.to_vector<float>();
    for (float& x : v)
      for (float kink : kinks)
        if (std::abs(x - kink) < gap) x = kink + (x < kink ? -gap : gap);
    return Tensor::from_vector(v, t.shape());
  };
}

Values distinct(Shape shape, float spacing) {
  return [=](uint64_t seed) {
    int64_t n = shape_numel(shape);
    std::vector<float> keys = randn({n}, seed).to_vector<float>(), v(n);
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b]; });
    for (int64_t i = 0; i < n; ++i) v[order[i]] = spacing * static_cast<float>(i - n / 2);
    return Tensor::from_vector(v, shape);
  };
}

Values integers(Shape shape, DType dtype) {
  return [=](uint64_t seed) {
    std::vector<int64_t> wide;
    std::vector<uint8_t> narrow;
    for (int64_t i = 0; i < shape_numel(shape); ++i) {
      uint64_t v = (static_cast<uint64_t>(i) + seed) * 0x9E3779B97F4A7C15ull >> 40;
      wide.push_back(static_cast<int64_t>(v) - (1 << 23));
      narrow.push_back(static_cast<uint8_t>(v));
    }
    return dtype == DType::I64 ? Tensor::from_vector(wide, shape) : Tensor::from_vector(narrow, shape);
  };
}

Values labels(int64_t N, int64_t K) {
  return [=](uint64_t seed) {
    std::vector<int64_t> y;
    for (int64_t i = 0; i < N; ++i) y.push_back(static_cast<int64_t>((i * 2654435761u + seed) % K));
    return Tensor::from_vector(y, {N});
  };
}

Values given(std::vector<float> values, Shape shape) {
  return [=](uint64_t) { return Tensor::from_vector(values, shape); };
}

Values given(std::vector<int64_t> values, Shape shape) {
  return [=](uint64_t) { return Tensor::from_vector(values, shape); };
}

Values given(std::vector<uint8_t> values, Shape shape) {
  return [=](uint64_t) { return Tensor::from_vector(values, shape); };
}

}  // namespace hito::testing

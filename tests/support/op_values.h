// Input values for op tests: each maker returns a function of a seed (the op table derives the
// seed from the case and input names), so that a case describes its inputs once and every driver
// draws the same values. All tensors are made on the CPU.
#pragma once

#include <functional>
#include <vector>

#include "engine/tensor.h"

namespace hito::testing {

using Values = std::function<Tensor(uint64_t seed)>;

// f32, normal with mean `shift` and standard deviation `scale`.
Values normal(Shape shape, float scale = 1.0f, float shift = 0.0f);
// f32, uniform in [lo, hi).
Values uniform(Shape shape, float lo, float hi);
// The values of `inner` with every value closer than `gap` to a kink moved to kink +- gap, so that
// a central difference never straddles the kink of relu, leaky_relu or relu6.
Values away_from(Values inner, std::vector<float> kinks, float gap = 0.05f);
// f32, the values spacing * (i - n/2), i < n, in a seeded random order: no ties, even after a
// finite-difference step below spacing / 2 (max, argmax, max pooling).
Values distinct(Shape shape, float spacing = 0.1f);
// I64 values spread over +-2^23, or U8 values over [0, 256): data for the layout copies.
Values integers(Shape shape, DType dtype);
// I64 class labels in [0, K) for N rows, many repeats.
Values labels(int64_t N, int64_t K);
// Fixed values (the seed is unused).
Values given(std::vector<float> values, Shape shape);
Values given(std::vector<int64_t> values, Shape shape);
Values given(std::vector<uint8_t> values, Shape shape);

}  // namespace hito::testing

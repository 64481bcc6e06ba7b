// The small vocabulary every tensor speaks: element types, devices and shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hito {

// f32 for data, i64 for labels and indices, u8 for image caches.
enum class DType : uint8_t { F32, I64, U8 };

enum class Device : uint8_t { CPU, CUDA };

using Shape = std::vector<int64_t>;

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
const char* device_name(Device device);

// Number of elements of a shape (1 for the empty shape, a scalar); an Error on a negative size or
// a product that overflows int64 (base/checked.h).
int64_t shape_numel(const Shape& shape);
// "(2, 3, 4)"
std::string shape_str(const Shape& shape);

// Maps type T to its DType at compile time: dtype_of<float> == DType::F32.
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::F32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::I64; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::U8; }

}  // namespace hito

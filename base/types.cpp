// Names and sizes for the tensor vocabulary of types.h.
#include "base/types.h"

#include "base/checked.h"
#include "base/error.h"

namespace hito {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F32: return 4;
    case DType::I64: return 8;
    case DType::U8: return 1;
  }
  HITO_FAIL("unknown dtype");
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "f32";
    case DType::I64: return "i64";
    case DType::U8: return "u8";
  }
  return "?";
}

const char* device_name(Device device) { return device == Device::CUDA ? "cuda" : "cpu"; }

int64_t shape_numel(const Shape& shape) { return checked_product(shape, "tensor shape"); }

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace hito

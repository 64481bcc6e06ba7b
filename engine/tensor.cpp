// Tensor and Storage: construction, copies between devices, views, in-place helpers.
#include "engine/tensor.h"

#include <cstring>

#include "base/checked.h"
#include "kernels/allocator.h"
#include "engine/dispatch.h"
#include "kernels/runtime.h"

namespace hito {

// ---------------------------------------------------------------- Storage

Storage::Storage(size_t bytes, Device device) : bytes_(bytes), device_(device) {
  if (bytes_ > 0) data_ = allocator_for(device).allocate(bytes_);
}

Storage::Storage(void* data, size_t bytes, Device device, std::function<void()> on_release)
    : data_(data), bytes_(bytes), device_(device), on_release_(std::move(on_release)) {}

Storage::~Storage() {
  if (on_release_) {
    on_release_();
  } else if (data_) {
    allocator_for(device_).release(data_, bytes_);
  }
}

// ---------------------------------------------------------------- construction

namespace {
void check_shape(const Shape& shape) {
  for (int64_t d : shape) HITO_CHECK(d >= 0, "negative dimension in shape ", shape_str(shape));
}
}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  check_shape(shape);
  auto impl = std::make_shared<TensorImpl>();
  int64_t bytes = checked_mul(shape_numel(shape), static_cast<int64_t>(dtype_size(dtype)), "tensor bytes");
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(bytes), device);
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  zero_bytes(t.raw_data(), device, t.nbytes());
  return t;
}

Tensor Tensor::full(const Shape& shape, float value, Device device) {
  Tensor t = empty(shape, DType::F32, device);
  t.fill_(value);
  return t;
}

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, const Shape& shape, Device device) {
  HITO_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ", values.size(),
             " values do not fill shape ", shape_str(shape));
  Tensor t = empty(shape, dtype_of<T>(), device);
  copy_bytes(t.raw_data(), device, values.data(), Device::CPU, values.size() * sizeof(T));
  return t;
}
template Tensor Tensor::from_vector(const std::vector<float>&, const Shape&, Device);
template Tensor Tensor::from_vector(const std::vector<int64_t>&, const Shape&, Device);
template Tensor Tensor::from_vector(const std::vector<uint8_t>&, const Shape&, Device);

Tensor Tensor::from_storage(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype, int64_t offset) {
  check_shape(shape);
  HITO_CHECK(offset >= 0, "view ", shape_str(shape), " at negative element ", offset);
  int64_t end = checked_mul(checked_add(offset, shape_numel(shape), "view end"), static_cast<int64_t>(dtype_size(dtype)),
                            "view end");
  HITO_CHECK(static_cast<size_t>(end) <= storage->bytes(), "view ", shape_str(shape), " at element ", offset,
             " runs past the end of its storage (", storage->bytes(), " bytes)");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->shape = shape;
  impl->dtype = dtype;
  impl->offset = offset;
  return Tensor(std::move(impl));
}

// ---------------------------------------------------------------- description and data

int64_t Tensor::size(int64_t d) const {
  int64_t n = dim();
  HITO_CHECK(d >= -n && d < n, "dimension ", d, " out of range for ", describe());
  return shape()[d < 0 ? d + n : d];
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  return std::string(dtype_name(dtype())) + " " + shape_str(shape()) + " on " + device_name(device());
}

void* Tensor::raw_data() const {
  return static_cast<char*>(impl().storage->data()) + impl().offset * static_cast<int64_t>(dtype_size(dtype()));
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  HITO_CHECK(dtype() == dtype_of<T>(), "to_vector: tensor of dtype ", dtype_name(dtype()), " read as ",
             dtype_name(dtype_of<T>()));
  std::vector<T> values(static_cast<size_t>(numel()));
  copy_bytes(values.data(), Device::CPU, raw_data(), device(), nbytes());
  return values;
}
template std::vector<float> Tensor::to_vector() const;
template std::vector<int64_t> Tensor::to_vector() const;
template std::vector<uint8_t> Tensor::to_vector() const;

float Tensor::item() const {
  HITO_CHECK(numel() == 1, "item() needs a one-element tensor, got ", describe());
  return to_vector<float>()[0];
}

// ---------------------------------------------------------------- copies and views

Tensor Tensor::to(Device target) const {
  if (device() == target) return *this;
  Tensor t = empty(shape(), dtype(), target);
  copy_bytes(t.raw_data(), target, raw_data(), device(), nbytes());
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape(), dtype(), device());
  copy_bytes(t.raw_data(), device(), raw_data(), device(), nbytes());
  return t;
}

Tensor Tensor::detach() const { return from_storage(impl().storage, shape(), dtype(), impl().offset); }

Tensor Tensor::flatten(int64_t start_dim) const {
  HITO_CHECK(start_dim >= 0 && start_dim < std::max<int64_t>(dim(), 1), "flatten: start_dim ", start_dim,
             " out of range for ", describe());
  Shape flat(shape().begin(), shape().begin() + start_dim);
  flat.push_back(-1);
  return reshape(flat);
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  HITO_CHECK(dim() >= 1 && 0 <= begin && begin <= end && end <= shape()[0], "rows [", begin, ", ", end,
             ") out of range for ", describe());
  Shape sub = shape();
  sub[0] = end - begin;
  int64_t row_elems = shape()[0] ? numel() / shape()[0] : 0;
  return from_storage(impl().storage, sub, dtype(), impl().offset + begin * row_elems);
}

// ---------------------------------------------------------------- in place

Tensor& Tensor::fill_(float value) {
  HITO_CHECK(dtype() == DType::F32, "fill_ needs an f32 tensor, got ", describe());
  HITO_DISPATCH(device(), fill, data<float>(), value, numel());
  return *this;
}

Tensor& Tensor::zero_() {
  zero_bytes(raw_data(), device(), nbytes());
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  HITO_CHECK(src.shape() == shape() && src.dtype() == dtype(), "copy_: source ", src.describe(),
             " does not match destination ", describe());
  copy_bytes(raw_data(), device(), src.raw_data(), src.device(), nbytes());
  return *this;
}

Tensor& Tensor::move_to_(Device target) {
  if (device() == target) return *this;
  Tensor moved = to(target);
  impl().storage = moved.impl().storage;
  impl().offset = 0;
  impl().grad.reset();
  return *this;
}

// ---------------------------------------------------------------- autograd

Tensor& Tensor::set_requires_grad(bool on) {
  HITO_CHECK(!on || dtype() == DType::F32, "only f32 tensors can require grad, got ", describe());
  HITO_CHECK(is_leaf() || on, "cannot clear requires_grad of a non-leaf tensor; use detach()");
  impl().requires_grad = on;
  return *this;
}

void Tensor::set_grad(const Tensor& grad) {
  HITO_CHECK(!grad.defined() || grad.shape() == shape(), "set_grad: gradient ", grad.describe(),
             " does not match ", describe());
  impl().grad = grad.impl_ptr();
}

namespace detail {
void no_cuda_kernel(const char* kernel) {
  HITO_FAIL("kernel '", kernel, "' called on a CUDA tensor, but ", cuda_unavailable_reason());
}
}  // namespace detail

}  // namespace hito

// Tensor: a cheap handle to a contiguous, row-major block of one dtype on one device, plus the
// autograd bookkeeping (requires_grad, grad, grad_fn). Copies of a Tensor share everything;
// clone() copies the data. Moving data between devices is always explicit: t.to(Device::CUDA).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/types.h"

namespace hito {

struct Node;  // autograd.h

// Owns one buffer on one device: from the caching allocator, or wrapped external memory (mmap).
class Storage {
 public:
  Storage(size_t bytes, Device device);
  // Wraps memory owned elsewhere; `on_release` runs when the last tensor lets go of it.
  Storage(void* data, size_t bytes, Device device, std::function<void()> on_release);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Device device_ = Device::CPU;
  std::function<void()> on_release_;  // empty: the block returns to the caching allocator
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  int64_t offset = 0;  // in elements, from the start of storage
  DType dtype = DType::F32;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // accumulated by backward() on leaves
  std::shared_ptr<Node> grad_fn;     // the op that made this tensor (null for leaves)
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- construction (data on `device`, requires_grad false) ----
  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor zeros(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);
  static Tensor full(const Shape& shape, float value, Device device = Device::CPU);
  static Tensor ones(const Shape& shape, Device device = Device::CPU) { return full(shape, 1.0f, device); }
  static Tensor scalar(float value, Device device = Device::CPU) { return full({}, value, device); }
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::CPU);
  // Uses `storage` from element `offset` on (a view; for memory-mapped caches).
  static Tensor from_storage(std::shared_ptr<Storage> storage, const Shape& shape, DType dtype, int64_t offset = 0);

  // ---- description ----
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return shape_numel(impl().shape); }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  bool is_cuda() const { return device() == Device::CUDA; }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }
  // "f32 (256, 7) on cpu"
  std::string describe() const;

  // ---- data ----
  // Typed pointer to the first element; checks that T matches the dtype.
  template <class T>
  T* data() const {
    HITO_CHECK(dtype() == dtype_of<T>(), "tensor of dtype ", dtype_name(dtype()), " accessed as ",
               dtype_name(dtype_of<T>()));
    return static_cast<T*>(raw_data());
  }
  void* raw_data() const;
  // Copies to the host and returns the elements in order.
  template <class T>
  std::vector<T> to_vector() const;
  // The single element of a one-element f32 tensor.
  float item() const;

  // ---- copies and views ----
  Tensor to(Device device) const;      // the same tensor when already there; else a copy (no grad)
  Tensor clone() const;                // a copy of the data on the same device (no grad)
  Tensor detach() const;               // shares data, no autograd history
  // Same data seen with another shape (numel must match; one dimension may be -1). Records a node,
  // so gradients flow through it.
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(int64_t start_dim = 1) const;  // (N, C, H, W) -> (N, C*H*W) by default
  // Rows [begin, end) along dimension 0, sharing data (no autograd history): for batching.
  Tensor rows(int64_t begin, int64_t end) const;

  // ---- in place (never recorded by autograd; for optimizers, initialisation, buffers) ----
  Tensor& fill_(float value);
  Tensor& zero_();
  Tensor& copy_(const Tensor& src);  // same shape and dtype, any devices
  // Moves this tensor's data to `device` in place: every handle to it sees the move (how a
  // Module moves the parameters its layers hold). Drops .grad.
  Tensor& move_to_(Device device);

  // ---- autograd ----
  bool requires_grad() const { return impl().requires_grad; }
  Tensor& set_requires_grad(bool on = true);
  bool is_leaf() const { return impl().grad_fn == nullptr; }
  Tensor grad() const { return Tensor(impl().grad); }  // undefined until a backward reaches it
  void set_grad(const Tensor& grad);
  void clear_grad() { impl().grad.reset(); }
  const std::shared_ptr<Node>& grad_fn() const { return impl().grad_fn; }
  // Reverse-mode differentiation from this tensor: seeds d(this)/d(this) = 1 (the tensor must have
  // one element) or the given gradient, and accumulates into the .grad of every leaf reached.
  void backward(const Tensor& gradient = Tensor()) const;

  TensorImpl& impl() const {
    HITO_CHECK(impl_, "use of an undefined tensor");
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same_as(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace hito

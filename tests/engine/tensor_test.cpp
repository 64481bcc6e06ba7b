// Tensor handles, the caching allocator and the seeded generator: construction, views, copies,
// dtype checks, block reuse, and reproducible random numbers.
#include <cmath>

#include "kernels/allocator.h"
#include "engine/random.h"
#include "engine/tensor.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(Tensor, ConstructionAndDescription) {
  Tensor t = Tensor::full({2, 3}, 1.5f);
  EXPECT_EQ(t.to_vector<float>(), std::vector<float>(6, 1.5f));
  EXPECT_EQ(t.describe(), "f32 (2, 3) on cpu");
  EXPECT_EQ(t.size(-1), 3);
  EXPECT_EQ(t.nbytes(), 24u);
  EXPECT_EQ(Tensor::zeros({4}, DType::I64).to_vector<int64_t>(), std::vector<int64_t>(4, 0));
  EXPECT_EQ(Tensor::scalar(2.0f).shape(), Shape{});
  EXPECT_EQ(Tensor::scalar(2.0f).item(), 2.0f);
  EXPECT_FALSE(Tensor().defined());
  EXPECT_EQ(Tensor().describe(), "undefined tensor");
}

TEST(Tensor, RefusesMisuse) {
  EXPECT_THROW(Tensor::from_vector<float>({1, 2, 3}, {2, 2}), Error);
  EXPECT_THROW(Tensor::zeros({2, -1}), Error);
  Tensor t = Tensor::zeros({2, 2});
  EXPECT_THROW(t.data<int64_t>(), Error);
  EXPECT_THROW(t.to_vector<uint8_t>(), Error);
  EXPECT_THROW(t.item(), Error);
  EXPECT_THROW(t.size(2), Error);
  EXPECT_THROW(t.copy_(Tensor::zeros({4})), Error);
  EXPECT_THROW(Tensor().shape(), Error);
  EXPECT_THROW(t.rows(1, 3), Error);
  EXPECT_THROW(Tensor::zeros({2}, DType::U8).fill_(1.0f), Error);
}

TEST(Tensor, CloneCopiesDetachAndRowsShare) {
  Tensor t = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor copy = t.clone(), shared = t.detach(), middle = t.rows(1, 2);
  EXPECT_EQ(middle.shape(), (Shape{1, 2}));
  EXPECT_EQ(middle.to_vector<float>(), (std::vector<float>{3, 4}));
  t.fill_(0.0f);
  EXPECT_EQ(copy.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(shared.to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(middle.to_vector<float>(), std::vector<float>(2, 0.0f));
  middle.copy_(Tensor::from_vector<float>({7, 8}, {1, 2}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{0, 0, 7, 8, 0, 0}));
  EXPECT_TRUE(t.to(Device::CPU).same_as(t));  // no copy when already there
  EXPECT_EQ(Tensor::zeros({0, 2}).rows(0, 0).numel(), 0);
}

TEST(Tensor, ViewsOfStorageAreBoundsChecked) {
  auto storage = std::make_shared<Storage>(16, Device::CPU);
  EXPECT_NO_THROW(Tensor::from_storage(storage, {2}, DType::F32, 2));
  EXPECT_THROW(Tensor::from_storage(storage, {2}, DType::F32, 3), Error);
  EXPECT_THROW(Tensor::from_storage(storage, {3}, DType::I64), Error);
  EXPECT_THROW(Tensor::from_storage(storage, {1}, DType::F32, -1), Error);
}

TEST(Tensor, WrappedMemoryIsReleasedByItsOwner) {
  int released = 0;
  std::vector<float> memory = {1, 2, 3};
  {
    auto storage = std::make_shared<Storage>(memory.data(), 12, Device::CPU, [&] { ++released; });
    Tensor t = Tensor::from_storage(storage, {3}, DType::F32);
    EXPECT_EQ(t.to_vector<float>(), memory);
  }
  EXPECT_EQ(released, 1);
}

TEST(Allocator, SizeClassesAndReuse) {
  EXPECT_EQ(CachingAllocator::round_size(1), 256u);
  EXPECT_EQ(CachingAllocator::round_size(256), 256u);
  EXPECT_EQ(CachingAllocator::round_size(257), 512u);
  EXPECT_EQ(CachingAllocator::round_size((1 << 20) + 1), (1u << 20) + (1u << 17));  // 8 classes per power of 2
  for (size_t bytes : {size_t(3000), size_t(5) << 20, size_t(123456789)}) {
    size_t size = CachingAllocator::round_size(bytes);
    EXPECT_GE(size, bytes);
    EXPECT_LE(size, bytes + bytes / 8 + 256);  // at most 12.5% waste
  }
  CachingAllocator& host = allocator_for(Device::CPU);
  void* first = host.allocate(5000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
  host.release(first, 5000);
  size_t system_before = host.stats().system_allocations;
  void* second = host.allocate(5100);  // the same size class: the cached block comes back
  EXPECT_EQ(second, first);
  EXPECT_EQ(host.stats().system_allocations, system_before);
  host.release(second, 5100);
  EXPECT_THROW(host.allocate(0), Error);
}

TEST(Allocator, CacheIsBoundedAndCanBeEmptied) {
  CachingAllocator::Backend backend{[](size_t bytes) { return std::malloc(bytes); }, [](void* p) { std::free(p); }, "test"};
  CachingAllocator small(backend, 1024);
  void* a = small.allocate(1024);
  void* b = small.allocate(1024);
  small.release(a, 1024);
  small.release(b, 1024);  // over the 1 KiB cache limit: back to the system
  EXPECT_EQ(small.stats().cached_bytes, 1024u);
  EXPECT_EQ(small.stats().live_bytes, 0u);
  EXPECT_EQ(small.stats().peak_live_bytes, 2048u);
  small.empty_cache();
  EXPECT_EQ(small.stats().cached_bytes, 0u);
}

TEST(Generator, SeededAndReproducible) {
  Generator a(42), b(42), c(43);
  std::vector<float> xa, xb, xc;
  for (int i = 0; i < 100; ++i) xa.push_back(a.uniform()), xb.push_back(b.uniform()), xc.push_back(c.uniform());
  EXPECT_EQ(xa, xb);
  EXPECT_NE(xa, xc);
  a.reseed(42);
  EXPECT_EQ(a.uniform(), xb[0]);
  EXPECT_THROW(a.integer(0), Error);
}

TEST(Generator, DistributionsHaveTheirMoments) {
  Generator gen(7);
  const int n = 200000;
  double sum = 0, squares = 0, usum = 0;
  int64_t below = 0;
  for (int i = 0; i < n; ++i) {
    float z = gen.normal(), u = gen.uniform(-1.0f, 3.0f);
    ASSERT_TRUE(std::isfinite(z));
    ASSERT_TRUE(u >= -1.0f && u < 3.0f);
    sum += z, squares += z * z, usum += u;
    below += gen.integer(10) < 3;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);      // standard error 0.0022
  EXPECT_NEAR(squares / n, 1.0, 0.015);  // standard error 0.0032
  EXPECT_NEAR(usum / n, 1.0, 0.015);     // standard error 0.0026
  EXPECT_NEAR(double(below) / n, 0.3, 0.005);
  Tensor t = normal_tensor({1000}, 5.0f, 2.0f, gen);
  double mean = 0;
  for (float v : t.to_vector<float>()) mean += v / 1000;
  EXPECT_NEAR(mean, 5.0, 0.3);
}

}  // namespace
}  // namespace hito

// Whole-engine checks on CUDA: a small MLP (linear, batch norm, GELU, dropout, weighted and
// label-smoothed cross-entropy, AdamW) trained on both devices follows the same trajectory; a
// training step reaches a steady state with no new device allocations; tensors round-trip between
// devices unchanged.
#include <cmath>
#include <memory>

#include "kernels/allocator.h"
#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "engine/random.h"
#include "layers/basic.h"
#include "layers/linear.h"
#include "layers/norm.h"
#include "tests/cuda/compare.h"

namespace hito {
namespace {

constexpr int64_t kBatch = 96, kFeatures = 20, kHidden = 64, kClasses = 7;

// The model and its training state on one device; built from a fixed seed, so two are identical.
struct Trainer {
  Sequential model;
  std::unique_ptr<Adam> optimizer;
  Tensor x, y, class_weight;

  explicit Trainer(Device device) {
    Generator gen(7);
    // No bias before batch norm: its gradient would be rounding noise, which Adam's normalised step
    // turns into +-lr moves that differ between devices (and that batch norm then cancels).
    model.add(std::make_shared<Linear>(kFeatures, kHidden, false, gen));
    model.add(std::make_shared<BatchNorm>(kHidden));
    model.add(std::make_shared<Activation>(UnaryOp::Gelu));
    model.add(std::make_shared<Dropout>(0.2f));
    model.add(std::make_shared<Linear>(kHidden, kClasses, true, gen));
    model.to(device);
    AdamOptions options;
    options.decoupled_weight_decay = true;
    optimizer = std::make_unique<Adam>(single_group(model.parameters(), 1e-2f, 1e-2f), options);
    x = normal_tensor({kBatch, kFeatures}, 0, 1, gen, device);
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < kBatch; ++i) labels.push_back(gen.integer(kClasses));
    y = Tensor::from_vector(labels, {kBatch}, device);
    class_weight = uniform_tensor({kClasses}, 0.5f, 2.0f, gen, device);
  }

  // One step; dropout draws its masks from the default generator, reseeded per step.
  float step(int index) {
    manual_seed(1000 + index);
    optimizer->zero_grad();
    CrossEntropyOptions options;
    options.class_weight = class_weight;
    options.label_smoothing = 0.1f;
    Tensor loss = cross_entropy(model(x), y, options);
    loss.backward();
    optimizer->step();
    return loss.item();
  }
};

TEST(CudaTraining, MlpTrainsTheSameOnBothDevices) {
  HITO_REQUIRE_CUDA();
  Trainer cpu(Device::CPU), cuda(Device::CUDA);
  for (int step = 0; step < 30; ++step) {
    float loss_cpu = cpu.step(step), loss_cuda = cuda.step(step);
    ASSERT_NEAR(loss_cuda, loss_cpu, 1e-4f * std::abs(loss_cpu) + 1e-5f) << "step " << step;
  }
  NamedTensors expected = cpu.model.state_dict(), actual = cuda.model.state_dict();
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i].second.dtype() != DType::F32) {
      EXPECT_TRUE(testing::identical(actual[i].second, expected[i].second)) << expected[i].first;
      continue;
    }
    EXPECT_TRUE(actual[i].second.is_cuda()) << expected[i].first;
    EXPECT_TRUE(testing::all_close(actual[i].second, expected[i].second, 1e-3f, 1e-3f)) << expected[i].first;
  }
}

TEST(CudaTraining, NoNewDeviceAllocationsOnceTrainingIsUnderWay) {
  HITO_REQUIRE_CUDA();
  // The first step makes the model's tensors, the kernels' scratch buffers and, at its very end,
  // Adam's state. The second is the first to hold that state while its gradients are alive, so it
  // may need a few more blocks (the same happens with the host allocator). From then on every step
  // must be served from the cache: no cudaMalloc.
  Trainer cuda(Device::CUDA);
  cuda.step(0);
  cuda.step(1);
  size_t warm = allocator_for(Device::CUDA).stats().system_allocations;
  for (int step = 2; step < 22; ++step) cuda.step(step);
  EXPECT_EQ(allocator_for(Device::CUDA).stats().system_allocations, warm);
}

TEST(CudaTensor, ToRoundTripsEveryDtype) {
  HITO_REQUIRE_CUDA();
  Tensor f = testing::randn({3, 1031}, 1);
  Tensor i = Tensor::from_vector<int64_t>({-5, 0, 1ll << 40, 7}, {2, 2});
  Tensor u = Tensor::from_vector<uint8_t>({0, 1, 127, 255, 9}, {5});
  for (const Tensor& t : {f, i, u}) {
    Tensor there = t.to(Device::CUDA);
    EXPECT_TRUE(there.is_cuda());
    EXPECT_EQ(there.shape(), t.shape());
    EXPECT_TRUE(there.to(Device::CUDA).same_as(there));  // already there: the same tensor
    Tensor back = there.to(Device::CPU);
    EXPECT_FALSE(back.is_cuda());
    EXPECT_TRUE(testing::identical(back, t));
    EXPECT_TRUE(testing::identical(there.clone(), t));  // a device-to-device copy
  }
}

TEST(CudaTensor, ToCopiesViewsScalarsAndEmptyTensors) {
  HITO_REQUIRE_CUDA();
  Tensor x = testing::randn({10, 3}, 2);
  EXPECT_TRUE(testing::identical(x.rows(3, 7).to(Device::CUDA), x.rows(3, 7)));
  EXPECT_TRUE(testing::identical(x.to(Device::CUDA).rows(3, 7).to(Device::CPU), x.rows(3, 7)));
  EXPECT_FLOAT_EQ(Tensor::scalar(2.5f, Device::CUDA).item(), 2.5f);
  Tensor empty = Tensor::empty({0, 4}).to(Device::CUDA);
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_EQ(empty.to(Device::CPU).shape(), (Shape{0, 4}));
  Tensor target = Tensor::zeros({10, 3}, DType::F32, Device::CUDA);
  target.copy_(x);  // host to device in place
  EXPECT_TRUE(testing::identical(target, x));
}

}  // namespace
}  // namespace hito

// The autograd engine: shared subexpressions, accumulation across backward calls, NoGradGuard,
// refusing a freed graph and mis-shaped gradients, no reference cycles, and a training loop whose
// memory does not grow.
#include <memory>

#include "kernels/allocator.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "layers/basic.h"
#include "layers/linear.h"
#include "layers/norm.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(Autograd, TensorUsedSeveralTimesGetsTheSumOfItsGradients) {
  Tensor x = Tensor::from_vector<float>({1.0f, -2.0f, 3.0f}, {3}).set_requires_grad();
  sum(x * x + x).backward();  // d/dx = 2x + 1
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{3.0f, -3.0f, 7.0f}));

  // An intermediate result consumed by two ops: z = h*h + h with h = 2x, dz/dx = (2h + 1) * 2.
  Tensor y = Tensor::from_vector<float>({0.5f, -1.0f}, {2}).set_requires_grad();
  Tensor h = y * 2.0f;
  sum(h * h + h).backward();
  EXPECT_EQ(y.grad().to_vector<float>(), (std::vector<float>{6.0f, -6.0f}));
}

TEST(Autograd, DiamondGraphGradcheck) {
  Tensor x = testing::randn({2, 3}, 1).set_requires_grad();
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) {
        Tensor h = tanh(in[0]);
        Tensor left = sigmoid(h) * h, right = softmax(h, 1);
        return left + right * h;
      },
      {x}));
}

TEST(Autograd, GradientsAccumulateOverBackwardCalls) {
  Tensor x = Tensor::from_vector<float>({1.0f, 2.0f}, {2}).set_requires_grad();
  sum(x * x).backward();
  sum(x * x).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{4.0f, 8.0f}));
  x.clear_grad();
  sum(x * 3.0f).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{3.0f, 3.0f}));
}

TEST(Autograd, AccumulationNeverWritesIntoAnotherTensorsGradient) {
  // a + b hands both leaves the same upstream gradient; accumulating into a.grad later must not
  // change b.grad.
  Tensor a = Tensor::zeros({3}).set_requires_grad(), b = Tensor::zeros({3}).set_requires_grad();
  sum(a + b).backward();
  sum(a * 3.0f).backward();
  EXPECT_EQ(a.grad().to_vector<float>(), std::vector<float>(3, 4.0f));
  EXPECT_EQ(b.grad().to_vector<float>(), std::vector<float>(3, 1.0f));

  // Nor into a gradient the caller passed in.
  Tensor x = Tensor::zeros({2, 2}).set_requires_grad();
  Tensor seed = Tensor::ones({4});
  x.reshape({4}).backward(seed);
  sum(x).backward();
  EXPECT_EQ(seed.to_vector<float>(), std::vector<float>(4, 1.0f));
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>(4, 2.0f));
}

TEST(Autograd, NoGradGuardRecordsNothing) {
  Tensor x = testing::randn({3}, 2).set_requires_grad();
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(grad_mode_enabled());
    Tensor y = relu(x) * 2.0f + x;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    {
      NoGradGuard nested;
    }
    EXPECT_FALSE(grad_mode_enabled());  // the nested guard restores "off", not "on"
  }
  EXPECT_TRUE(grad_mode_enabled());
  EXPECT_NE((x * 2.0f).grad_fn(), nullptr);
  // Inputs that do not require grad record nothing either.
  EXPECT_EQ((testing::randn({3}, 3) * 2.0f).grad_fn(), nullptr);
}

TEST(Autograd, DetachCutsTheHistory) {
  Tensor x = testing::randn({3}, 4).set_requires_grad();
  Tensor y = (x * 2.0f).detach();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  Tensor z = x * 2.0f;
  sum(z * z.detach()).backward();  // the detached factor is a constant: d/dx = 2 * (2x)
  std::vector<float> xs = x.to_vector<float>(), g = x.grad().to_vector<float>();
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_FLOAT_EQ(g[i], 4.0f * xs[i]);
}

TEST(Autograd, BackwardOnAFreedGraphIsRefused) {
  Tensor x = testing::randn({3}, 5).set_requires_grad();
  Tensor loss = sum(x * x);
  loss.backward();
  try {
    loss.backward();
    FAIL() << "a second backward through a freed graph was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos) << e.what();
  }
  // The same for a graph shared by two losses: the first backward frees the shared part.
  Tensor h = x * 2.0f;
  Tensor first = sum(h), second = mean(h);
  first.backward();
  EXPECT_THROW(second.backward(), Error);
}

TEST(Autograd, BackwardArgumentsAreChecked) {
  Tensor x = testing::randn({2, 3}, 6).set_requires_grad();
  Tensor y = x * 2.0f;
  EXPECT_THROW(y.backward(), Error);                    // not one element: needs a gradient
  EXPECT_THROW(y.backward(Tensor::ones({3, 2})), Error);  // wrong shape
  EXPECT_THROW(testing::randn({1}, 7).backward(), Error); // does not require grad
  EXPECT_THROW(Tensor::zeros({2}, DType::I64).set_requires_grad(), Error);
  y.backward(Tensor::ones({2, 3}));
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>(6, 2.0f));
}

TEST(Autograd, LeafBackwardSeedsOne) {
  Tensor x = Tensor::scalar(3.0f).set_requires_grad();
  x.backward();
  EXPECT_EQ(x.grad().item(), 1.0f);
}

TEST(Autograd, MisShapedGradientFromANodeIsRefused) {
  Tensor x = testing::randn({2, 3}, 8).set_requires_grad();
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x * 1.0f;
  }
  record(out, "broken_op", {x}, [](const Tensor&) { return std::vector<Tensor>{Tensor::ones({3, 2})}; });
  try {
    sum(out).backward();
    FAIL() << "a (3, 2) gradient for a (2, 3) input was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken_op"), std::string::npos) << e.what();
  }
}

TEST(Autograd, GraphIsFreedWithoutBackward) {
  // A node owns its inputs but never its output: dropping the output frees the whole graph, so
  // the allocator's live bytes return to where they were.
  Tensor x = testing::randn({256, 256}, 9).set_requires_grad();
  size_t baseline = allocator_for(Device::CPU).stats().live_bytes;
  std::weak_ptr<Node> node;
  {
    Tensor h = tanh(matmul(x, x));
    Tensor loss = mean(softmax(h * h, 1) / (h + 3.0f));
    node = loss.grad_fn();
    EXPECT_GT(allocator_for(Device::CPU).stats().live_bytes, baseline);
  }
  EXPECT_TRUE(node.expired());
  EXPECT_EQ(allocator_for(Device::CPU).stats().live_bytes, baseline);
}

TEST(Autograd, GraphIsFreedAfterBackward) {
  Tensor x = testing::randn({128, 64}, 10).set_requires_grad();
  Tensor w = testing::randn({32, 64}, 11).set_requires_grad();
  {  // the first backward allocates .grad; measure from the second
    sum(relu(linear(x, w))).backward();
  }
  size_t baseline = allocator_for(Device::CPU).stats().live_bytes;
  {
    Tensor loss = sum(relu(linear(x, w)));
    loss.backward();
  }
  EXPECT_EQ(allocator_for(Device::CPU).stats().live_bytes, baseline);
}

TEST(Autograd, TrainingStepsDoNotGrowMemory) {
  Generator gen(12);
  auto model = std::make_shared<Sequential>();
  model->add(std::make_shared<Linear>(16, 32, true, gen));
  model->add(std::make_shared<BatchNorm>(32));
  model->add(Activation::named("relu"));
  model->add(std::make_shared<Dropout>(0.2f));
  model->add(std::make_shared<Linear>(32, 5, true, gen));
  Adam optimizer(single_group(model->trainable_parameters(), 1e-3f));
  Tensor x = testing::randn({64, 16}, 13);
  std::vector<int64_t> labels(64);
  for (int64_t i = 0; i < 64; ++i) labels[i] = i % 5;
  Tensor y = Tensor::from_vector(labels, {64});
  auto step = [&] {
    optimizer.zero_grad();
    Tensor loss = cross_entropy(model->forward(x), y, {.label_smoothing = 0.1f});
    loss.backward();
    clip_grad_norm(model->trainable_parameters(), 1.0f);
    optimizer.step();
  };
  for (int i = 0; i < 5; ++i) step();  // optimizer state and the allocator's cache are built here
  AllocatorStats before = allocator_for(Device::CPU).stats();
  for (int i = 0; i < 100; ++i) step();
  AllocatorStats after = allocator_for(Device::CPU).stats();
  EXPECT_EQ(after.live_bytes, before.live_bytes);
  EXPECT_EQ(after.system_allocations, before.system_allocations);  // every block came from the cache
  EXPECT_EQ(after.peak_live_bytes, before.peak_live_bytes);
}

}  // namespace
}  // namespace hito

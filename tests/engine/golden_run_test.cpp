// End-to-end training against PyTorch: an MLP started from PyTorch's initial weights (through
// load_state_dict) reproduces every loss of a 20-step Adam run and the final weights; and a tiny
// batch can be fitted to a near-zero loss.
#include <memory>

#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "layers/basic.h"
#include "layers/linear.h"
#include "tests/engine/golden.h"
#include "tests/support/testing.h"
#include "weights/state_dict.h"

namespace hito {
namespace {

// nn.Sequential(Linear(8, 16), ReLU(), Linear(16, 16), Tanh(), Linear(16, 4)), with PyTorch's names.
std::shared_ptr<Sequential> golden_mlp() {
  auto model = std::make_shared<Sequential>();
  model->add(std::make_shared<Linear>(8, 16));
  model->add(Activation::named("relu"));
  model->add(std::make_shared<Linear>(16, 16));
  model->add(Activation::named("tanh"));
  model->add(std::make_shared<Linear>(16, 4));
  return model;
}

TEST(GoldenRun, AdamMlpReproducesPyTorchLossesAndWeights) {
  testing::Golden run("mlp_run.safetensors");
  auto model = golden_mlp();
  LoadReport report = load_state_dict(*model, testing::fixture_path("engine/mlp_init.safetensors"));
  ASSERT_TRUE(report.ok()) << report.describe();
  Adam optimizer(single_group(model->trainable_parameters(), run.metadata("lr").get<float>()));
  CrossEntropyOptions loss_options{run["class_weight"], run.metadata("label_smoothing").get<float>()};
  std::vector<float> expected = run["losses"].to_vector<float>(), losses;
  ASSERT_EQ(expected.size(), run.metadata("steps").get<size_t>());
  for (size_t step = 0; step < expected.size(); ++step) {
    optimizer.zero_grad();
    Tensor loss = cross_entropy(model->forward(run["x"]), run["y"], loss_options);
    loss.backward();
    optimizer.step();
    losses.push_back(loss.item());
  }
  EXPECT_TRUE(testing::all_close(losses, expected, 1e-5f, 0.0f));
  for (const auto& [name, tensor] : model->state_dict())
    EXPECT_TRUE(testing::all_close(tensor, run["final." + name], 1e-4f, 1e-6f)) << name;
}

TEST(GoldenRun, OverfitsATinyBatch) {
  Generator gen(5);
  auto model = std::make_shared<Sequential>();
  model->add(std::make_shared<Linear>(6, 32, true, gen));
  model->add(Activation::named("gelu"));
  model->add(std::make_shared<Linear>(32, 3, true, gen));
  Tensor x = testing::randn({10, 6}, 6);
  Tensor y = Tensor::from_vector<int64_t>({0, 1, 2, 2, 1, 0, 0, 2, 1, 1}, {10});  // arbitrary labels
  Adam optimizer(single_group(model->trainable_parameters(), 0.02f));
  float first = 0.0f, last = 0.0f;
  for (int step = 0; step < 300; ++step) {
    optimizer.zero_grad();
    Tensor loss = cross_entropy(model->forward(x), y);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item();
  }
  EXPECT_GT(first, 0.8f);
  EXPECT_LT(last, 0.01f);
  EXPECT_EQ(argmax(model->forward(x), 1).to_vector<int64_t>(), y.to_vector<int64_t>());
}

}  // namespace
}  // namespace hito

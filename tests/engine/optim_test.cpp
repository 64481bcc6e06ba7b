// Optimizers, learning-rate schedules and gradient clipping against PyTorch: SGD (momentum,
// dampening, Nesterov, weight decay), Adam and AdamW over several steps from fixed gradients;
// StepLR, warm-up + cosine and OneCycleLR factors; clip_grad_norm_.
#include <memory>

#include "engine/optim/optimizer.h"
#include "engine/optim/schedule.h"
#include "tests/engine/golden.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// The optimizer that the fixture's metadata describes (PyTorch's class name and keyword arguments).
std::unique_ptr<Optimizer> make_optimizer(const nlohmann::json& config, const std::vector<Tensor>& params) {
  std::vector<ParamGroup> groups = single_group(params, config["lr"].get<float>(), config.value("weight_decay", 0.0f));
  std::string cls = config["class"];
  if (cls == "SGD") {
    SgdOptions options;
    options.momentum = config.value("momentum", 0.0f);
    options.dampening = config.value("dampening", 0.0f);
    options.nesterov = config.value("nesterov", false);
    return std::make_unique<Sgd>(groups, options);
  }
  AdamOptions options;
  if (config.contains("betas")) options.beta1 = config["betas"][0], options.beta2 = config["betas"][1];
  options.eps = config.value("eps", 1e-8f);
  options.decoupled_weight_decay = cls == "AdamW";
  if (cls == "AdamW") groups[0].weight_decay = config.value("weight_decay", 0.01f);  // PyTorch's AdamW default
  return std::make_unique<Adam>(groups, options);
}

TEST(Optimizers, MatchPyTorchStepByStep) {
  testing::Golden golden("optim.safetensors");
  Tensor grads = golden["grads"], late_grads = golden["late_grads"];
  int64_t steps = grads.size(0), late_start = golden["late_start"].to_vector<int64_t>()[0];
  ASSERT_GE(golden.all_metadata().size(), 7u);
  // Row s of a stacked (steps, ...) tensor, as a tensor of `shape`.
  auto row = [](const Tensor& stacked, int64_t s, const Shape& shape) { return stacked.rows(s, s + 1).reshape(shape).clone(); };
  for (const auto& [name, text] : golden.all_metadata()) {
    SCOPED_TRACE(name);
    // `late` has no gradient before step late_start: it must be left alone, and its state (momentum,
    // Adam's moments and bias-correction step count) must start with its own first update.
    Tensor param = golden["param0"].clone().set_requires_grad(), late = golden["late0"].clone().set_requires_grad();
    auto optimizer = make_optimizer(nlohmann::json::parse(text), {param, late});
    for (int64_t s = 0; s < steps; ++s) {
      param.set_grad(row(grads, s, param.shape()));
      if (s >= late_start) late.set_grad(row(late_grads, s, late.shape()));
      optimizer->step();
      ASSERT_TRUE(testing::all_close(param, row(golden[name + ".params"], s, param.shape()), 1e-5f, 1e-6f))
          << "after step " << s + 1;
      ASSERT_TRUE(testing::all_close(late, row(golden[name + ".late_params"], s, late.shape()), 1e-5f, 1e-6f))
          << "late-starting parameter after step " << s + 1;
    }
  }
}

TEST(Optimizers, SkipParametersWithoutGradientAndCheckShapes) {
  Tensor a = Tensor::ones({2}).set_requires_grad(), b = Tensor::ones({3}).set_requires_grad();
  Sgd sgd(single_group({a, b}, 0.5f));
  a.set_grad(Tensor::ones({2}));
  sgd.step();
  EXPECT_EQ(a.to_vector<float>(), std::vector<float>(2, 0.5f));
  EXPECT_EQ(b.to_vector<float>(), std::vector<float>(3, 1.0f));
  sgd.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_THROW(a.set_grad(Tensor::ones({3})), Error);
  EXPECT_THROW(Sgd(single_group({a}, 0.1f), {.momentum = 0.0f, .nesterov = true}), Error);
  EXPECT_THROW(Adam(single_group({Tensor::zeros({2}, DType::I64)}, 0.1f)), Error);
}

TEST(Optimizers, GroupsKeepTheirOwnLearningRates) {
  Tensor slow = Tensor::ones({2}).set_requires_grad(), fast = Tensor::ones({2}).set_requires_grad();
  std::vector<ParamGroup> groups = single_group({slow}, 0.1f);
  groups.push_back(single_group({fast}, 1.0f)[0]);
  Sgd sgd(groups);
  StepSchedule schedule(1, 0.5f);
  schedule.apply(sgd, 1);  // both rates halve
  EXPECT_FLOAT_EQ(sgd.groups()[0].lr, 0.05f);
  EXPECT_FLOAT_EQ(sgd.groups()[1].lr, 0.5f);
  slow.set_grad(Tensor::ones({2}));
  fast.set_grad(Tensor::ones({2}));
  sgd.step();
  EXPECT_FLOAT_EQ(slow.to_vector<float>()[0], 0.95f);
  EXPECT_FLOAT_EQ(fast.to_vector<float>()[0], 0.5f);
}

// An optimizer's state handed to a fresh one over the same parameter values continues the run
// exactly; a state of the wrong shape is refused and changes nothing.
TEST(Optimizers, StateCarriesOverToAFreshOptimizer) {
  auto run = [](Optimizer& optimizer, Tensor& p, int from, int to) {  // steps [from, to)
    for (int s = from; s < to; ++s) {
      p.set_grad(Tensor::from_vector(std::vector<float>{0.3f * (s + 1), -0.2f, 0.1f}, {3}));
      optimizer.step();
    }
  };
  for (const bool adam : {true, false}) {
    Tensor whole = Tensor::ones({3}).set_requires_grad(), split = Tensor::ones({3}).set_requires_grad();
    auto make = [adam](Tensor& p) -> std::unique_ptr<Optimizer> {
      if (adam) return std::make_unique<Adam>(single_group({p}, 0.1f, 0.01f), AdamOptions{.decoupled_weight_decay = true});
      return std::make_unique<Sgd>(single_group({p}, 0.1f), SgdOptions{.momentum = 0.9f, .nesterov = true});
    };
    auto a = make(whole);
    run(*a, whole, 0, 5);
    auto first = make(split);
    run(*first, split, 0, 2);
    Tensor resumed = split.detach().clone().set_requires_grad();
    auto second = make(resumed);
    second->load_state(first->state());
    run(*second, resumed, 2, 5);
    EXPECT_EQ(resumed.to_vector<float>(), whole.to_vector<float>()) << (adam ? "adam" : "sgd");
    auto state = first->state();
    state.begin()->second = Tensor::zeros({7}, state.begin()->second.dtype());
    EXPECT_THROW(second->load_state(state), Error);
  }
}

TEST(Schedules, MatchPyTorchSchedulers) {
  testing::Golden golden("schedules.safetensors");
  auto check = [&](const std::string& name, const Schedule& schedule) {
    SCOPED_TRACE(name);
    std::vector<float> expected = golden[name].to_vector<float>(), actual;
    for (size_t step = 0; step < expected.size(); ++step) actual.push_back(schedule.factor(static_cast<int64_t>(step)));
    EXPECT_TRUE(testing::all_close(actual, expected, 1e-5f, 1e-7f));
  };
  nlohmann::json step = golden.metadata("step"), cosine = golden.metadata("cosine"),
                 plain_cosine = golden.metadata("cosine_no_warmup"), onecycle = golden.metadata("onecycle");
  check("step", StepSchedule(step["step_size"], step["gamma"]));
  check("cosine", CosineSchedule(cosine["warmup"], cosine["total"], cosine["min_factor"]));
  check("cosine_no_warmup", CosineSchedule(plain_cosine["warmup"], plain_cosine["total"], plain_cosine["min_factor"]));
  check("onecycle", OneCycleSchedule(onecycle["total"], onecycle["pct_start"], onecycle["div_factor"],
                                     onecycle["final_div_factor"]));
}

TEST(Schedules, ByNameAndRefusals) {
  EXPECT_FLOAT_EQ(make_schedule("constant", 10)->factor(7), 1.0f);
  EXPECT_FLOAT_EQ(make_schedule("cosine", 10, 2)->factor(0), 0.5f);
  EXPECT_NEAR(make_schedule("onecycle", 100)->factor(0), 1.0f / 25.0f, 1e-7f);
  EXPECT_THROW(make_schedule("linear", 10), Error);
  EXPECT_THROW(CosineSchedule(5, 4), Error);
  EXPECT_THROW(StepSchedule(0, 0.1f), Error);
}

TEST(ClipGradNorm, MatchesPyTorch) {
  testing::Golden golden("clip.safetensors");
  for (const char* name : {"clipped", "unclipped"}) {
    std::string key = name;
    SCOPED_TRACE(key);
    Tensor a = Tensor::zeros(golden[key + ".grad_a"].shape()).set_requires_grad();
    Tensor b = Tensor::zeros(golden[key + ".grad_b"].shape()).set_requires_grad();
    Tensor no_grad = Tensor::zeros({2}).set_requires_grad();  // skipped, as in PyTorch
    a.set_grad(golden[key + ".grad_a"].clone());
    b.set_grad(golden[key + ".grad_b"].clone());
    float norm = clip_grad_norm({a, no_grad, b}, golden[key + ".max_norm"].item());
    EXPECT_NEAR(norm, golden[key + ".norm"].item(), 1e-5f * norm);
    EXPECT_TRUE(testing::all_close(a.grad(), golden[key + ".clipped_a"], 1e-6f, 1e-7f));
    EXPECT_TRUE(testing::all_close(b.grad(), golden[key + ".clipped_b"], 1e-6f, 1e-7f));
    EXPECT_FALSE(no_grad.grad().defined());
  }
}

}  // namespace
}  // namespace hito

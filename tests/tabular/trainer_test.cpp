// The shared training loop on the tabular model: early stopping and best-epoch restore, the NaN guard,
// class weights, resuming a killed training.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "apps/study/train/trainer.h"
#include "engine/ops.h"
#include "tests/support/resume.h"
#include "tests/support/testing.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

// A small noisy problem: 200 rows of 6 features whose labels depend weakly on the first feature, so
// that the validation score wanders and early stopping triggers.
struct NoisyProblem {
  Tensor x, y;
  std::vector<int64_t> train_rows, val_rows;
  NoisyProblem() {
    x = testing::randn({200, 6}, 11);
    std::vector<float> v = x.to_vector<float>();
    Tensor noise = testing::randn({200}, 12);
    std::vector<float> n = noise.to_vector<float>();
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < 200; ++i) labels.push_back(v[static_cast<size_t>(i * 6)] + 2.0f * n[static_cast<size_t>(i)] > 0 ? 1 : 0);
    y = Tensor::from_vector(labels, {200});
    for (int64_t i = 0; i < 200; ++i) (i < 140 ? train_rows : val_rows).push_back(i);
  }
};

struct Trained {
  TrainResult result;
  NamedTensors weights;
};

// How a run of train_noisy is checkpointed and cut short.
struct Interruption {
  std::string checkpoint;     // "" : no checkpoint
  bool resume = false;
  int64_t kill_at_batch = -1;  // the forward pass of this batch (counted over the run) throws
  uint64_t init_seed = 5;      // the initial weights (a resumed run takes them from the checkpoint)
  std::string optimizer = "adamw";
};

Trained train_noisy(const NoisyProblem& p, int64_t epochs, int64_t patience, const Interruption& cut = {}) {
  Generator gen(cut.init_seed);
  manual_seed(cut.init_seed);
  Mlp model(6, 2, MlpConfig{.width = 32, .depth = 2, .dropout = 0.1f}, gen);
  TensorBatches train_rows({p.x}, p.y, p.train_rows, {.batch_size = 16, .shuffle = true, .drop_last = true, .seed = 5});
  TensorBatches val_rows({p.x}, p.y, p.val_rows, {.batch_size = 64});
  TrainTarget target;
  target.module = &model;
  int64_t batches = 0;
  target.logits = [&model, &batches, &cut](const Batch& b) {
    if (model.is_training() && batches++ == cut.kill_at_batch) HITO_FAIL("killed at batch ", cut.kill_at_batch);
    return model.forward(b.inputs[0]);
  };
  TrainConfig config;
  config.checkpoint = cut.checkpoint;
  config.resume = cut.resume;
  config.optimizer = cut.optimizer;
  config.epochs = epochs;
  config.patience = patience;
  config.lr = 3e-2f;
  config.schedule = "constant";  // the same learning rate whatever the number of epochs
  config.warmup_epochs = 0;
  config.progress = false;
  Trained t;
  t.result = train(target, train_rows, val_rows, balanced_class_weights({0, 1}, 2), 2, config);
  for (auto& [name, tensor] : model.state_dict()) t.weights.emplace_back(name, tensor.clone());
  return t;
}

TEST(EarlyStopping, StopsAfterPatienceAndRestoresTheBestEpoch) {
  NoisyProblem p;
  const int64_t patience = 3;
  Trained stopped = train_noisy(p, 60, patience);
  const TrainResult& r = stopped.result;
  ASSERT_TRUE(r.stopped_early) << "60 epochs on noise should stop early";
  // The run stops exactly `patience` epochs after its best one.
  EXPECT_EQ(static_cast<int64_t>(r.history.size()), r.best_epoch + patience);
  double best = -1;
  int64_t best_epoch = 0;
  for (const EpochRecord& e : r.history)
    if (e.val_bacc > best) best = e.val_bacc, best_epoch = e.epoch;
  EXPECT_EQ(r.best_epoch, best_epoch);
  EXPECT_DOUBLE_EQ(r.best_val_bacc, best);

  // The same run cut at the best epoch ends holding the weights of that epoch: the early-stopped
  // model must hold exactly those.
  Trained cut = train_noisy(p, r.best_epoch, 1000);
  EXPECT_EQ(cut.result.best_epoch, r.best_epoch);
  ASSERT_EQ(stopped.weights.size(), cut.weights.size());
  for (size_t i = 0; i < cut.weights.size(); ++i) {
    EXPECT_EQ(stopped.weights[i].first, cut.weights[i].first);
    const Tensor &x = stopped.weights[i].second, &y = cut.weights[i].second;
    if (x.dtype() == DType::F32)
      EXPECT_EQ(x.to_vector<float>(), y.to_vector<float>()) << stopped.weights[i].first;
    else
      EXPECT_EQ(x.to_vector<int64_t>(), y.to_vector<int64_t>()) << stopped.weights[i].first;
  }
}

TEST(EarlyStopping, PatienceLongerThanTheRunTrainsEveryEpoch) {
  NoisyProblem p;
  Trained t = train_noisy(p, 5, 100);
  EXPECT_FALSE(t.result.stopped_early);
  EXPECT_EQ(t.result.history.size(), 5u);
}

void expect_same_run(const Trained& resumed, const Trained& whole) {
  EXPECT_EQ(resumed.result.best_epoch, whole.result.best_epoch);
  EXPECT_EQ(resumed.result.stopped_early, whole.result.stopped_early);
  ASSERT_EQ(resumed.result.history.size(), whole.result.history.size());
  for (size_t e = 0; e < whole.result.history.size(); ++e) {
    const EpochRecord &a = resumed.result.history[e], &b = whole.result.history[e];
    EXPECT_EQ(a.epoch, b.epoch);
    EXPECT_EQ(a.train_loss, b.train_loss) << "epoch " << b.epoch;  // bitwise
    EXPECT_EQ(a.val_loss, b.val_loss) << "epoch " << b.epoch;
    EXPECT_EQ(a.train_bacc, b.train_bacc);
    EXPECT_EQ(a.val_bacc, b.val_bacc);
    EXPECT_EQ(a.lr, b.lr);
  }
  ASSERT_EQ(resumed.weights.size(), whole.weights.size());
  for (size_t i = 0; i < whole.weights.size(); ++i)
    EXPECT_TRUE(testing::identical(resumed.weights[i].second, whole.weights[i].second)) << whole.weights[i].first;
}

// A run killed mid-epoch and resumed from its last checkpoint (with other initial weights, which the
// checkpoint replaces) ends bitwise as the run never interrupted: weights, history, best epoch.
TEST(Resume, AnInterruptedRunResumedEqualsTheUninterruptedOne) {
  NoisyProblem p;
  fs::path dir = testing::temp_dir("resume");
  for (const std::string optimizer : {"adamw", "sgd"}) {
    const std::string checkpoint = (dir / (optimizer + ".safetensors")).string();
    Trained whole = train_noisy(p, 6, 100, {.optimizer = optimizer});
    // 9 batches per epoch (140 rows by 16, the last of 12): batch 19 is in the middle of epoch 3.
    EXPECT_THROW(train_noisy(p, 6, 100, {.checkpoint = checkpoint, .kill_at_batch = 19, .optimizer = optimizer}), Error);
    ASSERT_TRUE(fs::exists(checkpoint));
    Trained resumed = train_noisy(p, 6, 100, {.checkpoint = checkpoint, .resume = true, .init_seed = 99, .optimizer = optimizer});
    expect_same_run(resumed, whole);
    // Resuming a finished run changes nothing.
    expect_same_run(train_noisy(p, 6, 100, {.checkpoint = checkpoint, .resume = true, .init_seed = 7, .optimizer = optimizer}),
                    whole);
  }
  // Early stopping carries over too: killed after the best epoch, the resumed run stops where the
  // uninterrupted one did.
  Trained stopped = train_noisy(p, 60, 3);
  ASSERT_TRUE(stopped.result.stopped_early);
  const std::string checkpoint = (dir / "early.safetensors").string();
  int64_t kill = (stopped.result.best_epoch + 1) * 9 + 3;
  EXPECT_THROW(train_noisy(p, 60, 3, {.checkpoint = checkpoint, .kill_at_batch = kill}), Error);
  expect_same_run(train_noisy(p, 60, 3, {.checkpoint = checkpoint, .resume = true, .init_seed = 1}), stopped);
  fs::remove_all(dir);
}

TEST(Resume, ACheckpointOfAnotherConfigurationIsRefused) {
  NoisyProblem p;
  fs::path dir = testing::temp_dir("resume-other");
  const std::string checkpoint = (dir / "c.safetensors").string();
  train_noisy(p, 2, 100, {.checkpoint = checkpoint});
  std::string message = testing::error_message(
      [&] { train_noisy(p, 2, 100, {.checkpoint = checkpoint, .resume = true, .optimizer = "sgd"}); });
  EXPECT_NE(message.find("c.safetensors: was written by a training with another model"), std::string::npos) << message;
  // Without --resume the checkpoint is simply overwritten.
  EXPECT_NO_THROW(train_noisy(p, 2, 100, {.checkpoint = checkpoint, .optimizer = "sgd"}));
  fs::remove_all(dir);
}

TEST(NanGuard, NamesTheColumnAndRowOfANaNFeature) {
  fs::path run = tabular_test_run("nan");
  PreparedData data = load_prepared(run);
  const int64_t row = data.rows_of(data::Part::Train).at(7);
  const int64_t column = 0;
  Tensor tabular = data.tabular.clone();
  std::vector<float> values = tabular.to_vector<float>();
  values[static_cast<size_t>(row * tabular.size(1) + column)] = std::numeric_limits<float>::quiet_NaN();
  data.tabular = Tensor::from_vector(values, {tabular.size(0), tabular.size(1)});
  TabularHyper hyper;
  hyper.epochs = 2;
  hyper.batch_size = 16;
  try {
    fit_tabular(data, tabular_inputs(data, "onehot"), hyper, {.progress = false, .with_test = false});
    FAIL() << "a NaN feature must stop the training";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("NaN"), std::string::npos) << message;
    EXPECT_NE(message.find("columns 0 (" + data.tabular_features[column] + ")"), std::string::npos) << message;
    EXPECT_NE(message.find("data-set rows " + std::to_string(row)), std::string::npos) << message;
  }
}

TEST(NanGuard, FiniteInputsAreReportedAsADivergence) {
  Batch batch;
  batch.inputs = {Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2})};
  batch.rows = {0, 1};
  TrainTarget target;
  try {
    check_finite_loss(std::numeric_limits<float>::infinity(), batch, target, 3, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("diverged"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_finite_loss(0.5f, batch, target, 1, 0));
}

TEST(ClassWeights, InverseFrequencyAsScikitLearnBalanced) {
  // n / (K * n_k) with n = 6, K = 4: counts 3, 1, 2, 0.
  std::vector<float> w = balanced_class_weights({0, 0, 0, 1, 2, 2}, 4).to_vector<float>();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_FLOAT_EQ(w[0], 6.0f / 12.0f);
  EXPECT_FLOAT_EQ(w[1], 6.0f / 4.0f);
  EXPECT_FLOAT_EQ(w[2], 6.0f / 8.0f);
  EXPECT_FLOAT_EQ(w[3], 0.0f);
  EXPECT_THROW(balanced_class_weights({0, 4}, 4), Error);
}

TEST(ClassWeights, EvaluateGivesTheWeightedMeanLoss) {
  // Two batches of logits over 3 classes; the loss is sum_i w_{y_i} * (-log p_i[y_i]) / sum_i w_{y_i}.
  Tensor x = testing::randn({5, 3}, 21);
  Tensor y = Tensor::from_vector(std::vector<int64_t>{0, 1, 1, 2, 2}, {5});
  Tensor weights = Tensor::from_vector(std::vector<float>{2.0f, 0.5f, 1.0f}, {3});
  Sequential identity;
  TensorBatches rows({x}, y, {0, 1, 2, 3, 4}, {.batch_size = 3});
  TrainTarget target;
  target.module = &identity;
  target.logits = [](const Batch& b) { return b.inputs[0]; };
  Evaluation e = evaluate(target, rows, weights);

  std::vector<float> logits = x.to_vector<float>(), w = weights.to_vector<float>();
  std::vector<int64_t> labels = y.to_vector<int64_t>();
  double num = 0, den = 0;
  for (size_t i = 0; i < 5; ++i) {
    double m = std::max({logits[i * 3], logits[i * 3 + 1], logits[i * 3 + 2]}), s = 0;
    for (size_t k = 0; k < 3; ++k) s += std::exp(logits[i * 3 + k] - m);
    double nll = -(logits[i * 3 + static_cast<size_t>(labels[i])] - m - std::log(s));
    num += w[static_cast<size_t>(labels[i])] * nll;
    den += w[static_cast<size_t>(labels[i])];
  }
  EXPECT_NEAR(e.loss, num / den, 1e-5);
  EXPECT_EQ(e.rows, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(ClassWeights, WeightingChangesTheTrainingAndCanBeSwitchedOff) {
  fs::path run = tabular_test_run("weights");
  PreparedData data = load_prepared(run);
  TabularHyper weighted;
  weighted.epochs = 2;
  weighted.batch_size = 16;
  TabularHyper plain = weighted;
  plain.class_weighted = false;
  TabularInputs inputs = tabular_inputs(data, "onehot");
  TabularFit a = fit_tabular(data, inputs, weighted, {.progress = false, .with_test = false});
  TabularFit b = fit_tabular(data, inputs, plain, {.progress = false, .with_test = false});
  EXPECT_NE(a.training.history[0].train_loss, b.training.history[0].train_loss);
}

}  // namespace
}  // namespace hito::study

namespace hito::study {
namespace {

using testing::history_without_seconds;

// `hito tabular` killed with SIGKILL while it trains, then `hito tabular --resume`: the model folder
// holds bitwise the weights and the history of a run never killed.
TEST(Resume, HitoTabularKilledWithSigkillAndResumedEqualsAnUninterruptedRun) {
  const std::string flags = " --epochs 300 --patience 1000 --width 16 --batch-size 32 --seed 3 --threads 1";
  fs::path whole = tabular_test_run("sigkill-whole"), killed = tabular_test_run("sigkill-killed");
  testing::CommandResult r = testing::run_hito("tabular --run '" + whole.string() + "'" + flags);
  ASSERT_EQ(r.status, 0) << r.output;
  // Started in the background; killed as soon as its first checkpoint exists (mid-run, often mid-epoch).
  const fs::path checkpoint = checkpoint_path(killed, "tabular");
  ASSERT_TRUE(testing::kill_once_checkpointed("tabular --run '" + killed.string() + "'" + flags, checkpoint))
      << "the run ended before it could be killed";
  ASSERT_TRUE(fs::exists(checkpoint));
  EXPECT_FALSE(fs::exists(killed / "tabular" / "model.safetensors"));
  r = testing::run_hito("tabular --resume --run '" + killed.string() + "'" + flags);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("resumed from"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(killed / "tabular" / "model.safetensors"), read_file(whole / "tabular" / "model.safetensors"));
  EXPECT_EQ(history_without_seconds(killed / "tabular"), history_without_seconds(whole / "tabular"));
  EXPECT_FALSE(fs::exists(checkpoint));  // removed once the model folder is written
  fs::remove_all(whole);
  fs::remove_all(killed);
}

}  // namespace
}  // namespace hito::study

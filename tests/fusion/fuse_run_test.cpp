// hito fuse on a small prepared synthetic run: tiny input model folders are written here (a
// "tabular" and an "image-head" whose embeddings and probabilities carry some signal), then each
// fusion kind runs end to end and writes a complete model folder.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "apps/study/fusion/fuse.h"
#include "apps/study/fusion/fusion_inputs.h"
#include "apps/study/train/model_output.h"
#include "apps/study/prepare/prepare.h"
#include "data/npy.h"
#include "base/fs.h"
#include "engine/random.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

// A private copy of the shared prepared run, so that the folders written here stay here.
fs::path fusion_test_run(const std::string& name) {
  fs::path run = testing::temp_dir("hito-fusion-" + name);
  fs::copy(testing::prepared_run_for_tests(160, 1) / "prepared", run / "prepared", fs::copy_options::recursive);
  return run;
}

Evaluation fake_evaluation(const PreparedData& data, data::Part part, const std::vector<float>& scores) {
  Evaluation e;
  e.rows = data.rows_of(part);
  std::vector<int64_t> labels = data.labels.to_vector<int64_t>();
  const int64_t k = data.num_classes();
  std::vector<float> p;
  for (int64_t r : e.rows) {
    e.labels.push_back(labels[static_cast<size_t>(r)]);
    double total = 0.0;
    for (int64_t c = 0; c < k; ++c) total += std::exp(scores[static_cast<size_t>(r * k + c)]);
    for (int64_t c = 0; c < k; ++c) p.push_back(static_cast<float>(std::exp(scores[static_cast<size_t>(r * k + c)]) / total));
  }
  e.probabilities = Tensor::from_vector(p, {static_cast<int64_t>(e.rows.size()), k});
  return e;
}

// A model folder `name` whose class scores are signal * onehot(label) + noise and whose
// embeddings (N, width) carry the label in their first columns.
void write_fake_model(const PreparedData& data, const std::string& name, int64_t width, float signal, uint64_t seed) {
  Generator gen(seed);
  const int64_t n = data.size(), k = data.num_classes();
  std::vector<int64_t> labels = data.labels.to_vector<int64_t>();
  std::vector<float> scores, embeddings;
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < k; ++c) scores.push_back((labels[static_cast<size_t>(r)] == c ? signal : 0.0f) + gen.uniform(-1, 1));
    for (int64_t j = 0; j < width; ++j)
      embeddings.push_back((j < k && labels[static_cast<size_t>(r)] == j ? signal : 0.0f) + gen.uniform(-1, 1) * (j + 1));
  }
  ModelOutputs out;
  out.config = {{"kind", name}};
  out.val = fake_evaluation(data, data::Part::Val, scores);
  out.test = fake_evaluation(data, data::Part::Test, scores);
  out.embeddings = Tensor::from_vector(embeddings, {n, width});
  write_model_folder(data, name, out);
}

fs::path run_with_inputs(const std::string& name) {
  fs::path run = fusion_test_run(name);
  PreparedData data = load_prepared(run);
  write_fake_model(data, "tabular", 12, 1.5f, 1);
  write_fake_model(data, "image-head", 60, 1.0f, 2);
  return run;
}

FuseOptions quick(const fs::path& run, const std::string& kind) {
  FuseOptions o;
  o.run_dir = run;
  o.kind = kind;
  o.train.epochs = 3;
  o.train.patience = 3;
  o.train.progress = false;
  o.batch_size = 16;
  o.late.folds = 3;
  return o;
}

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(read_file(path)); }

void expect_model_folder(const fs::path& folder, const PreparedData& data, const std::string& kind) {
  for (const char* file : {kModelConfig, kPredictionsVal, kPredictionsTest, kMetricsFile})
    EXPECT_TRUE(fs::exists(folder / file)) << folder / file;
  EXPECT_EQ(read_json(folder / kModelConfig)["kind"], kind);
  EXPECT_EQ(read_predictions(folder, "val", data).rows, data.rows_of(data::Part::Val));
  EXPECT_EQ(read_predictions(folder, "test", data).rows, data.rows_of(data::Part::Test));
  nlohmann::json metrics = read_json(folder / kMetricsFile);
  EXPECT_GE(metrics["fit_seconds"].get<double>(), 0.0);
  EXPECT_GE(metrics["predict_seconds"].get<double>(), 0.0);
}

TEST(Fuse, EarlyWithPcaAndProjection) {
  fs::path run = run_with_inputs("early");
  PreparedData data = load_prepared(run);
  for (const std::string balance : {"pca", "project"}) {
    FuseOptions o = quick(run, "early");
    o.balance = balance;
    o.width = 8;
    o.classifier = balance == "pca" ? "linear" : "mlp";
    o.hidden = 16;
    fs::path folder = run_fuse(o);
    EXPECT_EQ(folder, run / "fusion-early");
    expect_model_folder(folder, data, "fusion-early");
    EXPECT_TRUE(fs::exists(folder / kModelWeights));
    EXPECT_TRUE(fs::exists(folder / "modality_contribution.svg"));
    nlohmann::json config = read_json(folder / kModelConfig);
    EXPECT_EQ(config["fusion"]["inputs"], nlohmann::json({"prepared/tabular", "image-head"}))
        << "the default inputs: the prepared features and, without cached backbone embeddings, an image model";
    EXPECT_EQ(config["fusion"]["block_widths"], nlohmann::json({8, 8}));
    nlohmann::json metrics = read_json(folder / kMetricsFile);
    EXPECT_EQ(metrics["balance"], balance);
    for (const std::string input : {"prepared/tabular", "image-head"}) {
      double without = metrics["contribution"][input]["val_bacc_without"];
      EXPECT_NEAR(metrics["contribution"][input]["drop"].get<double>(), metrics["val_bacc_all"].get<double>() - without, 1e-12);
    }
    Tensor e = data::load_npy(folder / kEmbeddingsFile);
    EXPECT_EQ(e.size(0), data.size());
  }
}

TEST(Fuse, EarlyTakesThreeInputsWithoutBalancing) {
  fs::path run = run_with_inputs("early-prepared");
  PreparedData data = load_prepared(run);
  FuseOptions o = quick(run, "early");
  o.inputs = {"prepared/tabular", "tabular", "image-head"};
  o.balance = "none";
  fs::path folder = run_fuse(o);
  nlohmann::json config = read_json(folder / kModelConfig);
  EXPECT_EQ(config["fusion"]["input_widths"], nlohmann::json({data.tabular.size(1), 12, 60}));
  o.inputs = {"embeddings/none", "image-head"};
  EXPECT_THROW(run_fuse(o), Error) << "no cached embeddings of that name";
}

TEST(Fuse, LateChoosesAndWritesCrossFittedValidation) {
  fs::path run = run_with_inputs("late");
  PreparedData data = load_prepared(run);
  FuseOptions o = quick(run, "late");
  o.inputs = {"image-head", "tabular"};
  fs::path folder = run_fuse(o);
  expect_model_folder(folder, data, "fusion-late");
  nlohmann::json metrics = read_json(folder / kMetricsFile), config = read_json(folder / kModelConfig);
  std::string chosen = metrics["chosen"];
  EXPECT_EQ(config["combiner"]["method"], chosen);
  EXPECT_EQ(config["inputs"], nlohmann::json({"image-head", "tabular"}));
  // The written validation score is the chosen method's cross-fitted one.
  EXPECT_NEAR(metrics["splits"]["val"]["balanced_accuracy"].get<double>(), metrics["cv_val_bacc"][chosen].get<double>(), 1e-6);
  EXPECT_TRUE(fs::exists(folder / "late_fusion_methods.svg"));
  // Each input's version is recorded, and a retrained input has another.
  std::string recorded = config["input_versions"]["tabular"];
  EXPECT_EQ(recorded, input_version(run, "tabular"));
  write_fake_model(data, "tabular", 12, 1.5f, 9);
  EXPECT_NE(recorded, input_version(run, "tabular"));
}

TEST(Fuse, JointSmokeWithScratchCnnAndGatedHead) {
  fs::path run = fusion_test_run("joint");
  PreparedData data = load_prepared(run);
  FuseOptions o = quick(run, "joint");
  o.head = "gated";
  o.size = 32;
  o.cnn_width = 4;
  o.cnn_depth = 2;
  o.branch_width = 8;
  o.smoke = true;
  fs::path folder = run_fuse(o);
  expect_model_folder(folder, data, "fusion-joint");
  nlohmann::json metrics = read_json(folder / kMetricsFile);
  double image = metrics["mean_gates"]["test"]["image"];
  EXPECT_GT(image, 0.0);
  EXPECT_LT(image, 1.0);
  EXPECT_EQ(data::load_npy(folder / kEmbeddingsFile).size(1), 8);
}

TEST(Fuse, RefusesInputsOfOtherDataAndTooFewInputs) {
  fs::path run = run_with_inputs("refuse");
  FuseOptions o = quick(run, "late");
  o.inputs = {"tabular"};
  EXPECT_THROW(run_fuse(o), Error);
  o.inputs = {"tabular", "missing"};
  EXPECT_THROW(run_fuse(o), Error);
  nlohmann::json config = read_json(run / "tabular" / kModelConfig);
  config["fingerprint"] = "0000";
  write_file_atomic(run / "tabular" / kModelConfig, config.dump(2));
  o.inputs = {};
  try {
    run_fuse(o);
    FAIL() << "a model of other data was fused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fingerprint"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(run / "fusion-late"));
}

}  // namespace
}  // namespace hito::study

// hito predict for fusion folders: applied to the data set's own files as if they were new data, the
// late and early fusions reproduce the test predictions they wrote at training time.
#include <gtest/gtest.h>

#include <unordered_map>

#include "apps/study/image/embed.h"
#include "apps/study/fusion/fuse.h"
#include "apps/study/fusion/fusion_inputs.h"
#include "apps/study/fusion/fusion_predict.h"
#include "apps/study/predict/predict.h"
#include "apps/study/image/image.h"
#include "apps/study/fusion/late_fusion.h"
#include "apps/study/train/model_output.h"
#include "apps/study/prepare/prepare.h"
#include "base/fs.h"
#include "models/small_cnn.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"
#include "weights/state_dict.h"

namespace hito::study {
namespace {

fs::path predict_test_run(const std::string& name) {
  fs::path run = testing::temp_dir("hito-fusion-predict-" + name);
  fs::copy(testing::prepared_run_for_tests(160, 1) / "prepared", run / "prepared", fs::copy_options::recursive);
  return run;
}

// The test rows' probabilities a predictor gives for the whole data set, against predictions_test.csv.
void expect_test_rows_match(const fs::path& folder, const PreparedData& data, const Tensor& all_rows) {
  SavedPredictions saved = read_predictions(folder, "test", data);
  ASSERT_EQ(all_rows.size(0), data.size());
  std::unordered_map<std::string, int64_t> row_of_id;
  NewData fresh = read_new_data(data.data_dir, data.config);
  for (size_t i = 0; i < fresh.ids.size(); ++i) row_of_id[fresh.ids[i]] = static_cast<int64_t>(i);
  const int64_t k = data.num_classes();
  std::vector<float> predicted = all_rows.to_vector<float>(), expected = saved.probabilities.to_vector<float>();
  for (size_t i = 0; i < saved.rows.size(); ++i) {
    int64_t r = row_of_id.at(data.ids[static_cast<size_t>(saved.rows[i])]);
    for (int64_t c = 0; c < k; ++c)
      EXPECT_NEAR(predicted[static_cast<size_t>(r * k + c)], expected[i * static_cast<size_t>(k) + static_cast<size_t>(c)], 1e-4)
          << "row " << data.ids[static_cast<size_t>(saved.rows[i])] << " class " << c;
  }
}

// A model folder kind whose predictor replays the folder's saved validation and test predictions.
void write_replayed_model(const PreparedData& data, const std::string& name, uint64_t seed) {
  Generator gen(seed);
  ModelOutputs out;
  out.config = {{"kind", "replayed-for-tests"}};
  for (data::Part part : {data::Part::Val, data::Part::Test}) {
    Evaluation& e = part == data::Part::Val ? out.val : out.test;
    e.rows = data.rows_of(part);
    std::vector<int64_t> labels = data.labels.to_vector<int64_t>();
    std::vector<float> p;
    for (int64_t r : e.rows) {
      e.labels.push_back(labels[static_cast<size_t>(r)]);
      float rest = 0.0f;
      for (int64_t c = 0; c + 1 < data.num_classes(); ++c) {
        float v = gen.uniform(0.0f, 1.0f / static_cast<float>(data.num_classes()));
        p.push_back(v);
        rest += v;
      }
      p.push_back(1.0f - rest);
    }
    e.probabilities = Tensor::from_vector(p, {static_cast<int64_t>(e.rows.size()), data.num_classes()});
  }
  std::vector<float> embeddings;
  for (int64_t i = 0; i < data.size() * 4; ++i) embeddings.push_back(gen.uniform(-1.0f, 1.0f));
  out.embeddings = Tensor::from_vector(embeddings, {data.size(), 4});
  write_model_folder(data, name, out);
}

Tensor replay(const ModelFolder& model, const NewData& fresh) {
  PreparedData data = load_prepared(model.dir.parent_path());
  std::unordered_map<std::string, int64_t> line;
  SavedPredictions val = read_predictions(model.dir, "val", data), test = read_predictions(model.dir, "test", data);
  const int64_t k = data.num_classes();
  std::vector<float> v = val.probabilities.to_vector<float>(), t = test.probabilities.to_vector<float>();
  std::unordered_map<std::string, std::vector<float>> by_id;
  for (size_t i = 0; i < val.rows.size(); ++i)
    by_id[data.ids[static_cast<size_t>(val.rows[i])]].assign(v.begin() + static_cast<int64_t>(i) * k, v.begin() + static_cast<int64_t>(i + 1) * k);
  for (size_t i = 0; i < test.rows.size(); ++i)
    by_id[data.ids[static_cast<size_t>(test.rows[i])]].assign(t.begin() + static_cast<int64_t>(i) * k, t.begin() + static_cast<int64_t>(i + 1) * k);
  std::vector<float> out;
  for (const std::string& id : fresh.ids) {
    auto found = by_id.find(id);
    std::vector<float> row = found == by_id.end() ? std::vector<float>(static_cast<size_t>(k), 1.0f / static_cast<float>(k)) : found->second;
    out.insert(out.end(), row.begin(), row.end());
  }
  return Tensor::from_vector(out, {static_cast<int64_t>(fresh.ids.size()), k});
}

// The inputs' predictor of late fusion in these tests: the replayed models replay, the others predict.
Tensor replay_or_predict(const ModelFolder& model, const NewData& data) {
  return model.kind == "replayed-for-tests" ? replay(model, data) : predict_model(model, data);
}

TEST(FusionPredict, LateAppliesTheInputPredictorsThenTheCombiner) {
  fs::path run = predict_test_run("late");
  PreparedData data = load_prepared(run);
  write_replayed_model(data, "tabular", 1);
  write_replayed_model(data, "image-head", 2);
  FuseOptions o;
  o.run_dir = run;
  o.kind = "late";
  o.late.folds = 3;
  fs::path folder = run_fuse(o);
  NewData fresh = read_new_data(data.data_dir, data.config);
  // The chosen combiner, then each of the three written in its place.
  for (const std::string method : {"chosen", "mean", "weighted", "stacking"}) {
    if (method != "chosen") {
      std::vector<int64_t> val_rows = data.rows_of(data::Part::Val), labels, rows;
      std::vector<int64_t> all = data.labels.to_vector<int64_t>();
      LateInputs val = load_late_inputs(data, {"tabular", "image-head"}, "val", val_rows);
      for (size_t i = 0; i < val_rows.size(); ++i) {
        labels.push_back(all[static_cast<size_t>(val_rows[i])]);
        rows.push_back(static_cast<int64_t>(i));
      }
      nlohmann::json config = nlohmann::json::parse(read_file(folder / kModelConfig));
      config["combiner"] = fit_late_combiner(method, val, labels, rows, {}).to_json();
      write_file_atomic(folder / kModelConfig, config.dump(2));
      // The test rows combined directly, as run_fuse would have written them.
      std::vector<int64_t> test_rows = data.rows_of(data::Part::Test), test_local;
      LateInputs test = load_late_inputs(data, {"tabular", "image-head"}, "test", test_rows);
      for (size_t i = 0; i < test_rows.size(); ++i) test_local.push_back(static_cast<int64_t>(i));
      std::vector<double> combined = LateCombiner::from_json(config["combiner"], "test").combine(test, test_local);
      write_predictions_csv(folder / kPredictionsTest, data.config.id_column,
                            [&] { std::vector<std::string> ids; for (int64_t r : test_rows) ids.push_back(data.ids[static_cast<size_t>(r)]); return ids; }(),
                            Tensor::from_vector(std::vector<float>(combined.begin(), combined.end()), {test.rows, test.classes}),
                            data.classes);
    }
    ModelFolder model = load_model_folder(folder);
    SCOPED_TRACE(method);
    expect_test_rows_match(folder, data, predict_fusion_late(model, fresh, replay_or_predict));
  }
}

TEST(FusionPredict, EarlyRefusesEmbeddingsOfTrainedModels) {
  fs::path run = predict_test_run("early-refused");
  PreparedData data = load_prepared(run);
  write_replayed_model(data, "tabular", 1);
  write_replayed_model(data, "image-head", 2);
  FuseOptions o;
  o.run_dir = run;
  o.kind = "early";
  o.inputs = {"tabular", "prepared/tabular"};
  o.train.epochs = 1;
  o.train.progress = false;
  ModelFolder model = load_model_folder(run_fuse(o));
  try {
    find_predictor(model.kind)(model, read_new_data(data.data_dir, data.config));
    FAIL() << "an embedding hito predict cannot remake was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot recompute"), std::string::npos) << e.what();
  }
}

TEST(FusionPredict, EarlyRecomputesTheBackboneEmbeddings) {
  fs::path run = predict_test_run("early");
  Generator gen(4);
  SmallCnn cnn(SmallCnnConfig{}, gen);
  save_state_dict(cnn, run / "small_cnn.safetensors");
  EmbedOptions e;
  e.run_dir = run;
  e.weights = run / "small_cnn.safetensors";
  e.backbone = "small_cnn";
  e.size = 32;
  e.batch_size = 16;
  e.progress = false;
  run_embed(e);
  PreparedData data = load_prepared(run);
  FuseOptions o;
  o.run_dir = run;
  o.kind = "early";
  o.train.epochs = 3;
  o.train.progress = false;
  o.batch_size = 16;
  fs::path folder = run_fuse(o);
  ModelFolder model = load_model_folder(folder);
  EXPECT_EQ(model.config["fusion"]["inputs"], nlohmann::json({"prepared/tabular", "embeddings/small_cnn"}));
  expect_test_rows_match(folder, data, find_predictor(model.kind)(model, read_new_data(data.data_dir, data.config)));
}

TEST(FusionPredict, JointRunsTheNetworkOnTheImageFiles) {
  fs::path run = predict_test_run("joint");
  PreparedData data = load_prepared(run);
  FuseOptions o;
  o.run_dir = run;
  o.kind = "joint";
  o.head = "gated";
  o.size = 32;
  o.cnn_width = 4;
  o.cnn_depth = 2;
  o.branch_width = 8;
  o.batch_size = 16;
  o.smoke = true;
  fs::path folder = run_fuse(o);
  ModelFolder model = load_model_folder(folder);
  expect_test_rows_match(folder, data, find_predictor(model.kind)(model, read_new_data(data.data_dir, data.config)));
}

TEST(FusionPredict, EarlyRecomputesImageModelEmbeddingsAndRefusesRetrainedInputs) {
  fs::path run = predict_test_run("early-image-model");
  ImageOptions image;
  image.run_dir = run;
  image.mode = "scratch";
  image.width = 4;
  image.depth = 2;
  image.size = 32;
  image.batch_size = 16;
  image.smoke = true;
  image.train.progress = false;
  run_image(image);
  PreparedData data = load_prepared(run);
  FuseOptions o;
  o.run_dir = run;
  o.kind = "early";
  o.train.epochs = 2;
  o.train.progress = false;
  o.batch_size = 16;
  fs::path folder = run_fuse(o);
  ModelFolder model = load_model_folder(folder);
  EXPECT_EQ(model.config["fusion"]["inputs"], nlohmann::json({"prepared/tabular", "image-scratch"})) << "the default inputs";
  NewData fresh = read_new_data(data.data_dir, data.config);
  expect_test_rows_match(folder, data, find_predictor(model.kind)(model, fresh));
  // The image model retrained: its embeddings are no longer those the fusion was fitted on.
  image.seed = 5;
  run_image(image);
  try {
    find_predictor(model.kind)(model, fresh);
    FAIL() << "a fusion of a since-retrained input was applied";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fuse again"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hito::study

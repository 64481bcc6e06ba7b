// hito image --oof-folds K (out-of-fold embeddings of the training rows, for early fusion) and flip
// test-time augmentation chosen on validation.
#include <gtest/gtest.h>

#include "apps/study/fusion/fuse.h"
#include "apps/study/image/image.h"
#include "apps/study/train/model_output.h"
#include "data/npy.h"
#include "tests/image/image_fixture.h"

namespace hito::study {
namespace {

// The fixture's quick scratch network, for two epochs (a best epoch to refit the folds for).
ImageOptions scratch_options(const fs::path& run) {
  ImageOptions o = quick_image_options(run, "scratch");
  o.train.epochs = 2;
  return o;
}

std::vector<float> row_of(const Tensor& t, int64_t r) {
  std::vector<float> all = t.to_vector<float>();
  const int64_t d = t.size(1);
  return std::vector<float>(all.begin() + r * d, all.begin() + (r + 1) * d);
}

TEST(OutOfFold, EveryTrainingRowIsEmbeddedByANetworkThatNeverSawIt) {
  fs::path run = image_test_run("oof");
  ImageOptions o = scratch_options(run);
  o.oof_folds = 2;
  fs::path folder = run_image(o);
  PreparedData data = load_prepared(run);
  Tensor saved = data::load_npy(folder / kEmbeddingsFile);
  Tensor oof = data::load_npy(folder / kOutOfFoldEmbeddingsFile);
  ASSERT_EQ(oof.shape(), saved.shape());
  // Validation and test rows as saved; every training row from a fold network.
  int64_t train_rows = 0, changed = 0;
  for (int64_t r = 0; r < data.size(); ++r) {
    const bool train = data.parts[static_cast<size_t>(r)] == data::Part::Train;
    if (!train) {
      EXPECT_EQ(row_of(oof, r), row_of(saved, r)) << "row " << r;
      continue;
    }
    ++train_rows;
    if (row_of(oof, r) != row_of(saved, r)) ++changed;
  }
  EXPECT_EQ(changed, train_rows);
  nlohmann::json info = nlohmann::json::parse(read_file(folder / kOutOfFoldInfoFile));
  EXPECT_EQ(info["folds"], 2);
  EXPECT_EQ(info["grouped_by"], "lesion");
  EXPECT_EQ(info["epochs"], nlohmann::json::parse(read_file(folder / kMetricsFile))["best_epoch"]);

  // Early fusion fits on them and says so.
  FuseOptions f;
  f.run_dir = run;
  f.kind = "early";
  f.inputs = {"prepared/tabular", "image-scratch"};
  f.smoke = true;
  fs::path fused = run_fuse(f);
  nlohmann::json config = nlohmann::json::parse(read_file(fused / kModelConfig));
  EXPECT_EQ(config["training_embeddings"]["image-scratch"], "out-of-fold (2 folds)");
  EXPECT_EQ(config["training_embeddings"]["prepared/tabular"], "untrained");
}

TEST(OutOfFold, RefusedForAHeadAndForOneFold) {
  fs::path run = image_test_run("oof-refused");
  ImageOptions o = scratch_options(run);
  o.oof_folds = 1;
  EXPECT_THROW(run_image(o), Error);
  o.mode = "head";
  o.oof_folds = 3;
  EXPECT_THROW(run_image(o), Error);
}

TEST(ModelFolderName, OddAndReservedNamesAreRefused) {
  for (const char* good : {"image-finetune-12ep", "a", "fusion_late.v2"}) EXPECT_TRUE(is_model_folder_name(good)) << good;
  for (const char* bad : {"", "eval", "prepared", "../x", "a/b", ".hidden", "-x", "with space"})
    EXPECT_FALSE(is_model_folder_name(bad)) << bad;
  fs::path run = image_test_run("bad-name");
  ImageOptions o = scratch_options(run);
  o.name = "eval";
  try {
    run_image(o);
    FAIL() << "--name eval was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--name 'eval'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(run / "eval"));
}

TEST(FlipTta, ChosenOnValidationAndRecordedForPrediction) {
  fs::path run = image_test_run("tta");
  ImageOptions o = scratch_options(run);
  o.tta = "on";
  fs::path folder = run_image(o);
  nlohmann::json config = nlohmann::json::parse(read_file(folder / kModelConfig));
  EXPECT_TRUE(config["network"]["tta_flip"].get<bool>());
  nlohmann::json tta = nlohmann::json::parse(read_file(folder / kMetricsFile))["tta"];
  EXPECT_TRUE(tta.contains("val_bacc_plain") && tta.contains("val_bacc_flip"));
  // The saved test predictions are those of the network with the flip average (what predict applies).
  expect_model_folder(folder, "image-scratch", load_prepared(run));

  o.tta = "off";
  o.name = "image-scratch-plain";
  folder = run_image(o);
  EXPECT_FALSE(nlohmann::json::parse(read_file(folder / kModelConfig))["network"]["tta_flip"].get<bool>());

  // auto keeps the flip exactly when it scored higher on validation.
  o.tta = "auto";
  o.name = "image-scratch-auto";
  folder = run_image(o);
  tta = nlohmann::json::parse(read_file(folder / kMetricsFile))["tta"];
  EXPECT_EQ(nlohmann::json::parse(read_file(folder / kModelConfig))["network"]["tta_flip"].get<bool>(),
            tta["val_bacc_flip"].get<double>() > tta["val_bacc_plain"].get<double>());
}

}  // namespace
}  // namespace hito::study

// --refit (apps/study/train/refit.h): after the train-only model, the chosen configuration trained
// again on train + val for the chosen number of epochs, written beside it as <name>-refit.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/study/evaluate/evaluate.h"
#include "apps/study/train/model_output.h"
#include "apps/study/train/refit.h"
#include "data/csv.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

TEST(Refit, TrainsOnTrainAndValForTheChosenEpochsAndHasNoValidationScore) {
  fs::path run = tabular_test_run("refit");
  TabularOptions o = quick_tabular_options(run);
  o.hyper.epochs = 6;
  o.refit = true;
  fs::path folder = run_tabular(o);
  PreparedData data = load_prepared(run);
  const fs::path refit = run / "tabular-refit";
  ASSERT_TRUE(fs::is_directory(refit));

  nlohmann::json chosen = nlohmann::json::parse(read_file(folder / kMetricsFile));
  const int64_t best_epoch = chosen["best_epoch"].get<int64_t>();
  nlohmann::json config = nlohmann::json::parse(read_file(refit / kModelConfig));
  EXPECT_EQ(config["kind"], "tabular");
  EXPECT_EQ(config["fitted_on"], "train+val");
  EXPECT_EQ(config["refit_of"], "tabular");
  EXPECT_EQ(config["refit_epochs"], best_epoch);
  EXPECT_EQ(nlohmann::json::parse(read_file(folder / kModelConfig))["fitted_on"], "train");

  // Exactly the chosen epochs, the last one kept.
  data::CsvTable history = data::read_csv(refit / kHistoryFile);
  EXPECT_EQ(history.num_rows(), best_epoch);
  EXPECT_EQ(nlohmann::json::parse(read_file(refit / kMetricsFile))["best_epoch"], best_epoch);

  // Its validation rows were training rows: no validation predictions, test predictions as usual.
  EXPECT_FALSE(fs::exists(refit / kPredictionsVal));
  EXPECT_EQ(data::read_csv(refit / kPredictionsTest).num_rows(), static_cast<int64_t>(data.rows_of(data::Part::Test).size()));

  // Trained on more rows than the train-only model: different weights.
  EXPECT_NE(read_file(refit / kModelWeights), read_file(folder / kModelWeights));

  // evaluate reports it beside the train-only model and never chooses it on validation.
  EvaluateOptions eo;
  eo.run_dir = run;
  eo.resamples = 50;
  eval::EvalResults r = run_evaluate(eo);
  ASSERT_EQ(r.models.size(), 2u);
  for (const eval::ModelResult& m : r.models) {
    if (m.name == "tabular-refit") {
      EXPECT_EQ(m.fitted_on, "train+val");
      EXPECT_TRUE(std::isnan(m.val_balanced_accuracy));
    } else {
      EXPECT_EQ(m.fitted_on, "train");
    }
  }
  EXPECT_EQ(r.best, "tabular");
}

TEST(Refit, SettingsKeepTheChosenConfigurationButTheEpochs) {
  TrainConfig chosen;
  chosen.epochs = 60;
  chosen.patience = 10;
  chosen.warmup_epochs = 3;
  chosen.lr = 0.02f;
  chosen.checkpoint = "ckpt.safetensors";
  chosen.resume = true;
  FitSpec train_only{.folder = "m"};
  TrainConfig same = train_only.train_config(chosen);
  EXPECT_EQ(same.epochs, 60);
  EXPECT_FALSE(same.keep_last_epoch);

  FitSpec refit{.folder = "m-refit", .refit = true, .refit_of = "m", .epochs = 2};
  TrainConfig c = refit.train_config(chosen);
  EXPECT_EQ(c.epochs, 2);
  EXPECT_GT(c.patience, c.epochs);  // no early stop
  EXPECT_EQ(c.warmup_epochs, 1);    // shorter than the run
  EXPECT_TRUE(c.keep_last_epoch);
  EXPECT_FLOAT_EQ(c.lr, 0.02f);
  EXPECT_TRUE(c.checkpoint.empty());
  EXPECT_FALSE(c.resume);
  nlohmann::ordered_json config;
  refit.describe(config);
  EXPECT_EQ(config["fitted_on"], "train+val");
  EXPECT_EQ(config["refit_of"], "m");
  EXPECT_EQ(config["refit_epochs"], 2);
}

}  // namespace
}  // namespace hito::study

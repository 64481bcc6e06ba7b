// hito predict: a model folder applied to data gives the probabilities it gave at training time;
// metrics with labels; unknown categories and missing cells as at training time; a missing column
// is an error naming it; the registry of predictors.
#include <gtest/gtest.h>

#include <cmath>
#include <unordered_map>

#include "apps/study/train/model_output.h"
#include "apps/study/tabular/pixels.h"
#include "apps/study/predict/predict.h"
#include "data/csv.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

// id -> probabilities of a predictions CSV.
std::unordered_map<std::string, std::vector<double>> read_probabilities(const fs::path& file) {
  data::CsvTable t = data::read_csv(file);
  std::unordered_map<std::string, std::vector<double>> out;
  for (const auto& row : t.rows) {
    std::vector<double> p;
    for (size_t c = 2; c < row.size(); ++c) p.push_back(std::stod(row[c]));
    out[row[0]] = p;
  }
  return out;
}

// A NaN probability (a diverged model, or an input outside what it saw) is an error naming the row,
// and no predictions file is written: `hito predict` never exits 0 with NaN outputs.
TEST(Predict, NonFiniteProbabilitiesAreNeverWritten) {
  fs::path dir = testing::temp_dir("predict-nan");
  Tensor p = Tensor::from_vector(std::vector<float>{0.25f, 0.75f, NAN, 0.5f}, {2, 2});
  std::string message = testing::error_message(
      [&] { write_predictions_csv(dir / "out.csv", "image_id", {"ISIC_1", "ISIC_2"}, p, {"mel", "nv"}); });
  EXPECT_NE(message.find("gave ISIC_2 a probability of nan for class 'mel'"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir / "out.csv"));
  fs::remove_all(dir);
}

// Predicting the training data set again reproduces the test predictions saved at training time.
void expect_same_test_predictions(const fs::path& model, const fs::path& predicted) {
  auto saved = read_probabilities(model / kPredictionsTest), now = read_probabilities(predicted);
  ASSERT_FALSE(saved.empty());
  for (const auto& [id, p] : saved) {
    ASSERT_TRUE(now.count(id)) << id;
    for (size_t k = 0; k < p.size(); ++k) EXPECT_NEAR(now[id][k], p[k], 1e-5) << id << " class " << k;
  }
}

// The data folder's metadata rewritten by `edit` (header, rows) into a new folder (no images).
fs::path edited_data(const PreparedData& data, const std::string& name,
                     const std::function<void(std::vector<std::string>&, std::vector<std::vector<std::string>>&)>& edit) {
  data::CsvTable t = data::read_csv(data.data_dir / data.config.metadata);
  std::vector<std::string> header = t.header;
  std::vector<std::vector<std::string>> rows = t.rows;
  edit(header, rows);
  fs::path dir = testing::temp_dir("hito-predict-" + name);
  data::CsvWriter csv(header);
  for (const auto& r : rows) csv.row(r);
  csv.write(dir / data.config.metadata);
  return dir;
}

PredictOptions predict_options(const fs::path& model, const fs::path& data, const fs::path& out) {
  PredictOptions o;
  o.model_dir = model;
  o.data_dir = data;
  o.out = out;
  return o;
}

TEST(Predict, TabularReproducesTheTrainingPredictionsAndScoresLabels) {
  fs::path run = tabular_test_run("predict");
  TabularOptions t = quick_tabular_options(run);
  t.hyper.mode = "embedding";
  fs::path model = run_tabular(t);
  EXPECT_TRUE(fs::exists(model / kPreprocessingDir / "encoders.json"));
  PreparedData data = load_prepared(run);
  fs::path out = run / "new" / "predictions.csv";
  PredictResult r = run_predict(predict_options(model, data.data_dir, out));
  EXPECT_EQ(r.rows, data.size());
  data::CsvTable table = data::read_csv(out);
  EXPECT_EQ(table.header[0], data.config.id_column);
  EXPECT_EQ(table.header[1], "pred");
  expect_same_test_predictions(model, out);
  ASSERT_EQ(r.metrics, run / "new" / "predictions.metrics.json");
  nlohmann::json metrics = nlohmann::json::parse(read_file(r.metrics));
  EXPECT_TRUE(metrics["splits"]["new"].contains("balanced_accuracy"));
}

TEST(Predict, PixelsReproducesTheTrainingPredictions) {
  fs::path run = tabular_test_run("predict-pixels");
  PixelsOptions o;
  o.run_dir = run;
  o.size = 16;
  o.components = 8;
  o.hyper.epochs = 3;
  o.hyper.width = 16;
  o.progress = false;
  fs::path model = run_pixels(o);
  EXPECT_TRUE(fs::exists(model / kPcaFile));
  EXPECT_TRUE(fs::exists(model / "explained_variance.svg"));
  PreparedData data = load_prepared(run);
  fs::path out = run / "new" / "pixels.csv";
  run_predict(predict_options(model, data.data_dir, out));
  expect_same_test_predictions(model, out);
}

TEST(Predict, UnknownCategoriesAndMissingCellsAsAtTraining) {
  fs::path run = tabular_test_run("predict-unknown");
  fs::path model = run_tabular(quick_tabular_options(run));
  PreparedData data = load_prepared(run);
  const std::string numeric = data.encoder.numerics().at(0).column, categorical = data.encoder.categoricals().at(0).column;
  fs::path dir = edited_data(data, "unknown", [&](auto& header, auto& rows) {
    const size_t n = std::find(header.begin(), header.end(), numeric) - header.begin();
    const size_t c = std::find(header.begin(), header.end(), categorical) - header.begin();
    const size_t label = std::find(header.begin(), header.end(), data.config.label_column) - header.begin();
    rows.resize(4);
    rows[0][n] = "";                  // missing number: the training median
    rows[1][c] = "never-seen-value";  // unknown category: the unknown slot
    rows[2][c] = "";                  // missing category: the most frequent training value
    for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(label));  // no labels
    header.erase(header.begin() + static_cast<std::ptrdiff_t>(label));
  });
  PredictResult r = run_predict(predict_options(model, dir, dir / "out.csv"));
  EXPECT_EQ(r.rows, 4);
  EXPECT_TRUE(r.metrics.empty()) << "no label column, no metrics";
  // The unseen value is reported (one row of that column), the missing one is not.
  EXPECT_EQ(r.unseen, (std::map<std::string, int64_t>{{categorical, 1}}));
  std::vector<data::UnseenValues> unseen = data.encoder.unseen_values(data::read_csv(dir / data.config.metadata));
  ASSERT_EQ(unseen.size(), 1u);
  EXPECT_EQ(unseen[0].values, std::vector<std::string>{"never-seen-value"});
  for (const auto& [id, p] : read_probabilities(dir / "out.csv")) {
    double sum = 0;
    for (double v : p) {
      EXPECT_TRUE(std::isfinite(v));
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-4) << id;
  }
}

TEST(Predict, AMissingColumnIsAnErrorNamingIt) {
  fs::path run = tabular_test_run("predict-missing");
  fs::path model = run_tabular(quick_tabular_options(run));
  PreparedData data = load_prepared(run);
  const std::string dropped = data.encoder.categoricals().back().column;
  fs::path dir = edited_data(data, "missing", [&](auto& header, auto& rows) {
    const size_t c = std::find(header.begin(), header.end(), dropped) - header.begin();
    header.erase(header.begin() + static_cast<std::ptrdiff_t>(c));
    for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
  });
  try {
    run_predict(predict_options(model, dir, dir / "out.csv"));
    FAIL() << "a missing feature column must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing column '" + dropped + "'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out.csv"));
}

TEST(Predict, TableFindsEveryKindAndNamesTheKnownOnes) {
  for (const char* kind : {"tabular", "pixels", "image-head", "image-finetune", "image-scratch", "fusion-late",
                           "fusion-early", "fusion-joint"})
    EXPECT_NO_THROW(find_predictor(kind)) << kind;
  try {
    find_predictor("no-such-kind");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tabular"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no-such-kind"), std::string::npos) << e.what();
  }
}

TEST(Predict, AFolderWithoutPreprocessingIsRefused) {
  fs::path run = tabular_test_run("predict-old");
  fs::path model = run_tabular(quick_tabular_options(run));
  fs::remove_all(model / kPreprocessingDir);
  EXPECT_THROW(load_model_folder(model), Error);
}

}  // namespace
}  // namespace hito::study

// hito tabular: the model folder it writes, reproducibility from the seed, and how the hyperparameters
// are resolved (defaults, --config best|FILE, explicit flags, --smoke).
#include <gtest/gtest.h>

#include <cmath>

#include "apps/study/train/model_output.h"
#include "data/csv.h"
#include "data/npy.h"
#include "data/split.h"
#include "weights/safetensors.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

// history.csv without its wall-clock column (seconds), which no seed fixes.
std::vector<std::vector<std::string>> history_without_seconds(const fs::path& folder) {
  data::CsvTable t = data::read_csv(folder / kHistoryFile);
  int64_t seconds = t.require_column("seconds");
  std::vector<std::vector<std::string>> rows;
  for (auto row : t.rows) {
    row.erase(row.begin() + seconds);
    rows.push_back(row);
  }
  return rows;
}

// Every tensor of two safetensors files, compared bit for bit (the metadata name their folders).
bool same_tensors(const fs::path& a, const fs::path& b) {
  NamedTensors x = read_safetensors(a).tensors, y = read_safetensors(b).tensors;
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].first != y[i].first || x[i].second.dtype() != y[i].second.dtype()) return false;
    if (x[i].second.dtype() == DType::F32 ? x[i].second.to_vector<float>() != y[i].second.to_vector<float>()
                                          : x[i].second.to_vector<int64_t>() != y[i].second.to_vector<int64_t>())
      return false;
  }
  return true;
}

void check_predictions(const fs::path& file, const PreparedData& data, data::Part part) {
  data::CsvTable t = data::read_csv(file);
  std::vector<std::string> header = {data.config.id_column, "pred"};
  for (const std::string& c : data.classes) header.push_back("p_" + c);
  EXPECT_EQ(t.header, header) << file;
  std::vector<int64_t> rows = data.rows_of(part);
  ASSERT_EQ(t.num_rows(), static_cast<int64_t>(rows.size())) << file;
  for (int64_t i = 0; i < t.num_rows(); ++i) {
    const auto& cells = t.rows[static_cast<size_t>(i)];
    EXPECT_EQ(cells[0], data.ids[static_cast<size_t>(rows[static_cast<size_t>(i)])]) << "manifest order";
    double sum = 0, best = -1;
    std::string argmax;
    for (size_t k = 0; k < data.classes.size(); ++k) {
      double p = std::stod(cells[2 + k]);
      EXPECT_GE(p, 0.0);
      sum += p;
      if (p > best) best = p, argmax = data.classes[k];
    }
    EXPECT_NEAR(sum, 1.0, 1e-4) << file << " line " << i + 2;
    EXPECT_EQ(cells[1], argmax);
  }
}

TEST(Tabular, WritesTheModelFolder) {
  fs::path run = tabular_test_run("folder");
  TabularOptions o = quick_tabular_options(run);
  fs::path folder = run_tabular(o);
  EXPECT_EQ(folder, run / "tabular");
  PreparedData data = load_prepared(run);

  nlohmann::json config = nlohmann::json::parse(read_file(folder / kModelConfig));
  EXPECT_EQ(config["kind"], "tabular");
  EXPECT_EQ(config["mode"], "onehot");
  EXPECT_EQ(config["hyperparameters"]["epochs"], 4);
  EXPECT_EQ(config["fingerprint"], data.fingerprint);
  EXPECT_TRUE(fs::exists(folder / kModelWeights));

  data::CsvTable history = data::read_csv(folder / kHistoryFile);
  EXPECT_EQ(history.header,
            (std::vector<std::string>{"epoch", "train_loss", "val_loss", "train_bacc", "val_bacc", "lr", "seconds"}));
  EXPECT_GE(history.num_rows(), 1);
  EXPECT_LE(history.num_rows(), 4);

  check_predictions(folder / kPredictionsVal, data, data::Part::Val);
  check_predictions(folder / kPredictionsTest, data, data::Part::Test);

  Tensor embeddings = data::load_npy(folder / kEmbeddingsFile);
  EXPECT_EQ(embeddings.shape(), (Shape{data.size(), 16}));
  // Beside it, row i's id and split.
  data::CsvTable ids = data::read_csv(folder / kEmbeddingIdsFile);
  EXPECT_EQ(ids.header, (std::vector<std::string>{data.config.id_column, "split"}));
  ASSERT_EQ(ids.num_rows(), data.size());
  for (int64_t r = 0; r < data.size(); ++r) {
    EXPECT_EQ(ids.rows[static_cast<size_t>(r)][0], data.ids[static_cast<size_t>(r)]);
    EXPECT_EQ(ids.rows[static_cast<size_t>(r)][1], data::part_name(data.parts[static_cast<size_t>(r)]));
  }
  for (float v : embeddings.to_vector<float>()) ASSERT_TRUE(std::isfinite(v));

  nlohmann::json metrics = nlohmann::json::parse(read_file(folder / kMetricsFile));
  EXPECT_TRUE(metrics["splits"]["test"].contains("balanced_accuracy"));
  EXPECT_TRUE(metrics["splits"]["val"].contains("macro_auc"));
  EXPECT_TRUE(fs::exists(folder / "loss_curve.svg"));
}

TEST(Tabular, EmbeddingModeTrainsOnCodes) {
  fs::path run = tabular_test_run("embedding");
  TabularOptions o = quick_tabular_options(run);
  o.hyper.mode = "embedding";
  o.name = "tabular-embedding";
  fs::path folder = run_tabular(o);
  nlohmann::json config = nlohmann::json::parse(read_file(folder / kModelConfig));
  EXPECT_EQ(config["mode"], "embedding");
  PreparedData data = load_prepared(run);
  EXPECT_EQ(config["model"]["vocabulary_sizes"].get<std::vector<int64_t>>(), data.code_cardinalities);
  EXPECT_EQ(data::load_npy(folder / kEmbeddingsFile).size(0), data.size());
}

TEST(Tabular, TheSameSeedGivesTheSameHistoryAndWeights) {
  fs::path run = tabular_test_run("seed");
  TabularOptions o = quick_tabular_options(run);
  o.name = "a";
  fs::path a = run_tabular(o);
  o.name = "b";
  fs::path b = run_tabular(o);
  o.name = "c";
  o.seed = 4;
  fs::path c = run_tabular(o);
  EXPECT_EQ(history_without_seconds(a), history_without_seconds(b));
  EXPECT_TRUE(same_tensors(a / kModelWeights, b / kModelWeights));
  EXPECT_EQ(read_file(a / kPredictionsTest), read_file(b / kPredictionsTest));
  EXPECT_NE(history_without_seconds(a), history_without_seconds(c)) << "another seed must change the run";
}

TEST(TabularHyper, ConfigFileThenExplicitFlagsThenSmoke) {
  fs::path run = testing::temp_dir("hito-tabular-hyper");
  TabularOptions o;
  o.run_dir = run;
  EXPECT_EQ(resolve_hyper(o).width, TabularHyper{}.width);

  o.config = "best";
  try {
    resolve_hyper(o);
    FAIL() << "--config best without a search must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hito search"), std::string::npos) << e.what();
  }
  fs::create_directories(run / "search");
  write_file_atomic(best_config_path(run), R"({"hyperparameters": {"width": 24, "lr": 0.01, "depth": 1}})");
  TabularHyper h = resolve_hyper(o);
  EXPECT_EQ(h.width, 24);
  EXPECT_EQ(h.depth, 1);
  EXPECT_FLOAT_EQ(h.lr, 0.01f);

  o.overrides = {{"width", 8}, {"class_weighted", false}};
  o.smoke = true;
  h = resolve_hyper(o);
  EXPECT_EQ(h.width, 8);
  EXPECT_FALSE(h.class_weighted);
  EXPECT_EQ(h.depth, 1);
  EXPECT_EQ(h.epochs, 1);

  fs::path bad = run / "bad.json";
  write_file_atomic(bad, R"({"widht": 3})");
  o.config = bad.string();
  o.overrides = nlohmann::json::object();
  try {
    resolve_hyper(o);
    FAIL() << "a typo must not pass";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("widht"), std::string::npos) << e.what();
  }
  write_file_atomic(bad, R"({"dropout": 1.5})");
  EXPECT_THROW(resolve_hyper(o), Error);
}

}  // namespace
}  // namespace hito::study

// hito predict on image model folders: the predictor recomputes, from the image files of the data
// folder, the probabilities each folder saved for its test rows (head: embeddings with the recorded
// backbone and flip averaging, then the head; finetune/scratch: the network).
#include <gtest/gtest.h>

#include <map>

#include "apps/study/image/image.h"
#include "apps/study/train/model_output.h"
#include "apps/study/predict/predict.h"
#include "data/csv.h"
#include "tests/image/image_fixture.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

// The probabilities of `ids` in a predictions CSV (<id>,pred,p_<class>...), row by row.
std::vector<float> probabilities_of(const fs::path& csv, const std::vector<std::string>& ids) {
  data::CsvTable table = data::read_csv(csv);
  std::map<std::string, std::vector<float>> by_id;
  for (const auto& row : table.rows) {
    std::vector<float>& p = by_id[row[0]];
    for (size_t c = 2; c < row.size(); ++c) p.push_back(std::stof(row[c]));
  }
  std::vector<float> out;
  for (const std::string& id : ids) {
    EXPECT_TRUE(by_id.count(id)) << id << " missing from " << csv;
    out.insert(out.end(), by_id[id].begin(), by_id[id].end());
  }
  return out;
}

void expect_predict_matches_saved(const fs::path& folder, const PreparedData& data) {
  PredictOptions o;
  o.model_dir = folder;
  o.data_dir = data.data_dir;
  o.out = folder.parent_path() / (folder.filename().string() + "-new.csv");
  PredictResult result = run_predict(o);
  EXPECT_EQ(result.rows, data.size());
  std::vector<std::string> test_ids;
  for (int64_t r : data.rows_of(data::Part::Test)) test_ids.push_back(data.ids[static_cast<size_t>(r)]);
  EXPECT_TRUE(testing::all_close(probabilities_of(o.out, test_ids), probabilities_of(folder / kPredictionsTest, test_ids),
                                 1e-3f, 1e-4f))
      << folder;
}

TEST(ImagePredict, EachModeReproducesItsTestPredictions) {
  fs::path run = image_test_run("predict");
  PreparedData data = load_prepared(run);
  fs::path weights = small_cnn_weights(run, 3);

  expect_predict_matches_saved(run_image(quick_image_options(run, "scratch")), data);

  ImageOptions finetune = quick_image_options(run, "finetune");
  finetune.weights = weights;
  finetune.backbone = "small_cnn";
  expect_predict_matches_saved(run_image(finetune), data);

  EmbedOptions e = embed_options(run, weights);
  e.tta_flip = true;
  e.keep_aspect = true;
  run_embed(e);
  ImageOptions head = quick_image_options(run, "head");
  head.embeddings = "small_cnn";
  expect_predict_matches_saved(run_image(head), data);
}

}  // namespace
}  // namespace hito::study

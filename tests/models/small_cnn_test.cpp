// The small CNN: it overfits a tiny batch of real HAM10000 images (skipped when the data is
// absent), and the fine-tuning controls (freezing by prefix, frozen BatchNorm statistics) work.
#include <gtest/gtest.h>

#include <map>

#include "data/csv.h"
#include "data/image.h"
#include "data/resize.h"
#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "models/image_preprocess.h"
#include "models/small_cnn.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(SmallCnn, OverfitsATinyBatchOfRealImages) {
  std::filesystem::path root = testing::shared_path("data/ham10000");
  HITO_REQUIRE_PATH(root / "HAM10000_metadata.csv");
  // Two images of each of the 7 diagnoses, 32x32.
  data::CsvTable table = data::read_csv(root / "HAM10000_metadata.csv");
  const int64_t image_col = table.require_column("image_id"), dx_col = table.require_column("dx");
  const std::vector<std::string> classes = {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"};
  std::map<std::string, int> taken;
  std::vector<data::Image> images;
  std::vector<int64_t> labels;
  for (const auto& row : table.rows) {
    auto label = std::find(classes.begin(), classes.end(), row[dx_col]) - classes.begin();
    std::filesystem::path file = root / "images" / (row[image_col] + ".jpg");
    if (label == int64_t(classes.size()) || taken[row[dx_col]] == 2 || !std::filesystem::exists(file)) continue;
    ++taken[row[dx_col]];
    images.push_back(data::resize_image(data::decode_image(file), 32, 32));
    labels.push_back(label);
  }
  ASSERT_EQ(images.size(), 14u);
  Tensor x = images_to_batch(images, {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f});
  Tensor y = Tensor::from_vector(labels, {14});

  Generator gen(3);
  SmallCnn model({.channels = {16, 32}, .pool_after = {true, true}, .num_classes = 7}, gen);
  Adam optimizer(single_group(model.parameters(), 1e-2f));
  float loss_value = 0.0f;
  for (int step = 0; step < 150; ++step) {
    optimizer.zero_grad();
    Tensor loss = cross_entropy(model(x), y);
    loss.backward();
    optimizer.step();
    loss_value = loss.item();
  }
  EXPECT_LT(loss_value, 0.05f);
  model.eval();  // the running statistics must describe the batch well enough too
  EXPECT_EQ(argmax(model(x), 1).to_vector<int64_t>(), labels);
}

TEST(ImageClassifier, FreezesParametersByPrefixAndBatchNormStatistics) {
  SmallCnn model;
  EXPECT_EQ(model.set_trainable({"features."}, false), 9);  // 3 blocks x (conv weight, bn weight, bn bias)
  std::vector<Tensor> trainable = model.trainable_parameters();
  ASSERT_EQ(trainable.size(), 2u);
  EXPECT_TRUE(trainable[0].same_as(model.fc->weight));
  EXPECT_THROW(model.set_trainable({"feature.0"}, false), Error);  // a typo matches nothing

  model.freeze_batch_norm();
  Tensor before = model.named_buffers().front().second.clone();  // features.0.1.running_mean
  model.train();
  sum(model(testing::randn({2, 3, 16, 16}, 1))).backward();
  EXPECT_TRUE(testing::all_close(model.named_buffers().front().second, before, 0.0f, 0.0f));
  EXPECT_FALSE(model.features->named_parameters().front().second.grad().defined());
  EXPECT_TRUE(model.fc->weight.grad().defined());
}

}  // namespace
}  // namespace hito

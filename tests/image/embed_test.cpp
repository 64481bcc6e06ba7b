// hito embed: the embeddings are the backbone's pooled features of each image in manifest order, a
// second call with the same inputs reuses them, and a change of weights, input size or data
// recomputes them.
#include <gtest/gtest.h>

#include "apps/study/image/embed.h"
#include "apps/study/prepare/prepare.h"
#include "engine/autograd.h"
#include "data/csv.h"
#include "data/npy.h"
#include "data/split.h"
#include "models/image_preprocess.h"
#include "models/small_cnn.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"
#include "tests/image/image_fixture.h"
#include "weights/state_dict.h"

namespace hito::study {
namespace {

TEST(Embed, FeaturesOfEachImageInManifestOrder) {
  fs::path run = image_test_run("embed-order");
  fs::path weights = small_cnn_weights(run, 3);
  EmbedOptions o = embed_options(run, weights);
  EmbedResult r = run_embed(o);
  EXPECT_FALSE(r.reused);
  PreparedData data = load_prepared(run);
  Tensor saved = data::load_npy(r.file);
  ASSERT_EQ(saved.size(0), data.size());
  ASSERT_EQ(saved.size(1), 128);  // the small CNN's last block

  // The same features computed by hand: PIL-exact resize of the file, ImageNet statistics (the
  // checkpoint's metadata does not ask for x = pixel / 127.5 - 1).
  SmallCnnConfig config;
  config.num_classes = 0;
  SmallCnn backbone(config);
  load_state_dict(backbone, read_backbone_tensors(weights), true);
  backbone.eval();
  NoGradGuard no_grad;
  for (int64_t row : {int64_t{0}, data.size() / 2, data.size() - 1}) {
    data::Image image = resize_bilinear_pil(data::decode_image(data.images[static_cast<size_t>(row)]), 32, 32);
    Tensor expected = backbone.forward_features(images_to_batch({image}, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}));
    EXPECT_TRUE(testing::all_close(saved.rows(row, row + 1), expected, 1e-4f, 1e-5f)) << "row " << row;
  }
  // One id and split per row, in manifest order.
  data::CsvTable ids = data::read_csv(run / "embeddings" / "small_cnn_ids.csv");
  EXPECT_EQ(ids.header, (std::vector<std::string>{data.config.id_column, "split"}));
  ASSERT_EQ(ids.num_rows(), data.size());
  for (int64_t r = 0; r < data.size(); ++r) {
    EXPECT_EQ(ids.rows[static_cast<size_t>(r)][0], data.ids[static_cast<size_t>(r)]) << "row " << r;
    EXPECT_EQ(ids.rows[static_cast<size_t>(r)][1], data::part_name(data.parts[static_cast<size_t>(r)])) << "row " << r;
  }
}

TEST(Embed, ReusedWhenNothingChangedRecomputedOtherwise) {
  fs::path run = image_test_run("embed-cache");
  fs::path weights = small_cnn_weights(run, 3), other_weights = small_cnn_weights(run, 4);
  EmbedOptions o = embed_options(run, weights);
  EmbedResult first = run_embed(o);
  Tensor first_values = data::load_npy(first.file);
  EXPECT_FALSE(first.reused);

  EmbedResult again = run_embed(o);
  EXPECT_TRUE(again.reused);
  EXPECT_TRUE(testing::all_close(data::load_npy(again.file), first_values, 0, 0));

  // Other backbone weights (same file name, new content).
  fs::copy_file(other_weights, weights, fs::copy_options::overwrite_existing);
  EmbedResult new_weights = run_embed(o);
  EXPECT_FALSE(new_weights.reused);
  EXPECT_FALSE(testing::all_close(data::load_npy(new_weights.file), first_values, 1e-3f, 1e-3f));
  EXPECT_TRUE(run_embed(o).reused);

  // Another input size, then flip averaging.
  o.size = 40;
  EXPECT_FALSE(run_embed(o).reused);
  o.tta_flip = true;
  EXPECT_FALSE(run_embed(o).reused);
  EXPECT_TRUE(run_embed(o).reused);

  // Other data in the same run folder: a new preparation replaces prepared/.
  fs::remove_all(run / "prepared");
  fs::copy(testing::prepared_run_for_tests(120, 2) / "prepared", run / "prepared", fs::copy_options::recursive);
  EmbedResult new_data = run_embed(o);
  EXPECT_FALSE(new_data.reused);
  EXPECT_EQ(new_data.rows, 120);
}

TEST(Embed, LoadRefusesEmbeddingsOfOtherData) {
  fs::path run = image_test_run("embed-other-data");
  run_embed(embed_options(run, small_cnn_weights(run, 3)));
  EXPECT_EQ(load_embeddings(load_prepared(run), "small_cnn").features.size(0), 160);
  fs::remove_all(run / "prepared");
  fs::copy(testing::prepared_run_for_tests(120, 2) / "prepared", run / "prepared", fs::copy_options::recursive);
  try {
    load_embeddings(load_prepared(run), "small_cnn");
    FAIL() << "embeddings of other data were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hito embed"), std::string::npos) << e.what();
  }
}

TEST(Embed, NormalisationFollowsTheCheckpoint) {
  fs::path dir = testing::temp_dir("hito-image-normalisation");
  SmallCnn model;
  save_state_dict(model, dir / "tf.safetensors", {{"input", "RGB 224x224, x = pixel/127.5 - 1"}});
  save_state_dict(model, dir / "torchvision.safetensors");
  EXPECT_EQ(pretrained_preprocessing(224, false, dir / "tf.safetensors").mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  ImagePreprocessing torchvision = pretrained_preprocessing(224, false, dir / "torchvision.safetensors");
  EXPECT_EQ(torchvision.mean, (std::array<float, 3>{0.485f, 0.456f, 0.406f}));
  EXPECT_EQ(torchvision.std, (std::array<float, 3>{0.229f, 0.224f, 0.225f}));
  fs::path shared = testing::shared_path("weights/mobilenet_v2_imagenet.safetensors");
  if (fs::exists(shared)) EXPECT_EQ(pretrained_preprocessing(224, false, shared).std, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
}

TEST(Embed, NeedsABackbone) {
  fs::path run = image_test_run("embed-none");
  EmbedOptions o = embed_options(run, "");
  EXPECT_THROW(run_embed(o), Error);
}

}  // namespace
}  // namespace hito::study

// DataLoader over a prepared synthetic set: every row once per pass, in manifest order or shuffled
// by (seed, epoch); rows, images, tabular values and labels stay aligned under shuffling (checked by
// re-reading the image files and the metadata CSV); the same batches for any number of workers,
// with augmentation too; worker errors reach the consumer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "apps/study/prepare/prepare.h"
#include "apps/study/prepare/prepared_data.h"
#include "data/augment.h"
#include "data/csv.h"
#include "data/data_loader.h"
#include "data/image.h"
#include "base/error.h"
#include "base/fs.h"
#include "kernels/runtime.h"
#include "tests/data/data_fixture.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

constexpr int64_t kSize = 32;

// The prepared synthetic run that other milestones' tests use too.
const study::PreparedData& prepared() {
  static const study::PreparedData p = study::load_prepared(testing::prepared_run_for_tests(600, 1));
  return p;
}

std::vector<LoaderBatch> one_pass(DataLoader& loader, int64_t epoch) {
  std::vector<LoaderBatch> batches;
  loader.start_epoch(epoch);
  for (LoaderBatch b; loader.next(b);) batches.push_back(b);
  return batches;
}

std::vector<int64_t> rows_of(const std::vector<LoaderBatch>& batches) {
  std::vector<int64_t> rows;
  for (const auto& b : batches) rows.insert(rows.end(), b.rows.begin(), b.rows.end());
  return rows;
}

TEST(DataLoader, AlignmentSurvivesShufflingCheckedByRereading) {
  const study::PreparedData& p = prepared();
  auto cache = p.image_cache(kSize, kSize, ResizeMode::Crop);
  LoaderOptions options = p.loader_options();
  options.batch_size = 16;
  options.shuffle = true;
  options.seed = 9;
  std::vector<int64_t> rows = p.rows_of(Part::Train);
  DataLoader loader(cache, p.loader_tables(), rows, options);
  std::vector<LoaderBatch> batches = one_pass(loader, 0);

  // The metadata as the user wrote it: id -> label.
  CsvTable metadata = read_csv(p.data_dir / "HAM10000_metadata.csv");
  std::unordered_map<std::string, std::string> label_of;
  for (const auto& r : metadata.rows) label_of[r[1]] = r[2];

  const float* tabular = p.tabular.data<float>();
  int64_t width = p.tabular.size(1);
  int checked = 0;
  for (const LoaderBatch& b : batches) {
    std::vector<int64_t> labels = b.labels.to_vector<int64_t>();
    std::vector<float> images = b.images.to_vector<float>(), tab = b.tabular.to_vector<float>();
    for (size_t i = 0; i < b.rows.size(); ++i) {
      int64_t row = b.rows[i];
      const std::string& id = p.ids[size_t(row)];
      ASSERT_EQ(p.images[size_t(row)].stem().string(), id);
      ASSERT_EQ(p.classes[size_t(labels[i])], label_of.at(id)) << id;
      for (int64_t f = 0; f < width; ++f) ASSERT_EQ(tab[i * size_t(width) + size_t(f)], tabular[row * width + f]) << id;
      Image expected = resize_image(decode_image(p.images[size_t(row)]), kSize, kSize, ResizeMode::Crop);
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t q = 0; q < kSize * kSize; ++q) {
          float want = (expected.pixels[size_t(q * 3 + c)] / 255.0f - p.image_mean[size_t(c)]) / p.image_std[size_t(c)];
          ASSERT_NEAR(images[i * 3 * kSize * kSize + size_t(c * kSize * kSize + q)], want, 1e-5f) << id;
        }
      ++checked;
    }
  }
  EXPECT_EQ(checked, int64_t(rows.size()));
  std::vector<int64_t> seen = rows_of(batches);
  EXPECT_NE(seen, rows);  // shuffled
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, rows);  // every row exactly once
}

TEST(DataLoader, OrderIsManifestOrderOrSeededShuffle) {
  const study::PreparedData& p = prepared();
  std::vector<int64_t> rows = p.rows_of(Part::Val);
  LoaderOptions options;
  options.batch_size = 7;
  DataLoader in_order(nullptr, p.loader_tables(), rows, options);
  EXPECT_EQ(rows_of(one_pass(in_order, 0)), rows);
  EXPECT_EQ(in_order.num_batches(), (int64_t(rows.size()) + 6) / 7);
  options.shuffle = true;
  DataLoader shuffled(nullptr, p.loader_tables(), rows, options);
  auto epoch0 = rows_of(one_pass(shuffled, 0)), epoch1 = rows_of(one_pass(shuffled, 1));
  EXPECT_NE(epoch0, epoch1);
  EXPECT_EQ(rows_of(one_pass(shuffled, 0)), epoch0);
  options.drop_last = true;
  DataLoader dropping(nullptr, p.loader_tables(), rows, options);
  auto batches = one_pass(dropping, 0);
  EXPECT_EQ(int64_t(batches.size()), int64_t(rows.size()) / 7);
  for (const auto& b : batches) EXPECT_EQ(b.labels.size(0), 7);
  EXPECT_FALSE(batches[0].images.defined());  // no image source: tabular-only batches
}

TEST(DataLoader, SameBatchesForAnyNumberOfWorkersWithAugmentation) {
  const study::PreparedData& p = prepared();
  auto cache = p.image_cache(kSize, kSize, ResizeMode::Crop);
  std::vector<int64_t> rows = p.rows_of(Part::Train);
  rows.resize(50);
  std::vector<std::vector<float>> results;
  for (int workers : {0, 1, 3}) {
    LoaderOptions options = p.loader_options();
    options.batch_size = 8;
    options.shuffle = true;
    options.augment = true;
    options.workers = workers;
    options.prefetch = 2;
    DataLoader loader(cache, p.loader_tables(), rows, options);
    std::vector<float> all;
    for (const auto& b : one_pass(loader, 3)) {
      auto v = b.images.to_vector<float>();
      all.insert(all.end(), v.begin(), v.end());
    }
    results.push_back(all);
  }
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
}

TEST(DataLoader, WorkerErrorsReachTheConsumer) {
  const study::PreparedData& p = prepared();
  fs::path dir = testing::temp_dir("loader-error");
  std::vector<fs::path> paths = p.images;
  paths[size_t(p.rows_of(Part::Test)[3])] = dir / "gone.jpg";
  auto files = std::make_shared<ImageFiles>(paths, 16, 16, ResizeMode::Crop);
  LoaderOptions options;
  options.batch_size = 2;
  DataLoader loader(files, p.loader_tables(), p.rows_of(Part::Test), options);
  std::string message = testing::error_message([&] { one_pass(loader, 0); });
  EXPECT_NE(message.find("gone.jpg"), std::string::npos) << message;
  EXPECT_THROW(DataLoader(files, p.loader_tables(), {p.size()}, options), Error);  // row out of range
  fs::remove_all(dir);
}

TEST(DataLoader, MovesBatchesToTheGpuUnchanged) {
  HITO_REQUIRE_CUDA();
  const study::PreparedData& p = prepared();
  auto cache = p.image_cache(kSize, kSize, ResizeMode::Crop);
  LoaderOptions options = p.loader_options();
  options.batch_size = 16;
  DataLoader on_cpu(cache, p.loader_tables(), p.rows_of(Part::Val), options);
  options.device = Device::CUDA;
  DataLoader on_gpu(cache, p.loader_tables(), p.rows_of(Part::Val), options);
  auto cpu_batches = one_pass(on_cpu, 0), gpu_batches = one_pass(on_gpu, 0);
  ASSERT_EQ(cpu_batches.size(), gpu_batches.size());
  for (size_t b = 0; b < cpu_batches.size(); ++b) {
    const LoaderBatch &c = cpu_batches[b], &g = gpu_batches[b];
    EXPECT_TRUE(g.images.is_cuda() && g.tabular.is_cuda() && g.codes.is_cuda() && g.labels.is_cuda());
    EXPECT_EQ(g.images.to_vector<float>(), c.images.to_vector<float>());
    EXPECT_EQ(g.tabular.to_vector<float>(), c.tabular.to_vector<float>());
    EXPECT_EQ(g.codes.to_vector<int64_t>(), c.codes.to_vector<int64_t>());
    EXPECT_EQ(g.labels.to_vector<int64_t>(), c.labels.to_vector<int64_t>());
    EXPECT_EQ(g.rows, c.rows);
  }
}

TEST(Augment, FlipsAndRotationsOnlyMovePixels) {
  Generator pixels_gen(1);
  std::vector<uint8_t> src(10 * 10 * 3), out(src.size());
  for (uint8_t& v : src) v = uint8_t(pixels_gen.integer(256));
  AugmentOptions options;
  options.crop_min_area = 1.0f;  // no crop: the pixels are a permutation of the source's
  bool changed = false;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    Generator gen(seed);
    augment_geometry(src.data(), 10, 10, out.data(), options, gen);
    std::vector<uint8_t> a = src, b = out;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
    changed |= out != src;
  }
  EXPECT_TRUE(changed);
  // Colour jitter keeps values in [0, 1].
  std::vector<float> chw(3 * 10 * 10);
  for (size_t i = 0; i < chw.size(); ++i) chw[i] = float(src[i]) / 255.0f;
  options.brightness = options.contrast = options.saturation = 0.5f;
  Generator gen(3);
  augment_colour(chw.data(), 10, 10, options, gen);
  for (float v : chw) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
}

}  // namespace
}  // namespace hito::data

// ImageCache: built once (then opened, not rebuilt), pixels equal to decoding + resizing the file,
// views sharing the mapping, a stale file rebuilt, a read-only data folder left untouched, and an
// undecodable image named in the error with no cache file left behind.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstring>

#include "data/image.h"
#include "data/image_cache.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/data/data_fixture.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

std::vector<fs::path> first_images(const fs::path& data, size_t count) {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(data / "images")) paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  paths.resize(std::min(paths.size(), count));
  return paths;
}

TEST(ImageCache, BuildsOnceThenOpensTheSameBytes) {
  std::vector<fs::path> paths = first_images(testing::synthetic_data(), 24);
  fs::path cache_dir = testing::temp_dir("cache") / "cache";
  auto built = ImageCache::open_or_build(cache_dir, "key", paths, 40, 48, ResizeMode::Crop, 2);
  EXPECT_TRUE(built->built_now());
  EXPECT_EQ(built->size(), 24);
  auto opened = ImageCache::open_or_build(cache_dir, "key", paths, 40, 48, ResizeMode::Crop, 2);
  EXPECT_FALSE(opened->built_now());
  EXPECT_EQ(opened->file(), built->file());
  for (int64_t i = 0; i < 24; ++i) {
    Image expected = resize_image(decode_image(paths[size_t(i)]), 40, 48, ResizeMode::Crop);
    ASSERT_EQ(std::memcmp(opened->pixels(i), expected.pixels.data(), expected.pixels.size()), 0) << paths[size_t(i)];
    Tensor view = opened->image(i);
    EXPECT_EQ(view.shape(), (Shape{40, 48, 3}));
    EXPECT_EQ(view.data<uint8_t>(), opened->pixels(i));  // a view, not a copy
  }
  // Another size, mode or key is another file; the first stays.
  auto other = ImageCache::open_or_build(cache_dir, "key", paths, 40, 48, ResizeMode::Pad, 2);
  EXPECT_NE(other->file(), built->file());
  EXPECT_NE(ImageCache::file_for(cache_dir, "other-key", paths, 40, 48, ResizeMode::Crop), built->file());
  EXPECT_TRUE(fs::exists(built->file()));
  fs::remove_all(cache_dir.parent_path());
}

TEST(ImageCache, AViewOutlivesItsCache) {
  std::vector<fs::path> paths = first_images(testing::synthetic_data(), 3);
  fs::path cache_dir = testing::temp_dir("cache-view") / "cache";
  Tensor view;
  {
    auto cache = ImageCache::open_or_build(cache_dir, "k", paths, 8, 8, ResizeMode::Stretch, 1);
    view = cache->image(2);
  }
  Image expected = resize_image(decode_image(paths[2]), 8, 8);
  EXPECT_EQ(view.to_vector<uint8_t>(), expected.pixels);
  fs::remove_all(cache_dir.parent_path());
}

TEST(ImageCache, AStaleOrDamagedFileIsRebuilt) {
  std::vector<fs::path> paths = first_images(testing::synthetic_data(), 5);
  fs::path cache_dir = testing::temp_dir("cache-stale") / "cache";
  auto cache = ImageCache::open_or_build(cache_dir, "k", paths, 16, 16, ResizeMode::Stretch, 1);
  fs::path file = cache->file();
  cache.reset();
  std::string bytes = read_file(file);
  write_file_atomic(file, bytes.substr(0, bytes.size() - 10));  // cut short
  auto rebuilt = ImageCache::open_or_build(cache_dir, "k", paths, 16, 16, ResizeMode::Stretch, 1);
  EXPECT_TRUE(rebuilt->built_now());
  EXPECT_EQ(read_file(rebuilt->file()), bytes);
  fs::remove_all(cache_dir.parent_path());
}

TEST(ImageCache, LeavesAReadOnlyDataFolderAlone) {
  fs::path data = testing::temp_dir("cache-ro") / "data";
  fs::create_directories(data);
  std::vector<fs::path> paths;
  for (const fs::path& p : first_images(testing::synthetic_data(), 4)) {
    fs::copy_file(p, data / p.filename());
    paths.push_back(data / p.filename());
  }
  fs::permissions(data, fs::perms::owner_read | fs::perms::owner_exec);
  auto cache = ImageCache::open_or_build(data.parent_path() / "run" / "cache", "k", paths, 12, 12, ResizeMode::Crop, 2);
  EXPECT_EQ(cache->size(), 4);
  fs::permissions(data, fs::perms::owner_all);
  EXPECT_EQ(std::distance(fs::directory_iterator(data), fs::directory_iterator()), 4);
  fs::remove_all(data.parent_path());
}

TEST(ImageCache, AnUndecodableImageIsNamedAndNoCacheIsLeft) {
  fs::path dir = testing::temp_dir("cache-bad");
  std::vector<fs::path> paths = first_images(testing::synthetic_data(), 3);
  write_file_atomic(dir / "broken.jpg", "\xFF\xD8 nothing \xFF\xD9");
  paths.push_back(dir / "broken.jpg");
  std::string message = testing::error_message(
      [&] { ImageCache::open_or_build(dir / "cache", "k", paths, 8, 8, ResizeMode::Crop, 2); });
  EXPECT_NE(message.find("broken.jpg"), std::string::npos) << message;
  EXPECT_TRUE(!fs::exists(dir / "cache") || fs::is_empty(dir / "cache"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hito::data

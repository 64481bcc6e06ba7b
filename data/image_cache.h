// The decoded-and-resized image cache: one binary file per (data set, size, resize mode) holding every
// image as u8 (height, width, 3), written once (decoding on all cores) and memory-mapped afterwards,
// so that later epochs and later commands never decode a JPEG again. The data folder is never
// written to: caches live in a folder of the run (<run>/cache/).
//
//   auto cache = ImageCache::open_or_build(run / "cache", fingerprint, image_paths, 224, 224, ResizeMode::Crop);
//   Tensor pixels = cache->image(i);  // u8 (224, 224, 3), a view into the mapping (no copy)
//
// File layout: a 64-byte header (magic "HITOIMC1", key, count, height, width, channels, mode), then
// count * height * width * 3 bytes. The key hashes the data-set fingerprint and the image paths; a
// file whose header does not match what is asked for is rebuilt, never trusted.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/image_source.h"
#include "engine/tensor.h"

namespace hito::data {

class ImageCache : public ImageSource {
 public:
  // Opens the cache of `paths` at (height, width, mode) in `cache_dir`, building it first when it
  // is missing or stale. `dataset_key` (e.g. the prepared fingerprint) ties it to the data's content.
  // Decoding uses `threads` threads (<= 0: all). Errors name the image that could not be decoded.
  static std::shared_ptr<ImageCache> open_or_build(const std::filesystem::path& cache_dir, const std::string& dataset_key,
                                                   const std::vector<std::filesystem::path>& paths, int64_t height,
                                                   int64_t width, ResizeMode mode, int threads = 0);
  // The file open_or_build uses for these arguments.
  static std::filesystem::path file_for(const std::filesystem::path& cache_dir, const std::string& dataset_key,
                                        const std::vector<std::filesystem::path>& paths, int64_t height, int64_t width,
                                        ResizeMode mode);

  int64_t size() const override { return count_; }
  int64_t height() const override { return height_; }
  int64_t width() const override { return width_; }
  ResizeMode mode() const { return mode_; }
  void read(int64_t i, uint8_t* out) const override;
  // Image i as u8 (height, width, 3), sharing the mapped memory (keeps the mapping alive). The
  // mapping is read-only: clone() before changing the pixels.
  Tensor image(int64_t i) const;
  const uint8_t* pixels(int64_t i) const;
  const std::filesystem::path& file() const { return file_; }
  bool built_now() const { return built_now_; }  // true when this open_or_build decoded the images

 private:
  ImageCache() = default;
  std::filesystem::path file_;
  std::shared_ptr<Storage> mapping_;  // the whole file, read-only
  int64_t count_ = 0, height_ = 0, width_ = 0;
  ResizeMode mode_ = ResizeMode::Stretch;
  bool built_now_ = false;
};

}  // namespace hito::data

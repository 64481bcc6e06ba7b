// Where a data loader gets its images: an ImageSource serves image i of a data set as u8
// (height, width, 3) at one fixed size. ImageCache (image_cache.h) serves them from a memory-mapped
// file of pre-resized pixels; ImageFiles decodes and resizes the files on every read (for one pass
// over new data, where building a cache would not pay).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "data/resize.h"

namespace hito::data {

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual int64_t size() const = 0;  // number of images
  virtual int64_t height() const = 0;
  virtual int64_t width() const = 0;
  // Writes image i into out (height, width, 3). Safe to call from several threads at once.
  virtual void read(int64_t i, uint8_t* out) const = 0;
};

class ImageFiles : public ImageSource {
 public:
  ImageFiles(std::vector<std::filesystem::path> paths, int64_t height, int64_t width, ResizeMode mode);
  int64_t size() const override { return static_cast<int64_t>(paths_.size()); }
  int64_t height() const override { return height_; }
  int64_t width() const override { return width_; }
  void read(int64_t i, uint8_t* out) const override;

 private:
  std::vector<std::filesystem::path> paths_;
  int64_t height_, width_;
  ResizeMode mode_;
};

}  // namespace hito::data

// ImageFiles: decode + resize on every read.
#include "data/image_source.h"

#include "base/error.h"

namespace hito::data {

ImageFiles::ImageFiles(std::vector<std::filesystem::path> paths, int64_t height, int64_t width, ResizeMode mode)
    : paths_(std::move(paths)), height_(height), width_(width), mode_(mode) {
  HITO_CHECK(height > 0 && width > 0, "ImageFiles: size must be positive, got ", height, "x", width);
}

void ImageFiles::read(int64_t i, uint8_t* out) const {
  HITO_CHECK(i >= 0 && i < size(), "ImageFiles: image ", i, " out of range [0, ", size(), ")");
  resize_image_into(decode_image(paths_[static_cast<size_t>(i)]), height_, width_, mode_, out);
}

}  // namespace hito::data

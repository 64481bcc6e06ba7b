// Images in memory and on disk: decoding JPEG/PNG (and the other formats stb_image reads) to 8-bit
// RGB or gray, encoding JPEG and PNG, and the u8 tensor view of an image. Grayscale files become RGB
// by repeating the channel and RGBA files lose their alpha channel (as PIL's convert("RGB") does).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tensor.h"

namespace hito::data {

namespace fs = std::filesystem;

// Row-major (height, width, channels) 8-bit pixels; channels is 3 (RGB) or 1 (gray).
struct Image {
  int64_t height = 0, width = 0, channels = 3;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int64_t height, int64_t width, int64_t channels, uint8_t fill = 0);
  uint8_t* at(int64_t y, int64_t x) { return pixels.data() + (y * width + x) * channels; }
  const uint8_t* at(int64_t y, int64_t x) const { return pixels.data() + (y * width + x) * channels; }
};

// The decoding budget. Before any pixel is decoded, the width and height in the file's header are
// checked against the smaller of two limits: max_image_pixels() (by default PIL's
// Image.MAX_IMAGE_PIXELS, 89,478,485; `--max-image-pixels` sets it) and what a file of that size can
// plausibly hold (4 Mpixels plus 1,024 pixels per byte: more than deflate's best ratio on an RGB
// image and far more than a JPEG reaches), so a 10 KB file claiming 20000x20000 is refused without
// allocating 1.2 GB.
inline constexpr int64_t kDefaultMaxImagePixels = 89'478'485;
void set_max_image_pixels(int64_t pixels);  // > 0
int64_t max_image_pixels();
// The most pixels a file of `file_bytes` bytes may decode to.
int64_t image_pixel_budget(size_t file_bytes);

// Decodes an image file to `channels` (3: RGB, 1: gray). Errors name the file: unreadable, not an
// image, corrupt, or a JPEG cut short (no end-of-image marker: stb_image would fill the rest gray).
Image decode_image(const fs::path& path, int channels = 3);
// The same from bytes in memory; `name` is used in messages.
Image decode_image_bytes(std::string_view bytes, const std::string& name, int channels = 3);
// Non-throwing form for callers that collect problems: fills `out` and returns "", or returns why
// the bytes are not a decodable image ("truncated JPEG (no end-of-image marker)", ...).
std::string try_decode_image(std::string_view bytes, int channels, Image& out);

// Whether the bytes begin like an image file this module decodes (JPEG, PNG, BMP, GIF, ...): the
// header only, nothing decoded. A licence file or a CSV caught by a glob answers false.
bool has_image_header(std::string_view bytes);

// Encoded file contents; quality 1..100.
std::string encode_jpeg(const Image& image, int quality = 90);
std::string encode_png(const Image& image);
// Atomic writes of the encodings above.
void write_jpeg(const fs::path& path, const Image& image, int quality = 90);
void write_png(const fs::path& path, const Image& image);

// u8 tensor (H, W, C) holding a copy of the pixels, and back.
Tensor image_to_tensor(const Image& image);
Image tensor_to_image(const Tensor& pixels);  // requires u8 (H, W, 1 or 3)

}  // namespace hito::data

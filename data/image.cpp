// Image decoding and encoding over stb_image / stb_image_write, compiled here with static linkage so
// that no other translation unit can clash with these definitions.
#include "data/image.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "base/error.h"
#include "base/fs.h"

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO  // every read goes through read_file(), so errors name the file the same way
// Only the formats images come in (dermoscopy JPEGs, PNG masks and exports, BMP test images): stb's
// other readers (PNM, PSD, TGA, GIF, HDR, PIC) are not compiled, so hostile input cannot reach them
// (fuzz/fuzz_image found signed overflows in the PNM header reader).
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#include <stb_image.h>
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

namespace hito::data {

namespace {

bool is_jpeg(std::string_view bytes) { return bytes.size() >= 2 && bytes[0] == '\xFF' && bytes[1] == '\xD8'; }

// A complete JPEG ends with the end-of-image marker FF D9; a little trailing padding is tolerated.
bool has_jpeg_end(std::string_view bytes) {
  constexpr size_t kTailTolerance = 32;
  size_t from = bytes.size() > kTailTolerance ? bytes.size() - kTailTolerance : 0;
  return bytes.find("\xFF\xD9", from) != std::string_view::npos;
}

// The Huffman tables (DHT segments) of a JPEG, checked before stb_image reads them: each table's 16
// code counts must add up to at most 256 symbols that the segment holds. stb_image (Debian's
// 2022-09 copy) writes one byte past its 257-entry size table when they add up to more (found by
// fuzz/fuzz_image). Returns "" or the problem. The walk follows stb_image's: segments by their
// length, junk between them skipped up to the next 0xFF, each scan's entropy-coded data skipped up
// to the next marker.
std::string jpeg_table_problem(std::string_view bytes) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  // stb_image takes a file for a JPEG when it opens with an SOI marker, fill bytes (0xFF) allowed before it.
  size_t i = 0;
  while (i < bytes.size() && byte(i) == 0xFF) ++i;
  if (i == 0 || i >= bytes.size() || byte(i) != 0xD8) return "";
  ++i;  // after SOI
  while (i + 4 <= bytes.size()) {
    if (byte(i) != 0xFF) {  // junk where a marker belongs: stb_image skips it looking for one, so do we
      ++i;
      continue;
    }
    uint8_t marker = byte(i + 1);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD9) return "";  // end of image
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {  // markers without a length
      i += 2;
      continue;
    }
    size_t length = (size_t(byte(i + 2)) << 8) | byte(i + 3);
    // stb_image reads a Huffman table cut short by the end of the file as zeros and builds it all
    // the same, so a DHT segment must lie whole in the file.
    if (marker == 0xC4 && i + 2 + length > bytes.size()) return "corrupt JPEG (a Huffman table is cut short)";
    if (length < 2 || i + 2 + length > bytes.size()) return "";  // truncated: stb_image refuses it
    if (marker == 0xC4) {
      size_t at = i + 4, end = i + 2 + length;
      while (at < end) {
        if (at + 17 > end) return "corrupt JPEG (a Huffman table is cut short)";
        size_t symbols = 0;
        for (size_t k = 1; k <= 16; ++k) symbols += byte(at + k);
        if (symbols > 256 || at + 17 + symbols > end) return "corrupt JPEG (a Huffman table claims too many codes)";
        at += 17 + symbols;
      }
    }
    i += 2 + length;
    if (marker == 0xDA) {  // start of scan: skip the entropy-coded data
      while (i + 1 < bytes.size() && !(byte(i) == 0xFF && byte(i + 1) != 0x00 && !(byte(i + 1) >= 0xD0 && byte(i + 1) <= 0xD7)))
        ++i;
    }
  }
  return "";
}

// The chunks of a PNG, checked before stb_image reads them: each chunk (4-byte length, type, data,
// 4-byte CRC) must lie whole in the file. stb_image allocates what a chunk's length claims before
// reading it, so one claiming gigabytes in a small file would allocate them (found by
// fuzz/fuzz_image). Returns "" or the problem.
std::string png_chunk_problem(std::string_view bytes) {
  static constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.substr(0, kSignature.size()) != kSignature) return "";
  auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  for (size_t at = kSignature.size(); at + 8 <= bytes.size();) {
    const uint64_t length = (uint64_t(byte(at)) << 24) | (uint64_t(byte(at + 1)) << 16) |
                            (uint64_t(byte(at + 2)) << 8) | byte(at + 3);
    const std::string_view type = bytes.substr(at + 4, 4);
    if (length + 12 > bytes.size() - at)
      return "corrupt PNG (its " + std::string(type) + " chunk claims " + std::to_string(length) + " bytes, the file has " +
             std::to_string(bytes.size() - at - std::min<size_t>(12, bytes.size() - at)) + " left)";
    if (type == "IEND") return "";
    at += 12 + length;
  }
  return "";
}

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

void check_encodable(const Image& image) {
  HITO_CHECK(image.height > 0 && image.width > 0 && (image.channels == 1 || image.channels == 3) &&
                 image.pixels.size() == size_t(image.height * image.width * image.channels),
             "cannot encode an image of ", image.height, "x", image.width, "x", image.channels, " with ",
             image.pixels.size(), " bytes");
}

constexpr int64_t kBudgetFloorPixels = int64_t(1) << 22;  // 4 Mpixels (2048 x 2048)
constexpr int64_t kBudgetPixelsPerByte = 1024;
std::atomic<int64_t> max_pixels{kDefaultMaxImagePixels};

}  // namespace

void set_max_image_pixels(int64_t pixels) {
  HITO_CHECK(pixels > 0, "--max-image-pixels must be positive, got ", pixels);
  max_pixels = pixels;
}

int64_t max_image_pixels() { return max_pixels; }

int64_t image_pixel_budget(size_t file_bytes) {
  int64_t plausible = kBudgetFloorPixels + kBudgetPixelsPerByte * static_cast<int64_t>(std::min<size_t>(file_bytes, 1ull << 40));
  return std::min(max_image_pixels(), plausible);
}

Image::Image(int64_t height, int64_t width, int64_t channels, uint8_t fill)
    : height(height), width(width), channels(channels), pixels(static_cast<size_t>(height * width * channels), fill) {}

bool has_image_header(std::string_view bytes) {
  int width = 0, height = 0, channels = 0;
  return stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &width,
                               &height, &channels) != 0;
}

std::string try_decode_image(std::string_view bytes, int channels, Image& out) {
  HITO_CHECK(channels == 1 || channels == 3, "decode_image: channels must be 1 or 3, got ", channels);
  if (bytes.empty()) return "empty file, not an image";
  if (is_jpeg(bytes) && !has_jpeg_end(bytes)) return "truncated JPEG (no end-of-image marker)";
  if (std::string problem = jpeg_table_problem(bytes); !problem.empty()) return problem;
  if (std::string problem = png_chunk_problem(bytes); !problem.empty()) return problem;
  int width = 0, height = 0, file_channels = 0;
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  if (bytes.size() > size_t(INT32_MAX)) return "image file larger than 2 GiB";
  if (!stbi_info_from_memory(data, static_cast<int>(bytes.size()), &width, &height, &file_channels))
    return std::string("cannot decode image (") + stbi_failure_reason() + ")";
  if (width <= 0 || height <= 0)
    return "the header claims an empty image (" + std::to_string(width) + "x" + std::to_string(height) + " pixels)";
  int64_t pixels_claimed = int64_t(width) * int64_t(height);
  if (pixels_claimed > image_pixel_budget(bytes.size()))
    return "the header claims " + std::to_string(width) + "x" + std::to_string(height) + " pixels, more than the budget of " +
           std::to_string(image_pixel_budget(bytes.size())) + " for a file of " + std::to_string(bytes.size()) +
           " bytes (--max-image-pixels " + std::to_string(max_image_pixels()) + ")";
  uint8_t* pixels = stbi_load_from_memory(data, static_cast<int>(bytes.size()), &width, &height, &file_channels, channels);
  if (pixels == nullptr) return std::string("cannot decode image (") + stbi_failure_reason() + ")";
  out = Image(height, width, channels);
  std::memcpy(out.pixels.data(), pixels, out.pixels.size());
  stbi_image_free(pixels);
  return "";
}

Image decode_image_bytes(std::string_view bytes, const std::string& name, int channels) {
  Image image;
  std::string problem = try_decode_image(bytes, channels, image);
  HITO_CHECK(problem.empty(), name, ": ", problem);
  return image;
}

Image decode_image(const fs::path& path, int channels) {
  HITO_CHECK(fs::is_regular_file(path), path.string(), ": image file not found");
  return decode_image_bytes(read_file(path), path.string(), channels);
}

std::string encode_jpeg(const Image& image, int quality) {
  check_encodable(image);
  std::string out;
  int ok = stbi_write_jpg_to_func(append_bytes, &out, static_cast<int>(image.width), static_cast<int>(image.height),
                                  static_cast<int>(image.channels), image.pixels.data(), quality);
  HITO_CHECK(ok, "JPEG encoding failed");
  return out;
}

std::string encode_png(const Image& image) {
  check_encodable(image);
  std::string out;
  int stride = static_cast<int>(image.width * image.channels);
  int ok = stbi_write_png_to_func(append_bytes, &out, static_cast<int>(image.width), static_cast<int>(image.height),
                                  static_cast<int>(image.channels), image.pixels.data(), stride);
  HITO_CHECK(ok, "PNG encoding failed");
  return out;
}

void write_jpeg(const fs::path& path, const Image& image, int quality) { write_file_atomic(path, encode_jpeg(image, quality)); }
void write_png(const fs::path& path, const Image& image) { write_file_atomic(path, encode_png(image)); }

Tensor image_to_tensor(const Image& image) {
  Tensor out = Tensor::empty({image.height, image.width, image.channels}, DType::U8);
  if (!image.pixels.empty()) std::memcpy(out.data<uint8_t>(), image.pixels.data(), image.pixels.size());
  return out;
}

Image tensor_to_image(const Tensor& pixels) {
  HITO_CHECK(pixels.dtype() == DType::U8 && pixels.dim() == 3 && (pixels.size(2) == 1 || pixels.size(2) == 3),
             "tensor_to_image needs u8 (H, W, 1 or 3), got ", pixels.describe());
  Tensor host = pixels.to(Device::CPU);
  Image image(host.size(0), host.size(1), host.size(2));
  std::memcpy(image.pixels.data(), host.data<uint8_t>(), image.pixels.size());
  return image;
}

}  // namespace hito::data

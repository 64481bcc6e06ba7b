// PNG encoding through stb_image_write, compiled here with static linkage so that it cannot clash
// with another translation unit that includes the same single-file library.
#include "plot/png.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include "base/error.h"
#include "base/fs.h"

namespace hito::plot {

std::string encode_png(const RgbImage& image) {
  HITO_CHECK(!image.empty(), "cannot encode an empty image as PNG");
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  int ok = stbi_write_png_to_func(append, &bytes, image.width, image.height, 3, image.pixels.data(), image.width * 3);
  HITO_CHECK(ok, "PNG encoding of a ", image.width, " x ", image.height, " image failed");
  return bytes;
}

void write_png(const std::filesystem::path& path, const RgbImage& image) { write_file_atomic(path, encode_png(image)); }

bool looks_like_png(std::string_view bytes) { return bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8); }

}  // namespace hito::plot

// PNG output of raster images (stb_image_write), to a file or to memory for embedding in the HTML
// report as a base64 data URI.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "plot/raster.h"

namespace hito::plot {

// The PNG file's bytes. Requires a non-empty image.
std::string encode_png(const RgbImage& image);
// Writes the PNG atomically (no half-written file on failure).
void write_png(const std::filesystem::path& path, const RgbImage& image);
// True when `bytes` start with the 8-byte PNG signature.
bool looks_like_png(std::string_view bytes);

}  // namespace hito::plot

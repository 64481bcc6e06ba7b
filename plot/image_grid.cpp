// Image grids and heat-map overlays (see image_grid.h).
#include "plot/image_grid.h"

#include <algorithm>
#include <cmath>

#include "plot/bitmap_font.h"
#include "base/error.h"

namespace hito::plot {

std::vector<std::string> wrap_text(const std::string& text, size_t max_chars) {
  max_chars = std::max<size_t>(1, max_chars);
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    std::string word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text.size() + 1 : end + 1;
    while (word.size() > max_chars) {  // a word longer than a line is split
      if (!line.empty()) lines.push_back(line), line.clear();
      lines.push_back(word.substr(0, max_chars));
      word.erase(0, max_chars);
    }
    if (line.empty())
      line = word;
    else if (line.size() + 1 + word.size() <= max_chars)
      line += " " + word;
    else
      lines.push_back(line), line = word;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

namespace {
// The caption lines of one tile after wrapping.
std::vector<CaptionLine> wrapped_caption(const GridTile& tile, size_t max_chars) {
  std::vector<CaptionLine> out;
  for (const auto& line : tile.caption)
    for (auto& piece : wrap_text(line.text, max_chars)) out.push_back({piece, line.color});
  return out;
}
}  // namespace

RgbImage compose_grid(const std::vector<GridTile>& tiles, const GridOptions& o) {
  HITO_CHECK(!tiles.empty(), "an image grid needs at least one image");
  HITO_CHECK(o.columns > 0 && o.tile_size > 0 && o.font_scale > 0,
             "image grid: columns, tile size and font scale must be positive");
  const int columns = std::min<int>(o.columns, static_cast<int>(tiles.size()));
  const int rows = (static_cast<int>(tiles.size()) + columns - 1) / columns;
  const int line_height = bitmap_text_height(o.font_scale) + 3 * o.font_scale;
  const size_t max_chars =
      static_cast<size_t>(std::max(1, (o.tile_size + o.font_scale) / (kGlyphAdvance * o.font_scale)));

  // Each image scaled to fit the tile square; a row is as tall as its tallest image plus caption.
  std::vector<std::vector<CaptionLine>> captions;
  std::vector<RgbImage> scaled;
  std::vector<int> image_height(rows, 0), row_height(rows, 0);
  for (size_t i = 0; i < tiles.size(); ++i) {
    const RgbImage& image = tiles[i].image;
    HITO_CHECK(!image.empty(), "image grid: tile ", i, " has an empty image");
    const double fit =
        std::min(static_cast<double>(o.tile_size) / image.width, static_cast<double>(o.tile_size) / image.height);
    scaled.push_back(resize_image(image, std::max(1, static_cast<int>(std::lround(image.width * fit))),
                                  std::max(1, static_cast<int>(std::lround(image.height * fit)))));
    captions.push_back(wrapped_caption(tiles[i], max_chars));
    const size_t r = i / columns;
    image_height[r] = std::max(image_height[r], scaled.back().height);
  }
  for (size_t i = 0; i < tiles.size(); ++i) {
    const size_t r = i / columns;
    const int caption_height = captions[i].empty() ? 0 : 10 + static_cast<int>(captions[i].size()) * line_height;
    row_height[r] = std::max(row_height[r], image_height[r] + caption_height);
  }
  const int title_height = o.title.empty() ? 0 : bitmap_text_height(o.font_scale + 1) + o.gap;
  int height = o.gap + title_height;
  for (int h : row_height) height += h + o.gap;
  const int width = o.gap + columns * (o.tile_size + o.gap);

  RgbImage grid(width, height, o.background);
  if (!o.title.empty()) draw_text(grid, o.gap, o.gap, o.title, {43, 47, 54}, o.font_scale + 1);
  int y = o.gap + title_height;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < columns && r * columns + c < static_cast<int>(tiles.size()); ++c) {
      const size_t i = static_cast<size_t>(r * columns + c);
      const RgbImage& image = scaled[i];
      const int x0 = o.gap + c * (o.tile_size + o.gap);
      const int ix = x0 + (o.tile_size - image.width) / 2, iy = y + (image_height[r] - image.height) / 2;
      const Rgb border = tiles[i].border;
      if (border.r != 255 || border.g != 255 || border.b != 255)
        grid.fill_rect(ix - 3, iy - 3, image.width + 6, image.height + 6, border);
      grid.paste(image, ix, iy);
      int text_y = y + image_height[r] + 10;
      for (const auto& line : captions[i]) {
        draw_text(grid, x0, text_y, line.text, line.color, o.font_scale);
        text_y += line_height;
      }
    }
    y += row_height[r] + o.gap;
  }
  return grid;
}

RgbImage overlay_heat_map(const RgbImage& image, const std::vector<float>& heat, int heat_width, int heat_height,
                          const OverlayOptions& options) {
  HITO_CHECK(!image.empty(), "heat-map overlay on an empty image");
  HITO_CHECK(options.alpha >= 0 && options.alpha <= 1, "overlay alpha must be in [0, 1], got ", options.alpha);
  std::vector<float> map = resize_plane(heat, heat_width, heat_height, image.width, image.height);
  float lo = 0, hi = 1;
  if (options.normalize) {
    auto [min_it, max_it] = std::minmax_element(map.begin(), map.end());
    lo = *min_it, hi = *max_it;
  }
  const float span = hi > lo ? hi - lo : 1.0f;
  RgbImage out = image;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const float v = map[static_cast<size_t>(y) * image.width + x];
      const double t = std::isfinite(v) ? (v - lo) / span : 0.0;
      out.set(x, y, mix(image.at(x, y), jet(t), options.alpha));
    }
  return out;
}

RgbImage jet_colour_bar(int width, int font_scale) {
  const int bar_height = 6 * font_scale, label_gap = 3 * font_scale;
  RgbImage bar(width, bar_height + label_gap + bitmap_text_height(font_scale));
  for (int x = 0; x < width; ++x)
    bar.fill_rect(x, 0, 1, bar_height, jet(static_cast<double>(x) / std::max(1, width - 1)));
  const Rgb ink{95, 102, 112};
  draw_text(bar, 0, bar_height + label_gap, "low", ink, font_scale);
  draw_text(bar, width - bitmap_text_width("high", font_scale), bar_height + label_gap, "high", ink, font_scale);
  return bar;
}

}  // namespace hito::plot

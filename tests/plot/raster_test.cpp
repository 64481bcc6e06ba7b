// Raster images: resizing against hand-computed averages, PNG round trips through stb_image, the
// bitmap font pixel for pixel, caption wrapping, grid layout and the heat-map overlay.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#include <cstring>

#include "plot/bitmap_font.h"
#include "plot/image_grid.h"
#include "plot/png.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::plot {
namespace {

RgbImage decode_png(const std::string& bytes) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), &w, &h, &channels, 3);
  EXPECT_NE(data, nullptr) << stbi_failure_reason();
  RgbImage image(w, h);
  if (data) std::memcpy(image.pixels.data(), data, image.pixels.size());
  stbi_image_free(data);
  return image;
}

bool same_colour(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

TEST(Colors, MapsAndHex) {
  EXPECT_EQ((Rgb{78, 121, 167}).hex(), "#4e79a7");
  EXPECT_TRUE(same_colour(jet(0.0), {0, 0, 128}));      // dark blue
  EXPECT_TRUE(same_colour(jet(0.5), {128, 255, 128}));  // green-ish middle
  EXPECT_TRUE(same_colour(jet(1.0), {128, 0, 0}));      // dark red
  EXPECT_TRUE(same_colour(jet(7.0), jet(1.0)));         // clamped
  EXPECT_GT(sequential_blue(0).luminance(), 0.9);
  EXPECT_LT(sequential_blue(1).luminance(), 0.25);
  EXPECT_TRUE(same_colour(mix({0, 0, 0}, {200, 100, 50}, 0.5), {100, 50, 25}));
  EXPECT_FALSE(same_colour(series_color(0), series_color(1)));
  EXPECT_TRUE(same_colour(series_color(0), series_color(10)));
}

TEST(Image, DrawingIsClipped) {
  RgbImage image(4, 3, {10, 20, 30});
  image.fill_rect(-2, -2, 4, 4, {255, 0, 0});  // covers (0..1, 0..1) only
  EXPECT_TRUE(same_colour(image.at(1, 1), {255, 0, 0}));
  EXPECT_TRUE(same_colour(image.at(2, 1), {10, 20, 30}));
  image.set(10, 10, {0, 0, 0});  // outside: ignored
  EXPECT_THROW(image.at(4, 0), Error);
  RgbImage patch(3, 3, {0, 255, 0});
  image.paste(patch, 2, 2);
  EXPECT_TRUE(same_colour(image.at(3, 2), {0, 255, 0}));
}

TEST(Image, FromTensor) {
  Tensor t = Tensor::from_vector<uint8_t>({1, 2, 3, 4, 5, 6}, {1, 2, 3});
  RgbImage image = image_from_tensor(t);
  EXPECT_EQ(image.width, 2);
  EXPECT_EQ(image.height, 1);
  EXPECT_TRUE(same_colour(image.at(1, 0), {4, 5, 6}));
  EXPECT_THROW(image_from_tensor(Tensor::zeros({2, 2})), Error);
}

TEST(Resize, ShrinkingAveragesAndEnlargingInterpolates) {
  // A 4x4 black/white checkerboard halves to a uniform mid grey: each output pixel averages
  // a 2x2 block (and its neighbours, symmetrically), never aliasing to black or white.
  RgbImage checker(4, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) checker.set(x, y, (x + y) % 2 ? Rgb{255, 255, 255} : Rgb{0, 0, 0});
  RgbImage half = resize_image(checker, 2, 2);
  for (uint8_t v : half.pixels) EXPECT_NEAR(v, 128, 16);
  // Enlarging a 2x1 ramp 0 -> 200 to 4x1: samples at input positions 0.25, 0.75 of each pixel give
  // 0, 50, 150, 200 (edge pixels clamp).
  std::vector<float> ramp = {0, 200};
  std::vector<float> wide = resize_plane(ramp, 2, 1, 4, 1);
  ASSERT_EQ(wide.size(), 4u);
  EXPECT_NEAR(wide[0], 0, 1e-4);
  EXPECT_NEAR(wide[1], 50, 1e-4);
  EXPECT_NEAR(wide[2], 150, 1e-4);
  EXPECT_NEAR(wide[3], 200, 1e-4);
  // A constant image stays constant at any size.
  RgbImage flat(7, 5, {90, 140, 200});
  RgbImage scaled = resize_image(flat, 3, 11);
  for (int y = 0; y < 11; ++y)
    for (int x = 0; x < 3; ++x) EXPECT_TRUE(same_colour(scaled.at(x, y), {90, 140, 200}));
  EXPECT_THROW(resize_plane(ramp, 3, 1, 4, 1), Error);
}

TEST(Png, RoundTripThroughStbImage) {
  RgbImage image(5, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 5; ++x) image.set(x, y, {static_cast<uint8_t>(x * 50), static_cast<uint8_t>(y * 100), 7});
  std::string png = encode_png(image);
  EXPECT_TRUE(looks_like_png(png));
  RgbImage back = decode_png(png);
  EXPECT_EQ(back.width, 5);
  EXPECT_EQ(back.height, 3);
  EXPECT_EQ(back.pixels, image.pixels);
  auto dir = testing::temp_dir("png");
  write_png(dir / "a.png", image);
  EXPECT_EQ(read_file(dir / "a.png"), png);
  std::filesystem::remove_all(dir);
  EXPECT_THROW(encode_png(RgbImage()), Error);
  EXPECT_FALSE(looks_like_png("GIF89a"));
}

TEST(BitmapFont, GlyphTableIsWellFormed) {
  for (int c = 32; c <= 126; ++c) {
    const char* rows = glyph_rows(static_cast<char>(c));
    ASSERT_NE(rows, nullptr) << c;
    ASSERT_EQ(std::strlen(rows), 41u) << "glyph '" << static_cast<char>(c) << "'";
    for (int i = 0; i < 41; ++i) {
      if (i % 6 == 5)
        EXPECT_EQ(rows[i], ' ') << "glyph '" << static_cast<char>(c) << "' column " << i;
      else
        EXPECT_TRUE(rows[i] == '#' || rows[i] == '.') << "glyph '" << static_cast<char>(c) << "' column " << i;
    }
    if (c != ' ')
      EXPECT_NE(std::string(rows).find('#'), std::string::npos) << "glyph '" << static_cast<char>(c) << "' is blank";
  }
  EXPECT_EQ(glyph_rows('\n'), nullptr);
  // Letters must be distinct from one another.
  for (char a = 'A'; a <= 'z'; ++a)
    for (char b = a + 1; b <= 'z'; ++b)
      if (std::isalpha(a) && std::isalpha(b)) EXPECT_STRNE(glyph_rows(a), glyph_rows(b)) << a << " and " << b;
}

TEST(BitmapFont, DrawsGlyphPixelsAtScale) {
  const Rgb ink{200, 0, 0}, paper{255, 255, 255};
  RgbImage image(40, 20, paper);
  draw_text(image, 1, 2, "A1", ink, 2);
  const char* a = glyph_rows('A');
  for (int row = 0; row < kGlyphHeight; ++row)
    for (int col = 0; col < kGlyphWidth; ++col) {
      bool expect_ink = a[row * 6 + col] == '#';
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx)
          EXPECT_EQ(same_colour(image.at(1 + col * 2 + dx, 2 + row * 2 + dy), ink), expect_ink) << row << "," << col;
    }
  // The gap column between the two glyphs is blank.
  for (int y = 0; y < 20; ++y) EXPECT_TRUE(same_colour(image.at(1 + 5 * 2, y), paper));
  EXPECT_EQ(bitmap_text_width("A1", 2), (2 * kGlyphAdvance - 1) * 2);
  EXPECT_EQ(bitmap_text_width("é", 1), bitmap_text_width("?", 1));  // one replacement per UTF-8 character
  EXPECT_EQ(bitmap_text_width("", 3), 0);
  // Descending letters are drawn lower: the tail of 'g' reaches the bottom row of the line.
  RgbImage g(8, bitmap_text_height(1), paper);
  draw_text(g, 0, 0, "g", ink, 1);
  bool bottom_ink = false;
  for (int x = 0; x < 8; ++x) bottom_ink |= same_colour(g.at(x, g.height - 1), ink);
  EXPECT_TRUE(bottom_ink);
}

TEST(Grid, WrapText) {
  EXPECT_EQ(wrap_text("pred: nv (wrong)", 10), (std::vector<std::string>{"pred: nv", "(wrong)"}));
  EXPECT_EQ(wrap_text("abcdefghijkl", 5), (std::vector<std::string>{"abcde", "fghij", "kl"}));
  EXPECT_EQ(wrap_text("", 5), (std::vector<std::string>{""}));
  EXPECT_EQ(wrap_text("a b c", 5), (std::vector<std::string>{"a b c"}));
}

TEST(Grid, LayoutCaptionsAndBorders) {
  RgbImage wide(40, 20, {0, 0, 255}), tall(10, 30, {0, 255, 0});
  GridOptions options;
  options.columns = 2;
  options.tile_size = 60;
  options.gap = 10;
  options.font_scale = 1;
  std::vector<GridTile> tiles = {
      {wide, {{"true: mel"}, {"pred: nv", {200, 0, 0}}}, {200, 0, 0}}, {tall, {{"ok"}}}, {wide, {}}};
  RgbImage grid = compose_grid(tiles, options);
  EXPECT_EQ(grid.width, 10 + 2 * (60 + 10));
  // Row 1: the tall image fills 60 px, with two caption lines under the wide one (the taller caption).
  const int line = bitmap_text_height(1) + 3;
  EXPECT_EQ(grid.height, 10 + (60 + 10 + 2 * line) + 10 + 30 + 10);
  // The wide image (60 x 30 after scaling) is centred vertically in its row, inside a red border.
  EXPECT_TRUE(same_colour(grid.at(10 + 30, 10 + 30), {0, 0, 255}));
  EXPECT_TRUE(same_colour(grid.at(10 - 2, 10 + 30), {200, 0, 0}));
  // The tall image (20 x 60) is centred horizontally in the second tile.
  EXPECT_TRUE(same_colour(grid.at(80 + 30, 10 + 5), {0, 255, 0}));
  EXPECT_TRUE(same_colour(grid.at(80 + 5, 10 + 5), {255, 255, 255}));
  // Some caption ink in the red of the second line.
  bool red_text = false;
  for (int y = 10 + 60 + 10; y < 10 + 60 + 10 + 2 * line; ++y)
    for (int x = 10; x < 70; ++x) red_text |= same_colour(grid.at(x, y), {200, 0, 0});
  EXPECT_TRUE(red_text);
  EXPECT_THROW(compose_grid({}), Error);
  EXPECT_THROW(compose_grid({{RgbImage(), {}}}), Error);
}

TEST(Overlay, JetBlendOfAHeatMap) {
  RgbImage image(8, 6, {100, 100, 100});
  std::vector<float> heat = {0, 1, 0, 0};  // 2 x 2, hot top-right
  RgbImage none = overlay_heat_map(image, heat, 2, 2, {0.0, true});
  EXPECT_EQ(none.pixels, image.pixels);
  RgbImage full = overlay_heat_map(image, heat, 2, 2, {1.0, true});
  EXPECT_TRUE(same_colour(full.at(7, 0), jet(1.0)));  // the hot corner
  EXPECT_TRUE(same_colour(full.at(0, 5), jet(0.0)));  // a cold corner
  RgbImage half = overlay_heat_map(image, {0.5f}, 1, 1, {0.5, false});
  EXPECT_TRUE(same_colour(half.at(3, 3), mix({100, 100, 100}, jet(0.5), 0.5)));
  EXPECT_THROW(overlay_heat_map(image, heat, 2, 2, {1.5, true}), Error);
  RgbImage bar = jet_colour_bar(100, 1);
  EXPECT_TRUE(same_colour(bar.at(0, 0), jet(0)));
  EXPECT_TRUE(same_colour(bar.at(99, 0), jet(1)));
}

}  // namespace
}  // namespace hito::plot

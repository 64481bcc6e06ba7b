// Image decoding (gray, RGB, RGBA -> RGB, as Pillow decodes them), encoding round trips, the errors
// on unreadable and truncated files, and the 600x450 originals beside the project.
#include <gtest/gtest.h>

#include <cmath>

#include "data/image.h"
#include "data/npy.h"
#include "data/resize.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito::data {
namespace {

using testing::fixture_path;

// Largest per-byte difference between a decoded image and a u8 (H, W, 3) .npy.
int max_difference(const Image& image, const fs::path& expected_npy) {
  Tensor expected = load_npy(expected_npy);
  EXPECT_EQ(expected.shape(), (Shape{image.height, image.width, 3}));
  const uint8_t* e = expected.data<uint8_t>();
  int worst = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) worst = std::max(worst, std::abs(int(image.pixels[i]) - int(e[i])));
  return worst;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Image, DecodesLikePillow) {
  EXPECT_EQ(max_difference(decode_image(fixture_path("data/rgb.png")), fixture_path("data/rgb_png_rgb.npy")), 0);
  EXPECT_EQ(max_difference(decode_image(fixture_path("data/gray.png")), fixture_path("data/gray_png_rgb.npy")), 0);
  EXPECT_EQ(max_difference(decode_image(fixture_path("data/rgba.png")), fixture_path("data/rgba_png_rgb.npy")), 0);
  // JPEG decoders differ in their inverse DCT and chroma upsampling by a few levels.
  EXPECT_LE(max_difference(decode_image(fixture_path("data/rgb.jpg")), fixture_path("data/rgb_jpg_rgb.npy")), 12);
  Image gray = decode_image(fixture_path("data/rgb.png"), 1);
  EXPECT_EQ(gray.channels, 1);
  EXPECT_EQ(gray.pixels.size(), size_t(12 * 16));
}

TEST(Image, EncodesAndDecodesBack) {
  Image image(15, 20, 3);
  for (int64_t y = 0; y < 15; ++y)
    for (int64_t x = 0; x < 20; ++x) image.at(y, x)[0] = uint8_t(x * 12), image.at(y, x)[1] = uint8_t(y * 16), image.at(y, x)[2] = 90;
  fs::path dir = testing::temp_dir("image");
  write_png(dir / "a.png", image);
  EXPECT_EQ(decode_image(dir / "a.png").pixels, image.pixels);
  write_jpeg(dir / "a.jpg", image, 95);
  Image back = decode_image(dir / "a.jpg");
  double total = 0;
  for (size_t i = 0; i < back.pixels.size(); ++i) total += std::abs(int(back.pixels[i]) - int(image.pixels[i]));
  EXPECT_LT(total / back.pixels.size(), 3.0);
  Image mask(4, 5, 1, 255);
  write_png(dir / "m.png", mask);
  EXPECT_EQ(decode_image(dir / "m.png", 1).pixels, mask.pixels);
  Tensor t = image_to_tensor(image);
  EXPECT_EQ(t.shape(), (Shape{15, 20, 3}));
  EXPECT_EQ(tensor_to_image(t).pixels, image.pixels);
  fs::remove_all(dir);
}

TEST(Image, TellsImageHeadersFromOtherFiles) {
  data::Image image(4, 6, 3, 128);
  EXPECT_TRUE(data::has_image_header(data::encode_png(image)));
  EXPECT_TRUE(data::has_image_header(data::encode_jpeg(image)));
  EXPECT_FALSE(data::has_image_header("Copyright 2010 Google. Licensed under CC BY 2.0.\n"));
  EXPECT_FALSE(data::has_image_header("id,dx,age\n1,nv,40\n"));
  EXPECT_FALSE(data::has_image_header(""));
}

TEST(Image, BadFilesGiveErrorsNamingTheFile) {
  fs::path dir = testing::temp_dir("image-bad");
  std::string jpeg = read_file(fixture_path("data/rgb.jpg"));
  write_file_atomic(dir / "truncated.jpg", jpeg.substr(0, jpeg.size() / 2));
  write_file_atomic(dir / "garbage.jpg", "\xFF\xD8 this is not really a jpeg \xFF\xD9");
  write_file_atomic(dir / "text.png", "plain text");
  write_file_atomic(dir / "empty.jpg", "");
  std::string png = read_file(fixture_path("data/rgb.png"));
  write_file_atomic(dir / "truncated.png", png.substr(0, png.size() / 2));
  for (const char* name : {"truncated.jpg", "garbage.jpg", "text.png", "empty.jpg", "truncated.png", "missing.jpg"}) {
    std::string message = error_of([&] { decode_image(dir / name); });
    EXPECT_NE(message.find((dir / name).string()), std::string::npos) << name << ": " << message;
  }
  EXPECT_NE(error_of([&] { decode_image(dir / "truncated.jpg"); }).find("truncated JPEG"), std::string::npos);
  EXPECT_NE(error_of([&] { decode_image(dir / "missing.jpg"); }).find("not found"), std::string::npos);
  fs::remove_all(dir);
}

// A JPEG whose frame header (SOF0) claims `height` x `width`: the first FF C0 marker is followed by
// its length (2 bytes), the precision (1) and then height and width, big-endian.
std::string jpeg_claiming(int height, int width) {
  std::string jpeg = encode_jpeg(Image(16, 16, 3, 128));
  size_t sof = jpeg.find("\xFF\xC0");
  EXPECT_NE(sof, std::string::npos);
  jpeg[sof + 5] = static_cast<char>(height >> 8), jpeg[sof + 6] = static_cast<char>(height & 0xff);
  jpeg[sof + 7] = static_cast<char>(width >> 8), jpeg[sof + 8] = static_cast<char>(width & 0xff);
  return jpeg;
}

TEST(Image, AHeaderClaimingMorePixelsThanTheBudgetIsRefusedBeforeDecoding) {
  std::string small = jpeg_claiming(20000, 20000);  // under 1 KB claiming 400 Mpixels (1.2 GB decoded)
  std::string message = error_of([&] { decode_image_bytes(small, "bomb.jpg"); });
  EXPECT_NE(message.find("bomb.jpg: the header claims 20000x20000 pixels, more than the budget"), std::string::npos) << message;
  // The budget grows with the file: 4 Mpixels + 1,024 per byte, capped by --max-image-pixels.
  EXPECT_EQ(image_pixel_budget(1000), (int64_t(1) << 22) + 1024 * 1000);
  EXPECT_EQ(image_pixel_budget(size_t(1) << 30), kDefaultMaxImagePixels);
  EXPECT_NO_THROW(decode_image_bytes(encode_jpeg(Image(40, 30, 3, 7)), "fine.jpg"));
  set_max_image_pixels(1000);
  EXPECT_NE(error_of([&] { decode_image_bytes(encode_jpeg(Image(40, 30, 3, 7)), "big.jpg"); }).find("--max-image-pixels 1000"),
            std::string::npos);
  set_max_image_pixels(kDefaultMaxImagePixels);
  EXPECT_THROW(set_max_image_pixels(0), Error);
}

// A PGM header claiming zero rows made an empty image whose copy passed a null pointer to memcpy
// (found by fuzz/fuzz_image in CI, UndefinedBehaviorSanitizer). PNM is no longer read at all (its
// header reader overflows), and a BMP claiming zero rows is refused as an empty image, by name.
TEST(Image, AnEmptyImageAndFormatsHitoDoesNotReadAreRefused) {
  std::string found = read_file(testing::source_dir() / "fuzz/corpus/image/crash-empty-pnm");
  std::string message = error_of([&] { decode_image_bytes(found, "empty.pgm"); });
  EXPECT_NE(message.find("empty.pgm: cannot decode image"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { decode_image_bytes("P5\n4 4\n255\n" + std::string(16, 'x'), "fine.pgm"); })
                .find("fine.pgm: cannot decode image"),
            std::string::npos);
  // A 1x1 BMP (BITMAPINFOHEADER, 24 bits) whose height field says 0.
  std::string bmp("BM", 2);
  auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) bmp.push_back(char(v >> (8 * i))); };
  auto u16 = [&](uint16_t v) { bmp.push_back(char(v)), bmp.push_back(char(v >> 8)); };
  u32(58), u32(0), u32(54), u32(40), u32(1), u32(0), u16(1), u16(24), u32(0), u32(4), u32(2835), u32(2835), u32(0), u32(0);
  bmp += std::string(4, '\0');
  message = error_of([&] { decode_image_bytes(bmp, "empty.bmp"); });
  EXPECT_NE(message.find("empty.bmp: "), std::string::npos) << message;
}

// A PNG chunk claiming gigabytes made stb_image allocate them before reading (found by
// fuzz/fuzz_image, out of memory): a chunk must lie whole in the file.
TEST(Image, APngChunkLongerThanTheFileIsRefused) {
  std::string found = read_file(testing::source_dir() / "fuzz/corpus/image/oom-png-chunk-length");
  std::string message = error_of([&] { decode_image_bytes(found, "huge.png"); });
  EXPECT_NE(message.find("huge.png: corrupt PNG (its "), std::string::npos) << message;
  EXPECT_NE(message.find(" chunk claims "), std::string::npos) << message;
  // A whole PNG still decodes, and one cut inside a chunk is refused.
  std::string png = read_file(fixture_path("data/rgb.png"));
  EXPECT_NO_THROW(decode_image_bytes(png, "rgb.png"));
  EXPECT_NE(error_of([&] { decode_image_bytes(png.substr(0, png.size() - 20), "cut.png"); }).find("cut.png: corrupt PNG"),
            std::string::npos);
}

// A Huffman table whose code counts add up to more than 256 symbols made stb_image write past its
// table (found by fuzz/fuzz_image, UndefinedBehaviorSanitizer): refused before stb_image sees it.
TEST(Image, AJpegHuffmanTableWithTooManyCodesIsRefused) {
  std::string jpeg = encode_jpeg(Image(16, 16, 3, 90));
  size_t dht = jpeg.find("\xFF\xC4");
  ASSERT_NE(dht, std::string::npos);
  std::string bad = jpeg;
  for (size_t k = 1; k <= 16; ++k) bad[dht + 4 + k] = static_cast<char>(0xFF);  // 16 x 255 codes
  std::string message = error_of([&] { decode_image_bytes(bad, "dht.jpg"); });
  EXPECT_NE(message.find("dht.jpg: corrupt JPEG (a Huffman table"), std::string::npos) << message;
  // The fuzzer's own inputs (a table past the end of the file, after junk, after fill bytes before SOI), kept in its corpus.
  for (const char* name :
       {"crash-dht-257", "crash-dht-cut-short", "crash-dht-after-junk", "crash-dht-after-fill"}) {
    std::string found = read_file(testing::source_dir() / "fuzz/corpus/image" / name);
    EXPECT_NE(error_of([&] { decode_image_bytes(found, name); }).find("Huffman table"), std::string::npos) << name;
  }
  EXPECT_NO_THROW(decode_image_bytes(jpeg, "good.jpg"));
}

// The 600x450 originals: they decode, and area averaging by 3 gives (nearly) the 200x150 copies of
// the same images in the shared data set, which were made from them.
TEST(Image, LoadsThe600x450OriginalsAndMatchesTheDownsampledCopies) {
  fs::path samples = testing::shared_path("data/ham10000-600x450-samples/images");
  fs::path small = testing::shared_path("data/ham10000/images");
  HITO_REQUIRE_PATH(samples);
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(samples)) {
    Image original = decode_image(entry.path());
    ASSERT_EQ(original.height, 450) << entry.path();
    ASSERT_EQ(original.width, 600) << entry.path();
    ASSERT_EQ(original.channels, 3);
    Image reduced = resize_image(original, 150, 200, ResizeMode::Stretch);
    Image model = resize_image(original, 224, 224, ResizeMode::Crop);
    EXPECT_EQ(model.pixels.size(), size_t(224 * 224 * 3));
    fs::path copy = small / entry.path().filename();
    if (!fs::exists(copy)) continue;
    Image downsampled = decode_image(copy);
    ASSERT_EQ(downsampled.pixels.size(), reduced.pixels.size());
    double total = 0;
    for (size_t i = 0; i < reduced.pixels.size(); ++i) total += std::abs(int(reduced.pixels[i]) - int(downsampled.pixels[i]));
    EXPECT_LT(total / reduced.pixels.size(), 6.0) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace hito::data

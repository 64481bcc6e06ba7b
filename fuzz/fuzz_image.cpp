// Image decoding (data/image.h): the pixel budget checked from the header, then stb_image's
// decoders for JPEG, PNG, BMP, GIF, PSD, PIC, PNM, TGA and HDR.
#include "data/image.h"
#include "fuzz/harness.h"

// A smaller budget than hito's default keeps each decode fast (the budget itself is what is
// fuzzed, not the speed of decoding a few million pixels).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hito::data::set_max_image_pixels(int64_t(1) << 18);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hito::data::Image image;
  hito::data::try_decode_image(hito::fuzz::as_text(data, size), 3, image);
  return 0;
}

// .npy files (data/npy.h): the header dict, the shape and its byte size against the data present.
#include "data/npy.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hito::fuzz::refuse_cleanly([&] { hito::data::decode_npy(hito::fuzz::as_text(data, size), "fuzz.npy"); });
  return 0;
}

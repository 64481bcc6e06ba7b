// safetensors files (weights/safetensors.h): the header length, the JSON header, every entry's
// dtype, shape and offsets, the tiling of the data section, and the tensors read. The reader takes
// a path, so each input is written to one temporary file first.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/harness.h"
#include "weights/safetensors.h"

namespace {
// The one file each input is written to, removed when the process ends.
struct InputFile {
  std::string path;
  InputFile() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir ? dir : "/tmp") + "/hito-fuzz-" + std::to_string(::getpid()) + ".safetensors";
  }
  ~InputFile() { ::unlink(path.c_str()); }
};
const std::string& input_path() {
  static const InputFile file;
  return file.path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hito;
  std::FILE* file = std::fopen(input_path().c_str(), "wb");
  if (!file) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  fuzz::refuse_cleanly([&] { read_safetensors(input_path()); });
  return 0;
}

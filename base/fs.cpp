// Atomic file and folder output.
#include "base/fs.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/error.h"

namespace hito {

void write_file_atomic(const fs::path& path, std::string_view content) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  fs::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    HITO_CHECK(out, "cannot write ", temp.string());
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    HITO_CHECK(out, "error while writing ", temp.string());
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp);
    HITO_FAIL("cannot move ", temp.string(), " to ", path.string(), ": ", ec.message());
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  HITO_CHECK(in, "cannot open ", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  HITO_CHECK(!in.bad(), "error while reading ", path.string());
  return buffer.str();
}

namespace {
constexpr const char* kPartialMarker = ".partial-";
}

bool is_partial_output(const fs::path& path) {
  return path.filename().string().find(kPartialMarker) != std::string::npos;
}

OutputDir::OutputDir(fs::path final_path) : final_path_(std::move(final_path)) {
  temp_path_ = final_path_;
  temp_path_ += kPartialMarker + std::to_string(::getpid());
  fs::remove_all(temp_path_);
  fs::create_directories(temp_path_);
}

OutputDir::~OutputDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_path_, ec);
  }
}

void OutputDir::commit() {
  HITO_CHECK(!committed_, "OutputDir ", final_path_.string(), " committed twice");
  // Swap in: move the old folder aside first, so that a failure never leaves neither.
  fs::path old = final_path_;
  old += ".old-" + std::to_string(::getpid());
  bool had_old = fs::exists(final_path_);
  if (had_old) fs::rename(final_path_, old);
  std::error_code ec;
  fs::rename(temp_path_, final_path_, ec);
  if (ec) {
    if (had_old) fs::rename(old, final_path_);
    HITO_FAIL("cannot move ", temp_path_.string(), " to ", final_path_.string(), ": ", ec.message());
  }
  if (had_old) fs::remove_all(old);
  committed_ = true;
}

}  // namespace hito

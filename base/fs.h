// Files without half-written output: text and binary files are written to a temporary name and
// renamed into place; an output folder is built under a temporary name and swapped in on commit().
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hito {

namespace fs = std::filesystem;

// Writes `content` to `path` atomically (temporary file in the same folder, then rename).
void write_file_atomic(const fs::path& path, std::string_view content);
// The whole file as bytes; an error names the file when it cannot be read.
std::string read_file(const fs::path& path);

// An output folder built under a temporary sibling name ("<final>.partial-<pid>"). commit() replaces
// `final_path` with it; if the object dies without commit() (an error was thrown), the temporary
// folder is removed and `final_path` is left as it was.
class OutputDir {
 public:
  explicit OutputDir(fs::path final_path);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // Where to write while building: path() / "file.csv".
  const fs::path& path() const { return temp_path_; }
  const fs::path& final_path() const { return final_path_; }
  void commit();

 private:
  fs::path final_path_;
  fs::path temp_path_;
  bool committed_ = false;
};

// True for a folder that OutputDir is still building (or that a killed run left): its name holds
// ".partial-". Readers listing a run's folders skip these.
bool is_partial_output(const fs::path& path);

}  // namespace hito

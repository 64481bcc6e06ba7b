// Files without half-written output: text and binary files are written to a temporary name, fsynced
// and renamed into place (the folder fsynced after); an output folder is built under a temporary name
// and swapped in on commit(). A failed write names the file and the system's reason ("No space left
// on device"). Temporaries left by a killed process (their name holds its pid) are removed by the
// next writer into the same folder, and a FolderLock keeps two writers out of one run folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hito {

namespace fs = std::filesystem;

// Writes `content` to `path` atomically (temporary file in the same folder, fsync, then rename).
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

// Removes the entries of `dir` that are temporaries of a process that no longer runs: names holding
// ".tmp-<pid>", ".partial-<pid>" or ".old-<pid>" (the names this file's writers and the image cache
// use) whose pid is not alive. Entries of live processes, and every other name, are kept.
void remove_stale_temporaries(const fs::path& dir);
// "<marker><pid>" for this process (".tmp-1234"), the suffix remove_stale_temporaries recognises.
std::string temporary_suffix(const char* marker);

// An exclusive lock on a folder for one writer: <dir>/.hito-lock, held with flock(2) (released by
// the kernel when the process dies, so a killed command never leaves a stale lock) and holding the
// pid of its holder. While one process holds it, a second gets an Error naming the holder's pid.
// Within one process it is re-entrant (`hito run` calls the milestones in turn). The lock file is
// removed on release.
class FolderLock {
 public:
  // `what` names the writer in the error ("hito prepare").
  FolderLock(const fs::path& dir, const std::string& what);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  std::string key_;  // the lock file's absolute path
  int fd_ = -1;      // -1 when this process already held the lock (re-entry)
};

// True for a folder that OutputDir is still building (or that a killed run left): its name holds
// ".partial-". Readers listing a run's folders skip these.
bool is_partial_output(const fs::path& path);

}  // namespace hito

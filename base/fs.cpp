// Atomic file and folder output.
#include "base/fs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "base/error.h"

namespace hito {

namespace {

constexpr const char* kTempMarker = ".tmp-";
constexpr const char* kPartialMarker = ".partial-";
constexpr const char* kOldMarker = ".old-";

std::string errno_text() { return std::strerror(errno); }

// Writes all of `content` to `fd`; an Error naming `path` and the system's reason otherwise.
void write_all(int fd, std::string_view content, const fs::path& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    HITO_CHECK(n > 0, "cannot write ", path.string(), ": ", n < 0 ? errno_text() : std::string("no progress"));
    done += static_cast<size_t>(n);
  }
}

// Makes a rename inside `dir` durable. Best effort: a folder that cannot be opened is left alone.
void sync_folder(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

bool process_alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

std::string temporary_suffix(const char* marker) { return marker + std::to_string(::getpid()); }

void write_file_atomic(const fs::path& path, std::string_view content) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  fs::path temp = path;
  temp += temporary_suffix(kTempMarker);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  HITO_CHECK(fd >= 0, "cannot write ", temp.string(), ": ", errno_text());
  try {
    write_all(fd, content, path);
    HITO_CHECK(::fsync(fd) == 0, "cannot write ", path.string(), ": ", errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    std::string reason = errno_text();
    ::unlink(temp.c_str());
    HITO_FAIL("cannot write ", path.string(), ": ", reason);
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp);
    HITO_FAIL("cannot move ", temp.string(), " to ", path.string(), ": ", ec.message());
  }
  sync_folder(path.parent_path());
}

void remove_stale_temporaries(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    for (const char* marker : {kTempMarker, kPartialMarker, kOldMarker}) {
      size_t at = name.find(marker);
      if (at == std::string::npos) continue;
      const char* digits = name.c_str() + at + std::strlen(marker);
      char* end = nullptr;
      long pid = std::strtol(digits, &end, 10);
      if (end != digits && pid > 0 && pid != ::getpid() && !process_alive(pid)) stale.push_back(it->path());
      break;
    }
  }
  for (const fs::path& path : stale) fs::remove_all(path, ec);
}

namespace {
std::mutex held_mutex;
std::map<std::string, int> held_locks;  // lock file -> how many FolderLocks of this process hold it
}  // namespace

FolderLock::FolderLock(const fs::path& dir, const std::string& what) {
  fs::create_directories(dir);
  key_ = fs::absolute(dir / ".hito-lock").lexically_normal().string();
  {
    std::lock_guard<std::mutex> guard(held_mutex);
    if (held_locks[key_]++ > 0) return;  // this process holds it already
  }
  try {
    for (;;) {
      int fd = ::open(key_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      HITO_CHECK(fd >= 0, "cannot create the lock file ", key_, ": ", errno_text());
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int error = errno;
        char holder[32] = {};
        ssize_t n = ::pread(fd, holder, sizeof(holder) - 1, 0);
        std::string pid = n > 0 ? std::string(holder, static_cast<size_t>(n)) : std::string("unknown");
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
        ::close(fd);
        HITO_CHECK(error != EWOULDBLOCK, dir.string(), " is in use by another hito process (pid ", pid, ", lock file ", key_,
                   "): ", what, " cannot write into it at the same time; wait for that one to finish");
        HITO_FAIL("cannot lock ", key_, ": ", std::strerror(error));
      }
      // The last holder removes the file on release; if it did so between open() and flock(), this
      // lock is on a file nobody else sees: take a fresh one.
      struct stat by_fd {}, by_path {};
      if (::fstat(fd, &by_fd) == 0 && ::stat(key_.c_str(), &by_path) == 0 && by_fd.st_ino == by_path.st_ino &&
          by_fd.st_dev == by_path.st_dev) {
        fd_ = fd;
        break;
      }
      ::close(fd);
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      // The lock is held all the same; only the holder's pid in messages is lost.
    }
  } catch (...) {
    std::lock_guard<std::mutex> guard(held_mutex);
    --held_locks[key_];
    throw;
  }
}

FolderLock::~FolderLock() {
  std::lock_guard<std::mutex> guard(held_mutex);
  --held_locks[key_];
  if (fd_ < 0) return;
  ::unlink(key_.c_str());  // before unlocking, so that a waiting process retries on a fresh file
  ::close(fd_);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  HITO_CHECK(in, "cannot open ", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  HITO_CHECK(!in.bad(), "error while reading ", path.string());
  return buffer.str();
}

bool is_partial_output(const fs::path& path) {
  return path.filename().string().find(kPartialMarker) != std::string::npos;
}

OutputDir::OutputDir(fs::path final_path) : final_path_(std::move(final_path)) {
  temp_path_ = final_path_;
  temp_path_ += temporary_suffix(kPartialMarker);
  if (final_path_.has_parent_path()) remove_stale_temporaries(final_path_.parent_path());
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
  old += temporary_suffix(kOldMarker);
  bool had_old = fs::exists(final_path_);
  if (had_old) fs::rename(final_path_, old);
  std::error_code ec;
  fs::rename(temp_path_, final_path_, ec);
  if (ec) {
    if (had_old) fs::rename(old, final_path_);
    HITO_FAIL("cannot move ", temp_path_.string(), " to ", final_path_.string(), ": ", ec.message());
  }
  if (had_old) fs::remove_all(old);
  sync_folder(final_path_.parent_path());
  committed_ = true;
}

}  // namespace hito

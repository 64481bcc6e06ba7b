// Files without half-written output (base/fs.h): a failed write names the file and the system's
// reason and leaves nothing; temporaries of dead processes are removed, those of live ones kept; a
// FolderLock keeps a second process out of a run folder, naming the holder, and dies with its holder.
#include "base/fs.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// The pid of a process that has exited (and been reaped): a pid no live process holds.
pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

TEST(Fs, AFailedWriteNamesTheFileAndTheReason) {
  fs::path dir = testing::temp_dir("fs-write");
  // A file-size limit makes write() fail as a full disk does (EFBIG here, ENOSPC there).
  struct rlimit old {};
  ::getrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message = testing::error_message([&] { write_file_atomic(dir / "big.csv", std::string(100000, 'x')); });
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, SIG_DFL);
  EXPECT_NE(message.find("cannot write " + (dir / "big.csv").string() + ": File too large"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(dir)) << "the temporary file must be gone and nothing written";
  fs::remove_all(dir);
}

TEST(Fs, StaleTemporariesOfDeadProcessesAreRemoved) {
  fs::path dir = testing::temp_dir("fs-stale");
  const std::string dead = std::to_string(dead_pid()), self = std::to_string(::getpid());
  const std::vector<std::string> files = {"rows.csv.tmp-" + dead, "images-1-64x64-area.u8.tmp-" + dead + "-77",
                                         "rows.csv.tmp-" + self, "init.tmp-1", "keep.csv", "notes.tmp-x"};
  for (const std::string& name : files)
    write_file_atomic(dir / name, "x");
  fs::create_directories(dir / ("tabular.partial-" + dead) / "inner");
  fs::create_directories(dir / ("pixels.old-" + dead));
  remove_stale_temporaries(dir);
  std::set<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir)) left.insert(entry.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{"rows.csv.tmp-" + self, "init.tmp-1", "keep.csv", "notes.tmp-x"}));
  // OutputDir cleans its parent folder when it starts.
  fs::create_directories(dir / ("eval.partial-" + dead));
  { OutputDir out(dir / "eval"); }
  EXPECT_FALSE(fs::exists(dir / ("eval.partial-" + dead)));
  fs::remove_all(dir);
}

TEST(FolderLock, ASecondProcessIsRefusedNamingTheHolderUntilTheHolderDies) {
  fs::path run = testing::temp_dir("fs-lock") / "run";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t holder = ::fork();
  if (holder == 0) {
    FolderLock lock(run, "hito prepare");
    char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
    ::pause();  // until killed
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  std::string message = testing::error_message([&] { FolderLock second(run, "hito prepare"); });
  EXPECT_NE(message.find(run.string() + " is in use by another hito process (pid " + std::to_string(holder)), std::string::npos)
      << message;
  EXPECT_NE(message.find("hito prepare cannot write into it at the same time"), std::string::npos) << message;
  // SIGKILL: no cleanup runs, the kernel drops the lock, and the next writer gets it.
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  {
    FolderLock first(run, "hito prepare");
    FolderLock again(run, "hito run");  // re-entrant within one process
    EXPECT_TRUE(fs::exists(run / ".hito-lock"));
  }
  EXPECT_FALSE(fs::exists(run / ".hito-lock"));  // removed on release
  ::close(ready[0]);
  ::close(ready[1]);
  fs::remove_all(run.parent_path());
}

}  // namespace
}  // namespace hito

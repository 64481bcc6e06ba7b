// Every training command holds the run folder's lock while it writes: while another process holds
// it, each is refused with an error naming that process's pid (and writes nothing); within one
// process the lock is re-entrant, which `hito run` relies on (run_smoke_test.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

TEST(TrainingLock, EveryTrainingCommandIsRefusedWhileAnotherProcessWritesTheRun) {
  const fs::path run = testing::temp_dir("training-lock") / "run";
  FolderLock held(run, "the test");  // this process; the commands below are other processes
  const std::string pid = std::to_string(::getpid());
  for (const std::string command : {"tabular", "search", "pixels", "image --mode scratch", "image --mode head",
                                    "fuse --kind early", "fuse --kind late", "fuse --kind joint"}) {
    testing::CommandResult r = testing::run_hito(command + " --smoke --run '" + run.string() + "'");
    EXPECT_EQ(r.status, 1) << command << ": " << r.output;
    EXPECT_NE(r.output.find(run.string() + " is in use by another hito process (pid " + pid + ","), std::string::npos)
        << command << ": " << r.output;
    EXPECT_NE(r.output.find("hito " + command.substr(0, command.find(' ')) + " cannot write into it"), std::string::npos)
        << command << ": " << r.output;
  }
  EXPECT_FALSE(fs::exists(run / "checkpoints"));
  fs::remove_all(run.parent_path());
}

}  // namespace
}  // namespace hito

// The `hito synth` and `hito prepare` commands end to end through the built binary: success, and a
// bad row giving a non-zero exit, a message naming the file and row on stderr, and no output folder.
#include <gtest/gtest.h>

#include <cstdlib>

#include "data/csv.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

// Runs the hito binary with `arguments`; returns the exit status and fills `output` (stdout + stderr).
int run_hito(const std::string& arguments, const fs::path& log, std::string& output) {
  std::string command = testing::hito_binary().string() + " " + arguments + " > " + log.string() + " 2>&1";
  int status = std::system(command.c_str());
  output = fs::exists(log) ? read_file(log) : "";
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Cli, SynthThenPrepare) {
  fs::path dir = testing::temp_dir("cli");
  std::string output;
  ASSERT_EQ(run_hito("synth --out " + (dir / "data").string() + " --n 120 --seed 4", dir / "log", output), 0) << output;
  EXPECT_NE(output.find("wrote 120 images"), std::string::npos) << output;
  EXPECT_TRUE(fs::is_regular_file(dir / "data" / "HAM10000_metadata.csv"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "data" / "masks"), fs::directory_iterator()), 120);
  ASSERT_EQ(run_hito("prepare --data " + (dir / "data").string() + " --run " + (dir / "run").string(), dir / "log", output), 0)
      << output;
  EXPECT_TRUE(fs::is_regular_file(dir / "run" / "prepared" / "manifest.json"));
  EXPECT_NE(output.find("fingerprint:"), std::string::npos);

  // The same seed gives the same data set, byte for byte.
  ASSERT_EQ(run_hito("synth --out " + (dir / "again").string() + " --n 120 --seed 4 --threads 1", dir / "log", output), 0);
  EXPECT_EQ(read_file(dir / "again" / "HAM10000_metadata.csv"), read_file(dir / "data" / "HAM10000_metadata.csv"));
  for (const auto& entry : fs::directory_iterator(dir / "data" / "images"))
    ASSERT_EQ(read_file(entry.path()), read_file(dir / "again" / "images" / entry.path().filename())) << entry.path();
  fs::remove_all(dir);
}

TEST(Cli, SynthNeverReplacesAFolderThatIsNotADataSet) {
  fs::path dir = testing::temp_dir("cli-replace");
  write_file_atomic(dir / "precious" / "notes.txt", "keep me");
  std::string output;
  EXPECT_EQ(run_hito("synth --out " + (dir / "precious").string() + " --n 60", dir / "log", output), 1) << output;
  EXPECT_NE(output.find("refusing to replace"), std::string::npos) << output;
  EXPECT_EQ(read_file(dir / "precious" / "notes.txt"), "keep me");
  fs::remove_all(dir);
}

TEST(Cli, ABadRowExitsNonZeroNamingFileAndRow) {
  fs::path dir = testing::temp_dir("cli-bad");
  std::string output;
  ASSERT_EQ(run_hito("synth --out " + (dir / "data").string() + " --n 60", dir / "log", output), 0) << output;
  data::CsvTable t = data::read_csv(dir / "data" / "HAM10000_metadata.csv");
  fs::remove(dir / "data" / "images" / (t.rows[4][1] + ".jpg"));
  int status = run_hito("prepare --data " + (dir / "data").string() + " --run " + (dir / "run").string(), dir / "log", output);
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("hito: error:"), std::string::npos) << output;
  EXPECT_NE(output.find("HAM10000_metadata.csv:6 (row 5"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(dir / "run" / "prepared"));
  // Skipping works from the command line too.
  status = run_hito("prepare --data " + (dir / "data").string() + " --run " + (dir / "run").string() + " --on-bad-row skip",
                    dir / "log", output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_TRUE(fs::is_regular_file(dir / "run" / "prepared" / "skipped_rows.csv"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hito

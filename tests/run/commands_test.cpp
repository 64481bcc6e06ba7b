// What a user meets at the command line, through the built binary: one spelling per flag across the
// commands, switches whose help states the true default, --device only where it acts, --version, an
// unknown command named with the closest one, errors without source locations (unless --verbose),
// `hito run` refusing a missing input before step 1, and early stopping announced.
#include <gtest/gtest.h>

#include "tests/support/testing.h"

namespace hito {
namespace {

using testing::CommandResult;
using testing::run_hito;
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Commands, FlagsAreSpelledAlikeWithTrueDefaults) {
  const char* all[] = {"run", "synth", "prepare", "search", "tabular", "pixels", "predict", "embed",
                       "image", "explain", "fuse", "evaluate", "report", "infer", "bench", "export", "runs"};
  for (const char* command : all) {
    CommandResult help = run_hito(std::string(command) + " --help");
    ASSERT_EQ(help.status, 0) << command << help.output;
    // CLI11 would show a negated flag as "--no-augment{false}".
    EXPECT_FALSE(contains(help.output, "{false}") || contains(help.output, "{true}")) << command << help.output;
    EXPECT_FALSE(contains(help.output, "--batch ")) << command << help.output;
    EXPECT_FALSE(contains(help.output, "--class-weighted")) << command << help.output;
  }
  for (const char* command : {"search", "tabular", "pixels", "image"}) {
    CommandResult help = run_hito(std::string(command) + " --help");
    EXPECT_TRUE(contains(help.output, "--class-weights, --no-class-weights")) << command << help.output;
  }
  CommandResult image = run_hito("image --help");
  EXPECT_TRUE(contains(image.output, "--augment, --no-augment")) << image.output;
  EXPECT_TRUE(contains(image.output, "Training augmentation from the loader (default: on;")) << image.output;
  EXPECT_TRUE(contains(run_hito("infer --help").output, "--batch-size"));
  // --device where the command computes on a device, not where it would do nothing.
  for (const char* command : {"synth", "prepare", "evaluate", "report", "export", "runs"})
    EXPECT_FALSE(contains(run_hito(std::string(command) + " --help").output, "--device")) << command;
  for (const char* command : {"tabular", "image", "embed", "fuse", "infer", "predict", "run"})
    EXPECT_TRUE(contains(run_hito(std::string(command) + " --help").output, "--device")) << command;
}

TEST(Commands, VersionAndUnknownCommands) {
  CommandResult version = run_hito("--version");
  ASSERT_EQ(version.status, 0) << version.output;
  EXPECT_TRUE(contains(version.output, "hito 0.1.0\ncommit ")) << version.output;
  EXPECT_TRUE(contains(version.output, "CPU code ")) << version.output;
  EXPECT_TRUE(contains(version.output, "CUDA")) << version.output;
  CommandResult typo = run_hito("tabluar --smoke");
  EXPECT_NE(typo.status, 0);
  EXPECT_TRUE(contains(typo.output, "unknown command 'tabluar'; did you mean 'tabular'?")) << typo.output;
}

// HITO_CPU_PATH forces the CPU kernels' ISA level (kernels/cpu/isa.h); --version names the one that runs.
TEST(Commands, VersionNamesTheCpuPathThatRuns) {
  const std::string hito = "'" + testing::hito_binary().string() + "' --version";
  CommandResult scalar = testing::run_shell("HITO_CPU_PATH=scalar " + hito);
  ASSERT_EQ(scalar.status, 0) << scalar.output;
  EXPECT_TRUE(contains(scalar.output, "CPU code scalar (this CPU supports up to ")) << scalar.output;
  CommandResult unknown = testing::run_shell("HITO_CPU_PATH=sse9 " + hito);
  EXPECT_TRUE(contains(unknown.output, "HITO_CPU_PATH must be avx512, avx2 or scalar, got 'sse9'")) << unknown.output;
}

TEST(Commands, RunChecksItsInputsBeforeStepOneWithoutSourceLocations) {
  fs::path dir = testing::temp_dir("commands-run");
  const std::string missing = (dir / "missing.safetensors").string();
  CommandResult run = run_hito("run --smoke --run '" + (dir / "run").string() + "' --weights '" + missing + "'");
  EXPECT_NE(run.status, 0);
  EXPECT_TRUE(contains(run.output, "hito: error: --weights " + missing + ": no such file")) << run.output;
  EXPECT_FALSE(contains(run.output, "[1/")) << run.output;  // nothing ran
  EXPECT_FALSE(contains(run.output, ".cpp:")) << run.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "data"));
  CommandResult verbose = run_hito("run --verbose --smoke --run '" + (dir / "run").string() + "' --data '" +
                                   (dir / "nowhere").string() + "'");
  EXPECT_NE(verbose.status, 0);
  EXPECT_TRUE(contains(verbose.output, "cmd_run.cpp:")) << verbose.output;
  EXPECT_TRUE(contains(verbose.output, ": no such folder")) << verbose.output;
}

TEST(Commands, EarlyStoppingIsAnnounced) {
  fs::path dir = testing::temp_dir("commands-early-stop");
  const std::string run = " --run '" + (dir / "run").string() + "' --threads 1";
  ASSERT_EQ(run_hito("synth --n 120 --seed 2 --threads 1 --out '" + (dir / "data").string() + "'").status, 0);
  ASSERT_EQ(run_hito("prepare --data '" + (dir / "data").string() + "'" + run).status, 0);
  CommandResult tabular = run_hito("tabular --epochs 40 --patience 1 --lr 0.3" + run);
  ASSERT_EQ(tabular.status, 0) << tabular.output;
  EXPECT_TRUE(contains(tabular.output, "early stop after epoch ")) << tabular.output;
  EXPECT_TRUE(contains(tabular.output, "of 40: no better val balanced accuracy for 1 epoch (patience 1); keeping epoch "))
      << tabular.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hito

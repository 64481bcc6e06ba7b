// Resuming `hito image`: a scratch CNN killed with SIGKILL during its training and resumed with
// --resume ends with bitwise the weights, history and predictions of a run never killed (the batch
// order and the augmentation are drawn per seed, epoch and row; the dropout generator travels in
// the checkpoint).
#include <gtest/gtest.h>

#include "apps/study/image/image.h"
#include "apps/study/train/model_output.h"
#include "apps/study/train/training_run.h"
#include "tests/image/image_fixture.h"
#include "tests/support/resume.h"
#include "tests/support/testing.h"

namespace hito::study {
namespace {

TEST(ImageResume, ScratchKilledWithSigkillAndResumedEqualsAnUninterruptedRun) {
  // A tiny CNN, augmentation and dropout on, enough epochs that the kill lands while it trains.
  const std::string flags =
      " --mode scratch --size 16 --width 4 --depth 2 --head-depth 1 --head-width 8 --batch-size 16 --epochs 12"
      " --patience 100 --seed 3 --threads 1";
  fs::path whole = image_test_run("resume-whole"), killed = image_test_run("resume-killed");
  testing::CommandResult r = testing::run_hito("image --run '" + whole.string() + "'" + flags);
  ASSERT_EQ(r.status, 0) << r.output;
  const fs::path checkpoint = checkpoint_path(killed, "image-scratch");
  ASSERT_TRUE(testing::kill_once_checkpointed("image --run '" + killed.string() + "'" + flags, checkpoint))
      << "the run ended before it could be killed";
  ASSERT_TRUE(fs::exists(checkpoint));
  EXPECT_FALSE(fs::exists(killed / "image-scratch"));
  r = testing::run_hito("image --resume --run '" + killed.string() + "'" + flags);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("resumed from"), std::string::npos) << r.output;
  for (const char* file : {kModelWeights, kPredictionsVal, kPredictionsTest})
    EXPECT_EQ(read_file(killed / "image-scratch" / file), read_file(whole / "image-scratch" / file)) << file;
  EXPECT_EQ(testing::history_without_seconds(killed / "image-scratch"),
            testing::history_without_seconds(whole / "image-scratch"));
  EXPECT_FALSE(fs::exists(checkpoint));  // removed once the model folder is written
  fs::remove_all(whole);
  fs::remove_all(killed);
}

}  // namespace
}  // namespace hito::study

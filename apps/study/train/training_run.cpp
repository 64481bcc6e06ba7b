// TrainingRun: the lock, the checkpoint's path and its removal, shared by every training command.
#include "apps/study/train/training_run.h"

#include "dist/communicator.h"

namespace hito::study {

fs::path checkpoint_path(const fs::path& run_dir, const std::string& name) {
  return run_dir / "checkpoints" / (name + ".safetensors");
}

TrainingRun::TrainingRun(const fs::path& run_dir, const std::string& name, bool resume, const std::string& what)
    : checkpoint_(checkpoint_path(run_dir, name)), resume_(resume) {
  if (!dist::world().is_writer()) return;  // rank 0 alone writes under mpirun
  lock_ = std::make_unique<FolderLock>(run_dir, what);
  fs::create_directories(checkpoint_.parent_path());
}

TrainConfig TrainingRun::checkpointed(TrainConfig config, const PreparedData& data) const {
  config.checkpoint = checkpoint_.string();
  config.resume = resume_;
  config.data_key = data.fingerprint;
  return config;
}

void TrainingRun::finish() const {
  if (lock_) fs::remove(checkpoint_);
}

}  // namespace hito::study

// What every training command does around its training (`hito tabular`, `search`, `pixels`,
// `image`, `fuse`), in one place: it holds the run folder's lock while it reads prepared/ and writes
// (base/fs.h FolderLock, the one `hito prepare` takes: re-entrant, so `hito run` calling the
// commands in turn keeps working; under mpirun only the writing rank takes it), it names the
// checkpoint <run>/checkpoints/<name>.safetensors that the shared trainer writes after every epoch
// and that --resume continues from (checkpoint.h), and it removes that checkpoint once the model
// folder is written.
//
//   TrainingRun run(o.run_dir, "image-scratch", o.resume, "hito image");  // before load_prepared
//   PreparedData data = load_prepared(o.run_dir);
//   TrainResult r = train(..., run.checkpointed(config, data));
//   write_model_folder(...);
//   run.finish();
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "apps/study/prepare/prepared_data.h"
#include "apps/study/train/trainer.h"
#include "base/fs.h"

namespace hito::study {

// <run>/checkpoints/<name>.safetensors: the training checkpoint of model folder <name>.
fs::path checkpoint_path(const fs::path& run_dir, const std::string& name);

class TrainingRun {
 public:
  // Takes the lock (an error naming the holder's pid when another process writes into `run_dir`);
  // `what` names the command in that error ("hito image").
  TrainingRun(const fs::path& run_dir, const std::string& name, bool resume, const std::string& what);

  // `config` writing this run's checkpoint and, with --resume, continuing from it; a checkpoint of
  // other prepared data (another fingerprint) is refused on resume.
  TrainConfig checkpointed(TrainConfig config, const PreparedData& data) const;
  const fs::path& checkpoint() const { return checkpoint_; }
  bool resume() const { return resume_; }

  // The model folder is written: its checkpoint is no longer needed.
  void finish() const;

 private:
  std::unique_ptr<FolderLock> lock_;  // null on the ranks that do not write
  fs::path checkpoint_;
  bool resume_;
};

}  // namespace hito::study

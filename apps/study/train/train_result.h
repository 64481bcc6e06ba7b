// What a training returns and history.csv holds: one record per epoch, the best epoch and its score.
// Its own header so that the checkpoint (checkpoint.h) and the loop (trainer.h) share it.
#pragma once

#include <cstdint>
#include <vector>

namespace hito::study {

// One row of history.csv.
struct EpochRecord {
  int64_t epoch = 0;
  double train_loss = 0, val_loss = 0, train_bacc = 0, val_bacc = 0, lr = 0, seconds = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;
  int64_t best_epoch = 0;
  double best_val_bacc = 0.0;
  bool stopped_early = false;
  double seconds = 0.0;
};

}  // namespace hito::study

// A progress bar for training on a terminal ("epoch 3/50 [#######.....] 58% loss 0.812 4123/s ETA
// 0:12"), redrawn in place at most ten times a second; plain lines, one per epoch, when stderr is not
// a terminal (logs, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace hito::study {

using Clock = std::chrono::steady_clock;

// Wall-clock seconds since `start` (fit and predict times of the model folders).
inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool enabled = true);
  void start_epoch(int64_t epoch, int64_t epochs, int64_t total_rows);
  void update(int64_t rows_done, double running_loss);
  // Ends the epoch's line with a summary ("val bacc 0.612 (best)").
  void finish_epoch(const std::string& summary);
  // A line of its own between epochs ("early stop after epoch 12: ...").
  void note(const std::string& text);

 private:
  std::string label_;
  bool enabled_, terminal_;
  int64_t epoch_ = 0, epochs_ = 0, total_ = 0, done_ = 0;
  double loss_ = 0.0;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_;
};

}  // namespace hito::study

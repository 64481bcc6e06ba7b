// Progress bar drawing.
#include "apps/study/train/progress.h"

#include <unistd.h>

#include <cstdio>

namespace hito::study {

namespace {
std::string clock_text(double seconds) {
  int total = static_cast<int>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%d:%02d", total / 60, total % 60);
  return text;
}
}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), terminal_(::isatty(STDERR_FILENO) != 0) {}

void ProgressBar::start_epoch(int64_t epoch, int64_t epochs, int64_t total_rows) {
  epoch_ = epoch;
  epochs_ = epochs;
  total_ = total_rows;
  done_ = 0;
  epoch_start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressBar::update(int64_t rows_done, double running_loss) {
  done_ = rows_done;
  loss_ = running_loss;
  if (!enabled_ || !terminal_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  double share = total_ ? static_cast<double>(done_) / total_ : 1.0;
  constexpr int kWidth = 24;
  std::string bar(static_cast<size_t>(share * kWidth), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s epoch %lld/%lld [%s] %3.0f%% loss %.4f %6.0f rows/s ETA %s ", label_.c_str(),
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), bar.c_str(), share * 100, loss_, rate,
               clock_text(rate > 0 ? (total_ - done_) / rate : 0).c_str());
  std::fflush(stderr);
}

void ProgressBar::finish_epoch(const std::string& summary) {
  if (!enabled_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
  if (terminal_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s epoch %lld/%lld loss %.4f %s (%.1fs, %.0f rows/s)\n", label_.c_str(),
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), loss_, summary.c_str(), elapsed,
               elapsed > 0 ? done_ / elapsed : 0.0);
  std::fflush(stderr);
}

void ProgressBar::note(const std::string& text) {
  if (!enabled_) return;
  std::fprintf(stderr, "%s %s\n", label_.c_str(), text.c_str());
  std::fflush(stderr);
}

}  // namespace hito::study

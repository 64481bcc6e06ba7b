// Learning-rate schedules.
#include "engine/optim/schedule.h"

#include <algorithm>
#include <cmath>

namespace hito {

namespace {
constexpr float kPi = 3.14159265358979f;
// Cosine interpolation from `from` (t = 0) to `to` (t = 1).
float cosine_between(float from, float to, float t) { return to + (from - to) * 0.5f * (1.0f + std::cos(kPi * t)); }
}  // namespace

StepSchedule::StepSchedule(int64_t step_size, float gamma) : step_size_(step_size), gamma_(gamma) {
  HITO_CHECK(step_size > 0, "step schedule: step_size must be positive");
}

float StepSchedule::factor(int64_t step) const {
  return std::pow(gamma_, static_cast<float>(step / step_size_));
}

CosineSchedule::CosineSchedule(int64_t warmup_steps, int64_t total_steps, float min_factor)
    : warmup_(warmup_steps), total_(total_steps), min_factor_(min_factor) {
  HITO_CHECK(total_steps > 0 && warmup_steps >= 0 && warmup_steps <= total_steps,
             "cosine schedule: need 0 <= warmup <= total, total > 0");
}

float CosineSchedule::factor(int64_t step) const {
  if (step < warmup_) return static_cast<float>(step + 1) / static_cast<float>(warmup_);
  float t = static_cast<float>(step - warmup_) / static_cast<float>(std::max<int64_t>(total_ - warmup_, 1));
  return cosine_between(1.0f, min_factor_, std::min(t, 1.0f));
}

OneCycleSchedule::OneCycleSchedule(int64_t total_steps, float pct_start, float div_factor, float final_div_factor)
    : total_(total_steps), pct_start_(pct_start), div_factor_(div_factor), final_div_factor_(final_div_factor) {
  HITO_CHECK(total_steps > 1 && pct_start > 0 && pct_start < 1, "one-cycle schedule: need total > 1, 0 < pct_start < 1");
}

float OneCycleSchedule::factor(int64_t step) const {
  // PyTorch: the warm-up phase ends at step pct_start * total - 1, the annealing at total - 1.
  float start = 1.0f / div_factor_, end = start / final_div_factor_;
  float peak_step = pct_start_ * static_cast<float>(total_) - 1.0f, last = static_cast<float>(total_ - 1);
  float s = static_cast<float>(std::min(step, total_ - 1));
  if (s <= peak_step) return cosine_between(start, 1.0f, s / peak_step);
  return cosine_between(1.0f, end, (s - peak_step) / (last - peak_step));
}

std::unique_ptr<Schedule> make_schedule(const std::string& name, int64_t total_steps, int64_t warmup_steps) {
  if (name == "constant") return std::make_unique<ConstantSchedule>();
  if (name == "step") return std::make_unique<StepSchedule>(std::max<int64_t>(total_steps / 3, 1), 0.1f);
  if (name == "cosine") return std::make_unique<CosineSchedule>(warmup_steps, std::max<int64_t>(total_steps, 1));
  if (name == "onecycle") return std::make_unique<OneCycleSchedule>(std::max<int64_t>(total_steps, 2));
  HITO_FAIL("unknown schedule '", name, "' (constant, step, cosine, onecycle)");
}

}  // namespace hito

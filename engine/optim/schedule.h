// Learning-rate schedules: each maps a step number to a factor of the base learning rate, which
// Optimizer::scale_lr applies. Call apply(optimizer, step) before each optimizer step.
#pragma once

#include <memory>
#include <string>

#include "engine/optim/optimizer.h"

namespace hito {

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual float factor(int64_t step) const = 0;  // step counts from 0
  void apply(Optimizer& optimizer, int64_t step) const { optimizer.scale_lr(factor(step)); }
};

class ConstantSchedule : public Schedule {
 public:
  float factor(int64_t) const override { return 1.0f; }
};

// gamma^(step / step_size): PyTorch's StepLR.
class StepSchedule : public Schedule {
 public:
  StepSchedule(int64_t step_size, float gamma);
  float factor(int64_t step) const override;

 private:
  int64_t step_size_;
  float gamma_;
};

// Linear warm-up from 0 over warmup_steps, then a cosine from 1 down to min_factor at total_steps.
class CosineSchedule : public Schedule {
 public:
  CosineSchedule(int64_t warmup_steps, int64_t total_steps, float min_factor = 0.0f);
  float factor(int64_t step) const override;

 private:
  int64_t warmup_, total_;
  float min_factor_;
};

// PyTorch's OneCycleLR (cosine annealing, as factors of max_lr): from 1/div_factor up to 1 over
// pct_start of the steps, then down to 1/(div_factor * final_div_factor).
class OneCycleSchedule : public Schedule {
 public:
  OneCycleSchedule(int64_t total_steps, float pct_start = 0.3f, float div_factor = 25.0f,
                   float final_div_factor = 1e4f);
  float factor(int64_t step) const override;

 private:
  int64_t total_;
  float pct_start_, div_factor_, final_div_factor_;
};

// "constant", "step", "cosine" or "onecycle" for a run of total_steps.
std::unique_ptr<Schedule> make_schedule(const std::string& name, int64_t total_steps, int64_t warmup_steps = 0);

}  // namespace hito

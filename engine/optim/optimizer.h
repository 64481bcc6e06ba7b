// Optimizers: SGD (momentum, Nesterov, weight decay), Adam and AdamW, each a fused kernel per
// parameter tensor (CPU loop or CUDA kernel). Parameters come in groups, each with its own learning
// rate, so a backbone can learn more slowly than its head.
#pragma once

#include <map>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace hito {

struct ParamGroup {
  std::vector<Tensor> params;
  float lr = 1e-3f;            // current learning rate (schedules rewrite it)
  float base_lr = 1e-3f;       // the rate schedules scale
  float weight_decay = 0.0f;
};

class Optimizer {
 public:
  explicit Optimizer(std::vector<ParamGroup> groups);
  virtual ~Optimizer() = default;
  // Updates every parameter that has a gradient; parameters without one are skipped.
  virtual void step() = 0;
  // Drops the gradients (the next backward starts from nothing).
  void zero_grad();
  std::vector<ParamGroup>& groups() { return groups_; }
  // Sets lr = base_lr * factor in every group (what a schedule calls).
  void scale_lr(float factor);
  // Everything step() carries from one call to the next, by name ("<group>.<param>.m", ...; host
  // copies), for a training checkpoint. load_state() takes what state() gave for the same parameter
  // groups and shapes; an Error naming the entry otherwise, and nothing changes.
  virtual std::map<std::string, Tensor> state() const = 0;
  virtual void load_state(const std::map<std::string, Tensor>& state) = 0;

 protected:
  // Calls update(group, gi, pi, p, g) for parameter pi of group gi and its gradient g, for every
  // parameter that has a gradient (checked to match it in device and shape).
  void for_each_gradient(
      const std::function<void(ParamGroup& group, size_t gi, size_t pi, Tensor& p, const Tensor& g)>& update);

  std::vector<ParamGroup> groups_;
};

struct SgdOptions {
  float momentum = 0.0f, dampening = 0.0f;
  bool nesterov = false;
};

class Sgd : public Optimizer {
 public:
  Sgd(std::vector<ParamGroup> groups, SgdOptions options = {});
  void step() override;
  std::map<std::string, Tensor> state() const override;
  void load_state(const std::map<std::string, Tensor>& state) override;

 private:
  SgdOptions options_;
  std::vector<std::vector<Tensor>> velocity_;  // per group, per parameter (undefined until first step)
};

struct AdamOptions {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  bool decoupled_weight_decay = false;  // true: AdamW
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<ParamGroup> groups, AdamOptions options = {});
  void step() override;
  std::map<std::string, Tensor> state() const override;
  void load_state(const std::map<std::string, Tensor>& state) override;

 private:
  AdamOptions options_;
  std::vector<std::vector<Tensor>> m_, v_;
  // Updates each parameter has received: its bias correction counts its own steps, as in PyTorch,
  // so a parameter that starts receiving gradients late (unfrozen) does not take oversized steps.
  std::vector<std::vector<int64_t>> param_steps_;
};

// One group from a parameter list.
std::vector<ParamGroup> single_group(const std::vector<Tensor>& params, float lr, float weight_decay = 0.0f);

// Scales all gradients so that their global L2 norm is at most max_norm; returns the norm before.
float clip_grad_norm(const std::vector<Tensor>& params, float max_norm);

}  // namespace hito

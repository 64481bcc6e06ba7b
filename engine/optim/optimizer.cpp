// SGD, Adam, AdamW and gradient clipping.
#include "engine/optim/optimizer.h"

#include <cmath>

#include "engine/dispatch.h"

namespace hito {

Optimizer::Optimizer(std::vector<ParamGroup> groups) : groups_(std::move(groups)) {
  for (auto& group : groups_)
    for (auto& p : group.params)
      HITO_CHECK(p.dtype() == DType::F32 && p.is_leaf(), "optimizer: parameters must be f32 leaves, got ", p.describe());
}

void Optimizer::zero_grad() {
  for (auto& group : groups_)
    for (auto& p : group.params) p.clear_grad();
}

void Optimizer::scale_lr(float factor) {
  for (auto& group : groups_) group.lr = group.base_lr * factor;
}

namespace {
std::string slot_name(size_t group, size_t param, const char* buffer) {
  return std::to_string(group) + "." + std::to_string(param) + "." + buffer;
}

// Per-parameter buffers (undefined until a parameter's first step) into and out of `state`.
void save_buffers(const std::vector<std::vector<Tensor>>& buffers, const char* name, std::map<std::string, Tensor>& state) {
  for (size_t g = 0; g < buffers.size(); ++g)
    for (size_t p = 0; p < buffers[g].size(); ++p)
      if (buffers[g][p].defined()) state[slot_name(g, p, name)] = buffers[g][p].to(Device::CPU).clone();
}
// Checked first (`apply` false), then applied, so that a bad entry changes nothing.
void load_buffers(std::vector<std::vector<Tensor>>& buffers, const std::vector<ParamGroup>& groups, const char* name,
                  const std::map<std::string, Tensor>& state, bool apply) {
  for (size_t g = 0; g < buffers.size(); ++g)
    for (size_t p = 0; p < buffers[g].size(); ++p) {
      auto it = state.find(slot_name(g, p, name));
      const Tensor& param = groups[g].params[p];
      if (it == state.end()) {
        if (apply) buffers[g][p] = Tensor();
        continue;
      }
      HITO_CHECK(it->second.dtype() == DType::F32 && it->second.shape() == param.shape(), "optimizer state '", it->first,
                 "': expected f32 ", shape_str(param.shape()), ", got ", it->second.describe());
      if (apply) buffers[g][p] = it->second.to(param.device()).clone();
    }
}
int64_t scalar_count(const std::map<std::string, Tensor>& state, const std::string& key) {
  auto it = state.find(key);
  HITO_CHECK(it != state.end(), "optimizer state: no '", key, "'");
  HITO_CHECK(it->second.dtype() == DType::I64 && it->second.numel() == 1, "optimizer state '", key,
             "': expected one i64, got ", it->second.describe());
  return it->second.to(Device::CPU).data<int64_t>()[0];
}
Tensor count_tensor(int64_t value) { return Tensor::from_vector(std::vector<int64_t>{value}, {1}); }

// Optimizer state tensors, created zeroed beside each parameter on first use.
std::vector<std::vector<Tensor>> empty_state(const std::vector<ParamGroup>& groups) {
  std::vector<std::vector<Tensor>> state;
  for (auto& group : groups) state.emplace_back(group.params.size());
  return state;
}
Tensor& state_for(Tensor& slot, const Tensor& param) {
  if (!slot.defined() || slot.device() != param.device()) slot = Tensor::zeros(param.shape(), DType::F32, param.device());
  return slot;
}
}  // namespace

void Optimizer::for_each_gradient(
    const std::function<void(ParamGroup& group, size_t gi, size_t pi, Tensor& p, const Tensor& g)>& update) {
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    ParamGroup& group = groups_[gi];
    for (size_t pi = 0; pi < group.params.size(); ++pi) {
      Tensor& p = group.params[pi];
      Tensor g = p.grad();
      if (!g.defined()) continue;
      HITO_CHECK(g.device() == p.device() && g.shape() == p.shape(), "optimizer: gradient ", g.describe(),
                 " does not match its parameter ", p.describe());
      update(group, gi, pi, p, g);
    }
  }
}

Sgd::Sgd(std::vector<ParamGroup> groups, SgdOptions options)
    : Optimizer(std::move(groups)), options_(options), velocity_(empty_state(groups_)) {
  HITO_CHECK(!options_.nesterov || (options_.momentum > 0 && options_.dampening == 0),
             "SGD: Nesterov momentum needs momentum > 0 and zero dampening");
}

void Sgd::step() {
  for_each_gradient([&](ParamGroup& group, size_t gi, size_t pi, Tensor& p, const Tensor& g) {
    const bool first = !velocity_[gi][pi].defined();
    float* velocity = options_.momentum != 0.0f ? state_for(velocity_[gi][pi], p).data<float>() : nullptr;
    HITO_DISPATCH(p.device(), sgd_step, p.data<float>(), velocity, g.data<float>(), group.lr, options_.momentum,
                  options_.dampening, group.weight_decay, options_.nesterov, first, p.numel());
  });
}

std::map<std::string, Tensor> Sgd::state() const {
  std::map<std::string, Tensor> state;
  save_buffers(velocity_, "velocity", state);
  return state;
}

void Sgd::load_state(const std::map<std::string, Tensor>& state) {
  load_buffers(velocity_, groups_, "velocity", state, false);
  load_buffers(velocity_, groups_, "velocity", state, true);
}

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options)
    : Optimizer(std::move(groups)), options_(options), m_(empty_state(groups_)), v_(empty_state(groups_)) {
  for (auto& group : groups_) param_steps_.emplace_back(group.params.size(), 0);
}

void Adam::step() {
  for_each_gradient([&](ParamGroup& group, size_t gi, size_t pi, Tensor& p, const Tensor& g) {
    HITO_DISPATCH(p.device(), adam_step, p.data<float>(), state_for(m_[gi][pi], p).data<float>(),
                  state_for(v_[gi][pi], p).data<float>(), g.data<float>(), group.lr, options_.beta1, options_.beta2,
                  options_.eps, group.weight_decay, options_.decoupled_weight_decay, ++param_steps_[gi][pi],
                  p.numel());
  });
}

std::map<std::string, Tensor> Adam::state() const {
  std::map<std::string, Tensor> state;
  save_buffers(m_, "m", state);
  save_buffers(v_, "v", state);
  for (size_t g = 0; g < param_steps_.size(); ++g)
    for (size_t p = 0; p < param_steps_[g].size(); ++p) state[slot_name(g, p, "steps")] = count_tensor(param_steps_[g][p]);
  return state;
}

void Adam::load_state(const std::map<std::string, Tensor>& state) {
  std::vector<std::vector<int64_t>> steps = param_steps_;
  for (size_t g = 0; g < steps.size(); ++g)
    for (size_t p = 0; p < steps[g].size(); ++p) steps[g][p] = scalar_count(state, slot_name(g, p, "steps"));
  load_buffers(m_, groups_, "m", state, false);
  load_buffers(v_, groups_, "v", state, false);
  load_buffers(m_, groups_, "m", state, true);
  load_buffers(v_, groups_, "v", state, true);
  param_steps_ = steps;
}

std::vector<ParamGroup> single_group(const std::vector<Tensor>& params, float lr, float weight_decay) {
  ParamGroup group;
  group.params = params;
  group.lr = group.base_lr = lr;
  group.weight_decay = weight_decay;
  return {group};
}

float clip_grad_norm(const std::vector<Tensor>& params, float max_norm) {
  double squares = 0.0;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    Tensor partial = Tensor::empty({1}, DType::F32, g.device());
    HITO_DISPATCH(g.device(), sum_squares, partial.data<float>(), g.data<float>(), g.numel());
    squares += partial.item();
  }
  float norm = static_cast<float>(std::sqrt(squares));
  if (norm > max_norm && norm > 0.0f) {
    float scale = max_norm / (norm + 1e-6f);  // PyTorch's clip coefficient
    for (const Tensor& p : params) {
      Tensor g = p.grad();
      if (g.defined()) HITO_DISPATCH(g.device(), affine, g.data<float>(), g.data<float>(), scale, 0.0f, g.numel());
    }
  }
  return norm;
}

}  // namespace hito

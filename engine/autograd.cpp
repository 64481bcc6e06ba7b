// The backward pass: topological order, gradient accumulation, shape checks, freeing the graph.
#include "engine/autograd.h"

#include <unordered_map>
#include <unordered_set>

#include "engine/ops.h"

namespace hito {

namespace {
thread_local bool grad_mode = true;
thread_local GradReadyHook::Fn grad_ready_hook;

// For each leaf requiring grad: how many entries of the nodes' input lists still refer to it. The
// leaf's gradient is final when its count reaches zero (GradReadyHook).
using LeafUses = std::unordered_map<TensorImpl*, int64_t>;

LeafUses count_leaf_uses(const std::vector<std::shared_ptr<Node>>& order) {
  LeafUses uses;
  for (const auto& node : order)
    for (const Tensor& input : node->inputs)
      if (input.defined() && input.requires_grad() && input.is_leaf()) ++uses[&input.impl()];
  return uses;
}

// Called once a node's gradients are accumulated (or it got none): reports the leaves it was the
// last user of.
void release_leaf_uses(const Node& node, LeafUses& uses) {
  for (const Tensor& input : node.inputs)
    if (input.defined() && input.requires_grad() && input.is_leaf() && --uses[&input.impl()] == 0)
      grad_ready_hook(input);
}

// Nodes reachable from `root`, each after every node that consumes its output (reverse postorder
// of a depth-first search; iterative, so that deep networks cannot overflow the stack). The list
// owns the nodes: freeing one node's inputs may drop the last other reference to a node upstream.
std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> postorder;
  std::unordered_set<Node*> visited{root.get()};
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{root, 0}};  // node, next input to visit
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Tensor& input = node->inputs[next++];
      const std::shared_ptr<Node>& child = input.defined() ? input.grad_fn() : nullptr;
      if (child && visited.insert(child.get()).second) stack.push_back({child, 0});
    } else {
      postorder.push_back(node);
      stack.pop_back();
    }
  }
  return {postorder.rbegin(), postorder.rend()};
}

// Adds a gradient into a leaf's .grad. The first gradient is adopted when nothing else refers to
// its memory (the usual case); otherwise it is copied, so that a later in-place accumulation can
// never write into another tensor's gradient.
void accumulate_leaf(const Tensor& leaf, Tensor grad) {
  TensorImpl& impl = leaf.impl();
  if (!impl.grad) {
    bool sole_owner = grad.impl_ptr().use_count() == 1 && grad.impl().storage.use_count() == 1;
    impl.grad = sole_owner ? grad.impl_ptr() : grad.clone().impl_ptr();
    return;
  }
  add_(Tensor(impl.grad), grad);
}
}  // namespace

bool grad_mode_enabled() { return grad_mode; }

NoGradGuard::NoGradGuard() : previous_(grad_mode) { grad_mode = false; }
NoGradGuard::~NoGradGuard() { grad_mode = previous_; }

GradReadyHook::GradReadyHook(Fn fn) : previous_(std::move(grad_ready_hook)) { grad_ready_hook = std::move(fn); }
GradReadyHook::~GradReadyHook() { grad_ready_hook = std::move(previous_); }

bool needs_grad(std::initializer_list<Tensor> inputs) {
  if (!grad_mode) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!grad_mode) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void record(Tensor& output, std::string name, std::vector<Tensor> inputs, Node::BackwardFn backward) {
  auto node = std::make_shared<Node>();
  node->name = std::move(name);
  node->inputs = std::move(inputs);
  node->output_shape = output.shape();
  node->backward = std::move(backward);
  output.impl().grad_fn = std::move(node);
  output.impl().requires_grad = true;
}

void run_backward(const Tensor& root, const Tensor& seed) {
  HITO_CHECK(root.requires_grad(), "backward() on a tensor that does not require grad: ", root.describe());
  Tensor gradient = seed;
  if (!gradient.defined()) {
    HITO_CHECK(root.numel() == 1, "backward() without a gradient needs a one-element tensor, got ",
               root.describe());
    gradient = Tensor::ones(root.shape(), root.device());
  }
  HITO_CHECK(gradient.shape() == root.shape(), "backward(): gradient ", shape_str(gradient.shape()),
             " does not match the tensor's shape ", shape_str(root.shape()));
  NoGradGuard no_grad;  // the backward pass itself is never recorded
  if (root.is_leaf()) {
    accumulate_leaf(root, gradient.clone());
    return;
  }

  std::unordered_map<Node*, Tensor> pending;  // node -> gradient of its output, summed so far
  pending[root.grad_fn().get()] = gradient;
  std::vector<std::shared_ptr<Node>> order = topological_order(root.grad_fn());
  LeafUses leaf_uses = grad_ready_hook ? count_leaf_uses(order) : LeafUses();
  for (const std::shared_ptr<Node>& node : order) {
    auto it = pending.find(node.get());
    if (it == pending.end()) {  // no gradient flowed to this node
      if (grad_ready_hook) release_leaf_uses(*node, leaf_uses);
      continue;
    }
    Tensor grad_output = std::move(it->second);
    pending.erase(it);
    HITO_CHECK(!node->released, "backward() through the graph of '", node->name,
               "' a second time: the graph is freed after backward; run the forward pass again");
    std::vector<Tensor> grads = node->backward(grad_output);
    HITO_CHECK(grads.size() == node->inputs.size(), "'", node->name, "' returned ", grads.size(),
               " gradients for ", node->inputs.size(), " inputs");
    for (size_t i = 0; i < grads.size(); ++i) {
      const Tensor& input = node->inputs[i];
      if (!grads[i].defined() || !input.defined() || !input.requires_grad()) continue;
      HITO_CHECK(grads[i].shape() == input.shape(), "'", node->name, "' produced a gradient of shape ",
                 shape_str(grads[i].shape()), " for its input ", i, " of shape ", shape_str(input.shape()));
      if (Node* producer = input.grad_fn().get()) {
        Tensor& sum = pending[producer];
        sum = sum.defined() ? add(sum, grads[i]) : grads[i];
      } else {
        accumulate_leaf(input, std::move(grads[i]));
      }
    }
    if (grad_ready_hook) release_leaf_uses(*node, leaf_uses);
    node->inputs.clear();  // free the graph: saved tensors go with the closure
    node->backward = nullptr;
    node->released = true;
  }
}

// Declared with Tensor (tensor.h), defined here beside the engine it starts.
void Tensor::backward(const Tensor& gradient) const { run_backward(*this, gradient); }

}  // namespace hito

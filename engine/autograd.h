// Define-by-run reverse-mode autograd, in PyTorch's vocabulary.
//
// Every differentiable op that sees an input requiring grad records a Node on its output: the
// inputs it read and a closure that maps the gradient of the output to the gradients of the inputs.
// loss.backward() orders the nodes topologically, seeds d(loss)/d(loss) = 1, replays the closures in
// reverse, adds up the gradients of tensors used more than once, and accumulates into the .grad of
// the leaves. The graph is freed as it is replayed (each node drops its saved tensors).
//
// Ownership: an output owns its node, a node owns its inputs. A node never holds its own output
// strongly (that would be a reference cycle): a closure that needs the output keeps out.detach().
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace hito {

struct Node {
  // Maps the gradient of the output to one gradient per input (undefined when not needed).
  using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

  std::string name;           // the op, for error messages: "linear", "relu"
  std::vector<Tensor> inputs;
  Shape output_shape;
  BackwardFn backward;
  bool released = false;      // set once backward has run and the saved tensors are gone
};

// Gradient recording is on by default; NoGradGuard turns it off in its scope (evaluation, the
// backward pass itself, optimizer updates). Thread-local.
bool grad_mode_enabled();

class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// True when grad mode is on and one of the (defined) inputs requires grad.
bool needs_grad(std::initializer_list<Tensor> inputs);
bool needs_grad(const std::vector<Tensor>& inputs);

// Attaches a node to `output` (which then requires grad). Call only when needs_grad(inputs).
void record(Tensor& output, std::string name, std::vector<Tensor> inputs, Node::BackwardFn backward);

// The engine behind Tensor::backward.
void run_backward(const Tensor& root, const Tensor& seed);

// While a GradReadyHook is in scope (on this thread), every backward pass calls it once per leaf
// that requires grad, as soon as that leaf's .grad is final for the pass: right after the last node
// that feeds the leaf has run (a leaf used by several nodes is reported after the last of them). A
// data-parallel job starts the all-reduce of a gradient bucket there, while the rest of the backward
// runs. Leaves reached by no gradient are reported too (their .grad is then unchanged).
class GradReadyHook {
 public:
  using Fn = std::function<void(const Tensor& leaf)>;
  explicit GradReadyHook(Fn fn);
  ~GradReadyHook();
  GradReadyHook(const GradReadyHook&) = delete;
  GradReadyHook& operator=(const GradReadyHook&) = delete;

 private:
  Fn previous_;
};

}  // namespace hito

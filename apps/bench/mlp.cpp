// The dense workloads: sgemm-1024 (raw matrix product) and mlp-train (a small MLP trained with
// Adam, the shape of the tabular milestone).
#include "apps/bench/workload.h"
#include "engine/dispatch.h"
#include "engine/ops.h"
#include "engine/optim/optimizer.h"
#include "engine/random.h"
#include "layers/basic.h"
#include "layers/linear.h"

namespace hito::bench {

BenchResult bench_sgemm_1024(const BenchConfig& config) {
  constexpr int64_t n = 1024;
  Generator gen(1);
  Tensor a = uniform_tensor({n, n}, -1, 1, gen, config.device), b = uniform_tensor({n, n}, -1, 1, gen, config.device);
  Tensor c = Tensor::empty({n, n}, DType::F32, config.device);
  return time_steps(config, n, 2.0 * n * n * n, [&] {
    HITO_DISPATCH(config.device, gemm, false, false, n, n, n, 1.0f, a.data<float>(), b.data<float>(), 0.0f,
                  c.data<float>());
  });
}

BenchResult bench_mlp_train(const BenchConfig& config) {
  // MLP 32 -> 256 -> ReLU -> 256 -> ReLU -> 7, batch 256, softmax cross-entropy, Adam lr 1e-3.
  constexpr int64_t batch = 256, features = 32, hidden = 256, classes = 7;
  Generator gen(1);
  Sequential model;
  model.add(std::make_shared<Linear>(features, hidden, true, gen));
  model.add(std::make_shared<Activation>(UnaryOp::Relu));
  model.add(std::make_shared<Linear>(hidden, hidden, true, gen));
  model.add(std::make_shared<Activation>(UnaryOp::Relu));
  model.add(std::make_shared<Linear>(hidden, classes, true, gen));
  model.to(config.device);
  Adam optimizer(single_group(model.parameters(), 1e-3f));
  Tensor x = normal_tensor({batch, features}, 0, 1, gen, config.device);
  std::vector<int64_t> labels(batch);
  for (auto& y : labels) y = gen.integer(classes);
  Tensor y = Tensor::from_vector(labels, {batch}, config.device);
  double flops = 3.0 * 2.0 * batch * (features * hidden + hidden * hidden + hidden * classes);
  RankShare share(model, batch);
  Tensor x_rank = share.rows(x), y_rank = share.rows(y);
  return time_steps(config, batch, flops, [&] {
    optimizer.zero_grad();
    share.backward(cross_entropy(model(x_rank), y_rank));
    optimizer.step();
  });
}

}  // namespace hito::bench

// The standard workloads of `hito bench`: each builds its model and data once, then times steps.
// bench/reference_torch.py runs the same workloads in PyTorch and prints the same JSON lines.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/types.h"
#include "dist/data_parallel.h"
#include "layers/module.h"

namespace hito::bench {

struct BenchConfig {
  Device device = Device::CPU;
  int threads = 1;
  double seconds = 2.0;   // timed duration (after warm-up)
  int warmup_steps = 5;
};

struct BenchResult {
  int64_t batch = 0;        // samples per step
  int64_t steps = 0;        // timed steps
  double seconds = 0.0;     // their wall time
  double flops_per_step = 0.0;  // 0 when not meaningful
};

// Runs `step` for warm_up steps, then repeatedly for about config.seconds; synchronizes the device
// around the timed region. Under mpirun rank 0's clock decides when every rank stops.
BenchResult time_steps(const BenchConfig& config, int64_t batch, double flops_per_step, const std::function<void()>& step);

// The training workloads under mpirun (`mpirun -np N hito bench`): each rank computes its slice of
// the global batch, and the gradients are all-reduced as in training (dist/data_parallel.h), so
// steps/s are steps of the whole batch. With one process: the whole batch and a plain backward.
class RankShare {
 public:
  // Broadcasts rank 0's parameters and buffers when the job is distributed.
  RankShare(const Module& model, int64_t batch);
  // This rank's rows of a global batch tensor (N, ...).
  Tensor rows(const Tensor& global) const { return global.rows(begin_, end_); }
  // loss.backward(), or the data-parallel backward of this rank's mean loss.
  void backward(const Tensor& loss);

 private:
  int64_t begin_ = 0, end_ = 0;
  std::unique_ptr<dist::DataParallel> parallel_;
};

using Workload = std::function<BenchResult(const BenchConfig&)>;
// Every workload by its exact name ("sgemm-1024", "mlp-train", ...), in a stable order.
const std::map<std::string, Workload>& workloads();
// Whether `hito bench --workload all` runs this workload on `device` (the large GPU workloads are
// skipped on the CPU, where one step takes minutes; naming one runs it anywhere).
bool runs_by_default_on(const std::string& name, Device device);

// Workloads defined in their own files.
BenchResult bench_sgemm_1024(const BenchConfig& config);
BenchResult bench_mlp_train(const BenchConfig& config);
BenchResult bench_cnn_train(const BenchConfig& config);  // apps/bench/cnn.cpp
BenchResult bench_resnet18_embed_224(const BenchConfig& config);
BenchResult bench_resnet18_finetune_112(const BenchConfig& config);
BenchResult bench_mobilenetv2_embed_224(const BenchConfig& config);
BenchResult bench_resnet50_embed_224(const BenchConfig& config);  // CUDA by default
BenchResult bench_resnet18_train_224(const BenchConfig& config);  // CUDA by default

}  // namespace hito::bench

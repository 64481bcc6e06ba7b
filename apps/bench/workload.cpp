// Timing loop and the registry of benchmark workloads.
#include "apps/bench/workload.h"

#include <chrono>

#include "dist/communicator.h"
#include "kernels/runtime.h"

namespace hito::bench {

BenchResult time_steps(const BenchConfig& config, int64_t batch, double flops_per_step,
                       const std::function<void()>& step) {
  for (int i = 0; i < config.warmup_steps; ++i) step();
  synchronize(config.device);
  using Clock = std::chrono::steady_clock;
  BenchResult result;
  result.batch = batch;
  result.flops_per_step = flops_per_step;
  auto start = Clock::now();
  double elapsed = 0.0;
  // Check the clock every few steps, so that very fast steps are not dominated by clock reads.
  while (elapsed < config.seconds) {
    for (int i = 0; i < 4; ++i) step();
    result.steps += 4;
    synchronize(config.device);
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    dist::world().broadcast(&elapsed, sizeof elapsed, "the benchmark's clock");
  }
  result.seconds = elapsed;
  return result;
}

RankShare::RankShare(const Module& model, int64_t batch) : end_(batch) {
  dist::Communicator& comm = dist::world();
  if (!comm.distributed()) return;
  HITO_CHECK(batch >= comm.size(), "a batch of ", batch, " rows cannot be shared by ", comm.size(), " ranks");
  begin_ = batch * comm.rank() / comm.size();
  end_ = batch * (comm.rank() + 1) / comm.size();
  std::vector<Tensor> state;
  for (const auto& [name, tensor] : model.state_dict()) state.push_back(tensor);
  parallel_ = std::make_unique<dist::DataParallel>(comm, state, model.trainable_parameters());
}

void RankShare::backward(const Tensor& loss) {
  if (!parallel_) {
    loss.backward();
    return;
  }
  int64_t rows = end_ - begin_;
  parallel_->backward(loss, static_cast<double>(rows), rows);
}

const std::map<std::string, Workload>& workloads() {
  static const std::map<std::string, Workload> all = {
      {"sgemm-1024", bench_sgemm_1024},
      {"mlp-train", bench_mlp_train},
      {"cnn-train", bench_cnn_train},
      {"resnet18-embed-224", bench_resnet18_embed_224},
      {"resnet18-finetune-112", bench_resnet18_finetune_112},
      {"mobilenetv2-embed-224", bench_mobilenetv2_embed_224},
      {"resnet50-embed-224", bench_resnet50_embed_224},
      {"resnet18-train-224", bench_resnet18_train_224},
  };
  return all;
}

bool runs_by_default_on(const std::string& name, Device device) {
  return device == Device::CUDA || (name != "resnet50-embed-224" && name != "resnet18-train-224");
}

}  // namespace hito::bench

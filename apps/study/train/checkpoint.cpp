// Saving and restoring the training loop's state (see checkpoint.h) as one safetensors file.
#include "apps/study/train/checkpoint.h"

#include "base/error.h"
#include "base/json.h"
#include "engine/random.h"
#include "weights/safetensors.h"
#include "weights/state_dict.h"

namespace hito::study {

namespace {

constexpr const char* kModel = "model.";
constexpr const char* kBest = "best.";
constexpr const char* kOptimizer = "optimizer.";
constexpr int kCheckpointVersion = 1;

Json history_json(const std::vector<EpochRecord>& history) {
  Json rows = Json::array();
  for (const EpochRecord& r : history)
    rows.push_back({r.epoch, r.train_loss, r.val_loss, r.train_bacc, r.val_bacc, r.lr, r.seconds});
  return rows;
}

std::vector<EpochRecord> history_from(const Json& rows) {
  std::vector<EpochRecord> history;
  for (const Json& r : rows)
    history.push_back({r.at(0).get<int64_t>(), r.at(1).get<double>(), r.at(2).get<double>(), r.at(3).get<double>(),
                       r.at(4).get<double>(), r.at(5).get<double>(), r.at(6).get<double>()});
  return history;
}

// The tensors of `file` under `prefix`, with the prefix taken off.
NamedTensors with_prefix(const NamedTensors& tensors, const std::string& prefix) {
  NamedTensors out;
  for (const auto& [name, tensor] : tensors)
    if (name.rfind(prefix, 0) == 0) out.emplace_back(name.substr(prefix.size()), tensor);
  return out;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const Module& module, const Optimizer& optimizer,
                     const LoopState& state, const std::string& config) {
  NamedTensors tensors;
  for (const auto& [name, tensor] : module.state_dict()) tensors.emplace_back(kModel + name, tensor);
  for (const auto& [name, tensor] : state.best) tensors.emplace_back(kBest + name, tensor);
  for (const auto& [key, tensor] : optimizer.state()) tensors.emplace_back(kOptimizer + key, tensor);
  const Generator& gen = default_generator();
  Json loop = {{"version", kCheckpointVersion},
               {"config", config},
               {"epochs_done", state.epochs_done},
               {"steps", state.steps},
               {"since_best", state.since_best},
               {"best_epoch", state.result.best_epoch},
               {"best_val_bacc", state.result.best_val_bacc},
               {"seconds", state.result.seconds},
               {"history", history_json(state.result.history)},
               {"generator", {gen.seed(), gen.counter()}}};
  write_safetensors(path, tensors, {{"loop", loop.dump()}});
}

bool load_checkpoint(const std::filesystem::path& path, Module& module, Optimizer& optimizer, LoopState& state,
                     const std::string& config) {
  if (!std::filesystem::exists(path)) return false;
  SafetensorsFile file = read_safetensors(path);
  auto loop_text = file.metadata.find("loop");
  HITO_CHECK(loop_text != file.metadata.end(), path.string(), ": not a training checkpoint (no \"loop\" metadata)");
  Json loop = parse_json(loop_text->second, path.string() + " (loop)");
  JsonReader<Json> read(loop, path.string() + " (loop)");
  HITO_CHECK(read.integer("version") == kCheckpointVersion, path.string(), ": checkpoint version ", read.integer("version"),
             " (this hito writes ", kCheckpointVersion, ")");
  HITO_CHECK(read.text("config") == config, path.string(),
             ": was written by a training with another model, data split or hyperparameters; delete it to start over\n"
             "  checkpoint: ", read.text("config"), "\n  this run:   ", config);
  LoopState restored;
  restored.epochs_done = read.integer("epochs_done");
  restored.steps = read.integer("steps");
  restored.since_best = read.integer("since_best");
  restored.result.best_epoch = read.integer("best_epoch");
  restored.result.best_val_bacc = read.number("best_val_bacc");
  restored.result.seconds = read.number("seconds");
  try {
    restored.result.history = history_from(read.array("history"));
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(path.string(), ": malformed history: ", e.what());
  }
  const Json& generator = read.array("generator");
  HITO_CHECK(generator.size() == 2 && generator[0].is_number_unsigned() && generator[1].is_number_unsigned(), path.string(),
             ": malformed generator state");
  HITO_CHECK(static_cast<int64_t>(restored.result.history.size()) == restored.epochs_done, path.string(),
             ": the history has ", restored.result.history.size(), " epochs, but ", restored.epochs_done, " are done");

  // Everything checked before anything changes: the loads are strict, and the best weights must
  // fit the module too.
  NamedTensors best = with_prefix(file.tensors, kBest);
  load_state_dict(module, best);  // checks names, shapes and finiteness of the best weights
  for (auto& [name, tensor] : best) tensor = tensor.clone();
  load_state_dict(module, with_prefix(file.tensors, kModel));
  std::map<std::string, Tensor> optimizer_state;
  for (const auto& [key, tensor] : with_prefix(file.tensors, kOptimizer)) optimizer_state[key] = tensor;
  optimizer.load_state(optimizer_state);
  default_generator().restore(generator[0].get<uint64_t>(), generator[1].get<uint64_t>());
  // The best weights on the module's devices, in state_dict order (what the loop's restore() expects).
  NamedTensors current = module.state_dict();
  restored.best.clear();
  for (size_t i = 0; i < current.size(); ++i)
    for (const auto& [name, tensor] : best)
      if (name == current[i].first) restored.best.emplace_back(name, tensor.to(current[i].second.device()));
  state = std::move(restored);
  return true;
}

}  // namespace hito::study

// Multilayer perceptrons: a generic MLP (hidden blocks Linear -> [BatchNorm] -> activation ->
// [Dropout], then a linear head), and the tabular model of milestone 1, which feeds the MLP either
// one-hot encoded features or learned embeddings of the categorical codes beside the numeric ones.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/random.h"
#include "layers/basic.h"
#include "layers/embedding.h"
#include "layers/linear.h"

namespace hito {

struct MlpConfig {
  int64_t width = 128;   // units per hidden layer
  int64_t depth = 2;     // hidden layers (0: a linear model)
  float dropout = 0.2f;
  bool batch_norm = true;
  std::string activation = "relu";
};

class Mlp : public Module {
 public:
  Mlp(int64_t in_features, int64_t out_features, const MlpConfig& config, Generator& gen = default_generator());
  // (N, in) -> (N, width): the output of the last hidden block (the input when depth is 0).
  Tensor features(const Tensor& x);
  // (N, in) -> (N, out) logits.
  Tensor forward(const Tensor& x) override;
  const Sequential& hidden() const { return *hidden_; }
  const Linear& head() const { return *head_; }

 private:
  std::shared_ptr<Sequential> hidden_;
  std::shared_ptr<Linear> head_;
};

// The tabular model: numeric features (N, F) and, in embedding mode, integer codes (N, C) of the
// categorical columns, each looked up in its own table and concatenated to the numeric features.
class TabularModel : public Module {
 public:
  // vocabulary_sizes: one per categorical column (empty in one-hot mode, where the one-hot columns
  // are part of the numeric features). Embedding width per column: min(8, (size + 1) / 2).
  TabularModel(int64_t numeric_features, const std::vector<int64_t>& vocabulary_sizes, int64_t classes,
               const MlpConfig& config, Generator& gen = default_generator());
  Tensor features(const Tensor& numeric, const Tensor& codes = Tensor());
  Tensor logits(const Tensor& numeric, const Tensor& codes = Tensor());
  // The parts: one embedding table per code column, and the MLP on [numeric, embedded codes...].
  const std::vector<std::shared_ptr<Embedding>>& embeddings() const { return embeddings_; }
  const Mlp& mlp() const { return *mlp_; }

 private:
  Tensor embed(const Tensor& numeric, const Tensor& codes);

  std::vector<std::shared_ptr<Embedding>> embeddings_;
  std::shared_ptr<Mlp> mlp_;
};

}  // namespace hito

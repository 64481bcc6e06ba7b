// MLP and the tabular model.
#include "models/mlp.h"

#include <algorithm>

#include "engine/ops.h"
#include "layers/norm.h"

namespace hito {

Mlp::Mlp(int64_t in_features, int64_t out_features, const MlpConfig& config, Generator& gen) {
  HITO_CHECK(config.depth >= 0 && config.width > 0, "MLP: depth must be >= 0 and width > 0");
  hidden_ = register_module("hidden", std::make_shared<Sequential>());
  int64_t width = in_features;
  for (int64_t layer = 0; layer < config.depth; ++layer) {
    hidden_->add(std::make_shared<Linear>(width, config.width, true, gen));
    if (config.batch_norm) hidden_->add(std::make_shared<BatchNorm1d>(config.width));
    hidden_->add(Activation::named(config.activation));
    if (config.dropout > 0) hidden_->add(std::make_shared<Dropout>(config.dropout));
    width = config.width;
  }
  head_ = register_module("head", std::make_shared<Linear>(width, out_features, true, gen));
}

Tensor Mlp::features(const Tensor& x) { return hidden_->forward(x); }

Tensor Mlp::forward(const Tensor& x) { return head_->forward(features(x)); }

TabularModel::TabularModel(int64_t numeric_features, const std::vector<int64_t>& vocabulary_sizes, int64_t classes,
                           const MlpConfig& config, Generator& gen) {
  int64_t width = numeric_features;
  for (size_t c = 0; c < vocabulary_sizes.size(); ++c) {
    int64_t dim = std::min<int64_t>(8, (vocabulary_sizes[c] + 1) / 2);
    embeddings_.push_back(register_module("embedding" + std::to_string(c),
                                          std::make_shared<Embedding>(vocabulary_sizes[c], dim, gen)));
    width += dim;
  }
  HITO_CHECK(width > 0, "tabular model: no input features");
  mlp_ = register_module("mlp", std::make_shared<Mlp>(width, classes, config, gen));
}

Tensor TabularModel::embed(const Tensor& numeric, const Tensor& codes) {
  if (embeddings_.empty()) return numeric;
  HITO_CHECK(codes.defined() && codes.dim() == 2 && codes.size(1) == static_cast<int64_t>(embeddings_.size()),
             "tabular model: expected codes (N, ", embeddings_.size(), "), got ", codes.describe());
  std::vector<Tensor> parts;
  if (numeric.defined() && numeric.size(1) > 0) parts.push_back(numeric);
  for (size_t c = 0; c < embeddings_.size(); ++c)
    parts.push_back(embeddings_[c]->forward(slice(codes, 1, static_cast<int64_t>(c), static_cast<int64_t>(c) + 1))
                        .reshape({codes.size(0), -1}));
  return concat(parts, 1);
}

Tensor TabularModel::features(const Tensor& numeric, const Tensor& codes) { return mlp_->features(embed(numeric, codes)); }

Tensor TabularModel::logits(const Tensor& numeric, const Tensor& codes) { return mlp_->forward(embed(numeric, codes)); }

}  // namespace hito

// Early fusion: the saved embeddings of several models (one block per modality) balanced and
// concatenated, then one classifier. Left alone, a 1,280-wide image embedding would swamp a
// tabular one a few dozen wide; so each block is
//   1. standardised with its training-split mean and standard deviation (a constant column -> 0);
//   2. balanced (`balance`):
//        pca      projected on its first W principal components, fitted on the training split,
//                 then scaled so that its W columns have mean variance 1 on that split;
//        project  mapped by a learned linear layer (D_m -> W), trained with the classifier;
//        none     left as is (D_m columns);
//   3. multiplied by its weight (default 1);
// and the blocks are concatenated into the classifier's input (a linear model or an MLP).
// W = min(width, every D_m) for pca (a block has no more components than columns), `width` for
// project. Every fitted statistic is a buffer of the network, so model.safetensors holds all of it.
//
// A modality's contribution is measured by zeroing its standardised block (the training mean) and
// scoring the validation split again.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/random.h"
#include "models/mlp.h"

namespace hito::study {

struct EarlyFusionConfig {
  std::vector<std::string> inputs;   // model folder names, one block each
  std::vector<int64_t> input_widths; // D_m
  std::string balance = "pca";       // pca, project, none
  int64_t width = 32;                // requested common width W
  std::vector<float> weights;        // per block; empty: all 1
  MlpConfig classifier{.width = 128, .depth = 0, .dropout = 0.2f, .batch_norm = true, .activation = "relu"};
  int64_t num_classes = 0;

  // The width of block m after balancing.
  int64_t block_width(size_t m) const;
  int64_t fused_width() const;
  float weight(size_t m) const { return weights.empty() ? 1.0f : weights[m]; }
  // Checks the fields (balance known, widths positive, one weight per input).
  void validate() const;
  nlohmann::ordered_json to_json() const;
  static EarlyFusionConfig from_json(const nlohmann::json& j, const std::string& where);
};

// What is fitted on the training split for one block.
struct BlockStatistics {
  Tensor mean;        // f32 (D)
  Tensor inv_std;     // f32 (D): 1 / std, 0 for a constant column
  Tensor components;  // pca: f32 (W, D), the scaled principal axes; undefined otherwise
  std::vector<double> explained;  // pca: share of the standardised block's variance kept by each axis (W)
};

// embeddings: f32 (N, D) on the CPU; the statistics of rows `rows`. `width` is W for pca (ignored
// otherwise). Requires at least two rows.
BlockStatistics fit_block_statistics(const Tensor& embeddings, const std::vector<int64_t>& rows,
                                     const std::string& balance, int64_t width);

class EarlyFusionNet : public Module {
 public:
  // statistics: one per block, or empty (zeros, to be overwritten by load_state_dict).
  EarlyFusionNet(const EarlyFusionConfig& config, const std::vector<BlockStatistics>& statistics,
                 Generator& gen = default_generator());
  // blocks[m]: raw embeddings (B, D_m) -> (B, fused_width()). Block `zeroed` (if >= 0) is replaced by
  // its training mean.
  Tensor fuse(const std::vector<Tensor>& blocks, int64_t zeroed = -1);
  // -> (B, K) logits.
  Tensor logits(const std::vector<Tensor>& blocks, int64_t zeroed = -1) { return classifier_->forward(fuse(blocks, zeroed)); }
  // -> (B, classifier feature width): the saved embedding of the fusion.
  Tensor features(const std::vector<Tensor>& blocks) { return classifier_->features(fuse(blocks)); }
  const EarlyFusionConfig& config() const { return config_; }

 private:
  struct Block {
    Tensor mean, inv_std, components;
    std::shared_ptr<Linear> projection;
  };
  EarlyFusionConfig config_;
  std::vector<Block> blocks_;
  std::shared_ptr<Mlp> classifier_;
};

}  // namespace hito::study

// Embedding: a learned table of vectors looked up by integer codes (categorical features).
#pragma once

#include "engine/random.h"
#include "layers/module.h"

namespace hito {

class Embedding : public Module {
 public:
  // weight (num, dim) ~ N(0, 1), PyTorch's default.
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen = default_generator());
  Tensor forward(const Tensor& index) override;  // i64 (...) -> f32 (..., dim)

  Tensor weight;
};

}  // namespace hito

// Embedding layer.
#include "layers/embedding.h"

#include "engine/ops.h"

namespace hito {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen) {
  weight = register_parameter("weight", normal_tensor({num_embeddings, embedding_dim}, 0.0f, 1.0f, gen));
}

Tensor Embedding::forward(const Tensor& index) { return embedding(weight, index); }

}  // namespace hito

// `hito predict` for the milestone-1 model folders (predict.h's registry):
//   tabular  the new rows' metadata through the fitted encoder (one-hot or codes, as trained), the MLP;
//   pixels   the new rows' images downsized as at training time, flattened, projected by the saved
//            PCA (pca.safetensors), the MLP.
#pragma once

#include "apps/study/train/model_folder.h"

namespace hito::study {

Tensor predict_tabular(const ModelFolder& model, const NewData& data);
Tensor predict_pixels(const ModelFolder& model, const NewData& data);

// A missing feature column of the model is an error naming it and the file.
void require_feature_columns(const ModelFolder& model, const NewData& data);

}  // namespace hito::study

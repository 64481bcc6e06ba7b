// `hito predict` for the fusion model folders (the predictors of predict.cpp's table):
//   fusion-late   each input model folder (beside the fusion folder, in the same run) applied to the
//                 new data by `predict_input` (hito predict passes the predictor of its kind), then
//                 the saved combiner;
//   fusion-early  each input's embedding recomputed for the new rows, then the saved network:
//                 "prepared/tabular" through the fitted encoder, "embeddings/<name>" through the
//                 recorded pretrained backbone and preprocessing, an image model folder (image-*)
//                 through its network's penultimate layer. Another model folder (tabular, pixels) is
//                 refused with a clear message: its embedding cannot be remade here. An input
//                 retrained since the fusion was fitted (its recorded version differs) is refused;
//   fusion-joint  the network on the new rows' images (the recorded preprocessing) and encoded
//                 tabular features.
#pragma once

#include "apps/study/train/model_folder.h"

namespace hito::study {

Tensor predict_fusion_late(const ModelFolder& model, const NewData& data, const Predictor& predict_input);
Tensor predict_fusion_early(const ModelFolder& model, const NewData& data);
Tensor predict_fusion_joint(const ModelFolder& model, const NewData& data);

}  // namespace hito::study

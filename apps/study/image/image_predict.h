// `hito predict` for the image model folders ("image-head", "image-finetune", "image-scratch"):
// the new rows' image files through the preprocessing the folder records, the backbone (for a head,
// the pretrained file it was trained on, with the same flip averaging as its embeddings) and the
// trained head.
#pragma once

#include "apps/study/train/model_folder.h"

namespace hito::study {

// f32 (rows, K) probabilities of an image model folder for every row of `data`, in table order.
Tensor predict_image_model(const ModelFolder& model, const NewData& data);

}  // namespace hito::study

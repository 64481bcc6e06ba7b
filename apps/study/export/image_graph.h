// The ONNX graph of an image model folder, head, finetune or scratch (export.h describes its input and
// outputs): normalisation of the pixels, the backbone's pooled features (averaged with the mirrored
// image's when the folder flips), the head, the softmax.
#pragma once

#include "apps/study/train/model_folder.h"
#include "onnx/onnx_graph.h"

namespace hito::study {

onnx::OnnxGraph image_graph(const ModelFolder& model);

}  // namespace hito::study

// The ONNX graph of a tabular model folder (export.h describes its inputs and outputs): the MLP on the
// encoded rows, with the embedding tables as Gather nodes in embedding mode.
#pragma once

#include "apps/study/train/model_folder.h"
#include "onnx/onnx_graph.h"

namespace hito::study {

onnx::OnnxGraph tabular_graph(const ModelFolder& model);

}  // namespace hito::study

// The ONNX nodes of hito's layers and networks as they compute in eval mode: what `hito export`
// assembles into a model folder's graph. Nothing is folded: a BatchNorm is a BatchNormalization node
// with its running statistics (ConvBnAct's fused inference kernel computes the same), a Dropout
// vanishes (eval mode), a ReLU6 is a Clip to [0, 6], an exact GELU is x * (1 + erf(x / sqrt 2)) / 2.
// Every function returns the name of its output; initializers take the names given to
// OnnxGraph::name_tensors. A layer or network this file does not know is an error naming its type.
#pragma once

#include <string>

#include "layers/module.h"
#include "models/image_classifier.h"
#include "models/mlp.h"
#include "onnx/onnx_graph.h"

namespace hito::onnx {

// Any layer or block of layers/ and models/ (Sequential, Linear, Conv2d, BatchNorm, activations,
// pools, ConvBnAct, residual blocks, Mlp) applied to `x`.
std::string module_nodes(OnnxGraph& g, const Module& module, const std::string& x);

// Mlp::features: (N, in) -> (N, width), the last hidden block's output.
std::string mlp_features_nodes(OnnxGraph& g, const Mlp& mlp, const std::string& x);

// TabularModel::logits: numeric f32 (N, F) (may be empty: no numeric features) and, when the model
// embeds categorical columns, codes i64 (N, C) -> (N, K).
std::string tabular_nodes(OnnxGraph& g, const TabularModel& model, const std::string& numeric, const std::string& codes);

// ImageClassifier::forward_feature_map of a ResNet, MobileNetV2 or SmallCnn: (N, 3, H, W) -> (N, C, h, w).
std::string feature_map_nodes(OnnxGraph& g, const ImageClassifier& network, const std::string& x);

// The graph outputs of a classifier: `logits` (N, classes) as "logits" and its softmax over the
// classes as "probabilities".
void classifier_outputs(OnnxGraph& g, const std::string& logits, int64_t classes);

// ImageClassifier::forward_features: the feature map averaged over h and w: (N, C).
std::string pooled_features_nodes(OnnxGraph& g, const ImageClassifier& network, const std::string& x);

}  // namespace hito::onnx

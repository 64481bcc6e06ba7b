// Renaming checkpoint tensors to the names of hito's models, which are torchvision's.
//  - "module." (DataParallel / DistributedDataParallel) and "model." (training-script wrappers)
//    prefixes are removed.
//  - timm's ResNets (resnet18/34/50 and their .a1_in1k, .tv_in1k, ... weights) already use
//    torchvision's names ("conv1", "bn1", "layer1.0.conv1", "layer1.0.downsample.0", "fc") and pass
//    unchanged; the ResNet-D variants (deep stem "conv1.0", average-pool downsample) have no
//    counterpart here and stay as they are, so a strict load lists them as unexpected.
//  - timm's MobileNetV2 (mobilenetv2_100, EfficientNet-style names) is mapped onto torchvision's:
//      conv_stem -> features.0.0, bn1 -> features.0.1, conv_head -> features.18.0,
//      bn2 -> features.18.1, classifier -> classifier.1, and block blocks.S.J -> features.I
//      (I = 1 + blocks in stages before S + J) with
//        first block (no expansion): conv_dw, bn1, conv_pw, bn2 -> conv.0.0, conv.0.1, conv.1, conv.2
//        other blocks: conv_pw, bn1, conv_dw, bn2, conv_pwl, bn3
//                        -> conv.0.0, conv.0.1, conv.1.0, conv.1.1, conv.2, conv.3
//    A checkpoint is taken for timm's MobileNetV2 when it holds "conv_stem.weight".
#pragma once

#include <string>

#include "layers/module.h"

namespace hito {

// The tensors under torchvision's names, in the same order. Two tensors landing on one name is an
// error naming both.
NamedTensors to_torchvision_names(const NamedTensors& tensors);

}  // namespace hito

// Preparing images for a pretrained CNN the way torchvision's PIL pipelines did when the weights
// were trained and evaluated: a stretched resize bit-identical to PIL's Image.resize(BILINEAR)
// (a triangle filter widened by the scale factor when shrinking, so it antialiases; 22-bit fixed
// point; horizontal pass, rounding to 8 bits, then vertical pass), then per-channel normalisation.
// data/resize.h averages areas when shrinking, which is right for training caches but moves
// pretrained predictions (MobileNetV2 on cat.bmp: 0.715 instead of PIL's 0.736).
#pragma once

#include <array>
#include <vector>

#include "data/image.h"
#include "engine/tensor.h"

namespace hito {

// src (H, W, C) -> (height, width, C), as PIL's Image.resize((width, height), Image.BILINEAR).
data::Image resize_bilinear_pil(const data::Image& src, int64_t height, int64_t width);

// RGB images of one size -> (N, 3, H, W) f32 on the CPU, x = (pixel / 255 - mean[c]) / std[c].
Tensor images_to_batch(const std::vector<data::Image>& images, const std::array<float, 3>& mean,
                       const std::array<float, 3>& std);

}  // namespace hito

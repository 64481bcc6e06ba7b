// The three explanation maps of `hito explain`, for any ImageClassifier (the image models of
// apps/study/image/image_model.h, or any CNN of models/): each maps a batch of normalised images and the
// class to explain for each image to one non-negative-or-signed heat map per image at the image's
// resolution, on the CPU.
//
//   Grad-CAM (Selvaraju et al. 2017), on the last convolutional block A = forward_feature_map(x),
//   (N, C, h, w):  alpha[n, c] = mean_{i,j} d logit[n, class_n] / d A[n, c, i, j],
//                  cam[n] = ReLU(sum_c alpha[n, c] A[n, c]), (h, w), then bilinearly upsampled to
//                  (H, W). Non-negative.
//   Saliency (Simonyan et al. 2014): map[n, y, x] = max_c |d logit[n, class_n] / d x[n, c, y, x]|.
//                  Non-negative.
//   Occlusion (Zeiler & Fergus 2014): a square patch of the image's own mean colour is slid over the
//                  image; map[n, y, x] = p(class_n | x) - p(class_n | x with the patch over (y, x)),
//                  averaged over the patch positions that cover (y, x). Signed: a negative value means
//                  hiding the region made the class more likely.
//
// The gradients come from the engine's autograd: the network's parameters are excluded from the
// backward pass for the duration of a call (their requires_grad flags are restored afterwards) and
// the network must be in eval mode (BatchNorm on running statistics, no dropout), so that every
// image's logits depend on that image only and one backward of the summed class logits gives each
// image's own gradient.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "models/image_classifier.h"

namespace hito::explain {

// "gradcam", "saliency", "occlusion": the names of the command line and of the output files.
inline constexpr const char* kGradCam = "gradcam";
inline constexpr const char* kSaliency = "saliency";
inline constexpr const char* kOcclusion = "occlusion";
const std::vector<std::string>& method_names();
// "gradcam,saliency" -> {"gradcam", "saliency"}; an unknown or repeated name is an error listing the
// known ones.
std::vector<std::string> parse_methods(const std::string& list);

struct OcclusionOptions {
  int64_t patch = 0;   // side of the square patch in pixels; 0: round(min(H, W) / 7)
  int64_t stride = 0;  // step between patch positions; 0: the patch size (non-overlapping)
  int64_t batch_size = 32;  // occluded copies per forward pass
};
// The patch and stride used for (H, W) images: the defaults filled in, the patch at most the
// shorter side.
OcclusionOptions resolve_occlusion(const OcclusionOptions& options, int64_t height, int64_t width);

// Arguments shared by the methods: images f32 (N, 3, H, W) normalised as the network was trained,
// on the network's device; classes: N class indices in [0, num_classes). All return f32 (N, H, W)
// on the CPU.
Tensor grad_cam(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes);
Tensor saliency(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes);
Tensor occlusion(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes,
                 const OcclusionOptions& options = {});
// One of the above by name.
Tensor explanation_map(const std::string& method, ImageClassifier& network, const Tensor& images,
                       const std::vector<int64_t>& classes, const OcclusionOptions& occlusion_options = {});

// Grad-CAM before upsampling: f32 (N, h, w) on the CPU, at the feature map's resolution.
Tensor grad_cam_coarse(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes);

// The patch positions along one axis of length `extent`: start, start + stride, ..., with the last
// position moved to extent - patch so that the whole axis is covered. Requires 0 < patch <= extent.
std::vector<int64_t> patch_positions(int64_t extent, int64_t patch, int64_t stride);

}  // namespace hito::explain

// Grad-CAM, input-gradient saliency and occlusion sensitivity (see attribution.h for the maths).
#include "apps/study/explain/attribution.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "plot/raster.h"
#include "engine/autograd.h"
#include "base/error.h"
#include "engine/ops.h"

namespace hito::explain {

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {kGradCam, kSaliency, kOcclusion};
  return names;
}

std::vector<std::string> parse_methods(const std::string& list) {
  std::vector<std::string> methods;
  std::stringstream stream(list);
  for (std::string name; std::getline(stream, name, ',');) {
    const auto& known = method_names();
    HITO_CHECK(std::find(known.begin(), known.end(), name) != known.end(), "unknown explanation method '", name,
               "' (known: gradcam, saliency, occlusion)");
    HITO_CHECK(std::find(methods.begin(), methods.end(), name) == methods.end(), "method '", name,
               "' named twice in '", list, "'");
    methods.push_back(name);
  }
  HITO_CHECK(!methods.empty(), "no explanation method given (known: gradcam, saliency, occlusion)");
  return methods;
}

namespace {

// Takes the network's parameters out of the backward pass (only the input or the feature map needs
// a gradient) and puts back the flags it found.
class ParametersExcluded {
 public:
  explicit ParametersExcluded(const Module& module) {
    for (const Tensor& p : module.parameters())
      if (p.requires_grad()) {
        Tensor handle = p;
        handle.set_requires_grad(false);
        excluded_.push_back(handle);
      }
  }
  ~ParametersExcluded() {
    for (Tensor& p : excluded_) p.set_requires_grad(true);
  }
  ParametersExcluded(const ParametersExcluded&) = delete;
  ParametersExcluded& operator=(const ParametersExcluded&) = delete;

 private:
  std::vector<Tensor> excluded_;
};

void check_inputs(const ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes,
                  const char* method) {
  HITO_CHECK(!network.is_training(), method, ": the network must be in eval mode (call eval())");
  HITO_CHECK(network.num_classes() > 0, method, ": the network has no classifier to explain");
  HITO_CHECK(images.dim() == 4 && images.size(1) == 3 && images.dtype() == DType::F32, method,
             ": images must be f32 (N, 3, H, W), got ", images.describe());
  HITO_CHECK(static_cast<int64_t>(classes.size()) == images.size(0), method, ": ", classes.size(),
             " classes given for ", images.size(0), " images");
  for (int64_t c : classes)
    HITO_CHECK(c >= 0 && c < network.num_classes(), method, ": class ", c, " outside [0, ", network.num_classes(), ")");
}

// sum_n logits[n, classes[n]]: one backward of it gives every image its own class's gradient
// (images do not interact in eval mode).
Tensor class_score(const Tensor& logits, const std::vector<int64_t>& classes) {
  const int64_t N = logits.size(0), K = logits.size(1);
  std::vector<float> one_hot(static_cast<size_t>(N * K), 0.0f);
  for (int64_t n = 0; n < N; ++n) one_hot[static_cast<size_t>(n * K + classes[n])] = 1.0f;
  return sum(mul(logits, Tensor::from_vector(one_hot, {N, K}, logits.device())));
}

// (N, h, w) CPU maps -> (N, H, W) by bilinear interpolation (plot::resize_plane enlarges bilinearly).
Tensor upsample(const Tensor& maps, int64_t height, int64_t width) {
  const int64_t N = maps.size(0), h = maps.size(1), w = maps.size(2);
  Tensor out = Tensor::empty({N, height, width});
  const float* src = maps.data<float>();
  float* dst = out.data<float>();
  for (int64_t n = 0; n < N; ++n) {
    std::vector<float> plane(src + n * h * w, src + (n + 1) * h * w);
    std::vector<float> big = plot::resize_plane(plane, static_cast<int>(w), static_cast<int>(h),
                                                  static_cast<int>(width), static_cast<int>(height));
    std::copy(big.begin(), big.end(), dst + n * height * width);
  }
  return out;
}

}  // namespace

Tensor grad_cam_coarse(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes) {
  check_inputs(network, images, classes, "grad_cam");
  ParametersExcluded excluded(network);
  Tensor features;
  {
    NoGradGuard no_grad;  // the backbone runs once, on its fast inference path
    features = network.forward_feature_map(images);
  }
  // The head sees the feature map as a leaf, so the backward stops at it: dA is its .grad.
  Tensor feature_leaf = features.detach();
  feature_leaf.set_requires_grad(true);
  Tensor logits = network.forward_head(adaptive_avg_pool2d(feature_leaf, 1).flatten(1));
  class_score(logits, classes).backward();

  Tensor A = features.to(Device::CPU), dA = feature_leaf.grad().to(Device::CPU);
  const int64_t N = A.size(0), C = A.size(1), h = A.size(2), w = A.size(3), S = h * w;
  Tensor cam = Tensor::zeros({N, h, w});
  const float *a = A.data<float>(), *da = dA.data<float>();
  float* out = cam.data<float>();
  for (int64_t n = 0; n < N; ++n) {
    float* map = out + n * S;
    for (int64_t c = 0; c < C; ++c) {
      const float* grad = da + (n * C + c) * S;
      const float* act = a + (n * C + c) * S;
      double alpha = 0.0;  // the channel's weight: the spatial mean of its gradient
      for (int64_t s = 0; s < S; ++s) alpha += grad[s];
      alpha /= static_cast<double>(S);
      for (int64_t s = 0; s < S; ++s) map[s] += static_cast<float>(alpha) * act[s];
    }
    for (int64_t s = 0; s < S; ++s) map[s] = std::max(map[s], 0.0f);
  }
  return cam;
}

Tensor grad_cam(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes) {
  return upsample(grad_cam_coarse(network, images, classes), images.size(2), images.size(3));
}

Tensor saliency(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes) {
  check_inputs(network, images, classes, "saliency");
  ParametersExcluded excluded(network);
  Tensor x = images.detach();
  x.set_requires_grad(true);
  class_score(network.forward(x), classes).backward();
  Tensor grad = x.grad().to(Device::CPU);
  const int64_t N = grad.size(0), H = grad.size(2), W = grad.size(3), S = H * W;
  Tensor map = Tensor::empty({N, H, W});
  const float* g = grad.data<float>();
  float* out = map.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t s = 0; s < S; ++s) {
      float m = 0.0f;
      for (int64_t c = 0; c < 3; ++c) m = std::max(m, std::fabs(g[(n * 3 + c) * S + s]));
      out[n * S + s] = m;
    }
  return map;
}

std::vector<int64_t> patch_positions(int64_t extent, int64_t patch, int64_t stride) {
  HITO_CHECK(patch > 0 && patch <= extent && stride > 0, "occlusion: patch ", patch, " and stride ", stride,
             " do not fit an image side of ", extent);
  std::vector<int64_t> positions;
  for (int64_t p = 0; p + patch < extent; p += stride) positions.push_back(p);
  positions.push_back(extent - patch);  // the last patch ends at the border
  return positions;
}

OcclusionOptions resolve_occlusion(const OcclusionOptions& options, int64_t height, int64_t width) {
  HITO_CHECK(options.patch >= 0 && options.stride >= 0 && options.batch_size > 0, "occlusion: patch ", options.patch,
             ", stride ", options.stride, " and batch size ", options.batch_size, " must not be negative (batch: positive)");
  OcclusionOptions o = options;
  const int64_t side = std::min(height, width);
  if (o.patch == 0) o.patch = std::max<int64_t>(1, std::llround(static_cast<double>(side) / 7.0));
  o.patch = std::min(o.patch, side);
  if (o.stride == 0) o.stride = o.patch;
  return o;
}

Tensor occlusion(ImageClassifier& network, const Tensor& images, const std::vector<int64_t>& classes,
                 const OcclusionOptions& options) {
  check_inputs(network, images, classes, "occlusion");
  NoGradGuard no_grad;
  const Device device = images.device();
  const int64_t N = images.size(0), H = images.size(2), W = images.size(3), S = H * W;
  const OcclusionOptions o = resolve_occlusion(options, H, W);
  const std::vector<int64_t> ys = patch_positions(H, o.patch, o.stride), xs = patch_positions(W, o.patch, o.stride);
  const int64_t side = o.patch;
  const int64_t positions = static_cast<int64_t>(ys.size() * xs.size());
  auto corner = [&](int64_t k) {  // top-left (y, x) of patch position k, row-major over the grid
    const auto columns = static_cast<int64_t>(xs.size());
    return std::pair{ys[static_cast<size_t>(k / columns)], xs[static_cast<size_t>(k % columns)]};
  };

  std::vector<float> base = softmax(network.forward(images), 1).to(Device::CPU).to_vector<float>();
  const int64_t K = network.num_classes();
  Tensor host = images.to(Device::CPU);
  Tensor maps = Tensor::zeros({N, H, W});
  std::vector<float> covered(static_cast<size_t>(S));
  for (int64_t n = 0; n < N; ++n) {
    const float* image = host.data<float>() + n * 3 * S;
    float colour[3];  // the image's own mean colour, in the network's normalised units
    for (int64_t c = 0; c < 3; ++c) {
      double total = 0.0;
      for (int64_t s = 0; s < S; ++s) total += image[c * S + s];
      colour[c] = static_cast<float>(total / static_cast<double>(S));
    }
    float* map = maps.data<float>() + n * S;
    std::fill(covered.begin(), covered.end(), 0.0f);
    const float p_base = base[static_cast<size_t>(n * K + classes[n])];
    for (int64_t first = 0; first < positions; first += o.batch_size) {
      const int64_t B = std::min(o.batch_size, positions - first);
      Tensor batch = Tensor::empty({B, 3, H, W});
      float* b = batch.data<float>();
      for (int64_t i = 0; i < B; ++i) {
        const auto [y0, x0] = corner(first + i);
        std::copy(image, image + 3 * S, b + i * 3 * S);
        for (int64_t c = 0; c < 3; ++c)
          for (int64_t y = y0; y < y0 + side; ++y) std::fill_n(b + i * 3 * S + c * S + y * W + x0, side, colour[c]);
      }
      std::vector<float> probs = softmax(network.forward(batch.to(device)), 1).to(Device::CPU).to_vector<float>();
      for (int64_t i = 0; i < B; ++i) {
        const auto [y0, x0] = corner(first + i);
        const float drop = p_base - probs[static_cast<size_t>(i * K + classes[n])];
        for (int64_t y = y0; y < y0 + side; ++y)
          for (int64_t x = x0; x < x0 + side; ++x) {
            map[y * W + x] += drop;
            covered[static_cast<size_t>(y * W + x)] += 1.0f;
          }
      }
    }
    for (int64_t s = 0; s < S; ++s) map[s] /= covered[static_cast<size_t>(s)];  // every pixel is covered
  }
  return maps;
}

Tensor explanation_map(const std::string& method, ImageClassifier& network, const Tensor& images,
                       const std::vector<int64_t>& classes, const OcclusionOptions& occlusion_options) {
  if (method == kGradCam) return grad_cam(network, images, classes);
  if (method == kSaliency) return saliency(network, images, classes);
  if (method == kOcclusion) return occlusion(network, images, classes, occlusion_options);
  HITO_FAIL("unknown explanation method '", method, "' (known: gradcam, saliency, occlusion)");
}

}  // namespace hito::explain

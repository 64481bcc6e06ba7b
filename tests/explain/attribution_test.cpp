// The explanation maps of apps/study/explain/attribution.h: Grad-CAM and saliency on a one-convolution
// network against hand computations, saliency against finite differences on a smooth CNN, occlusion
// on toy models against explicitly occluded forward passes, and the parameters left as they were.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/study/explain/attribution.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "tests/support/testing.h"

namespace hito::explain {
namespace {

// A = ReLU(conv1x1(x)) with 2 channels, logits = Linear(mean_{y,x} A): small enough to differentiate
// by hand.
class OneConv : public ImageClassifier {
 public:
  OneConv() {
    conv = register_module("conv", std::make_shared<Conv2d>(3, 2, 1, Conv2dOptions{}, false));
    fc = register_module("fc", std::make_shared<Linear>(2, 2));
    // channel 0 = x0 + x2, channel 1 = 2 x1 - x2
    conv->weight.copy_(Tensor::from_vector<float>({1, 0, 1, 0, 2, -1}, {2, 3, 1, 1}));
    // logit 0 = a0 - 2 a1 + 0.1, logit 1 = 0.5 a0 + 3 a1 - 0.2 (a = pooled features)
    fc->weight.copy_(Tensor::from_vector<float>({1, -2, 0.5f, 3}, {2, 2}));
    fc->bias.copy_(Tensor::from_vector<float>({0.1f, -0.2f}, {2}));
    eval();
  }
  Tensor forward_feature_map(const Tensor& x) override { return relu((*conv)(x)); }
  Tensor forward_head(const Tensor& features) override { return (*fc)(features); }
  int64_t num_features() const override { return 2; }
  int64_t num_classes() const override { return 2; }

  std::shared_ptr<Conv2d> conv;
  std::shared_ptr<Linear> fc;
};

// One 2x2 image: x0 = [[1, 2], [3, 4]], x1 = [[0, 1], [0, -1]], x2 = [[-0.5, 0], [2, 1]].
// Feature map: a0 = x0 + x2 = [[0.5, 2], [5, 5]] (all positive),
//              2 x1 - x2 = [[0.5, 2], [-2, -3]] -> a1 = [[0.5, 2], [0, 0]].
Tensor hand_image() {
  return Tensor::from_vector<float>({1, 2, 3, 4, 0, 1, 0, -1, -0.5f, 0, 2, 1}, {1, 3, 2, 2});
}

// The same image twice, explained for class 0 and for class 1.
Tensor two_copies() { return concat({hand_image(), hand_image()}, 0); }

TEST(GradCam, OneConvolutionByHand) {
  OneConv net;
  // d logit_k / d A[c, i, j] = W[k, c] / 4 (the mean over 4 positions), so alpha_k = W[k, :] / 4:
  //   class 0: 0.25 a0 - 0.5 a1 = [[-0.125, -0.5], [1.25, 1.25]] -> ReLU [[0, 0], [1.25, 1.25]]
  //   class 1: 0.125 a0 + 0.75 a1 = [[0.4375, 1.75], [0.625, 0.625]]
  Tensor cam = grad_cam_coarse(net, two_copies(), {0, 1});
  ASSERT_EQ(cam.shape(), (Shape{2, 2, 2}));
  EXPECT_TRUE(testing::all_close(cam.to_vector<float>(), {0, 0, 1.25f, 1.25f, 0.4375f, 1.75f, 0.625f, 0.625f},
                                 1e-6f, 1e-6f));
  // The map already has the image's size: upsampling leaves it as it is.
  EXPECT_TRUE(testing::all_close(grad_cam(net, two_copies(), {0, 1}), cam, 1e-6f, 1e-6f));
}

TEST(GradCam, UpsamplesToTheImageAndRestoresParameters) {
  OneConv net;
  net.conv->options.stride = 2;  // a 1x1 feature map of a 2x2 image
  net.fc->weight.set_requires_grad(false);  // a frozen parameter must stay frozen
  Tensor cam = grad_cam(net, hand_image(), {1});
  ASSERT_EQ(cam.shape(), (Shape{1, 2, 2}));
  // The one position holds x at (0, 0): a0 = 0.5, a1 = 0.5; class 1: 0.5 * 0.5 + 3 * 0.5 = 1.75 everywhere.
  EXPECT_TRUE(testing::all_close(cam.to_vector<float>(), {1.75f, 1.75f, 1.75f, 1.75f}, 1e-6f, 1e-6f));
  EXPECT_TRUE(net.conv->weight.requires_grad());
  EXPECT_TRUE(net.fc->bias.requires_grad());
  EXPECT_FALSE(net.fc->weight.requires_grad());
  for (const Tensor& p : net.parameters()) EXPECT_FALSE(p.grad().defined()) << "a parameter received a gradient";
}

TEST(Saliency, OneConvolutionByHand) {
  OneConv net;
  // d logit_k / d x[c, p] = (1/4) sum_j W[k, j] [pre_j(p) > 0] conv[j, c], conv rows (1, 0, 1), (0, 2, -1).
  // Class 1 at (0, 0) and (0, 1): both channels on: (0.5 (1, 0, 1) + 3 (0, 2, -1)) / 4 = (0.125, 1.5, -0.625)
  // -> 1.5; at (1, 0) and (1, 1) only a0: 0.5 (1, 0, 1) / 4 -> 0.125.
  // Class 0 at the top: ((1, 0, 1) - 2 (0, 2, -1)) / 4 = (0.25, -1, 0.75) -> 1; bottom: (1, 0, 1) / 4 -> 0.25.
  Tensor map = saliency(net, two_copies(), {0, 1});
  ASSERT_EQ(map.shape(), (Shape{2, 2, 2}));
  EXPECT_TRUE(testing::all_close(map.to_vector<float>(), {1, 1, 0.25f, 0.25f, 1.5f, 1.5f, 0.125f, 0.125f}, 1e-6f,
                                 1e-6f));
}

// conv3x3 -> BatchNorm (eval, running statistics) -> tanh -> strided conv -> tanh, linear head:
// smooth, so that central differences are exact enough.
class SmoothCnn : public ImageClassifier {
 public:
  SmoothCnn() {
    Generator gen(3);
    conv1 = register_module("conv1", std::make_shared<Conv2d>(3, 4, 3, Conv2dOptions{.padding = 1}, true, gen));
    bn = register_module("bn", std::make_shared<BatchNorm>(4));
    conv2 = register_module("conv2", std::make_shared<Conv2d>(4, 5, 3, Conv2dOptions{.stride = 2, .padding = 1}, true, gen));
    fc = register_module("fc", std::make_shared<Linear>(5, 3, true, gen));
    bn->running_mean.copy_(testing::randn({4}, 11));
    bn->running_var.copy_(testing::rand_uniform({4}, 0.5f, 2.0f, 12));
    eval();
  }
  Tensor forward_feature_map(const Tensor& x) override { return tanh((*conv2)(tanh((*bn)((*conv1)(x))))); }
  Tensor forward_head(const Tensor& features) override { return (*fc)(features); }
  int64_t num_features() const override { return 5; }
  int64_t num_classes() const override { return 3; }

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<BatchNorm> bn;
  std::shared_ptr<Linear> fc;
};

TEST(Saliency, MatchesFiniteDifferences) {
  SmoothCnn net;
  Tensor images = testing::randn({2, 3, 6, 5}, 21);
  const std::vector<int64_t> classes = {2, 0};
  std::vector<float> map = saliency(net, images, classes).to_vector<float>();
  std::vector<float> x = images.to_vector<float>();
  auto logit = [&](int64_t n, const std::vector<float>& values) {
    NoGradGuard no_grad;
    Tensor logits = net.forward(Tensor::from_vector(values, images.shape()));
    return static_cast<double>(logits.to_vector<float>()[static_cast<size_t>(n * 3 + classes[n])]);
  };
  const double eps = 1e-2;
  const int64_t S = 6 * 5;
  std::vector<float> expected(map.size());
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t s = 0; s < S; ++s) {
      double largest = 0.0;
      for (int64_t c = 0; c < 3; ++c) {
        const auto at = static_cast<size_t>((n * 3 + c) * S + s);
        std::vector<float> plus = x, minus = x;
        plus[at] += static_cast<float>(eps);
        minus[at] -= static_cast<float>(eps);
        largest = std::max(largest, std::fabs((logit(n, plus) - logit(n, minus)) / (2 * eps)));
      }
      expected[static_cast<size_t>(n * S + s)] = static_cast<float>(largest);
    }
  EXPECT_TRUE(testing::all_close(map, expected, 2e-2f, 2e-3f));
}

TEST(GradCam, RefusesTrainingModeAndBadClasses) {
  OneConv net;
  net.train();
  EXPECT_THROW(grad_cam(net, hand_image(), {0}), Error);
  net.eval();
  EXPECT_THROW(grad_cam(net, hand_image(), {2}), Error);
  EXPECT_THROW(saliency(net, hand_image(), {0, 1}), Error);
}

TEST(Occlusion, PatchPositionsCoverTheAxis) {
  EXPECT_EQ(patch_positions(10, 4, 3), (std::vector<int64_t>{0, 3, 6}));
  EXPECT_EQ(patch_positions(10, 4, 4), (std::vector<int64_t>{0, 4, 6}));
  EXPECT_EQ(patch_positions(8, 4, 4), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(patch_positions(4, 4, 2), (std::vector<int64_t>{0}));
  EXPECT_THROW(patch_positions(4, 5, 1), Error);
  OcclusionOptions o = resolve_occlusion({}, 224, 200);
  EXPECT_EQ(o.patch, 29);  // round(200 / 7)
  EXPECT_EQ(o.stride, 29);
}

// Features = the image times a fixed 0/1 window, so the logits see only the window's pixels.
class WindowModel : public ImageClassifier {
 public:
  explicit WindowModel(Tensor window_) : window(std::move(window_)) {
    fc = register_module("fc", std::make_shared<Linear>(3, 2));
    fc->weight.copy_(Tensor::from_vector<float>({4, -1, 0, -2, 1, 3}, {2, 3}));
    fc->bias.copy_(Tensor::from_vector<float>({0, 0.5f}, {2}));
    eval();
  }
  Tensor forward_feature_map(const Tensor& x) override { return mul(x, window); }
  Tensor forward_head(const Tensor& features) override { return (*fc)(features); }
  int64_t num_features() const override { return 3; }
  int64_t num_classes() const override { return 2; }

  Tensor window;  // (1, 1, H, W)
  std::shared_ptr<Linear> fc;
};

TEST(Occlusion, ToyModelAgainstOccludedForwardPasses) {
  // 8x8 images, patch 4, stride 4: four disjoint patches. The model sees only the top-left quadrant.
  std::vector<float> window(64, 0.0f);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) window[static_cast<size_t>(y * 8 + x)] = 1.0f;
  WindowModel net(Tensor::from_vector(window, {1, 1, 8, 8}));
  Tensor images = testing::randn({2, 3, 8, 8}, 5);
  const std::vector<int64_t> classes = {0, 1};
  Tensor map = occlusion(net, images, classes, {.patch = 4, .stride = 4, .batch_size = 3});
  ASSERT_EQ(map.shape(), (Shape{2, 8, 8}));
  const std::vector<float> got = map.to_vector<float>(), x = images.to_vector<float>();

  auto probability = [&](const std::vector<float>& image, int64_t k) {  // image: (3, 8, 8)
    NoGradGuard no_grad;
    Tensor p = softmax(net.forward(Tensor::from_vector(image, {1, 3, 8, 8})), 1);
    return p.to_vector<float>()[static_cast<size_t>(k)];
  };
  for (int64_t n = 0; n < 2; ++n) {
    std::vector<float> image(x.begin() + n * 192, x.begin() + (n + 1) * 192);
    float mean[3] = {0, 0, 0};
    for (int c = 0; c < 3; ++c) {
      for (int s = 0; s < 64; ++s) mean[c] += image[static_cast<size_t>(c * 64 + s)] / 64.0f;
    }
    const float base = probability(image, classes[n]);
    for (int py = 0; py < 8; py += 4)
      for (int px = 0; px < 8; px += 4) {
        std::vector<float> occluded = image;
        for (int c = 0; c < 3; ++c)
          for (int y = py; y < py + 4; ++y)
            for (int xx = px; xx < px + 4; ++xx) occluded[static_cast<size_t>(c * 64 + y * 8 + xx)] = mean[c];
        const float drop = base - probability(occluded, classes[n]);
        for (int y = py; y < py + 4; ++y)
          for (int xx = px; xx < px + 4; ++xx) {
            const float value = got[static_cast<size_t>(n * 64 + y * 8 + xx)];
            EXPECT_NEAR(value, drop, 1e-6f) << "image " << n << " pixel (" << y << ", " << xx << ")";
            if (py != 0 || px != 0) EXPECT_EQ(value, 0.0f) << "a patch outside the window changed the prediction";
          }
      }
  }
}

TEST(Occlusion, OverlappingPatchesAverage) {
  // Stride 2 with patch 4 on 8x8: pixel (3, 3) is covered by the 4 positions starting at rows and
  // columns {0, 2}; (0, 0) by one. With the window on pixel (0, 0) only, the drop of (0, 0)'s
  // patch is d, and (3, 3) gets the average over its 4 positions: d / 4 (only the one at (0, 0)
  // covers the window).
  std::vector<float> window(64, 0.0f);
  window[0] = 1.0f;
  WindowModel net(Tensor::from_vector(window, {1, 1, 8, 8}));
  Tensor images = testing::randn({1, 3, 8, 8}, 8);
  std::vector<float> got = occlusion(net, images, {0}, {.patch = 4, .stride = 2}).to_vector<float>();
  EXPECT_NE(got[0], 0.0f);
  EXPECT_NEAR(got[3 * 8 + 3], got[0] / 4.0f, 1e-6f);
  EXPECT_EQ(got[4 * 8 + 4], 0.0f);  // no position covering (4, 4) covers (0, 0)
}

TEST(Methods, ParseNames) {
  EXPECT_EQ(parse_methods("gradcam,occlusion"), (std::vector<std::string>{"gradcam", "occlusion"}));
  EXPECT_THROW(parse_methods("gradcam,lime"), Error);
  EXPECT_THROW(parse_methods("saliency,saliency"), Error);
  EXPECT_THROW(parse_methods(""), Error);
}

}  // namespace
}  // namespace hito::explain

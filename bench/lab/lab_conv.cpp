// Lab: the convolutions (kernels/api/conv.inc, cuDNN on CUDA) at the shapes of the backbones: a
// ResNet 3x3 layer, a 1x1 bottleneck, the 7x7 stem, and MobileNetV2's depthwise 3x3. Forward with
// the fused bias + ReLU of inference, and both gradients. flops = 2 N K P Q (C / groups) R S per pass.
#include <string>

#include "bench/lab/lab.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/kernels.h"

namespace hito::lab {
namespace {

struct Layer {
  int64_t C, H, K, R, stride, groups;
  const char* role;
};

ConvGeometry geometry_of(const Layer& layer, int64_t N) {
  ConvGeometry g;
  g.N = N, g.C = layer.C, g.H = g.W = layer.H;
  g.K = layer.K, g.R = g.S = layer.R;
  g.stride_h = g.stride_w = layer.stride;
  g.pad_h = g.pad_w = layer.R / 2;
  g.groups = layer.groups;
  g.P = window_output_size(g.H, g.R, g.stride_h, g.pad_h);
  g.Q = window_output_size(g.W, g.S, g.stride_w, g.pad_w);
  return g;
}

void conv(Lab& lab, const Layer& layer) {
  const ConvGeometry g = geometry_of(layer, lab.size(32, 2));
  const int64_t x_size = g.N * g.C * g.H * g.W, w_size = g.K * g.channels_per_group() * g.R * g.S;
  const int64_t out_size = g.N * g.K * g.P * g.Q;
  const double flops = 2.0 * out_size * g.channels_per_group() * g.R * g.S;
  const double bytes = 4.0 * (x_size + w_size + out_size);
  const std::vector<float> x = random_floats(x_size, -1, 1, 81), weight = random_floats(w_size, -0.2f, 0.2f, 82);
  const std::vector<float> bias = random_floats(g.K, -0.1f, 0.1f, 83), dout = random_floats(out_size, -1, 1, 84);
  std::vector<float> want(out_size), want_dx(x_size), want_dweight(w_size), want_dbias(g.K);
  cpu::conv2d_forward(want.data(), x.data(), weight.data(), bias.data(), nullptr, FusedActivation::Relu, g);
  cpu::conv2d_backward_data(want_dx.data(), dout.data(), weight.data(), g);
  cpu::conv2d_backward_weight(want_dweight.data(), want_dbias.data(), dout.data(), x.data(), g);
  DeviceBuffer<float> device_x(x), device_weight(weight), device_bias(bias), device_dout(dout), out(out_size),
      dx(x_size), dweight(w_size), dbias(g.K);

  const std::string shape = text("N%ld %ld->%ld %ld^2 %ldx%ld s%ld g%ld (%s)", g.N, g.C, g.K, g.H, g.R, g.S, g.stride_h,
                                 g.groups, layer.role);
  const std::string precision = text(" %s", product_precision());
  const auto forward = [&] {
    cuda::conv2d_forward(out.get(), device_x.get(), device_weight.get(), device_bias.get(), nullptr,
                         FusedActivation::Relu, g);
  };
  forward();
  lab.report({"conv2d_forward +bias+relu" + precision, shape, lab.seconds_per_call(forward), bytes, flops,
              relative_error(out.download(), want), product_tolerance()});
  const auto backward_data = [&] { cuda::conv2d_backward_data(dx.get(), device_dout.get(), device_weight.get(), g); };
  backward_data();
  lab.report({"conv2d_backward_data" + precision, shape, lab.seconds_per_call(backward_data), bytes, flops,
              relative_error(dx.download(), want_dx), product_tolerance()});
  const auto backward_weight = [&] {
    cuda::conv2d_backward_weight(dweight.get(), dbias.get(), device_dout.get(), device_x.get(), g);
  };
  backward_weight();
  const double error = relative_error(dweight.download(), want_dweight) + relative_error(dbias.download(), want_dbias);
  lab.report({"conv2d_backward_weight" + precision, shape, lab.seconds_per_call(backward_weight), bytes, flops, error,
              product_tolerance()});
}

}  // namespace
}  // namespace hito::lab

int main(int argc, char** argv) {
  using namespace hito;
  return lab::run("conv", argc, argv, [](lab::Lab& lab) {
    for (const lab::Layer& layer : {
             lab::Layer{64, 56, 64, 3, 1, 1, "ResNet 3x3"},
             lab::Layer{256, 14, 1024, 1, 1, 1, "ResNet-50 1x1"},
             lab::Layer{3, 224, 64, 7, 2, 1, "ResNet stem"},
             lab::Layer{144, 56, 144, 3, 1, 144, "MobileNetV2 depthwise"},
         }) {
      lab::conv(lab, layer);
    }
  });
}

// `hito infer`: a named architecture with a weights file applied to an array (.npy, NCHW f32) or to
// image files; writes the logits or the pooled features as .npy and prints the top-k labels. The
// tool for checking a converted checkpoint, and what the golden tests drive.
#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>

#include "apps/cli/command.h"
#include "engine/autograd.h"
#include "data/image.h"
#include "data/npy.h"
#include "engine/ops.h"
#include "kernels/runtime.h"
#include "models/image_preprocess.h"
#include "models/registry.h"
#include "weights/checkpoint.h"
#include "weights/name_mapping.h"
#include "weights/safetensors.h"

namespace hito::app {

namespace {

struct InferOptions {
  std::string arch, weights, input, out, labels;
  std::vector<std::string> images;
  int64_t size = 224;
  // torchvision's ImageNet statistics by default.
  std::string mean = "0.485,0.456,0.406", std = "0.229,0.224,0.225";
  bool features = false;
  int64_t topk = 5;
  int64_t batch = 16;
  std::string device = "cpu";
  int threads = 0;
};

std::array<float, 3> parse_triple(const std::string& text, const char* option) {
  std::array<float, 3> values{};
  std::stringstream in(text);
  std::string item;
  int count = 0;
  while (std::getline(in, item, ',')) {
    HITO_CHECK(count < 3, option, " takes 3 comma-separated numbers (one per RGB channel), got '", text, "'");
    try {
      size_t used = 0;
      values[count] = std::stof(item, &used);
      HITO_CHECK(used == item.size(), "");
    } catch (const std::exception&) {
      HITO_FAIL(option, ": '", item, "' is not a number");
    }
    ++count;
  }
  HITO_CHECK(count == 3, option, " takes 3 comma-separated numbers (one per RGB channel), got '", text, "'");
  return values;
}

std::vector<std::string> read_labels(const std::string& path, int64_t num_classes) {
  std::vector<std::string> labels;
  FILE* file = std::fopen(path.c_str(), "r");
  HITO_CHECK(file, "cannot open the label file ", path);
  char line[4096];
  while (std::fgets(line, sizeof line, file)) {
    std::string label(line);
    while (!label.empty() && (label.back() == '\n' || label.back() == '\r')) label.pop_back();
    labels.push_back(label);
  }
  std::fclose(file);
  HITO_CHECK(static_cast<int64_t>(labels.size()) == num_classes, "the label file ", path, " has ", labels.size(),
             " lines, but the model has ", num_classes, " classes");
  return labels;
}

// The inputs as (N, C, H, W) batches of at most `batch` rows, with a name per row.
struct Inputs {
  std::vector<std::string> names;
  std::vector<Tensor> batches;
};

Inputs load_inputs(const InferOptions& o) {
  Inputs inputs;
  if (!o.input.empty()) {
    Tensor x = data::load_npy(o.input);
    HITO_CHECK(x.dtype() == DType::F32 && x.dim() == 4, o.input, ": expected an f32 array (N, C, H, W), got ",
               x.describe());
    for (int64_t i = 0; i < x.size(0); ++i) inputs.names.push_back(o.input + "[" + std::to_string(i) + "]");
    for (int64_t i = 0; i < x.size(0); i += o.batch) inputs.batches.push_back(x.rows(i, std::min(i + o.batch, x.size(0))));
    return inputs;
  }
  const std::array<float, 3> mean = parse_triple(o.mean, "--mean"), std = parse_triple(o.std, "--std");
  for (size_t i = 0; i < o.images.size(); i += o.batch) {
    std::vector<data::Image> images;
    for (size_t j = i; j < std::min(i + o.batch, o.images.size()); ++j)
      images.push_back(resize_bilinear_pil(data::decode_image(o.images[j]), o.size, o.size));
    inputs.batches.push_back(images_to_batch(images, mean, std));
  }
  inputs.names = o.images;
  return inputs;
}

void print_top_k(const std::vector<std::string>& names, const Tensor& logits, const std::vector<std::string>& labels,
                 int64_t k) {
  std::vector<float> p = softmax(logits, 1).to_vector<float>();
  const int64_t classes = logits.size(1);
  k = std::min(k, classes);
  for (size_t n = 0; n < names.size(); ++n) {
    if (names.size() > 1) std::printf("# %s\n", names[n].c_str());
    std::vector<int64_t> order(classes);
    for (int64_t c = 0; c < classes; ++c) order[c] = c;
    const float* row = p.data() + n * classes;
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
    for (int64_t i = 0; i < k; ++i) std::printf("%s %.4f\n", labels[order[i]].c_str(), row[order[i]]);
  }
}

void run_infer(const InferOptions& o) {
  HITO_CHECK(o.input.empty() != o.images.empty(), "give exactly one of --input and --images");
  HITO_CHECK(!o.out.empty() || !o.labels.empty(), "nothing to do: give --out, --labels, or both");
  HITO_CHECK(o.labels.empty() || !o.features, "--labels needs logits: it cannot be combined with --features");
  HITO_CHECK(o.size > 0 && o.batch > 0 && o.topk > 0, "--size, --batch and --topk must be positive");
  if (o.threads > 0) set_num_threads(o.threads);
  Device device = parse_device(o.device);

  // The checkpoint decides the number of classes (0: an embedding model without classifier).
  NamedTensors tensors = to_torchvision_names(read_safetensors(o.weights).tensors);
  const std::string classifier = classifier_weight_name(o.arch);
  int64_t num_classes = 0;
  for (const auto& [name, tensor] : tensors)
    if (name == classifier) num_classes = tensor.size(0);
  HITO_CHECK(num_classes > 0 || o.features, o.weights, " has no classifier (", classifier,
             ") for ", o.arch, ": use --features");
  auto model = make_image_model(o.arch, num_classes);
  load_pretrained(*model, tensors, {}, o.weights);
  model->eval();
  model->to(device);
  std::vector<std::string> labels = o.labels.empty() ? std::vector<std::string>() : read_labels(o.labels, num_classes);

  Inputs inputs = load_inputs(o);
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  for (const Tensor& batch : inputs.batches) {
    Tensor x = batch.to(device);
    outputs.push_back((o.features ? model->forward_features(x) : model->forward(x)).to(Device::CPU));
  }
  Tensor result = outputs.size() == 1 ? outputs[0] : concat(outputs, 0);
  if (!o.out.empty()) data::save_npy(o.out, result);
  if (!labels.empty()) print_top_k(inputs.names, result, labels, o.topk);
}

}  // namespace

void register_infer(CLI::App& app) {
  auto o = std::make_shared<InferOptions>();
  CLI::App* command = app.add_subcommand("infer", "Run a CNN with a weights file on an array or on images");
  command->add_option("--arch", o->arch, "resnet18, resnet34, resnet50, mobilenet_v2 or small_cnn")->required();
  command->add_option("--weights", o->weights, ".safetensors file (weights/convert_torchvision.py)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--input", o->input, "Input array (.npy, f32 N x C x H x W)")->check(CLI::ExistingFile);
  command->add_option("--images", o->images, "Image files (stretched to --size, then normalised)")
      ->check(CLI::ExistingFile);
  command->add_option("--size", o->size, "Side of the square the images are resized to")->capture_default_str();
  command->add_option("--mean", o->mean, "Per-channel mean of x/255, comma-separated")->capture_default_str();
  command->add_option("--std", o->std, "Per-channel std of x/255, comma-separated")->capture_default_str();
  command->add_flag("--features", o->features, "Write the pooled features instead of the logits");
  command->add_option("--out", o->out, "Output array (.npy)");
  command->add_option("--labels", o->labels, "Class names, one per line: print the top-k")->check(CLI::ExistingFile);
  command->add_option("--topk", o->topk, "Labels printed per input")->capture_default_str();
  command->add_option("--batch", o->batch, "Inputs per forward pass")->capture_default_str();
  command->add_option("--device", o->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", o->threads, "CPU threads (0: all cores)")->capture_default_str();
  command->callback([o] { run_infer(*o); });
}

}  // namespace hito::app

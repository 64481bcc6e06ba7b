// `hito infer`: a named architecture with a weights file applied to an array (.npy, NCHW f32) or to
// image files; writes the logits or the pooled features as .npy and prints the top-k labels. The
// tool for checking a converted checkpoint, and what the golden tests drive. It cannot silently
// mispredict: the normalisation comes from the checkpoint's metadata when it states one (and says so),
// flags that contradict it are refused unless --force, a checkpoint of another architecture is named
// by its tensors, and files that are not images (a licence caught by a glob) are skipped and listed.
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "apps/cli/command.h"
#include "base/fs.h"
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
  // torchvision's ImageNet statistics unless the checkpoint states its own.
  std::string mean = "0.485,0.456,0.406", std = "0.229,0.224,0.225";
  bool mean_given = false, std_given = false;  // typed on the command line
  bool force = false;  // use --mean/--std even where the checkpoint states otherwise
  bool features = false;
  int64_t topk = 5;
  int64_t batch = 16;
  std::string device = "cpu";
  int threads = 0;
};

std::string triple_text(const std::array<float, 3>& v) {
  std::ostringstream out;
  out << v[0] << "," << v[1] << "," << v[2];
  return out.str();
}

bool is_counter(const std::string& name) {
  const std::string counter = "num_batches_tracked";
  return name.size() >= counter.size() && name.compare(name.size() - counter.size(), counter.size(), counter) == 0;
}

// The tensor names of a state dict without BatchNorm's counters and without `arch`'s classifier.
std::set<std::string> body_names(const NamedTensors& tensors, const std::string& arch) {
  const std::string weight = classifier_weight_name(arch);
  const std::string bias = weight.substr(0, weight.size() - std::string("weight").size()) + "bias";
  std::set<std::string> names;
  for (const auto& [name, tensor] : tensors)
    if (!is_counter(name) && name != weight && name != bias) names.insert(name);
  return names;
}

// The known architectures whose tensors (classifier aside) carry exactly the checkpoint's names.
std::vector<std::string> architectures_fitting(const NamedTensors& tensors) {
  std::vector<std::string> fitting;
  for (const std::string& arch : image_model_names())
    if (body_names(make_image_model(arch, 0)->state_dict(), arch) == body_names(tensors, arch)) fitting.push_back(arch);
  return fitting;
}

// Refuses an --arch whose tensors are not the checkpoint's when another architecture's are; where
// none fits, the strict load that follows lists every mismatch.
void check_architecture(const InferOptions& o, const NamedTensors& tensors) {
  const std::vector<std::string> known = image_model_names();
  if (std::find(known.begin(), known.end(), o.arch) == known.end()) make_image_model(o.arch, 0);  // names the known ones
  std::vector<std::string> fitting = architectures_fitting(tensors);
  if (fitting.empty() || std::find(fitting.begin(), fitting.end(), o.arch) != fitting.end()) return;
  std::string examples;
  for (size_t i = 0; i < std::min<size_t>(3, tensors.size()); ++i) examples += (i ? ", " : "") + tensors[i].first;
  HITO_FAIL("--arch ", o.arch, " does not fit ", o.weights, ": its ", tensors.size(), " tensors (", examples,
            ", ...) are those of ", fitting.front(), "; use --arch ", fitting.front());
}

struct Normalisation {
  std::array<float, 3> mean{}, std{};
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

// --mean/--std, or the checkpoint's own statement; a typed value that contradicts the statement is
// refused unless --force. Says on stderr which one is used.
Normalisation choose_normalisation(const InferOptions& o, const std::map<std::string, std::string>& metadata) {
  Normalisation typed{parse_triple(o.mean, "--mean"), parse_triple(o.std, "--std")};
  std::optional<InputNormalisation> stated = input_normalisation(metadata);
  if (!stated) {
    std::fprintf(stderr, "hito infer: %s states no input normalisation; using %s mean %s, std %s\n", o.weights.c_str(),
                 o.mean_given || o.std_given ? "the given" : "ImageNet's", o.mean.c_str(), o.std.c_str());
    return typed;
  }
  const bool conflicts = (o.mean_given && typed.mean != stated->mean) || (o.std_given && typed.std != stated->std);
  const std::string given = (o.mean_given ? "--mean " + o.mean : "") + (o.mean_given && o.std_given ? " " : "") +
                            (o.std_given ? "--std " + o.std : "");
  HITO_CHECK(!conflicts || o.force, given, " contradicts ", o.weights,
             "'s metadata (input: '", stated->statement, "', that is mean ", triple_text(stated->mean), ", std ",
             triple_text(stated->std), "): drop --mean/--std to use the checkpoint's, or add --force");
  if (conflicts) {
    Normalisation forced{o.mean_given ? typed.mean : stated->mean, o.std_given ? typed.std : stated->std};
    std::fprintf(stderr, "hito infer: --force: using mean %s, std %s against %s's metadata ('%s')\n",
                 triple_text(forced.mean).c_str(), triple_text(forced.std).c_str(), o.weights.c_str(),
                 stated->statement.c_str());
    return forced;
  }
  std::fprintf(stderr, "hito infer: normalisation from %s's metadata ('%s'): mean %s, std %s\n", o.weights.c_str(),
               stated->statement.c_str(), triple_text(stated->mean).c_str(), triple_text(stated->std).c_str());
  return {stated->mean, stated->std};
}

// The image files among `paths`; the others (no image header: a licence or README caught by a glob)
// are listed on stderr and left out. None left is an error.
std::vector<std::string> image_files(const std::vector<std::string>& paths) {
  std::vector<std::string> images, skipped;
  for (const std::string& path : paths) (data::has_image_header(read_file(path)) ? images : skipped).push_back(path);
  if (!skipped.empty()) {
    std::string list;
    for (const std::string& path : skipped) list += (list.empty() ? "" : ", ") + path;
    std::fprintf(stderr, "hito infer: skipped %zu file%s that %s not images: %s\n", skipped.size(),
                 skipped.size() == 1 ? "" : "s", skipped.size() == 1 ? "is" : "are", list.c_str());
  }
  HITO_CHECK(!images.empty(), "none of the ", paths.size(), " files given to --images is an image");
  return images;
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

Inputs load_inputs(const InferOptions& o, const Normalisation& normalisation) {
  Inputs inputs;
  if (!o.input.empty()) {
    Tensor x = data::load_npy(o.input);
    HITO_CHECK(x.dtype() == DType::F32 && x.dim() == 4, o.input, ": expected an f32 array (N, C, H, W), got ",
               x.describe());
    for (int64_t i = 0; i < x.size(0); ++i) inputs.names.push_back(o.input + "[" + std::to_string(i) + "]");
    for (int64_t i = 0; i < x.size(0); i += o.batch) inputs.batches.push_back(x.rows(i, std::min(i + o.batch, x.size(0))));
    return inputs;
  }
  inputs.names = image_files(o.images);
  for (size_t i = 0; i < inputs.names.size(); i += o.batch) {
    std::vector<data::Image> images;
    for (size_t j = i; j < std::min(i + o.batch, inputs.names.size()); ++j)
      images.push_back(resize_bilinear_pil(data::decode_image(inputs.names[j]), o.size, o.size));
    inputs.batches.push_back(images_to_batch(images, normalisation.mean, normalisation.std));
  }
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
  HITO_CHECK(o.size > 0 && o.batch > 0 && o.topk > 0, "--size, --batch-size and --topk must be positive");
  HITO_CHECK(o.input.empty() || (!o.mean_given && !o.std_given && !o.force),
             "--mean, --std and --force apply to --images; an --input array is used as it is");
  if (o.threads > 0) set_num_threads(o.threads);
  Device device = parse_device(o.device);

  // The checkpoint decides the architecture's fit, the number of classes (0: an embedding model
  // without classifier) and, where it states one, the normalisation.
  SafetensorsFile file = read_safetensors(o.weights);
  NamedTensors tensors = to_torchvision_names(file.tensors);
  check_architecture(o, tensors);
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

  Inputs inputs = load_inputs(o, o.images.empty() ? Normalisation{} : choose_normalisation(o, file.metadata));
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
  CLI::Option* mean_option = command->add_option("--mean", o->mean,
                                          "Per-channel mean of x/255, comma-separated (default: the checkpoint's "
                                          "metadata, else ImageNet's)");
  CLI::Option* std_option = command->add_option("--std", o->std, "Per-channel std of x/255, comma-separated (default: as --mean)");
  command->add_flag("--force", o->force, "Use --mean/--std even where they contradict the checkpoint's metadata");
  command->add_flag("--features", o->features, "Write the pooled features instead of the logits");
  command->add_option("--out", o->out, "Output array (.npy)");
  command->add_option("--labels", o->labels, "Class names, one per line: print the top-k")->check(CLI::ExistingFile);
  command->add_option("--topk", o->topk, "Labels printed per input")->capture_default_str();
  command->add_option("--batch-size", o->batch, "Inputs per forward pass")->capture_default_str();
  command->add_option("--device", o->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", o->threads, "CPU threads (0: all cores)")->capture_default_str();
  command->callback([o, mean_option, std_option] {
    o->mean_given = mean_option->count() > 0;
    o->std_given = std_option->count() > 0;
    run_infer(*o);
  });
}

}  // namespace hito::app

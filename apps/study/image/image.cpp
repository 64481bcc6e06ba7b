// hito image: the three image classifiers (head on embeddings, fine-tuned backbone, own CNN) trained
// by the shared loop and written as model folders.
#include "apps/study/image/image.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "apps/study/image/embed.h"
#include "apps/study/train/image_batches.h"
#include "apps/study/train/model_output.h"
#include "apps/study/train/progress.h"
#include "apps/study/train/training_run.h"
#include "engine/autograd.h"
#include "base/fs.h"
#include "engine/ops.h"
#include "engine/random.h"

namespace hito::study {

namespace {

std::vector<int64_t> all_rows(const PreparedData& data) {
  std::vector<int64_t> rows(static_cast<size_t>(data.size()));
  for (int64_t i = 0; i < data.size(); ++i) rows[static_cast<size_t>(i)] = i;
  return rows;
}

nlohmann::ordered_json train_config_json(const TrainConfig& c, int64_t batch_size) {
  return {{"epochs", c.epochs},         {"patience", c.patience},   {"lr", c.lr},
          {"weight_decay", c.weight_decay}, {"optimizer", c.optimizer}, {"schedule", c.schedule},
          {"warmup_epochs", c.warmup_epochs}, {"class_weighted", c.class_weighted},
          {"label_smoothing", c.label_smoothing}, {"batch_size", batch_size}};
}

// Head mode: the MLP on the cached embeddings; the backbone is described, not trained.
fs::path run_head(const ImageOptions& o, const PreparedData& data, const TrainConfig& config) {
  SavedEmbeddings saved = load_embeddings(data, o.embeddings);
  ImageNetworkSpec spec = saved.backbone;
  spec.mode = "head";
  spec.head = o.head;
  spec.num_classes = data.num_classes();
  // The same initial weights whatever else the process did before.
  Generator gen(o.seed);
  Mlp head(saved.features.size(1), spec.num_classes, spec.head, gen);
  head.to(o.device);

  const int64_t batch_size = o.batch_size > 0 ? o.batch_size : 256;
  BatchOptions train_options{.batch_size = batch_size, .shuffle = true, .drop_last = true, .seed = o.seed, .device = o.device};
  BatchOptions eval_options{.batch_size = 1024, .device = o.device};
  TensorBatches train_rows({saved.features}, data.labels, data.rows_of(data::Part::Train), train_options);
  TensorBatches val_rows({saved.features}, data.labels, data.rows_of(data::Part::Val), eval_options);
  TensorBatches test_rows({saved.features}, data.labels, data.rows_of(data::Part::Test), eval_options);

  TrainTarget target;
  target.module = &head;
  target.logits = [&](const Batch& b) { return head.forward(b.inputs[0]); };
  Tensor class_weights = balanced_class_weights(labels_of(data, data.rows_of(data::Part::Train)), data.num_classes());
  const auto fit_start = Clock::now();
  TrainResult training = train(target, train_rows, val_rows, class_weights, data.num_classes(), config);
  const double fit_seconds = seconds_since(fit_start);

  ModelOutputs out;
  evaluate_splits(out, target, val_rows, test_rows, class_weights);
  {
    NoGradGuard no_grad;
    head.eval();
    out.embeddings = head.features(saved.features.to(o.device)).to(Device::CPU);
  }
  out.config = {{"kind", "image-head"}, {"embeddings", o.embeddings}, {"network", spec.to_json()},
                {"train", train_config_json(config, batch_size)}, {"seed", o.seed}};
  out.model = &head;
  out.training = &training;
  out.fit_seconds = fit_seconds;
  return write_model_folder(data, image_model_name("head"), out);
}

// Finetune and scratch: the whole network trained on the images.
fs::path run_network(const ImageOptions& o, const PreparedData& data, const TrainConfig& config) {
  ImageNetworkSpec spec;
  spec.mode = o.mode;
  spec.head = o.head;
  spec.num_classes = data.num_classes();
  const int64_t size = o.size > 0 ? o.size : (o.mode == "finetune" ? 224 : 96);
  if (o.mode == "finetune") {
    HITO_CHECK(!o.weights.empty(),
               "--mode finetune needs pretrained weights: give --weights FILE (the default "
               "../shared/weights/mobilenet_v2_imagenet.safetensors was not found). Without pretrained weights, "
               "use --mode scratch.");
    HITO_CHECK(fs::is_regular_file(o.weights), "--weights ", o.weights, " is not a file");
    spec.architecture = o.backbone;
    spec.weights_file = fs::absolute(o.weights).string();
    spec.weights_hash = file_content_hash(o.weights);
    spec.preprocessing = pretrained_preprocessing(size, o.keep_aspect, o.weights);
  } else {
    HITO_CHECK(o.width > 0 && o.depth > 0, "--width and --depth must be positive");
    spec.architecture = "small_cnn";
    for (int64_t i = 0; i < o.depth; ++i) spec.channels.push_back(o.width << i);
    spec.preprocessing.height = spec.preprocessing.width = size;
    spec.preprocessing.keep_aspect = o.keep_aspect;
    spec.preprocessing.mean = data.image_mean;
    spec.preprocessing.std = data.image_std;
  }
  // Training reads the run's cache many times: area resize (the pretrained file's PIL resize is for
  // one pass over files).
  spec.preprocessing.resize = "area";

  Generator gen(o.seed);
  auto network = std::make_shared<ImageNetwork>(make_backbone(spec, gen), spec.num_classes, spec.head, gen);
  int64_t trainable_blocks = -1;
  if (o.mode == "finetune") trainable_blocks = unfreeze_last_blocks(*network, o.unfreeze);
  const bool freeze_bn = o.freeze_bn.value_or(o.mode == "finetune");
  if (freeze_bn) network->freeze_batch_norm(true);
  network->to(o.device);

  const int64_t batch_size = o.batch_size > 0 ? o.batch_size : 32;
  data::LoaderOptions loader = data.loader_options();
  loader.mean = spec.preprocessing.mean;
  loader.std = spec.preprocessing.std;
  loader.device = o.device;
  loader.seed = o.seed;
  loader.batch_size = batch_size;
  loader.workers = 1;
  auto images = spec.preprocessing.for_run(data, o.threads);
  data::LoaderOptions train_loader = loader;
  train_loader.shuffle = true;
  train_loader.drop_last = true;
  train_loader.augment = o.augment;
  ImageBatches train_rows(images, data.loader_tables(), data.rows_of(data::Part::Train), train_loader);
  ImageBatches val_rows(images, data.loader_tables(), data.rows_of(data::Part::Val), loader);
  ImageBatches test_rows(images, data.loader_tables(), data.rows_of(data::Part::Test), loader);

  TrainTarget target;
  target.module = network.get();
  target.logits = [&](const Batch& b) { return network->forward(b.inputs[kImagesInput]); };
  // The head at config.lr; the backbone's trainable tensors slower.
  std::vector<Tensor> backbone_params, head_params = network->head->trainable_parameters();
  for (const Tensor& t : network->backbone->trainable_parameters()) backbone_params.push_back(t);
  target.param_groups.push_back({head_params, config.lr, config.lr, config.weight_decay});
  const float backbone_lr = o.mode == "finetune" ? config.lr * o.backbone_lr_scale : config.lr;
  if (!backbone_params.empty()) target.param_groups.push_back({backbone_params, backbone_lr, backbone_lr, config.weight_decay});

  Tensor class_weights = balanced_class_weights(labels_of(data, data.rows_of(data::Part::Train)), data.num_classes());
  const auto fit_start = Clock::now();
  TrainResult training = train(target, train_rows, val_rows, class_weights, data.num_classes(), config);
  const double fit_seconds = seconds_since(fit_start);
  const int64_t trained_images = static_cast<int64_t>(training.history.size()) * train_rows.batches() * batch_size;
  const double images_per_second = trained_images / std::max(fit_seconds, 1e-9);

  ModelOutputs out;
  evaluate_splits(out, target, val_rows, test_rows, class_weights);
  {
    // Penultimate features of every row, in manifest order, for fusion.
    NoGradGuard no_grad;
    network->eval();
    ImageBatches every_row(images, data.loader_tables(), all_rows(data), loader);
    std::vector<Tensor> chunks;
    every_row.start_epoch(0);
    for (Batch b; every_row.next(b);)
      chunks.push_back(network->penultimate(network->forward_features(b.inputs[kImagesInput])).to(Device::CPU));
    out.embeddings = concat(chunks, 0);
  }
  out.config = {{"kind", image_model_name(o.mode)}, {"network", spec.to_json()},
                {"train", train_config_json(config, batch_size)}, {"augment", o.augment}, {"freeze_bn", freeze_bn},
                {"seed", o.seed}};
  if (o.mode == "finetune") {
    out.config["unfreeze"] = o.unfreeze;
    out.config["trainable_blocks"] = trainable_blocks;
    out.config["backbone_lr_scale"] = o.backbone_lr_scale;
  }
  out.config["fit_images_per_second"] = images_per_second;  // training images / fit time (validation included)
  out.config["device"] = o.device == Device::CUDA ? "cuda" : "cpu";
  out.model = network.get();
  out.training = &training;
  out.fit_seconds = fit_seconds;
  std::printf("%s: %.1f training images per second of fit time (validation passes included; %s, %lld px)\n", image_model_name(o.mode).c_str(), images_per_second,
              o.device == Device::CUDA ? "cuda" : "cpu", static_cast<long long>(size));
  return write_model_folder(data, image_model_name(o.mode), out);
}

}  // namespace

std::string image_model_name(const std::string& mode) { return "image-" + mode; }

std::vector<std::vector<std::string>> backbone_blocks(const Module& backbone) {
  std::vector<std::vector<std::string>> blocks;
  std::vector<std::string> keys;  // one per block: its prefix, or "stem"
  for (const auto& [name, tensor] : backbone.named_parameters()) {
    const size_t first = name.find('.');
    const std::string top = name.substr(0, first + 1);  // "features.", "layer1.", "conv1."
    const bool numbered = top == "features." || top.rfind("layer", 0) == 0;
    const std::string key = numbered ? name.substr(0, name.find('.', first + 1) + 1) : "stem";
    auto found = std::find(keys.begin(), keys.end(), key);
    if (found == keys.end()) {
      keys.push_back(key);
      blocks.push_back({});
      found = keys.end() - 1;
    }
    std::vector<std::string>& prefixes = blocks[static_cast<size_t>(found - keys.begin())];
    const std::string prefix = numbered ? key : top;
    if (std::find(prefixes.begin(), prefixes.end(), prefix) == prefixes.end()) prefixes.push_back(prefix);
  }
  return blocks;
}

int64_t unfreeze_last_blocks(ImageNetwork& network, const std::string& unfreeze) {
  std::vector<std::vector<std::string>> blocks = backbone_blocks(*network.backbone);
  const int64_t total = static_cast<int64_t>(blocks.size());
  int64_t n = total;
  if (unfreeze != "all") {
    try {
      size_t used = 0;
      n = std::stoll(unfreeze, &used);
      HITO_CHECK(used == unfreeze.size(), "");
    } catch (const std::exception&) {
      HITO_FAIL("--unfreeze takes a number of blocks or \"all\", got '", unfreeze, "'");
    }
    HITO_CHECK(n >= 0 && n <= total, "--unfreeze ", n, ": the backbone has ", total, " blocks");
  }
  network.set_trainable({"backbone."}, false);
  std::vector<std::string> prefixes;
  for (int64_t b = total - n; b < total; ++b)
    for (const std::string& p : blocks[static_cast<size_t>(b)]) prefixes.push_back("backbone." + p);
  if (!prefixes.empty()) network.set_trainable(prefixes, true);
  return n;
}

fs::path run_image(const ImageOptions& o) {
  HITO_CHECK(o.mode == "head" || o.mode == "finetune" || o.mode == "scratch",
             "--mode must be head, finetune or scratch, got '", o.mode, "'");
  const TrainingRun run(o.run_dir, image_model_name(o.mode), o.resume, "hito image");
  PreparedData data = load_prepared(o.run_dir);
  TrainConfig config = o.train;
  config.label = image_model_name(o.mode);
  if (o.smoke) {
    config.epochs = 1;
    config.warmup_epochs = 0;
  }
  config = run.checkpointed(config, data);
  fs::path folder = o.mode == "head" ? run_head(o, data, config) : run_network(o, data, config);
  run.finish();
  print_model_scores(folder);
  return folder;
}

}  // namespace hito::study

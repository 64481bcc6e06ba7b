// hito image: the three image classifiers (head on embeddings, fine-tuned backbone, own CNN) trained
// by the shared loop and written as model folders.
#include "apps/study/image/image.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "apps/study/image/embed.h"
#include "data/npy.h"
#include "apps/study/train/cross_fit.h"
#include "apps/study/train/image_batches.h"
#include "apps/study/train/model_output.h"
#include "apps/study/train/refit.h"
#include "apps/study/train/progress.h"
#include "apps/study/train/training_run.h"
#include "engine/autograd.h"
#include "base/fs.h"
#include "base/json.h"
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
fs::path run_head(const ImageOptions& o, const PreparedData& data, const TrainConfig& chosen, const FitSpec& fit) {
  const TrainConfig config = fit.train_config(chosen);
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
  TensorBatches train_rows({saved.features}, data.labels, fit.train_rows, train_options);
  TensorBatches val_rows({saved.features}, data.labels, data.rows_of(data::Part::Val), eval_options);
  TensorBatches test_rows({saved.features}, data.labels, data.rows_of(data::Part::Test), eval_options);

  TrainTarget target;
  target.module = &head;
  target.logits = [&](const Batch& b) { return head.forward(b.inputs[0]); };
  Tensor class_weights = balanced_class_weights(labels_of(data, fit.train_rows), data.num_classes());
  const auto fit_start = Clock::now();
  TrainResult training = train(target, train_rows, val_rows, class_weights, data.num_classes(), config);
  const double fit_seconds = seconds_since(fit_start);

  ModelOutputs out;
  evaluate_splits(out, target, fit.refit ? nullptr : &val_rows, test_rows, class_weights);
  {
    NoGradGuard no_grad;
    head.eval();
    out.embeddings = head.features(saved.features.to(o.device)).to(Device::CPU);
  }
  out.config = {{"kind", "image-head"}, {"embeddings", o.embeddings}, {"network", spec.to_json()},
                {"train", train_config_json(config, batch_size)}, {"seed", o.seed}};
  fit.describe(out.config);
  out.model = &head;
  out.training = &training;
  out.fit_seconds = fit_seconds;
  return write_model_folder(data, fit.folder, out);
}

// Finetune and scratch: the network's description from the options.
ImageNetworkSpec network_spec(const ImageOptions& o, const PreparedData& data) {
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
  return spec;
}

// A finetune or scratch network with what training and evaluating it need: the run's images at its
// input size, the loader settings and the target the trainer drives. Not copyable: the target's
// closures point into it.
struct NetworkRun {
  ImageNetworkSpec spec;
  std::shared_ptr<ImageNetwork> network;
  int64_t trainable_blocks = -1;  // finetune: the backbone blocks that train
  bool freeze_bn = false;
  int64_t batch_size = 32;
  std::shared_ptr<const data::ImageSource> images;
  data::LoaderTables tables;
  data::LoaderOptions loader;  // evaluation: in order, no augmentation
  TrainTarget target;

  NetworkRun() = default;
  NetworkRun(const NetworkRun&) = delete;
  NetworkRun& operator=(const NetworkRun&) = delete;

  ImageBatches batches(const std::vector<int64_t>& rows) const { return ImageBatches(images, tables, rows, loader); }
  ImageBatches training_batches(const std::vector<int64_t>& rows, bool augment) const {
    data::LoaderOptions options = loader;
    options.shuffle = true;
    options.drop_last = true;
    options.augment = augment;
    return ImageBatches(images, tables, rows, options);
  }
  // (rows.size(), D): the penultimate features of the rows, in their order (with flip TTA when the
  // spec says so).
  Tensor penultimate(const std::vector<int64_t>& rows) {
    network->eval();
    ImageBatches source = batches(rows);
    std::vector<Tensor> chunks;
    source.start_epoch(0);
    for (Batch b; source.next(b);)
      chunks.push_back(
          network->penultimate(image_features(*network->backbone, b.inputs[kImagesInput], spec.tta_flip)).to(Device::CPU));
    return concat(chunks, 0);
  }
};

// The network of the spec with its initial weights from the seed (and the pretrained file), the
// backbone frozen but its last blocks for finetune, and the trainer's target with the head at
// config.lr and the backbone's trainable tensors slower.
std::unique_ptr<NetworkRun> make_network_run(const ImageOptions& o, const PreparedData& data, ImageNetworkSpec spec,
                                             const TrainConfig& config) {
  auto run = std::make_unique<NetworkRun>();
  run->spec = std::move(spec);
  Generator gen(o.seed);
  run->network = std::make_shared<ImageNetwork>(make_backbone(run->spec, gen), run->spec.num_classes, run->spec.head, gen);
  ImageNetwork& network = *run->network;
  if (o.mode == "finetune") run->trainable_blocks = unfreeze_last_blocks(network, o.unfreeze);
  run->freeze_bn = o.freeze_bn.value_or(o.mode == "finetune");
  if (run->freeze_bn) network.freeze_batch_norm(true);
  network.to(o.device);

  run->batch_size = o.batch_size > 0 ? o.batch_size : 32;
  run->loader = data.loader_options();
  run->loader.mean = run->spec.preprocessing.mean;
  run->loader.std = run->spec.preprocessing.std;
  run->loader.device = o.device;
  run->loader.seed = o.seed;
  run->loader.batch_size = run->batch_size;
  run->loader.workers = 1;
  run->images = run->spec.preprocessing.for_run(data, o.threads);
  run->tables = data.loader_tables();

  TrainTarget& target = run->target;
  target.module = &network;
  // Training sees plain batches; evaluation averages with the mirror image once spec.tta_flip is set.
  NetworkRun* self = run.get();
  target.logits = [self](const Batch& b) {
    const Tensor& x = b.inputs[kImagesInput];
    if (!self->spec.tta_flip || self->network->is_training()) return self->network->forward(x);
    return self->network->forward_head(image_features(*self->network->backbone, x, true));
  };
  std::vector<Tensor> backbone_params, head_params = network.head->trainable_parameters();
  for (const Tensor& t : network.backbone->trainable_parameters()) backbone_params.push_back(t);
  target.param_groups.push_back({head_params, config.lr, config.lr, config.weight_decay});
  const float backbone_lr = o.mode == "finetune" ? config.lr * o.backbone_lr_scale : config.lr;
  if (!backbone_params.empty()) target.param_groups.push_back({backbone_params, backbone_lr, backbone_lr, config.weight_decay});
  return run;
}

// Finetune and scratch: the whole network trained on the images.
fs::path run_network(const ImageOptions& o, const PreparedData& data, const TrainConfig& chosen, const FitSpec& fit) {
  const TrainConfig config = fit.train_config(chosen);
  std::unique_ptr<NetworkRun> run = make_network_run(o, data, network_spec(o, data), config);
  ImageNetworkSpec& spec = run->spec;
  TrainTarget& target = run->target;
  ImageBatches train_rows = run->training_batches(fit.train_rows, o.augment);
  ImageBatches val_rows = run->batches(data.rows_of(data::Part::Val));
  ImageBatches test_rows = run->batches(data.rows_of(data::Part::Test));

  Tensor class_weights = balanced_class_weights(labels_of(data, fit.train_rows), data.num_classes());
  const auto fit_start = Clock::now();
  TrainResult training = train(target, train_rows, val_rows, class_weights, data.num_classes(), config);
  const double fit_seconds = seconds_since(fit_start);
  const int64_t trained_images = static_cast<int64_t>(training.history.size()) * train_rows.batches() * run->batch_size;
  const double images_per_second = trained_images / std::max(fit_seconds, 1e-9);

  // Flip test-time augmentation (the features of each image averaged with its mirror image's), kept
  // when it raises the validation balanced accuracy; a refit takes its train-only model's choice.
  nlohmann::ordered_json tta_choice;
  if (fit.refit) {
    spec.tta_flip = read_json_file(data.run_dir / fit.refit_of / kModelConfig)["network"].value("tta_flip", false);
  } else if (o.tta != "off") {
    const double plain = balanced_accuracy_of(evaluate(target, val_rows, class_weights));
    spec.tta_flip = true;
    const double flipped = balanced_accuracy_of(evaluate(target, val_rows, class_weights));
    spec.tta_flip = o.tta == "on" || flipped > plain;
    tta_choice = {{"val_bacc_plain", plain}, {"val_bacc_flip", flipped}, {"mode", o.tta}, {"kept", spec.tta_flip}};
    std::printf("%s: validation balanced accuracy %.3f, %.3f with flip TTA: %s\n", fit.folder.c_str(), plain, flipped,
                spec.tta_flip ? "flip TTA kept" : "no TTA");
  }

  ModelOutputs out;
  evaluate_splits(out, target, fit.refit ? nullptr : &val_rows, test_rows, class_weights);
  out.embeddings = run->penultimate(all_rows(data));  // every row, in manifest order, for fusion
  if (!tta_choice.empty()) out.metrics_extra["tta"] = tta_choice;
  out.config = {{"kind", image_model_name(o.mode)}, {"network", spec.to_json()},
                {"train", train_config_json(config, run->batch_size)}, {"augment", o.augment},
                {"freeze_bn", run->freeze_bn}, {"seed", o.seed}};
  if (o.mode == "finetune") {
    out.config["unfreeze"] = o.unfreeze;
    out.config["trainable_blocks"] = run->trainable_blocks;
    out.config["backbone_lr_scale"] = o.backbone_lr_scale;
  }
  out.config["fit_images_per_second"] = images_per_second;  // training images / fit time (validation included)
  out.config["device"] = o.device == Device::CUDA ? "cuda" : "cpu";
  fit.describe(out.config);
  out.model = run->network.get();
  out.training = &training;
  out.fit_seconds = fit_seconds;
  std::printf("%s: %.1f training images per second of fit time (validation passes included; %s, %lld px)\n",
              fit.folder.c_str(), images_per_second, o.device == Device::CUDA ? "cuda" : "cpu",
              static_cast<long long>(spec.preprocessing.height));
  return write_model_folder(data, fit.folder, out);
}

// --oof-folds K: out-of-fold embeddings of the training rows (image.h), written into `folder`.
void write_out_of_fold_embeddings(const ImageOptions& o, const PreparedData& data, const TrainConfig& chosen,
                                  const fs::path& folder) {
  const std::vector<int64_t> train_part = data.rows_of(data::Part::Train);
  const std::vector<int> fold_of = grouped_folds(lesion_groups(data, train_part), static_cast<int>(o.oof_folds), o.seed);
  // Each fold network: the chosen configuration for the chosen epochs, the last epoch kept (as a
  // refit), with the train-only model's TTA choice.
  FitSpec fold = refit_fit(data, folder);
  const nlohmann::json main_config = read_json_file(folder / kModelConfig);
  ImageNetworkSpec spec = network_spec(o, data);
  spec.tta_flip = main_config.at("network").value("tta_flip", false);
  Tensor oof = data::load_npy(folder / kEmbeddingsFile);  // (N, D): val and test rows stay as they are
  const int64_t width = oof.size(1);
  float* out = oof.data<float>();
  for (int k = 0; k < static_cast<int>(o.oof_folds); ++k) {
    std::vector<int64_t> fit_rows, held_out;
    for (size_t i = 0; i < train_part.size(); ++i) (fold_of[i] == k ? held_out : fit_rows).push_back(train_part[i]);
    fold.train_rows = fit_rows;
    fold.folder = folder.filename().string() + "-fold" + std::to_string(k + 1);
    const TrainConfig config = fold.train_config(chosen);
    std::unique_ptr<NetworkRun> run = make_network_run(o, data, spec, config);
    ImageBatches fit_batches = run->training_batches(fit_rows, o.augment);
    ImageBatches val_rows = run->batches(data.rows_of(data::Part::Val));
    Tensor class_weights = balanced_class_weights(labels_of(data, fit_rows), data.num_classes());
    train(run->target, fit_batches, val_rows, class_weights, data.num_classes(), config);
    Tensor features = run->penultimate(held_out);  // (held_out, D)
    HITO_CHECK(features.size(1) == width, "out-of-fold embeddings: fold ", k + 1, " has width ", features.size(1),
               ", the model ", width);
    const float* f = features.data<float>();
    for (size_t i = 0; i < held_out.size(); ++i)
      std::copy(f + static_cast<int64_t>(i) * width, f + static_cast<int64_t>(i + 1) * width, out + held_out[i] * width);
    std::printf("%s: out-of-fold embeddings of fold %d/%lld (%zu training rows) done\n", folder.filename().c_str(),
                k + 1, static_cast<long long>(o.oof_folds), held_out.size());
  }
  data::save_npy(folder / kOutOfFoldEmbeddingsFile, oof);
  write_file_atomic(folder / kOutOfFoldInfoFile,
                    nlohmann::ordered_json({{"folds", o.oof_folds}, {"epochs", fold.epochs}, {"seed", o.seed},
                                            {"grouped_by", "lesion"}, {"tta_flip", spec.tta_flip},
                                            {"rows", "training rows from the fold network that did not see them; "
                                                     "validation and test rows as in embeddings.npy"}})
                            .dump(2) + "\n");
}

}  // namespace

std::string image_model_name(const std::string& mode) { return "image-" + mode; }

std::string image_folder_name(const ImageOptions& options) {
  return options.name.empty() ? image_model_name(options.mode) : options.name;
}

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
  HITO_CHECK(o.name.empty() || is_model_folder_name(o.name), "--name '", o.name, "': ", kModelFolderNameRule);
  HITO_CHECK(o.oof_folds == 0 || (o.oof_folds >= 2 && o.mode != "head"),
             "--oof-folds takes 2 or more folds, for --mode finetune or scratch (a head on fixed embeddings has none "
             "to cross-fit), got ", o.oof_folds);
  const TrainingRun run(o.run_dir, image_folder_name(o), o.resume, "hito image");
  PreparedData data = load_prepared(o.run_dir);
  TrainConfig config = o.train;
  config.label = image_folder_name(o);
  if (o.smoke) {
    config.epochs = 1;
    config.warmup_epochs = 0;
  }
  config = run.checkpointed(config, data);
  auto fit_one = [&](const FitSpec& fit) {
    fs::path folder = o.mode == "head" ? run_head(o, data, config, fit) : run_network(o, data, config, fit);
    print_model_scores(folder);
    return folder;
  };
  return fit_and_refit(data, run, image_folder_name(o), o.refit, fit_one, [&](const fs::path& folder) {
    if (o.oof_folds > 0) write_out_of_fold_embeddings(o, data, config, folder);
  });
}

}  // namespace hito::study

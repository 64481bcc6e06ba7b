// `hito image --mode head|finetune|scratch`: the image classifiers of milestone 2, each written as a
// model folder (model_output.h) with the network description of image_model.h:
//   <run>/image-head/      kind "image-head": a linear or MLP head trained on cached embeddings
//                          (`hito embed`) only: seconds;
//   <run>/image-finetune/  kind "image-finetune": the pretrained backbone + a new head trained on the
//                          images, the last N blocks unfrozen at a smaller learning rate, BatchNorm
//                          statistics frozen or not, loader augmentation;
//   <run>/image-scratch/   kind "image-scratch": an own CNN (small_cnn of width/depth) from random
//                          weights.
// All class-weighted and early-stopped on validation balanced accuracy by the shared trainer; each
// folder's embeddings.npy is the penultimate layer for every row (manifest order), for fusion.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "apps/study/image/image_model.h"
#include "apps/study/train/trainer.h"

namespace hito::study {

struct ImageOptions {
  fs::path run_dir;
  std::string mode;  // head, finetune, scratch
  std::string name;  // the model folder's name (--name; empty: image-<mode>), so variants live side by side

  // head: which cached embeddings (<run>/embeddings/<name>.npy)
  std::string embeddings = "mobilenet_v2";
  // The head on the pooled features (all modes): depth 0 is linear.
  MlpConfig head{.width = 256, .depth = 0, .dropout = 0.2f, .batch_norm = true, .activation = "relu"};

  // finetune: the pretrained checkpoint and how much of it trains
  fs::path weights;
  std::string backbone = "mobilenet_v2";
  std::string unfreeze = "3";       // the last N blocks, or "all"
  float backbone_lr_scale = 0.1f;   // backbone lr = lr * this
  // BatchNorm keeps its running statistics while training; unset: on for finetune (the pretrained
  // file's BatchNorm is folded), off for scratch.
  std::optional<bool> freeze_bn;

  // scratch: small_cnn with `depth` blocks of width * 2^i channels
  int64_t width = 32, depth = 4;

  // finetune and scratch input: square size (0: 224 finetune, 96 scratch), resize
  int64_t size = 0;
  bool keep_aspect = false;
  bool augment = true;
  // finetune and scratch: flip test-time augmentation, "auto" (kept when it raises the validation
  // balanced accuracy), "on" or "off"; recorded as the network's tta_flip, which `hito predict` applies.
  std::string tta = "auto";

  TrainConfig train;         // epochs, patience, lr, optimizer, schedule, ...
  int64_t batch_size = 0;    // 0: 256 head, 32 finetune and scratch
  bool smoke = false;        // one epoch, to check the wiring
  bool refit = false;        // then also <name>-refit, trained on train + val (apps/study/train/refit.h)
  // finetune and scratch, --oof-folds K: the training rows cut into K lesion-grouped folds; for each, a
  // network of the chosen configuration trained on the other folds for the chosen epochs (the last
  // epoch kept, as a refit) embeds the fold's rows. Every training row so gets an embedding from a
  // network that never saw it: <folder>/embeddings_oof.npy (validation and test rows as in
  // embeddings.npy) with oof.json, on which early fusion fits its classifier (fusion_inputs.h), so
  // that it does not over-trust the network's view of its own training images. 0: none.
  int64_t oof_folds = 0;
  bool resume = false;       // --resume: continue from <run>/checkpoints/image-<mode>.safetensors
  Device device = Device::CPU;
  int threads = 0;
  uint64_t seed = 0;
};

// Trains, evaluates and writes the model folder; returns it.
fs::path run_image(const ImageOptions& options);

// The folder name of a mode: "image-head", ...
std::string image_model_name(const std::string& mode);
// The folder these options write: --name, or image_model_name(mode).
std::string image_folder_name(const ImageOptions& options);

// The backbone's blocks, in order, as parameter-name prefixes ("features.0.", ..., "features.18."
// for MobileNetV2; "conv1." + "bn1." (the stem), "layer1.0.", ... for ResNets).
std::vector<std::vector<std::string>> backbone_blocks(const Module& backbone);

// Freezes the whole backbone of `network` but its last `unfreeze` blocks ("all": nothing frozen).
// Returns the number of blocks left trainable.
int64_t unfreeze_last_blocks(ImageNetwork& network, const std::string& unfreeze);

}  // namespace hito::study

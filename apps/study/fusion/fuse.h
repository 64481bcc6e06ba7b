// `hito fuse --kind early|late|joint`: the fusions of milestones 3-4, each written as a model folder
// (model_output.h) <run>/fusion-<kind>/ with kind "fusion-<kind>":
//   early  the input models' saved embeddings, balanced and concatenated (early_fusion.h), then a
//          linear or MLP classifier trained by the shared loop; metrics.json "contribution" gives the
//          validation balanced accuracy with each modality's block zeroed (modality_contribution.svg);
//   late   the input models' saved probabilities combined by mean, weighted mean or stacking, chosen
//          on cross-fitted validation scores (late_fusion.h); predictions_val.csv holds the
//          cross-fitted validation probabilities, predictions_test.csv the combiner fitted on all of
//          the validation split applied to the test rows;
//   joint  one network trained end to end on images and tabular features (joint_fusion.h).
// The inputs are model folders of the run (--inputs; default: fusion_inputs.h), never retrained.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/study/fusion/late_fusion.h"
#include "apps/study/train/trainer.h"

namespace hito::study {

namespace fs = std::filesystem;

struct FuseOptions {
  fs::path run_dir;
  std::string kind;                 // early, late, joint
  std::string name;                 // the model folder's name (--name; empty: fusion-<kind>)
  std::vector<std::string> inputs;  // model folders (early, late); empty: the defaults

  // early
  std::string balance = "pca";      // pca, project, none
  int64_t width = 32;               // common block width
  std::vector<float> modality_weights;  // one per input; empty: all 1
  std::string classifier = "linear";    // linear, mlp
  int64_t hidden = 128;                 // mlp classifier: hidden width (one layer)

  // late
  LateOptions late;

  // joint
  std::string head = "concat";      // concat, gated
  fs::path weights;                 // pretrained backbone; empty: the small CNN from scratch
  std::string backbone = "mobilenet_v2";
  bool finetune = false;            // pretrained backbone: train its last `unfreeze` blocks too
  std::string unfreeze = "3";
  int64_t size = 0;                 // image size (0: 224 pretrained, 96 scratch)
  int64_t cnn_width = 32, cnn_depth = 4;  // scratch: small_cnn blocks of cnn_width * 2^i channels
  int64_t branch_width = 64;        // each modality's width where they meet
  bool augment = true;

  TrainConfig train;
  int64_t batch_size = 0;           // 0: 256 early, 32 joint
  bool smoke = false;               // one epoch, to check the wiring
  // Then also <name>-refit (apps/study/train/refit.h): early and joint retrain on train + val; late
  // applies its combiner, learnt on the inputs' validation predictions, to their refits' test predictions.
  bool refit = false;
  bool resume = false;              // --resume (early, joint): continue from <run>/checkpoints/fusion-<kind>.safetensors
  Device device = Device::CPU;
  int threads = 0;
  uint64_t seed = 0;
};

// "fusion-early", "fusion-late", "fusion-joint".
std::string fusion_model_name(const std::string& kind);
// The folder these options write: --name, or fusion_model_name(kind).
std::string fusion_folder_name(const FuseOptions& options);

// Fits, evaluates and writes <run>/fusion-<kind>/; returns the folder.
fs::path run_fuse(const FuseOptions& options);

}  // namespace hito::study

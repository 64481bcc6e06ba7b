// The training loop every model of the study shares: epochs of batches, an optimizer with a
// learning-rate schedule, class-weighted cross-entropy, early stopping on the validation split's
// balanced accuracy with patience, best-checkpoint keeping, a progress bar, and a NaN/Inf guard that
// stops the run and names the input columns and rows that carry non-finite values (the practical's
// rule: a NaN loss is a data problem). Under mpirun the loop is data-parallel (dist/data_parallel.h,
// docs/DISTRIBUTED.md): each rank trains on its slice of every global batch, and all end with the
// same weights.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "apps/study/train/batches.h"
#include "apps/study/train/train_result.h"
#include "engine/optim/optimizer.h"
#include "layers/module.h"

namespace hito::study {

struct TrainConfig {
  int64_t epochs = 60;
  int64_t patience = 10;          // epochs without a better validation score before stopping
  float lr = 1e-3f;
  float weight_decay = 1e-4f;
  std::string optimizer = "adamw";  // adamw, adam, sgd (momentum 0.9, Nesterov)
  std::string schedule = "cosine";  // constant, step, cosine (with warm-up), onecycle
  int64_t warmup_epochs = 1;
  bool class_weighted = true;      // cross-entropy weighted by inverse class frequency
  float label_smoothing = 0.0f;
  float grad_clip = 0.0f;          // global-norm clipping; 0 = off
  bool progress = true;
  std::string label = "train";     // shown in progress lines
  // Where to write the checkpoint after every epoch ("": none), and whether to continue from it
  // when it exists (apps/study/train/checkpoint.h; --resume).
  std::string checkpoint;
  bool resume = false;
  // A refit (refit.h): no selection on validation, every epoch runs and the last one is kept.
  bool keep_last_epoch = false;
  std::string data_key;  // the training data's fingerprint: a checkpoint of other data is not resumed
};

// What the loop trains. `logits` maps a batch to (B, K) logits (in training or eval mode, as the
// module is set). `param_groups` may give per-group learning rates (a backbone slower than its
// head); empty means one group of module.trainable_parameters() at config.lr. `input_names[i]`
// optionally names the columns of batch input i (for the NaN guard's message).
struct TrainTarget {
  Module* module = nullptr;
  std::function<Tensor(const Batch&)> logits;
  std::vector<ParamGroup> param_groups;
  std::vector<std::vector<std::string>> input_names;
};

// Inverse-frequency class weights over the given labels: w_k = n / (K * n_k) (scikit-learn's
// "balanced"); a class absent from the labels gets weight 0.
Tensor balanced_class_weights(const std::vector<int64_t>& labels, int64_t num_classes);

// Trains and leaves the module holding the weights of its best validation epoch.
TrainResult train(TrainTarget& target, BatchSource& train_rows, BatchSource& val_rows, const Tensor& class_weights,
                  int64_t num_classes, const TrainConfig& config);

// Eval-mode pass over a source: probabilities (rows x K, f32 on the CPU) in the source's order, the
// rows and labels in that order, and the mean (weighted) loss.
struct Evaluation {
  Tensor probabilities;
  std::vector<int64_t> rows, labels;
  double loss = 0.0;
};
Evaluation evaluate(TrainTarget& target, BatchSource& rows, const Tensor& class_weights);
// The balanced accuracy of an evaluation's most probable classes.
double balanced_accuracy_of(const Evaluation& evaluation);

// Throws the NaN guard's error when `loss` is not finite: names the inputs' non-finite columns and
// rows, or says that the inputs were finite (a divergence, not a data problem).
void check_finite_loss(float loss, const Batch& batch, const TrainTarget& target, int64_t epoch, int64_t step);

}  // namespace hito::study

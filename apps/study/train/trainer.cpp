// The shared training loop.
#include "apps/study/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "apps/eval/metrics.h"
#include "apps/study/train/checkpoint.h"
#include "apps/study/train/progress.h"
#include "dist/data_parallel.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/optim/schedule.h"
#include "engine/random.h"

namespace hito::study {

namespace {

std::unique_ptr<Optimizer> make_optimizer(std::vector<ParamGroup> groups, const TrainConfig& config) {
  if (config.optimizer == "sgd") return std::make_unique<Sgd>(std::move(groups), SgdOptions{0.9f, 0.0f, true});
  AdamOptions options;
  HITO_CHECK(config.optimizer == "adam" || config.optimizer == "adamw", "unknown optimizer '", config.optimizer,
             "' (adamw, adam, sgd)");
  options.decoupled_weight_decay = config.optimizer == "adamw";
  return std::make_unique<Adam>(std::move(groups), options);
}

// Deep copies of every parameter and buffer: the best checkpoint, kept in memory.
NamedTensors snapshot(const Module& module) {
  NamedTensors copy;
  for (auto& [name, tensor] : module.state_dict()) copy.emplace_back(name, tensor.clone());
  return copy;
}

void restore(Module& module, const NamedTensors& saved) {
  NamedTensors current = module.state_dict();
  for (size_t i = 0; i < current.size(); ++i) current[i].second.copy_(saved[i].second);
}

std::vector<int64_t> argmax_rows(const Tensor& probabilities) {
  return argmax(probabilities, 1).to(Device::CPU).to_vector<int64_t>();
}

// Columns and rows (batch row -> data-set row) of a batch input holding NaN or Inf.
std::string describe_non_finite(const Tensor& input, const std::vector<std::string>& names,
                                const std::vector<int64_t>& rows) {
  if (input.dtype() != DType::F32) return "";
  std::vector<float> values = input.to(Device::CPU).to_vector<float>();
  int64_t n = input.size(0), width = n ? input.numel() / n : 0;
  std::vector<int64_t> bad_columns, bad_rows;
  std::vector<bool> column_seen(static_cast<size_t>(width), false);
  for (int64_t r = 0; r < n; ++r) {
    bool row_bad = false;
    for (int64_t c = 0; c < width; ++c)
      if (!std::isfinite(values[static_cast<size_t>(r * width + c)])) {
        row_bad = true;
        if (!column_seen[static_cast<size_t>(c)]) column_seen[static_cast<size_t>(c)] = true, bad_columns.push_back(c);
      }
    if (row_bad) bad_rows.push_back(rows[static_cast<size_t>(r)]);
  }
  if (bad_rows.empty()) return "";
  std::ostringstream text;
  text << "columns";
  for (size_t i = 0; i < bad_columns.size() && i < 10; ++i) {
    int64_t c = bad_columns[i];
    text << (i ? ", " : " ") << c;
    if (input.dim() == 2 && c < static_cast<int64_t>(names.size())) text << " (" << names[static_cast<size_t>(c)] << ")";
  }
  if (bad_columns.size() > 10) text << ", ... (" << bad_columns.size() << " in all)";
  text << " of data-set rows";
  for (size_t i = 0; i < bad_rows.size() && i < 10; ++i) text << (i ? ", " : " ") << bad_rows[i];
  if (bad_rows.size() > 10) text << ", ... (" << bad_rows.size() << " in all)";
  return text.str();
}
// While alive, `source` serves this rank's slice of each global batch; whole batches again after.
class ShardScope {
 public:
  ShardScope(BatchSource& source, const dist::Communicator& comm) : source_(source) {
    source_.set_shard(data::Shard(comm.rank(), comm.size()));
  }
  ~ShardScope() { source_.set_shard(data::Shard()); }
  ShardScope(const ShardScope&) = delete;
  ShardScope& operator=(const ShardScope&) = delete;

 private:
  BatchSource& source_;
};

// The data-parallel side of train(), under mpirun: rank 0's initial weights on every rank, and the
// all-reduced gradients of the global batch.
std::unique_ptr<dist::DataParallel> make_data_parallel(const Module& module, const std::vector<ParamGroup>& groups,
                                                       dist::Communicator& comm) {
  if (!comm.distributed()) return nullptr;
  std::vector<Tensor> state, trainable;
  for (const auto& [name, tensor] : module.state_dict()) state.push_back(tensor);
  for (const ParamGroup& group : groups) trainable.insert(trainable.end(), group.params.begin(), group.params.end());
  // Dropout masks differ between ranks (rank 0 draws as one process would).
  Generator& gen = default_generator();
  gen.reseed(gen.seed() + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(comm.rank()));
  return std::make_unique<dist::DataParallel>(comm, state, std::move(trainable));
}

// What a checkpoint must agree on to be resumed: every setting that changes the arithmetic, the
// batches per epoch, the data's fingerprint, and the names and shapes of the module's tensors.
std::string checkpoint_config(const Module& module, const TrainConfig& c, int64_t batches_per_epoch) {
  std::ostringstream key;
  key << "epochs=" << c.epochs << " patience=" << c.patience << " lr=" << c.lr << " weight_decay=" << c.weight_decay
      << " optimizer=" << c.optimizer << " schedule=" << c.schedule << " warmup=" << c.warmup_epochs
      << " class_weighted=" << c.class_weighted << " label_smoothing=" << c.label_smoothing << " grad_clip=" << c.grad_clip
      << " batches=" << batches_per_epoch << " data=" << c.data_key << " tensors=";
  for (const auto& [name, tensor] : module.state_dict()) key << name << shape_str(tensor.shape());
  return key.str();
}
}  // namespace

Tensor balanced_class_weights(const std::vector<int64_t>& labels, int64_t num_classes) {
  std::vector<int64_t> counts(static_cast<size_t>(num_classes), 0);
  for (int64_t y : labels) {
    HITO_CHECK(y >= 0 && y < num_classes, "label ", y, " outside [0, ", num_classes, ")");
    ++counts[static_cast<size_t>(y)];
  }
  std::vector<float> weights(static_cast<size_t>(num_classes), 0.0f);
  for (int64_t k = 0; k < num_classes; ++k)
    if (counts[static_cast<size_t>(k)] > 0)
      weights[static_cast<size_t>(k)] =
          static_cast<float>(labels.size()) / (static_cast<float>(num_classes) * counts[static_cast<size_t>(k)]);
  return Tensor::from_vector(weights, {num_classes});
}

void check_finite_loss(float loss, const Batch& batch, const TrainTarget& target, int64_t epoch, int64_t step) {
  if (std::isfinite(loss)) return;
  std::ostringstream message;
  message << "the loss became " << loss << " at epoch " << epoch << ", batch " << step << ". ";
  bool found = false;
  for (size_t i = 0; i < batch.inputs.size(); ++i) {
    static const std::vector<std::string> no_names;
    std::string where = describe_non_finite(batch.inputs[i], i < target.input_names.size() ? target.input_names[i] : no_names,
                                            batch.rows);
    if (where.empty()) continue;
    message << (found ? "; " : "A NaN loss is a data problem: ") << "input " << i << " has NaN/Inf in " << where;
    found = true;
  }
  if (!found)
    message << "Every input of the batch is finite, so the training diverged: lower the learning rate, clip "
               "gradients (--grad-clip) or check the normalisation of the inputs.";
  HITO_FAIL(message.str());
}

Evaluation evaluate(TrainTarget& target, BatchSource& source, const Tensor& class_weights) {
  NoGradGuard no_grad;
  target.module->eval();
  Evaluation result;
  std::vector<Tensor> chunks;
  double loss_sum = 0.0, weight_sum = 0.0;
  CrossEntropyOptions loss_options;
  std::vector<float> weights = class_weights.defined() ? class_weights.to_vector<float>() : std::vector<float>();
  source.start_epoch(0);
  Batch batch;
  while (source.next(batch)) {
    Tensor logits = target.logits(batch);
    if (class_weights.defined()) loss_options.class_weight = class_weights.to(logits.device());
    // The weighted mean over all rows: each batch's (weighted) mean times its weight total.
    std::vector<int64_t> labels = batch.labels.to(Device::CPU).to_vector<int64_t>();
    double batch_weight = 0.0;
    for (int64_t y : labels) batch_weight += weights.empty() ? 1.0 : weights[static_cast<size_t>(y)];
    loss_sum += cross_entropy(logits, batch.labels, loss_options).item() * batch_weight;
    weight_sum += batch_weight;
    chunks.push_back(softmax(logits, 1).to(Device::CPU));
    result.rows.insert(result.rows.end(), batch.rows.begin(), batch.rows.end());
    result.labels.insert(result.labels.end(), labels.begin(), labels.end());
  }
  HITO_CHECK(!chunks.empty(), "evaluate: the data source yielded no rows");
  result.probabilities = concat(chunks, 0);
  result.loss = weight_sum > 0 ? loss_sum / weight_sum : 0.0;
  return result;
}

double balanced_accuracy_of(const Evaluation& e) {
  return eval::balanced_accuracy(e.labels, argmax_rows(e.probabilities), e.probabilities.size(1));
}

TrainResult train(TrainTarget& target, BatchSource& train_rows, BatchSource& val_rows, const Tensor& class_weights,
                  int64_t num_classes, const TrainConfig& config) {
  HITO_CHECK(target.module && target.logits, "train: no model given");
  HITO_CHECK(config.epochs >= 1, "epochs must be >= 1, got ", config.epochs);
  std::vector<ParamGroup> groups = target.param_groups;
  if (groups.empty()) groups = single_group(target.module->trainable_parameters(), config.lr, config.weight_decay);
  dist::Communicator& comm = dist::world();
  std::unique_ptr<dist::DataParallel> parallel = make_data_parallel(*target.module, groups, comm);
  ShardScope shard(train_rows, comm);  // before batches(): a last batch with fewer rows than ranks is dropped
  auto optimizer = make_optimizer(groups, config);
  int64_t batches_per_epoch = train_rows.batches();
  HITO_CHECK(batches_per_epoch > 0, "train: the training split yielded no batches");
  auto schedule = make_schedule(config.schedule, config.epochs * batches_per_epoch,
                                config.warmup_epochs * batches_per_epoch);

  bool weighted = config.class_weighted && class_weights.defined();
  std::vector<float> weight_of_class = weighted ? class_weights.to_vector<float>() : std::vector<float>();

  ProgressBar progress(config.label, config.progress && comm.is_writer());
  LoopState state;
  const std::string checkpoint_key = checkpoint_config(*target.module, config, batches_per_epoch);
  bool resumed = config.resume && !config.checkpoint.empty() &&
                 load_checkpoint(config.checkpoint, *target.module, *optimizer, state, checkpoint_key);
  if (resumed && comm.is_writer())
    std::printf("%s: resumed from %s after epoch %lld\n", config.label.c_str(), config.checkpoint.c_str(),
                static_cast<long long>(state.epochs_done));
  if (!resumed) state.best = snapshot(*target.module);
  TrainResult& result = state.result;
  NamedTensors& best = state.best;
  int64_t& since_best = state.since_best;
  int64_t& step = state.steps;
  auto run_start = Clock::now();
  const double seconds_before = result.seconds;
  CrossEntropyOptions loss_options;
  loss_options.label_smoothing = config.label_smoothing;
  bool finished = resumed && (state.epochs_done >= config.epochs ||
                              (since_best >= config.patience && state.epochs_done < config.epochs));
  if (finished && since_best >= config.patience && state.epochs_done < config.epochs) result.stopped_early = true;
  for (int64_t epoch = state.epochs_done + 1; !finished && epoch <= config.epochs; ++epoch) {
    auto epoch_start = Clock::now();
    target.module->train();
    train_rows.start_epoch(epoch);
    progress.start_epoch(epoch, config.epochs, train_rows.size());
    double loss_sum = 0.0;
    int64_t rows_done = 0, batch_index = 0;  // over all ranks
    std::vector<int64_t> seen_labels, seen_predictions;
    Batch batch;
    while (train_rows.next(batch)) {
      schedule->apply(*optimizer, step++);
      optimizer->zero_grad();
      Tensor logits = target.logits(batch);
      if (weighted) loss_options.class_weight = class_weights.to(logits.device());
      Tensor loss = cross_entropy(logits, batch.labels, loss_options);
      float loss_value = loss.item();
      check_finite_loss(loss_value, batch, target, epoch, batch_index);
      std::vector<int64_t> labels = batch.labels.to(Device::CPU).to_vector<int64_t>();
      int64_t b = static_cast<int64_t>(batch.rows.size());
      double batch_loss = loss_value;
      if (parallel) {
        // This rank's share of the global loss: its rows' weight (their count when unweighted).
        double weight = 0.0;
        for (int64_t y : labels) weight += weighted ? weight_of_class[static_cast<size_t>(y)] : 1.0;
        dist::GlobalLoss global = parallel->backward(loss, weight, b);
        batch_loss = global.loss;
        b = global.rows;
      } else {
        loss.backward();
      }
      if (config.grad_clip > 0) clip_grad_norm(target.module->trainable_parameters(), config.grad_clip);
      optimizer->step();
      loss_sum += batch_loss * b;
      rows_done += b;
      ++batch_index;
      std::vector<int64_t> predicted = argmax(logits.detach(), 1).to(Device::CPU).to_vector<int64_t>();
      seen_labels.insert(seen_labels.end(), labels.begin(), labels.end());
      seen_predictions.insert(seen_predictions.end(), predicted.begin(), predicted.end());
      progress.update(rows_done, loss_sum / rows_done);
    }
    if (parallel) {  // every rank's rows, for the training balanced accuracy
      seen_labels = comm.all_gather(seen_labels, "the gathering of the epoch's training labels");
      seen_predictions = comm.all_gather(seen_predictions, "the gathering of the epoch's training predictions");
    }
    Evaluation val = evaluate(target, val_rows, config.class_weighted ? class_weights : Tensor());
    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = loss_sum / std::max<int64_t>(rows_done, 1);
    record.train_bacc = eval::balanced_accuracy(seen_labels, seen_predictions, num_classes);
    record.val_loss = val.loss;
    record.val_bacc = eval::balanced_accuracy(val.labels, argmax_rows(val.probabilities), num_classes);
    record.lr = optimizer->groups().front().lr;
    record.seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    result.history.push_back(record);
    bool improved = config.keep_last_epoch || epoch == 1 || record.val_bacc > result.best_val_bacc;
    if (improved) {
      result.best_val_bacc = record.val_bacc;
      result.best_epoch = epoch;
      best = snapshot(*target.module);
      since_best = 0;
    } else {
      ++since_best;
    }
    char summary[128];
    std::snprintf(summary, sizeof summary, "val loss %.4f bacc %.3f%s", record.val_loss, record.val_bacc,
                  improved ? " (best)" : "");
    progress.finish_epoch(summary);
    state.epochs_done = epoch;
    result.seconds = seconds_before + seconds_since(run_start);
    if (!config.checkpoint.empty() && comm.is_writer())  // rank 0 alone writes
      save_checkpoint(config.checkpoint, *target.module, *optimizer, state, checkpoint_key);
    if (since_best >= config.patience && epoch < config.epochs) {
      result.stopped_early = true;
      progress.note("early stop after epoch " + std::to_string(epoch) + " of " + std::to_string(config.epochs) +
                    ": no better val balanced accuracy for " + std::to_string(since_best) +
                    (since_best == 1 ? " epoch" : " epochs") + " (patience " + std::to_string(config.patience) + "); keeping epoch " +
                    std::to_string(result.best_epoch));
      break;
    }
  }
  restore(*target.module, best);
  result.seconds = seconds_before + seconds_since(run_start);
  return result;
}

}  // namespace hito::study

// hito fuse: early, late and joint fusion trained, evaluated and written as model folders.
#include "apps/study/fusion/fuse.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "apps/eval/metrics.h"
#include "plot/bar_chart.h"
#include "apps/study/fusion/early_fusion.h"
#include "apps/study/image/embed.h"
#include "apps/study/fusion/fusion_inputs.h"
#include "apps/study/image/image.h"
#include "apps/study/train/image_batches.h"
#include "apps/study/fusion/joint_fusion.h"
#include "apps/study/train/model_output.h"
#include "apps/study/train/refit.h"
#include "apps/study/train/progress.h"
#include "apps/study/train/training_run.h"
#include "data/csv.h"
#include "engine/autograd.h"
#include "base/error.h"
#include "base/fs.h"
#include "engine/ops.h"

namespace hito::study {

namespace {

nlohmann::ordered_json train_config_json(const TrainConfig& c, int64_t batch_size) {
  return {{"epochs", c.epochs},         {"patience", c.patience},   {"lr", c.lr},
          {"weight_decay", c.weight_decay}, {"optimizer", c.optimizer}, {"schedule", c.schedule},
          {"batch_size", batch_size}};
}

// Balanced accuracy of (n, K) probabilities against labels.
double bacc_of(const Tensor& probabilities, const std::vector<int64_t>& labels) {
  Tensor predicted = argmax(probabilities, 1);
  return eval::balanced_accuracy(labels, predicted.to_vector<int64_t>(), probabilities.size(1));
}

// A bar chart of validation balanced accuracies, written into the model folder.
void write_bar_figure(const fs::path& path, const std::string& title, const std::vector<std::string>& names,
                      const std::vector<double>& values) {
  plot::BarChart chart;
  chart.title = title;
  chart.y_label = "validation balanced accuracy";
  chart.categories = names;
  chart.groups.push_back({"val", values});
  chart.value_decimals = 3;
  chart.y_max = 1.0;
  chart.width = std::max(480.0, 90.0 * static_cast<double>(names.size()));
  write_file_atomic(path, plot::render_bar_chart(chart));
}

TrainConfig smoke_config(TrainConfig config, bool smoke) {
  if (smoke) {
    config.epochs = 1;
    config.patience = 1;
    config.progress = false;
  }
  return config;
}

// ---- early -------------------------------------------------------------------------------------

// What the balancing did, in words, for config.json and so for the report.
std::string balancing_sentence(const EarlyFusionConfig& c) {
  std::string s = "each modality standardised with its training-split mean and standard deviation, then ";
  if (c.balance == "pca")
    s += "projected on its first " + std::to_string(c.block_width(0)) +
         " principal components (PCA fitted on the training split) and scaled to mean column variance 1";
  else if (c.balance == "project")
    s += "mapped to " + std::to_string(c.width) + " columns by a linear projection learned with the classifier";
  else
    s += "concatenated at its own width (no length balancing)";
  std::string weights;
  for (size_t m = 0; m < c.inputs.size(); ++m)
    if (c.weight(m) != 1.0f) weights += (weights.empty() ? "" : ", ") + c.inputs[m] + " x" + data::format_number(c.weight(m));
  return s + (weights.empty() ? "; equal weights" : "; weights " + weights);
}

fs::path run_early(const FuseOptions& o, const PreparedData& data, const TrainingRun& run, const FitSpec& fit) {
  std::vector<std::string> inputs = resolve_fusion_inputs(data.run_dir, o.inputs, true);
  // The classifier fits on the fitting embeddings (out-of-fold for a trained image network's training
  // rows when it has them) and is scored on the saved ones.
  std::vector<Tensor> blocks, fit_blocks;
  nlohmann::ordered_json fit_sources;
  EarlyFusionConfig config;
  config.inputs = inputs;
  for (const std::string& name : inputs) {
    std::string source;
    fit_blocks.push_back(load_fitting_embeddings(data, name, source));
    blocks.push_back(source.rfind("out-of-fold", 0) == 0 ? load_input_embeddings(data, name) : fit_blocks.back());
    HITO_CHECK(blocks.back().size(1) == fit_blocks.back().size(1), name, ": its out-of-fold embeddings have another width");
    fit_sources[name] = source;
    config.input_widths.push_back(blocks.back().size(1));
  }
  config.balance = o.balance;
  config.width = o.width;
  config.weights = o.modality_weights;
  HITO_CHECK(o.classifier == "linear" || o.classifier == "mlp", "--classifier must be linear or mlp, got '",
             o.classifier, "'");
  config.classifier = {.width = o.hidden, .depth = o.classifier == "mlp" ? 1 : 0, .dropout = 0.3f,
                       .batch_norm = true, .activation = "relu"};
  config.num_classes = data.num_classes();
  config.validate();
  std::string described;
  for (size_t m = 0; m < inputs.size(); ++m)
    described += (m ? " + " : "") + inputs[m] + " (" + std::to_string(config.input_widths[m]) + " columns)";
  std::printf("fusion-early: %s; %s\n", described.c_str(), balancing_sentence(config).c_str());

  const std::vector<int64_t> train_ids = data.rows_of(data::Part::Train), val_ids = data.rows_of(data::Part::Val),
                             test_ids = data.rows_of(data::Part::Test);
  const auto fit_start = Clock::now();
  std::vector<BlockStatistics> statistics;
  for (size_t m = 0; m < blocks.size(); ++m)
    statistics.push_back(fit_block_statistics(fit_blocks[m], train_ids, o.balance, config.block_width(m)));
  Generator gen(o.seed);
  EarlyFusionNet net(config, statistics, gen);
  net.to(o.device);

  const int64_t batch_size = o.batch_size > 0 ? o.batch_size : 256;
  BatchOptions train_options{.batch_size = batch_size, .shuffle = true, .drop_last = true, .seed = o.seed, .device = o.device};
  BatchOptions eval_options{.batch_size = 2048, .device = o.device};
  TensorBatches train_rows(fit_blocks, data.labels, fit.train_rows, train_options);
  TensorBatches val_rows(blocks, data.labels, val_ids, eval_options);
  TensorBatches test_rows(blocks, data.labels, test_ids, eval_options);

  int64_t zeroed = -1;  // the block evaluate() replaces by its training mean
  TrainTarget target;
  target.module = &net;
  target.logits = [&](const Batch& b) { return net.logits(b.inputs, zeroed); };
  for (size_t m = 0; m < inputs.size(); ++m) {
    std::vector<std::string> names;
    for (int64_t j = 0; j < config.input_widths[m]; ++j) names.push_back(inputs[m] + "[" + std::to_string(j) + "]");
    target.input_names.push_back(names);
  }
  Tensor class_weights = balanced_class_weights(labels_of(data, fit.train_rows), data.num_classes());
  TrainConfig train_config = run.checkpointed(smoke_config(o.train, o.smoke), data);
  train_config.label = fit.folder;
  train_config = fit.train_config(train_config);  // a refit keeps no checkpoint
  TrainResult training = train(target, train_rows, val_rows, class_weights, data.num_classes(), train_config);
  const double fit_seconds = seconds_since(fit_start);

  ModelOutputs out;
  evaluate_splits(out, target, fit.refit ? nullptr : &val_rows, test_rows, class_weights);
  {
    NoGradGuard no_grad;
    net.eval();
    std::vector<Tensor> on_device;
    for (const Tensor& b : blocks) on_device.push_back(b.to(o.device));
    out.embeddings = net.features(on_device).to(Device::CPU);
  }

  // Each modality's contribution: the validation score without it (not for a refit, whose
  // validation rows were training rows).
  const double full_bacc = fit.refit ? NAN : bacc_of(out.val.probabilities, out.val.labels);
  nlohmann::ordered_json contribution;
  std::vector<std::string> bar_names = {"all"};
  std::vector<double> bar_values = {full_bacc};
  for (size_t m = 0; !fit.refit && m < inputs.size(); ++m) {
    zeroed = static_cast<int64_t>(m);
    Evaluation without = evaluate(target, val_rows, class_weights);
    double bacc = bacc_of(without.probabilities, without.labels);
    contribution[inputs[m]] = {{"val_bacc_without", bacc}, {"drop", full_bacc - bacc}};
    bar_names.push_back("without " + inputs[m]);
    bar_values.push_back(bacc);
    std::printf("fusion-early: validation balanced accuracy %.3f, %.3f with %s zeroed\n", full_bacc, bacc,
                inputs[m].c_str());
  }
  zeroed = -1;

  nlohmann::ordered_json explained;
  for (size_t m = 0; m < inputs.size(); ++m)
    if (!statistics[m].explained.empty())
      explained[inputs[m]] = std::accumulate(statistics[m].explained.begin(), statistics[m].explained.end(), 0.0);

  out.config = {{"kind", fusion_model_name("early")}, {"balancing", balancing_sentence(config)}, {"fusion", config.to_json()},
                {"train", train_config_json(train_config, batch_size)}, {"seed", o.seed}};
  for (const std::string& name : inputs) out.config["input_versions"][name] = input_version(data.run_dir, name);
  out.config["training_embeddings"] = fit_sources;
  // The backbones of embeddings/<name> inputs, so that hito predict can remake them for new images.
  for (const std::string& name : inputs)
    if (name.rfind(kEmbeddingsInputPrefix, 0) == 0)
      out.config["embedding_backbones"][name] =
          load_embeddings(data, name.substr(std::string(kEmbeddingsInputPrefix).size())).backbone.to_json();
  if (!explained.empty()) out.config["pca_variance_kept"] = explained;
  fit.describe(out.config);
  out.metrics_extra["balance"] = o.balance;
  if (!explained.empty()) out.metrics_extra["pca_variance_kept"] = explained;
  if (!fit.refit) {
    out.metrics_extra["val_bacc_all"] = full_bacc;
    out.metrics_extra["contribution"] = contribution;
    out.extra_files = [&](const fs::path& folder) {
      write_bar_figure(folder / "modality_contribution.svg",
                       "Validation balanced accuracy with each modality's block zeroed", bar_names, bar_values);
    };
  }
  out.model = &net;
  out.training = &training;
  out.fit_seconds = fit_seconds;
  return write_model_folder(data, fit.folder, out);
}

// ---- late --------------------------------------------------------------------------------------

Evaluation evaluation_of(const std::vector<double>& probs, const std::vector<int64_t>& rows,
                         const std::vector<int64_t>& labels, int64_t k) {
  Evaluation e;
  std::vector<float> p(probs.begin(), probs.end());
  e.probabilities = Tensor::from_vector(p, {static_cast<int64_t>(rows.size()), k});
  e.rows = rows;
  e.labels = labels;
  double loss = 0.0;
  for (size_t i = 0; i < rows.size(); ++i)
    loss -= std::log(std::max(probs[i * static_cast<size_t>(k) + static_cast<size_t>(labels[i])], 1e-15));
  e.loss = rows.empty() ? 0.0 : loss / static_cast<double>(rows.size());
  return e;
}

fs::path run_late(const FuseOptions& o, const PreparedData& data) {
  std::vector<std::string> inputs = resolve_fusion_inputs(data.run_dir, o.inputs, false);
  const std::vector<int64_t> val_ids = data.rows_of(data::Part::Val), test_ids = data.rows_of(data::Part::Test);
  const std::vector<int64_t> val_labels = labels_of(data, val_ids), test_labels = labels_of(data, test_ids);
  LateInputs val = load_late_inputs(data, inputs, "val", val_ids);

  LateOptions options = o.late;
  options.seed = o.seed;
  const auto fit_start = Clock::now();
  LateChoice choice = choose_late_fusion(val, val_labels, lesion_groups(data, val_ids), options);
  const double fit_seconds = seconds_since(fit_start);
  std::vector<int64_t> test_rows(test_ids.size());
  std::iota(test_rows.begin(), test_rows.end(), 0);

  const int64_t k = data.num_classes();
  std::vector<std::string> bar_names;
  std::vector<double> bar_values;
  nlohmann::ordered_json singles, cv;
  for (size_t m = 0; m < inputs.size(); ++m) {
    std::vector<float> p(val.probs[m].begin(), val.probs[m].end());
    double bacc = bacc_of(Tensor::from_vector(p, {val.rows, k}), val_labels);
    singles[inputs[m]] = bacc;
    bar_names.push_back(inputs[m]);
    bar_values.push_back(bacc);
  }
  for (size_t m = 0; m < late_methods().size(); ++m) {
    cv[late_methods()[m]] = choice.cv_bacc[m];
    bar_names.push_back(late_methods()[m] + " (cross-fitted)");
    bar_values.push_back(choice.cv_bacc[m]);
    std::printf("fusion-late: %s, cross-fitted validation balanced accuracy %.3f\n", late_methods()[m].c_str(),
                choice.cv_bacc[m]);
  }
  const std::string chosen = late_methods()[choice.chosen];
  std::printf("fusion-late: chose %s\n", chosen.c_str());

  // The combiner applied to the test predictions of `used` (the inputs, or their refits).
  auto write_combination = [&](const std::string& name, const std::vector<std::string>& used, bool refit) {
    LateInputs test = load_late_inputs(data, used, "test", test_ids);
    const auto predict_start = Clock::now();
    std::vector<double> test_probs = choice.combiner.combine(test, test_rows);
    ModelOutputs out;
    out.predict_seconds = seconds_since(predict_start);
    if (!refit) out.val = evaluation_of(choice.cv_probs[choice.chosen], val_ids, val_labels, k);
    out.test = evaluation_of(test_probs, test_ids, test_labels, k);
    out.config = {{"kind", fusion_model_name("late")},
                  {"inputs", used},
                  {"input_versions", [&] {
                     nlohmann::ordered_json v;
                     for (const std::string& input : used) v[input] = input_version(data.run_dir, input);
                     return v;
                   }()},
                  {"combiner", choice.combiner.to_json()},
                  {"folds", options.folds},
                  {"grid_steps", options.grid_steps},
                  {"stack_c", options.stack_c},
                  {"stack_features", options.stack_features},
                  {"seed", o.seed}};
    if (refit) {
      // The refits have no out-of-sample validation predictions to learn a combiner from: the
      // train-only inputs' combiner is reused as it is.
      out.config["fitted_on"] = "train+val";
      out.config["refit_of"] = fusion_folder_name(o);
      out.config["combiner_from"] = inputs;  // whose validation predictions the combiner was learnt on
    } else {
      out.config["val_predictions"] = "cross-fitted: each validation row scored by the combiner fitted on the other folds";
    }
    out.metrics_extra["chosen"] = chosen;
    out.metrics_extra["cv_val_bacc"] = cv;
    out.metrics_extra["input_val_bacc"] = singles;
    out.metrics_extra["combiner"] = choice.combiner.to_json();
    out.extra_files = [&](const fs::path& folder) {
      write_bar_figure(folder / "late_fusion_methods.svg",
                       "Validation balanced accuracy: the inputs, and each combiner cross-fitted", bar_names, bar_values);
    };
    out.fit_seconds = fit_seconds;
    fs::path folder = write_model_folder(data, name, out);
    print_model_scores(folder);
    return folder;
  };
  fs::path folder = write_combination(fusion_folder_name(o), inputs, false);
  if (o.refit) {
    std::vector<std::string> refits;
    for (const std::string& input : inputs) {
      const std::string refit = refit_folder_name(input);
      refits.push_back(fs::exists(data.run_dir / refit / kPredictionsTest) ? refit : input);
    }
    write_combination(refit_folder_name(fusion_folder_name(o)), refits, true);
  }
  return folder;
}


// ---- joint -------------------------------------------------------------------------------------

// The image branch: the pretrained backbone (frozen, or its last blocks trainable) or the small CNN.
ImageNetworkSpec joint_image_spec(const FuseOptions& o, const PreparedData& data) {
  ImageNetworkSpec spec;
  spec.num_classes = data.num_classes();
  const bool pretrained = !o.weights.empty();
  const int64_t size = o.size > 0 ? o.size : (pretrained ? 224 : 96);
  if (pretrained) {
    HITO_CHECK(fs::is_regular_file(o.weights), "--weights ", o.weights.string(), " is not a file");
    spec.mode = o.finetune ? "finetune" : "head";
    spec.architecture = o.backbone;
    spec.weights_file = fs::absolute(o.weights).string();
    spec.weights_hash = file_content_hash(o.weights);
    spec.preprocessing = pretrained_preprocessing(size, false);
  } else {
    HITO_CHECK(o.cnn_width > 0 && o.cnn_depth > 0, "--cnn-width and --cnn-depth must be positive");
    spec.mode = "scratch";
    spec.architecture = "small_cnn";
    for (int64_t i = 0; i < o.cnn_depth; ++i) spec.channels.push_back(o.cnn_width << i);
    spec.preprocessing.height = spec.preprocessing.width = size;
    spec.preprocessing.mean = data.image_mean;
    spec.preprocessing.std = data.image_std;
  }
  // Many epochs over the run's images: the memory-mapped cache with area resize.
  spec.preprocessing.resize = "area";
  return spec;
}

// Frozen pretrained backbone: nothing of it trains and BatchNorm keeps its statistics; fine-tuned:
// only its last `unfreeze` blocks train.
void set_backbone_trainable(ImageClassifier& backbone, const FuseOptions& o) {
  if (o.weights.empty()) return;
  backbone.set_requires_grad("", false);
  backbone.freeze_batch_norm(true);
  if (!o.finetune) return;
  std::vector<std::vector<std::string>> blocks = backbone_blocks(backbone);
  const int64_t total = static_cast<int64_t>(blocks.size());
  const int64_t n = o.unfreeze == "all" ? total : std::min<int64_t>(total, std::stoll(o.unfreeze));
  for (int64_t b = total - n; b < total; ++b)
    for (const std::string& prefix : blocks[static_cast<size_t>(b)]) backbone.set_requires_grad(prefix, true);
}

fs::path run_joint(const FuseOptions& o, const PreparedData& data, const TrainingRun& run, const FitSpec& fit) {
  JointFusionConfig config;
  config.image = joint_image_spec(o, data);
  config.tabular_features = data.tabular.size(1);
  config.branch_width = o.branch_width;
  config.head = o.head;
  config.num_classes = data.num_classes();
  config.validate();

  Generator gen(o.seed);
  JointFusionNet net(config, make_backbone(config.image, gen), gen);
  set_backbone_trainable(*net.backbone, o);
  net.to(o.device);

  const int64_t batch_size = o.batch_size > 0 ? o.batch_size : 32;
  data::LoaderOptions loader = data.loader_options();
  loader.mean = config.image.preprocessing.mean;
  loader.std = config.image.preprocessing.std;
  loader.device = o.device;
  loader.seed = o.seed;
  loader.batch_size = batch_size;
  auto images = config.image.preprocessing.for_run(data, o.threads);
  data::LoaderOptions train_loader = loader;
  train_loader.shuffle = true;
  train_loader.drop_last = true;
  train_loader.augment = o.augment;
  ImageBatches train_rows(images, data.loader_tables(), fit.train_rows, train_loader);
  ImageBatches val_rows(images, data.loader_tables(), data.rows_of(data::Part::Val), loader);
  ImageBatches test_rows(images, data.loader_tables(), data.rows_of(data::Part::Test), loader);

  TrainTarget target;
  target.module = &net;
  target.logits = [&](const Batch& b) { return net.logits(b.inputs[kImagesInput], b.inputs[kTabularInput]); };
  target.input_names = {{}, data.tabular_features};
  Tensor class_weights = balanced_class_weights(labels_of(data, fit.train_rows), data.num_classes());
  TrainConfig train_config = run.checkpointed(smoke_config(o.train, o.smoke), data);
  train_config.label = fit.folder;
  train_config = fit.train_config(train_config);  // a refit keeps no checkpoint
  const auto fit_start = Clock::now();
  TrainResult training = train(target, train_rows, val_rows, class_weights, data.num_classes(), train_config);
  const double fit_seconds = seconds_since(fit_start);

  ModelOutputs out;
  evaluate_splits(out, target, fit.refit ? nullptr : &val_rows, test_rows, class_weights);

  // Embeddings of every row, and the mean gates of each split (gated head).
  std::vector<int64_t> every(static_cast<size_t>(data.size()));
  std::iota(every.begin(), every.end(), 0);
  std::vector<Tensor> chunks, gate_chunks;
  {
    NoGradGuard no_grad;
    net.eval();
    ImageBatches all_rows(images, data.loader_tables(), every, loader);
    all_rows.start_epoch(0);
    for (Batch b; all_rows.next(b);) {
      Tensor gates;
      chunks.push_back(net.fuse(b.inputs[kImagesInput], b.inputs[kTabularInput], &gates).to(Device::CPU));
      if (gates.defined()) gate_chunks.push_back(gates.to(Device::CPU));
    }
  }
  out.embeddings = concat(chunks, 0);
  if (!gate_chunks.empty()) {
    std::vector<float> g = concat(gate_chunks, 0).to_vector<float>();
    nlohmann::ordered_json mean_gates;
    for (data::Part part : {data::Part::Train, data::Part::Val, data::Part::Test}) {
      double image = 0.0;
      std::vector<int64_t> rows = data.rows_of(part);
      for (int64_t r : rows) image += g[static_cast<size_t>(2 * r)];
      image /= std::max<double>(1.0, static_cast<double>(rows.size()));
      mean_gates[data::part_name(part)] = {{"image", image}, {"tabular", 1.0 - image}};
    }
    out.metrics_extra["mean_gates"] = mean_gates;
    std::printf("fusion-joint: mean gate on the test split: image %.3f, tabular %.3f\n",
                mean_gates["test"]["image"].get<double>(), mean_gates["test"]["tabular"].get<double>());
  }
  out.config = {{"kind", fusion_model_name("joint")}, {"fusion", config.to_json()},
                {"train", train_config_json(train_config, batch_size)}, {"augment", o.augment},
                {"unfreeze", o.finetune ? o.unfreeze : "0"}, {"seed", o.seed},
                {"device", o.device == Device::CUDA ? "cuda" : "cpu"}};
  fit.describe(out.config);
  out.model = &net;
  out.training = &training;
  out.fit_seconds = fit_seconds;
  return write_model_folder(data, fit.folder, out);
}

}  // namespace

std::string fusion_model_name(const std::string& kind) { return "fusion-" + kind; }

std::string fusion_folder_name(const FuseOptions& options) {
  return options.name.empty() ? fusion_model_name(options.kind) : options.name;
}

fs::path run_fuse(const FuseOptions& options) {
  HITO_CHECK(options.kind == "early" || options.kind == "late" || options.kind == "joint",
             "--kind must be early, late or joint, got '", options.kind, "'");
  HITO_CHECK(options.name.empty() || is_model_folder_name(options.name), "--name '", options.name, "': ",
             kModelFolderNameRule);
  // Late fusion trains nothing epoch by epoch (it combines saved probabilities in seconds), so
  // --resume has nothing to continue there: it simply runs again.
  const TrainingRun run(options.run_dir, fusion_folder_name(options), options.resume, "hito fuse");
  PreparedData data = load_prepared(options.run_dir);
  if (options.kind == "late") return run_late(options, data);
  auto fit_one = [&](const FitSpec& fit) {
    fs::path folder = options.kind == "early" ? run_early(options, data, run, fit) : run_joint(options, data, run, fit);
    print_model_scores(folder);
    return folder;
  };
  return fit_and_refit(data, run, fusion_folder_name(options), options.refit, fit_one);
}

}  // namespace hito::study

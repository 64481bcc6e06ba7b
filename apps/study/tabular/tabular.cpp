// hito tabular: the MLP on the prepared tabular features, its hyperparameters and the fitting core
// shared with search and pixels.
#include "apps/study/tabular/tabular.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "apps/study/train/model_output.h"
#include "apps/study/train/progress.h"
#include "engine/autograd.h"
#include "base/fs.h"
#include "base/json.h"
#include "kernels/runtime.h"
#include "engine/ops.h"
#include "engine/random.h"

namespace hito::study {

namespace {

std::vector<Tensor> input_tensors(const TabularInputs& inputs) {
  std::vector<Tensor> tensors = {inputs.numeric};
  if (inputs.codes.defined()) tensors.push_back(inputs.codes);
  return tensors;
}

Tensor batch_logits(TabularModel& model, const Batch& b) {
  return model.logits(b.inputs[0], b.inputs.size() > 1 ? b.inputs[1] : Tensor());
}

}  // namespace

double tidy(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", static_cast<double>(value));
  return std::strtod(text, nullptr);
}

nlohmann::ordered_json TabularHyper::to_json() const {
  return {{"mode", mode},       {"width", width},
          {"depth", depth},     {"dropout", tidy(dropout)},
          {"lr", tidy(lr)},     {"weight_decay", tidy(weight_decay)},
          {"batch_size", batch_size}, {"epochs", epochs},
          {"patience", patience}, {"class_weighted", class_weighted}};
}

TabularHyper TabularHyper::updated(const nlohmann::json& json, const std::string& source) const {
  HITO_CHECK(json.is_object(), source, ": hyperparameters must be a JSON object");
  TabularHyper h = *this;
  for (const auto& [key, value] : json.items()) {
    try {
      if (key == "mode") h.mode = value.get<std::string>();
      else if (key == "width") h.width = value.get<int64_t>();
      else if (key == "depth") h.depth = value.get<int64_t>();
      else if (key == "dropout") h.dropout = value.get<float>();
      else if (key == "lr") h.lr = value.get<float>();
      else if (key == "weight_decay") h.weight_decay = value.get<float>();
      else if (key == "batch_size") h.batch_size = value.get<int64_t>();
      else if (key == "epochs") h.epochs = value.get<int64_t>();
      else if (key == "patience") h.patience = value.get<int64_t>();
      else if (key == "class_weighted") h.class_weighted = value.get<bool>();
      else HITO_FAIL(source, ": unknown hyperparameter '", key, "' (known: ", to_json().dump(), ")");
    } catch (const nlohmann::json::exception& e) {
      HITO_FAIL(source, ": hyperparameter '", key, "' has the wrong type: ", e.what());
    }
  }
  HITO_CHECK(h.mode == "onehot" || h.mode == "embedding", source, ": mode must be onehot or embedding, got '", h.mode, "'");
  HITO_CHECK(h.width > 0 && h.depth >= 0, source, ": width must be > 0 and depth >= 0");
  HITO_CHECK(h.dropout >= 0 && h.dropout < 1, source, ": dropout must be in [0, 1)");
  HITO_CHECK(h.lr > 0 && h.weight_decay >= 0, source, ": lr must be > 0 and weight_decay >= 0");
  HITO_CHECK(h.batch_size >= 2 && h.epochs >= 1 && h.patience >= 1, source,
             ": batch_size must be >= 2, epochs and patience >= 1");
  return h;
}

MlpConfig TabularHyper::mlp() const {
  return MlpConfig{.width = width, .depth = depth, .dropout = dropout, .batch_norm = true, .activation = "relu"};
}

TrainConfig TabularHyper::train() const {
  TrainConfig c;
  c.epochs = epochs;
  c.patience = patience;
  c.lr = lr;
  c.weight_decay = weight_decay;
  c.class_weighted = class_weighted;
  return c;
}

fs::path best_config_path(const fs::path& run_dir) { return run_dir / "search" / "best.json"; }

TabularHyper resolve_hyper(const TabularOptions& o) {
  TabularHyper h = o.hyper.updated(nlohmann::json::object(), "the defaults");
  if (!o.config.empty()) {
    fs::path path = o.config == "best" ? best_config_path(o.run_dir) : fs::path(o.config);
    if (o.config == "best")
      HITO_CHECK(fs::is_regular_file(path), "--config best reads ", path.string(),
                 ", which does not exist: run `hito search --run ", o.run_dir.string(), "` first");
    nlohmann::json json = read_json_file(path);
    // best.json holds {"hyperparameters": {...}, ...}; a plain file may hold the object itself.
    const nlohmann::json& entries = json.contains("hyperparameters") ? json["hyperparameters"] : json;
    h = h.updated(entries, path.string());
  }
  h = h.updated(o.overrides, "the command line");
  if (o.smoke) h.epochs = 1;
  return h;
}

TabularInputs tabular_inputs(const PreparedData& data, const std::string& mode) {
  TabularInputs in;
  if (mode == "onehot") {
    in.numeric = data.tabular;
    in.numeric_names = data.tabular_features;
  } else {
    HITO_CHECK(mode == "embedding", "--mode must be onehot or embedding, got '", mode, "'");
    in.numeric = data.numeric;
    in.numeric_names = data.numeric_features;
    in.codes = data.codes;
    in.code_names = data.code_columns;
    in.vocabulary_sizes = data.code_cardinalities;
  }
  return in;
}

nlohmann::ordered_json tabular_model_json(const TabularInputs& inputs, const TabularHyper& hyper, int64_t classes) {
  return {{"numeric_features", inputs.numeric_names}, {"code_columns", inputs.code_names},
          {"vocabulary_sizes", inputs.vocabulary_sizes}, {"classes", classes},
          {"width", hyper.width}, {"depth", hyper.depth}, {"dropout", hyper.dropout}};
}

std::shared_ptr<TabularModel> make_tabular_model(const nlohmann::json& m, const std::string& source) {
  try {
    MlpConfig mlp{.width = m.at("width").get<int64_t>(), .depth = m.at("depth").get<int64_t>(),
                  .dropout = m.at("dropout").get<float>(), .batch_norm = true, .activation = "relu"};
    Generator gen(0);
    return std::make_shared<TabularModel>(static_cast<int64_t>(m.at("numeric_features").size()),
                                          m.at("vocabulary_sizes").get<std::vector<int64_t>>(),
                                          m.at("classes").get<int64_t>(), mlp, gen);
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(source, ": malformed model description: ", e.what());
  }
}

Tensor predict_probabilities(TabularModel& model, const TabularInputs& inputs, Device device) {
  NoGradGuard no_grad;
  model.eval();
  const int64_t n = inputs.numeric.size(0);
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  TensorBatches batches(input_tensors(inputs), Tensor::zeros({n}, DType::I64), rows, {.batch_size = 1024, .device = device});
  std::vector<Tensor> chunks;
  batches.start_epoch(0);
  for (Batch b; batches.next(b);) chunks.push_back(softmax(batch_logits(model, b), 1).to(Device::CPU));
  return concat(chunks, 0);
}

FitSettings command_fit_settings(const FitSpec& spec, uint64_t seed, Device device, bool progress, const TrainingRun& run) {
  FitSettings settings{.seed = seed, .device = device, .progress = progress, .with_test = true, .label = spec.folder,
                       .run = &run};
  if (spec.refit) settings.refit = &spec;
  return settings;
}

TabularFit fit_tabular(const PreparedData& data, const TabularInputs& inputs, const TabularHyper& hyper,
                       const FitSettings& s) {
  TabularFit fit;
  // The same initial weights, dropout masks and batch order for the same seed, whatever ran before.
  Generator gen(s.seed);
  fit.model = std::make_shared<TabularModel>(inputs.numeric.size(1), inputs.vocabulary_sizes, data.num_classes(),
                                             hyper.mlp(), gen);
  fit.model->to(s.device);
  manual_seed(s.seed);  // dropout masks draw from the default generator

  const std::vector<int64_t> train_part = s.refit ? s.refit->train_rows : data.rows_of(data::Part::Train);
  BatchOptions train_options{.batch_size = hyper.batch_size, .shuffle = true, .drop_last = true, .seed = s.seed,
                             .device = s.device};
  BatchOptions eval_options{.batch_size = 1024, .device = s.device};
  TensorBatches train_rows(input_tensors(inputs), data.labels, train_part, train_options);
  TensorBatches val_rows(input_tensors(inputs), data.labels, data.rows_of(data::Part::Val), eval_options);

  TabularModel& model = *fit.model;
  TrainTarget target;
  target.module = &model;
  target.logits = [&model](const Batch& b) { return batch_logits(model, b); };
  target.input_names = {inputs.numeric_names, inputs.code_names};

  TrainConfig config = hyper.train();
  config.progress = s.progress;
  config.label = s.label;
  if (s.run) config = s.run->checkpointed(config, data);
  if (s.refit) config = s.refit->train_config(config);  // a refit keeps no checkpoint
  Tensor class_weights = balanced_class_weights(labels_of(data, train_part), data.num_classes());
  const auto fit_start = Clock::now();
  fit.training = train(target, train_rows, val_rows, class_weights, data.num_classes(), config);
  fit.fit_seconds = seconds_since(fit_start);

  const Tensor eval_weights = hyper.class_weighted ? class_weights : Tensor();
  if (!s.refit) fit.val = evaluate(target, val_rows, eval_weights);
  if (s.with_test) {
    TensorBatches test_rows(input_tensors(inputs), data.labels, data.rows_of(data::Part::Test), eval_options);
    // The predict time of every model (evaluate_splits in model_output.h): the test pass alone.
    const auto predict_start = Clock::now();
    fit.test = evaluate(target, test_rows, eval_weights);
    fit.predict_seconds = seconds_since(predict_start);
    NoGradGuard no_grad;
    model.eval();
    fit.embeddings = model.features(inputs.numeric.to(s.device), inputs.codes.defined() ? inputs.codes.to(s.device) : Tensor())
                         .to(Device::CPU);
  }
  return fit;
}

fs::path run_tabular(const TabularOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const TrainingRun run(o.run_dir, o.name, o.resume, "hito tabular");
  PreparedData data = load_prepared(o.run_dir);
  const TabularHyper hyper = resolve_hyper(o);
  TabularInputs inputs = tabular_inputs(data, hyper.mode);
  auto fit_one = [&](const FitSpec& spec) {
    TabularFit fit = fit_tabular(data, inputs, hyper, command_fit_settings(spec, o.seed, o.device, o.progress, run));
    ModelOutputs out = model_outputs(fit);
    out.config = {{"kind", "tabular"},
                  {"mode", hyper.mode},
                  {"hyperparameters", hyper.to_json()},
                  {"config_source", o.config.empty() ? "defaults" : o.config},
                  {"model", tabular_model_json(inputs, hyper, data.num_classes())},
                  {"seed", o.seed},
                  {"smoke", o.smoke}};
    spec.describe(out.config);
    fs::path folder = write_model_folder(data, spec.folder, out);
    print_model_scores(folder);
    return folder;
  };
  return fit_and_refit(data, run, o.name, o.refit, fit_one);
}

ModelOutputs model_outputs(const TabularFit& fit) {
  ModelOutputs out;
  out.model = fit.model.get();
  out.training = &fit.training;
  out.val = fit.val;
  out.test = fit.test;
  out.embeddings = fit.embeddings;
  out.fit_seconds = fit.fit_seconds;
  out.predict_seconds = fit.predict_seconds;
  return out;
}

}  // namespace hito::study

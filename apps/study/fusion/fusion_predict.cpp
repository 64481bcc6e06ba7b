// Applying fusion model folders to new data.
#include "apps/study/fusion/fusion_predict.h"

#include "apps/study/fusion/early_fusion.h"
#include "apps/study/fusion/fusion_inputs.h"
#include "apps/study/train/image_batches.h"
#include "apps/study/fusion/joint_fusion.h"
#include "apps/study/fusion/late_fusion.h"
#include "apps/study/train/model_output.h"
#include "engine/autograd.h"
#include "base/error.h"
#include "engine/ops.h"
#include "weights/state_dict.h"

namespace hito::study {

namespace {

// Normalised image batches of the new rows, with their encoded tabular features.
struct NewRows {
  std::shared_ptr<const data::ImageSource> images;
  data::LoaderTables tables;
  std::vector<int64_t> rows;
};

NewRows new_rows(const ModelFolder& model, const NewData& data, const ImagePreprocessing& preprocessing) {
  NewRows n;
  n.images = preprocessing.files(data.image_paths());
  data::EncodedTable encoded = model.encoder.transform(data.table);
  const int64_t count = static_cast<int64_t>(data.ids.size());
  n.tables = {encoded.tabular, encoded.codes, Tensor::zeros({count}, DType::I64)};
  for (int64_t i = 0; i < count; ++i) n.rows.push_back(i);
  return n;
}

data::LoaderOptions loader_options(const ModelFolder& model, const ImagePreprocessing& preprocessing) {
  data::LoaderOptions o;
  o.batch_size = 32;
  o.mean = preprocessing.mean;
  o.std = preprocessing.std;
  o.device = model.device;
  return o;
}

// The backbone features of every new row, as `hito embed` computed them for training.
Tensor backbone_embeddings(const ModelFolder& model, const NewData& data, const std::string& input) {
  const nlohmann::json& backbones = model.config.at("embedding_backbones");
  HITO_CHECK(backbones.contains(input), model.file(kModelConfig).string(), ": no backbone recorded for input '", input,
             "'");
  ImageNetworkSpec spec = ImageNetworkSpec::from_json(backbones.at(input), model.file(kModelConfig).string());
  auto backbone = make_backbone(spec);
  backbone->eval();
  backbone->to(model.device);
  NewRows n = new_rows(model, data, spec.preprocessing);
  ImageBatches batches(n.images, n.tables, n.rows, loader_options(model, spec.preprocessing));
  std::vector<Tensor> chunks;
  batches.start_epoch(0);
  for (Batch b; batches.next(b);) chunks.push_back(image_features(*backbone, b.inputs[kImagesInput], spec.tta_flip).to(Device::CPU));
  return concat(chunks, 0);
}

// The penultimate embedding of an image model folder (image-head, -finetune, -scratch) for every new
// row, as `hito image` saved it for the training rows.
Tensor image_model_embeddings(const ModelFolder& model, const NewData& data, const std::string& input) {
  LoadedImageNetwork loaded = load_image_network(model.dir.parent_path() / input, model.device);
  NewRows n = new_rows(model, data, loaded.spec.preprocessing);
  ImageBatches batches(n.images, n.tables, n.rows, loader_options(model, loaded.spec.preprocessing));
  NoGradGuard no_grad;
  std::vector<Tensor> chunks;
  batches.start_epoch(0);
  for (Batch b; batches.next(b);)
    chunks.push_back(
        loaded.network->penultimate(image_features(*loaded.network, b.inputs[kImagesInput], loaded.spec.tta_flip))
            .to(Device::CPU));
  return concat(chunks, 0);
}

// Refuses an input retrained (or re-embedded) since the fusion was fitted: its embedding changed.
void check_input_version(const ModelFolder& model, const std::string& input) {
  const nlohmann::json& recorded = model.config.at("input_versions");
  const std::string now = input_version(model.dir.parent_path(), input);
  HITO_CHECK(recorded.contains(input) && recorded.at(input).get<std::string>() == now, model.dir.string(),
             " was fitted on another version of its input '", input, "' (retrained since): fuse again");
}

}  // namespace

Tensor predict_fusion_late(const ModelFolder& model, const NewData& data, const Predictor& predict_input) {
  const std::string where = model.file(kModelConfig).string();
  LateCombiner combiner = LateCombiner::from_json(model.config.at("combiner"), where);
  std::vector<std::string> inputs = model.config.at("inputs").get<std::vector<std::string>>();
  LateInputs in;
  in.rows = static_cast<int64_t>(data.ids.size());
  in.classes = static_cast<int64_t>(model.classes.size());
  for (const std::string& name : inputs) {
    ModelFolder input = load_model_folder(model.dir.parent_path() / name);
    HITO_CHECK(input.classes == model.classes, "late fusion input ", input.dir.string(), " has other classes than ",
               model.dir.string());
    input.device = model.device;
    input.threads = model.threads;
    Tensor p = predict_input(input, data).to(Device::CPU);
    HITO_CHECK(p.dim() == 2 && p.size(0) == in.rows && p.size(1) == in.classes, "the predictor of ", input.dir.string(),
               " returned ", p.describe(), " for ", in.rows, " rows");
    std::vector<float> v = p.to_vector<float>();
    in.probs.emplace_back(v.begin(), v.end());
  }
  std::vector<int64_t> rows(static_cast<size_t>(in.rows));
  for (int64_t i = 0; i < in.rows; ++i) rows[static_cast<size_t>(i)] = i;
  std::vector<double> p = combiner.combine(in, rows);
  return Tensor::from_vector(std::vector<float>(p.begin(), p.end()), {in.rows, in.classes});
}

Tensor predict_fusion_early(const ModelFolder& model, const NewData& data) {
  EarlyFusionConfig config = EarlyFusionConfig::from_json(model.config.at("fusion"), model.file(kModelConfig).string());
  std::vector<Tensor> blocks;
  for (const std::string& input : config.inputs) {
    check_input_version(model, input);
    if (input == kPreparedTabularInput) {
      blocks.push_back(model.encoder.transform(data.table).tabular);
    } else if (input.rfind(kEmbeddingsInputPrefix, 0) == 0) {
      blocks.push_back(backbone_embeddings(model, data, input));
    } else if (input.rfind("image-", 0) == 0) {
      blocks.push_back(image_model_embeddings(model, data, input));
    } else {
      HITO_FAIL(model.dir.string(), " fuses the embedding of the model folder '", input,
                "', which hito predict cannot recompute for new data (only image models' can be). Fuse "
                "prepared/tabular with image models or embeddings/<name> for a model usable on new data");
    }
  }
  EarlyFusionNet net(config, {});
  load_state_dict(net, model.file(kModelWeights));
  net.eval();
  net.to(model.device);
  NoGradGuard no_grad;
  for (Tensor& b : blocks) b = b.to(model.device);
  return softmax(net.logits(blocks), 1).to(Device::CPU);
}

Tensor predict_fusion_joint(const ModelFolder& model, const NewData& data) {
  JointFusionConfig config = JointFusionConfig::from_json(model.config.at("fusion"), model.file(kModelConfig).string());
  JointFusionNet net(config, make_backbone(config.image));
  load_state_dict(net, model.file(kModelWeights));
  net.eval();
  net.to(model.device);
  NewRows n = new_rows(model, data, config.image.preprocessing);
  ImageBatches batches(n.images, n.tables, n.rows, loader_options(model, config.image.preprocessing));
  NoGradGuard no_grad;
  std::vector<Tensor> chunks;
  batches.start_epoch(0);
  for (Batch b; batches.next(b);)
    chunks.push_back(softmax(net.logits(b.inputs[kImagesInput], b.inputs[kTabularInput]), 1).to(Device::CPU));
  return concat(chunks, 0);
}

}  // namespace hito::study

// Applying tabular and pixels model folders to new data.
#include "apps/study/tabular/tabular_predict.h"

#include <algorithm>

#include "apps/study/train/model_output.h"
#include "apps/study/tabular/pixels.h"
#include "apps/study/tabular/tabular.h"
#include "weights/state_dict.h"

namespace hito::study {

namespace {

// The folder's MLP with its trained weights, applied to the inputs.
Tensor run_saved_mlp(const ModelFolder& model, const TabularInputs& inputs) {
  const std::string where = model.file(kModelConfig).string();
  const nlohmann::json& description = model.config.at("model");
  HITO_CHECK(inputs.numeric.size(1) == static_cast<int64_t>(description.at("numeric_features").size()), where,
             ": the model takes ", description.at("numeric_features").size(), " inputs, the new data give ",
             inputs.numeric.size(1));
  std::shared_ptr<TabularModel> net = make_tabular_model(description, where);
  load_state_dict(*net, model.file(kModelWeights));
  net->to(model.device);
  return predict_probabilities(*net, inputs, model.device);
}

}  // namespace

void require_feature_columns(const ModelFolder& model, const NewData& data) {
  const auto& header = data.table.header;
  auto check = [&](const std::string& column) {
    HITO_CHECK(std::find(header.begin(), header.end(), column) != header.end(), data.table.source.string(),
               ": missing column '", column, "', a feature of the model ", model.dir.string());
  };
  for (const auto& n : model.encoder.numerics()) check(n.column);
  for (const auto& c : model.encoder.categoricals()) check(c.column);
}

Tensor predict_tabular(const ModelFolder& model, const NewData& data) {
  require_feature_columns(model, data);
  data::EncodedTable encoded = model.encoder.transform(data.table);
  TabularInputs inputs;
  if (model.config.value("mode", "onehot") == "embedding") {
    inputs.numeric = encoded.numeric;
    inputs.codes = encoded.codes;
  } else {
    inputs.numeric = encoded.tabular;
  }
  return run_saved_mlp(model, inputs);
}

Tensor predict_pixels(const ModelFolder& model, const NewData& data) {
  const nlohmann::json& pca_json = model.config.at("pca");
  const int64_t size = pca_json.at("size").get<int64_t>();
  data::ImageFiles images(data.image_paths(), size, size, data::parse_resize_mode(pca_json.at("resize").get<std::string>()));
  Pca pca = load_pca(model.file(pca_json.at("file").get<std::string>()), pca_json.at("whiten").get<bool>());
  TabularInputs inputs;
  inputs.numeric = pca.transform(flatten_images(images, model.threads));
  return run_saved_mlp(model, inputs);
}

}  // namespace hito::study

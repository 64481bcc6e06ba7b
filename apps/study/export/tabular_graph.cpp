// A tabular model folder as an ONNX graph.
#include "apps/study/export/tabular_graph.h"

#include "apps/study/tabular/tabular.h"
#include "apps/study/train/model_output.h"
#include "onnx/network_nodes.h"
#include "weights/state_dict.h"

namespace hito::study {

onnx::OnnxGraph tabular_graph(const ModelFolder& model) {
  const std::string where = model.file(kModelConfig).string();
  const nlohmann::json& description = model.config.at("model");
  std::shared_ptr<TabularModel> net = make_tabular_model(description, where);
  load_state_dict(*net, model.file(kModelWeights));
  net->eval();

  const auto numeric = description.at("numeric_features").get<std::vector<std::string>>();
  const auto codes = description.at("code_columns").get<std::vector<std::string>>();
  const auto count = [](const std::vector<std::string>& v) { return static_cast<int64_t>(v.size()); };
  onnx::OnnxGraph g;
  g.name_tensors(*net, "");
  std::string logits;
  if (net->embeddings().empty()) {
    g.input("features", onnx::ElemType::Float, {-1, count(numeric)});
    g.metadata("features", numeric);
    g.doc("input features: f32 (N, F), the rows through preprocessing/encoders.json of the model folder");
    logits = onnx::tabular_nodes(g, *net, "features", "");
  } else {
    if (!numeric.empty()) g.input("numeric", onnx::ElemType::Float, {-1, count(numeric)});
    g.input("codes", onnx::ElemType::Int64, {-1, count(codes)});
    g.metadata("numeric", numeric);
    g.metadata("codes", codes);
    g.doc("inputs numeric: f32 (N, F) and codes: i64 (N, C), the rows through preprocessing/encoders.json");
    logits = onnx::tabular_nodes(g, *net, numeric.empty() ? "" : "numeric", "codes");
  }
  onnx::classifier_outputs(g, logits, static_cast<int64_t>(model.classes.size()));
  return g;
}

}  // namespace hito::study

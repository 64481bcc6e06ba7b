// hito export: the exporter of each model kind, and the file.
#include "apps/study/export/export.h"

#include <cstdio>
#include <functional>
#include <map>

#include "apps/study/export/image_graph.h"
#include "apps/study/export/tabular_graph.h"
#include "apps/study/train/model_output.h"
#include "base/fs.h"

namespace hito::study {

namespace {

using GraphBuilder = std::function<onnx::OnnxGraph(const ModelFolder&)>;

// Every model kind that exports, and how.
const std::map<std::string, GraphBuilder>& exporters() {
  static const std::map<std::string, GraphBuilder> table = {
      {"tabular", tabular_graph},
      {"image-head", image_graph},
      {"image-finetune", image_graph},
      {"image-scratch", image_graph},
  };
  return table;
}

}  // namespace

ExportResult run_export(const ExportOptions& o) {
  HITO_CHECK(!o.onnx.empty(), "--onnx FILE is required");
  HITO_CHECK(fs::is_regular_file(o.model_dir / kModelConfig), o.model_dir.string(), " is not a model folder (no ",
             kModelConfig, "; model folders are what hito tabular, hito image ... write, e.g. run/tabular)");
  ModelFolder model = load_model_folder(o.model_dir);
  auto exporter = exporters().find(model.kind);
  if (exporter == exporters().end()) {
    std::string known;
    for (const auto& [kind, builder] : exporters()) known += (known.empty() ? "" : ", ") + kind;
    HITO_FAIL("hito export cannot export ", o.model_dir.string(), ": its kind '", model.kind,
              "' has no ONNX exporter (kinds that export: ", known, ")");
  }
  onnx::OnnxGraph graph = exporter->second(model);
  graph.metadata("kind", model.kind);
  graph.metadata("classes", model.classes);
  const std::string bytes = graph.serialize(model.kind);
  if (!o.onnx.parent_path().empty()) fs::create_directories(o.onnx.parent_path());
  write_file_atomic(o.onnx, bytes);

  ExportResult result{o.onnx, model.kind, static_cast<int64_t>(bytes.size())};
  std::printf("export: %s (%s) -> %s (%.1f kB, ONNX opset 13)\n", o.model_dir.c_str(), model.kind.c_str(),
              o.onnx.c_str(), static_cast<double>(result.bytes) / 1024.0);
  return result;
}

}  // namespace hito::study

// `hito export --model DIR --onnx FILE`: a trained model folder as an ONNX file that other runtimes
// run (apps/study/export/export.h: the inputs, outputs and preprocessing of each kind).
#include "apps/cli/command.h"
#include "apps/study/export/export.h"

namespace hito::app {

void register_export(CLI::App& app) {
  auto paths = std::make_shared<std::pair<std::string, std::string>>();  // model, onnx
  CLI::App* command = app.add_subcommand(
      "export", "Write a trained model folder (tabular, image-head, image-finetune, image-scratch) as ONNX (opset 13)");
  command->add_option("--model", paths->first, "Model folder (e.g. run/image-head)")->required();
  command->add_option("--onnx", paths->second, "ONNX file to write (inputs and outputs: docs in README)")->required();
  command->callback([paths] { study::run_export({.model_dir = paths->first, .onnx = paths->second}); });
}

}  // namespace hito::app

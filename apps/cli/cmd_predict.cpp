// `hito predict --model DIR --data DIR [--preset NAME | --config FILE] --out FILE.csv`: a trained
// model folder applied to new data with its training-time preprocessing (apps/study/predict/predict.h).
#include "apps/cli/command.h"
#include "apps/study/predict/predict.h"

namespace hito::app {

void register_predict(CLI::App& app) {
  auto o = std::make_shared<study::PredictOptions>();
  auto flags = std::make_shared<std::pair<std::string, std::string>>();  // model, data
  auto config = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("predict", "Apply a trained model folder to new data -> FILE.csv (+ FILE.metrics.json with labels)");
  command->add_option("--model", flags->first, "Model folder (e.g. run/tabular)")->required();
  command->add_option("--data", flags->second, "Data folder: metadata CSV + images, in the format of the data set config")
      ->required();
  auto* preset = command->add_option("--preset", o->preset, "Read the new data with this built-in config (ham10000)");
  auto* file = command->add_option("--config", *config, "Read the new data with this data set config (JSON)");
  preset->excludes(file);
  command->add_option("--out", *out, "Predictions CSV: <id column>,pred,p_<class>...")->required();
  command->add_option("--device", common->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", common->threads, "CPU threads (0: all cores)")->capture_default_str();
  command->callback([o, flags, config, out, common] {
    study::PredictOptions options = *o;
    options.device = apply_common_options(*common);
    options.threads = common->threads;
    options.model_dir = flags->first;
    options.data_dir = flags->second;
    options.config_file = *config;
    options.out = *out;
    study::run_predict(options);
  });
}

}  // namespace hito::app

// `hito prepare --data DIR [--preset ham10000 | --config FILE] [--run DIR]`: checks the data, splits
// it, fits the preprocessing on the training split and writes <run>/prepared/ (apps/study/prepare/prepare.h).
#include "apps/cli/command.h"
#include "apps/study/prepare/prepare.h"
#include "base/error.h"

namespace hito::app {

namespace {
struct PrepareFlags {
  std::string data, preset, config, split = "0.7,0.15,0.15", on_bad_row = "error";
  double leak_threshold = 0.95;
};
}  // namespace

void register_prepare(CLI::App& app) {
  auto flags = std::make_shared<PrepareFlags>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("prepare", "Check, split and preprocess a data set into <run>/prepared/");
  command->add_option("--data", flags->data, "Data folder (metadata CSV + images)")->required();
  auto* preset = command->add_option("--preset", flags->preset, "Built-in data-set description: ham10000 (the default)");
  auto* config = command->add_option("--config", flags->config, "Data-set description (JSON)");
  preset->excludes(config);
  command->add_option("--split", flags->split, "train,val,test fractions")->capture_default_str();
  command->add_option("--on-bad-row", flags->on_bad_row, "error: stop at bad rows; skip: skip and list them")
      ->check(CLI::IsMember({"error", "skip"}))
      ->capture_default_str();
  command->add_option("--leak-threshold", flags->leak_threshold,
                      "Drop a column whose lone balanced accuracy on the training split reaches this")
      ->capture_default_str();
  add_common_options(*command, *common, DeviceFlag::No);
  command->callback([flags, common] {
    apply_common_options(*common);
    study::PrepareOptions options;
    options.data_dir = flags->data;
    options.run_dir = common->run_dir;
    options.config = flags->config.empty() ? data::DatasetConfig::preset(flags->preset.empty() ? "ham10000" : flags->preset)
                                           : data::DatasetConfig::load(flags->config);
    options.fractions = data::parse_fractions(flags->split);
    options.seed = common->seed;
    options.skip_bad_rows = flags->on_bad_row == "skip";
    HITO_CHECK(flags->leak_threshold > 0 && flags->leak_threshold <= 1, "--leak-threshold must be in (0, 1], got ",
               flags->leak_threshold);
    options.leak_threshold = flags->leak_threshold;
    options.threads = common->threads;
    study::prepare_dataset(options);
  });
}

}  // namespace hito::app

// `hito evaluate [--run DIR] [--resamples N]`: every model folder of the run on the same test split,
// overall and per class / age band / sex / body site, fusion against the best single-modality model;
// writes <run>/eval/ (see apps/study/evaluate/evaluate.h).
#include <cstdio>

#include "apps/cli/command.h"
#include "apps/eval/eval_results.h"
#include "apps/study/evaluate/evaluate.h"

namespace hito::app {

void register_evaluate(CLI::App& app) {
  auto common = std::make_shared<CommonOptions>();
  auto resamples = std::make_shared<int64_t>(1000);
  CLI::App* command = app.add_subcommand(
      "evaluate", "Score every model of the run on the test split, per subgroup, with lesion-bootstrap intervals");
  add_common_options(*command, *common, DeviceFlag::No);
  command->add_option("--resamples", *resamples, "Bootstrap resamples (lesions drawn with replacement)")
      ->capture_default_str();
  command->callback([common, resamples] {
    apply_common_options(*common);
    study::EvaluateOptions options;
    options.run_dir = common->run_dir;
    options.seed = common->seed;
    options.resamples = *resamples;
    eval::EvalResults results = study::run_evaluate(options);
    std::printf("evaluated %zu models on %lld test rows (%lld lesions); wrote %s\n", results.models.size(),
                static_cast<long long>(results.test_rows), static_cast<long long>(results.test_lesions),
                (std::filesystem::path(options.run_dir) / eval::kEvalFolder).string().c_str());
  });
}

}  // namespace hito::app

// `hito search`: grid or random search of the tabular MLP's hyperparameters on the validation split
// (apps/study/tabular/search.h), written to <run>/search/.
#include "apps/cli/command.h"
#include "apps/study/tabular/search.h"

namespace hito::app {

void register_search(CLI::App& app) {
  auto o = std::make_shared<study::SearchOptions>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("search", "Hyperparameter search for the tabular MLP (scored on val) -> <run>/search/");
  command->add_option("--strategy", o->strategy, "grid (64 points) or random")
      ->check(CLI::IsMember({"grid", "random"}))
      ->capture_default_str();
  command->add_option("--trials", o->trials, "Random: number of trials (default 24); grid: run the first N points");
  command->add_option("--mode", o->base.mode, "Input mode of every trial: onehot or embedding")
      ->check(CLI::IsMember({"onehot", "embedding"}))
      ->capture_default_str();
  command->add_option("--epochs", o->base.epochs, "Maximum epochs per trial")->capture_default_str();
  command->add_option("--patience", o->base.patience, "Early-stopping patience per trial")->capture_default_str();
  add_switch(*command, "class-weights", o->base.class_weighted, "Inverse-frequency class weights in every trial");
  command->add_flag("--progress", o->progress, "Per-epoch progress of each trial");
  command->add_flag("--smoke", o->smoke, "One epoch per trial, to check the wiring");
  add_resume_flag(*command, o->resume,
                  "Continue a killed search: the trials done are kept (<run>/checkpoints/search-trials.json), the "
                  "one in progress continues from its last finished epoch");
  add_common_options(*command, *common);
  command->callback([o, common] {
    study::SearchOptions options = *o;
    options.device = apply_common_options(*common);
    options.run_dir = common->run_dir;
    options.threads = common->threads;
    options.seed = common->seed;
    study::run_search(options);
  });
}

}  // namespace hito::app

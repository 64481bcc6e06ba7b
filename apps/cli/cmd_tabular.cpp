// `hito tabular`: the MLP on the prepared tabular features (apps/study/tabular/tabular.h), written to
// <run>/tabular/.
#include "apps/cli/command.h"
#include "apps/cli/hyper_flags.h"
#include "apps/study/tabular/tabular.h"

namespace hito::app {

void register_tabular(CLI::App& app) {
  auto o = std::make_shared<study::TabularOptions>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("tabular", "MLP on the prepared tabular features -> <run>/tabular/");
  auto flags = add_hyper_flags(*command, o->hyper, true);
  command->add_option("--config", o->config,
                      "Hyperparameters: best (<run>/search/best.json from hito search) or a JSON file; "
                      "flags given explicitly win");
  command->add_flag("--smoke", o->smoke, "One epoch, to check the wiring");
  command->add_flag("--refit", o->refit,
                    "Then train the chosen configuration again on train + val as <name>-refit (its chosen epochs)");
  add_resume_flag(*command, o->resume);
  add_common_options(*command, *common);
  command->callback([o, flags, common] {
    study::TabularOptions options = *o;
    options.device = apply_common_options(*common);
    options.run_dir = common->run_dir;
    options.threads = common->threads;
    options.seed = common->seed;
    options.overrides = flags->overrides();
    study::run_tabular(options);
  });
}

}  // namespace hito::app

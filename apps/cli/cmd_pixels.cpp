// `hito pixels`: PCA of the downsized images + an MLP on the first components (apps/study/tabular/pixels.h),
// written to <run>/pixels/.
#include "apps/cli/command.h"
#include "apps/cli/hyper_flags.h"
#include "apps/study/tabular/pixels.h"

namespace hito::app {

void register_pixels(CLI::App& app) {
  auto o = std::make_shared<study::PixelsOptions>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("pixels", "PCA of the downsized images + MLP on the components -> <run>/pixels/");
  command->add_option("--size", o->size, "Images are downsized to size x size before the PCA")->capture_default_str();
  command->add_option("--components", o->components, "Principal components fed to the MLP (k)")->capture_default_str();
  auto flags = add_hyper_flags(*command, o->hyper, false);
  command->add_flag("--refit", o->refit,
                    "Then train the MLP again on train + val as pixels-refit (its chosen epochs; the PCA stays)");
  command->add_flag("--smoke", o->smoke, "One epoch, to check the wiring");
  add_resume_flag(*command, o->resume);
  add_common_options(*command, *common);
  command->callback([o, flags, common] {
    study::PixelsOptions options = *o;
    options.device = apply_common_options(*common);
    options.run_dir = common->run_dir;
    options.threads = common->threads;
    options.seed = common->seed;
    options.hyper = flags->values;
    study::run_pixels(options);
  });
}

}  // namespace hito::app

// `hito explain [--model image-finetune|image-scratch|image-head|DIR] [--per-class N]
// [--methods gradcam,saliency,occlusion] [--limit ROWS] [--smoke]`: Grad-CAM, saliency and occlusion
// maps of an image model on the test split, scored against the lesion masks, with overlay grids, in
// <run>/explain/ (apps/study/explain/explain.h).
#include "apps/cli/command.h"
#include "apps/study/explain/explain.h"

namespace hito::app {

void register_explain(CLI::App& app) {
  auto options = std::make_shared<study::ExplainOptions>();
  auto methods = std::make_shared<std::string>("gradcam,saliency,occlusion");
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand(
      "explain", "Grad-CAM, saliency and occlusion maps of an image model, scored against lesion masks, in <run>/explain/");
  command->add_option("--model", options->model,
                      "image-finetune, image-scratch, image-head or a model folder (default: the image model with "
                      "the best validation balanced accuracy)");
  command->add_option("--per-class", options->per_class, "Test images per class in the overlay grids")
      ->capture_default_str();
  command->add_option("--methods", *methods, "Comma-separated: gradcam, saliency, occlusion")->capture_default_str();
  command->add_option("--limit", options->limit, "Score at most this many test rows, evenly spaced (0: all)")
      ->capture_default_str();
  command->add_flag("--smoke", options->smoke, "One image per class and at most 16 scored rows (a wiring check)");
  command->add_option("--occlusion-patch", options->occlusion.patch,
                      "Occlusion patch side in pixels (0: a seventh of the image side)")
      ->capture_default_str();
  command->add_option("--occlusion-stride", options->occlusion.stride, "Occlusion patch step in pixels (0: the patch)")
      ->capture_default_str();
  command->add_option("--batch-size", options->batch_size, "Images per pass")->capture_default_str();
  add_common_options(*command, *common);
  command->callback([options, methods, common] {
    study::ExplainOptions o = *options;
    o.device = apply_common_options(*common);
    o.run_dir = common->run_dir;
    o.threads = common->threads;
    o.methods = explain::parse_methods(*methods);
    study::run_explain(o);
  });
}

}  // namespace hito::app

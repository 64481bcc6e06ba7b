// `hito embed [--weights FILE --backbone NAME | --from-model DIR] [--size N] [--keep-aspect]
// [--tta-flip] [--batch-size N] [--name NAME]`: a pretrained backbone's pooled features for every
// image of the prepared run, cached in <run>/embeddings/ (apps/study/image/embed.h). Without --weights or
// --from-model it uses ../shared/weights/mobilenet_v2_imagenet.safetensors when that file is found.
#include "apps/cli/command.h"
#include "apps/cli/run_plan.h"
#include "apps/study/image/embed.h"

namespace hito::app {

void register_embed(CLI::App& app) {
  auto options = std::make_shared<study::EmbedOptions>();
  auto weights = std::make_shared<std::string>(), from_model = std::make_shared<std::string>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("embed", "Pretrained backbone -> cached embeddings in <run>/embeddings/");
  auto* weights_option = command->add_option(
      "--weights", *weights, "Pretrained checkpoint (safetensors); default: ../shared/weights MobileNetV2 when found");
  command->add_option("--backbone", options->backbone, "Architecture of --weights: mobilenet_v2, resnet18/34/50")
      ->capture_default_str();
  command->add_option("--from-model", *from_model, "Use the backbone of a model folder hito trained (image-finetune, ...)")
      ->excludes(weights_option);
  command->add_option("--name", options->name, "Output stem in <run>/embeddings/ (default: the backbone name)");
  command->add_option("--size", options->size, "Square input size for a pretrained checkpoint")->capture_default_str();
  command->add_flag("--keep-aspect", options->keep_aspect, "Centre-crop to a square before resizing (default: stretch)");
  command->add_flag("--tta-flip", options->tta_flip, "Average the features of each image and its mirror image");
  command->add_option("--batch-size", options->batch_size, "Images per forward pass")->capture_default_str();
  add_common_options(*command, *common);
  command->callback([options, weights, from_model, common] {
    study::EmbedOptions o = *options;
    o.device = apply_common_options(*common);
    o.run_dir = common->run_dir;
    o.threads = common->threads;
    o.from_model = *from_model;
    o.weights = *weights;
    if (o.weights.empty() && o.from_model.empty()) o.weights = find_default_weights();
    study::run_embed(o);
  });
}

}  // namespace hito::app

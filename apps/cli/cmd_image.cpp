// `hito image --mode head|finetune|scratch`: the image classifiers of milestone 2 (apps/study/image/image.h),
// written to <run>/image-head/, image-finetune/ or image-scratch/.
#include "apps/cli/command.h"
#include "apps/cli/run_plan.h"
#include "apps/study/image/image.h"

namespace hito::app {

void register_image(CLI::App& app) {
  auto o = std::make_shared<study::ImageOptions>();
  auto weights = std::make_shared<std::string>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("image", "Image classifier: head on embeddings, fine-tuning, or own CNN");
  command->add_option("--mode", o->mode, "head (on `hito embed` features), finetune (pretrained backbone), scratch")
      ->required()
      ->check(CLI::IsMember({"head", "finetune", "scratch"}));
  command->add_option("--embeddings", o->embeddings, "head: the embeddings' name in <run>/embeddings/")
      ->capture_default_str();
  command->add_option("--head-width", o->head.width, "Units per hidden layer of the head")->capture_default_str();
  command->add_option("--head-depth", o->head.depth, "Hidden layers of the head (0: linear)")->capture_default_str();
  command->add_option("--head-dropout", o->head.dropout, "Dropout of the head's hidden layers")->capture_default_str();
  command->add_option("--weights", *weights,
                      "finetune: pretrained checkpoint; default: ../shared/weights MobileNetV2 when found");
  command->add_option("--backbone", o->backbone, "finetune: architecture of --weights")->capture_default_str();
  command->add_option("--unfreeze", o->unfreeze, "finetune: train the last N blocks of the backbone, or all")
      ->capture_default_str();
  command->add_option("--backbone-lr-scale", o->backbone_lr_scale, "finetune: backbone learning rate = lr * this")
      ->capture_default_str();
  command->add_flag_function(
      "--freeze-bn,!--no-freeze-bn", [o](int64_t count) { o->freeze_bn = count > 0; },
      "Keep BatchNorm on its running statistics while training (default: on for finetune, off for scratch)");
  command->add_option("--width", o->width, "scratch: channels of the first block (doubling per block)")
      ->capture_default_str();
  command->add_option("--depth", o->depth, "scratch: convolution blocks")->capture_default_str();
  command->add_option("--size", o->size, "Square input size (default 224 finetune, 96 scratch)");
  command->add_flag("--keep-aspect", o->keep_aspect, "Centre-crop to a square before resizing (default: stretch)");
  command->add_option("--tta", o->tta, "finetune, scratch: flip test-time augmentation: auto (kept when it helps on validation), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  add_switch(*command, "augment", o->augment, "Training augmentation from the loader");
  command->add_option("--epochs", o->train.epochs, "Maximum epochs")->capture_default_str();
  command->add_option("--patience", o->train.patience, "Epochs without a better val balanced accuracy")
      ->capture_default_str();
  command->add_option("--lr", o->train.lr, "Learning rate (of the head)")->capture_default_str();
  command->add_option("--weight-decay", o->train.weight_decay, "Weight decay")->capture_default_str();
  command->add_option("--optimizer", o->train.optimizer, "adamw, adam or sgd")->capture_default_str();
  command->add_option("--schedule", o->train.schedule, "constant, step, cosine or onecycle")->capture_default_str();
  command->add_option("--label-smoothing", o->train.label_smoothing, "Cross-entropy label smoothing")
      ->capture_default_str();
  add_switch(*command, "class-weights", o->train.class_weighted, "Inverse-frequency class weights in the loss");
  command->add_option("--batch-size", o->batch_size, "Rows per step (default 256 head, 32 images)");
  command->add_option("--name", o->name, "Model folder name (default image-<mode>), so that variants live side by side");
  command->add_option("--oof-folds", o->oof_folds,
                      "finetune, scratch: also K networks on lesion-grouped folds of the training rows, whose "
                      "out-of-fold embeddings (embeddings_oof.npy) early fusion fits on (0: none)")
      ->capture_default_str();
  command->add_flag("--refit", o->refit,
                    "Then train the chosen configuration again on train + val as <name>-refit (its chosen epochs)");
  command->add_flag("--smoke", o->smoke, "One epoch, to check the wiring");
  add_resume_flag(*command, o->resume);
  add_common_options(*command, *common);
  command->callback([o, weights, common] {
    study::ImageOptions options = *o;
    options.device = apply_common_options(*common);
    options.run_dir = common->run_dir;
    options.threads = common->threads;
    options.seed = common->seed;
    options.weights = weights->empty() ? find_default_weights() : std::filesystem::path(*weights);
    options.train.progress = true;
    study::run_image(options);
  });
}

}  // namespace hito::app

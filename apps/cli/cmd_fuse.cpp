// `hito fuse --kind early|late|joint`: fusion of the tabular and image models (apps/study/fusion/fuse.h),
// written to <run>/fusion-<kind>/.
#include "apps/cli/command.h"
#include "apps/cli/run_plan.h"
#include "apps/study/fusion/fuse.h"
#include "apps/study/fusion/fusion_inputs.h"

namespace hito::app {

namespace {
struct FuseFlags {
  std::string inputs, modality_weights, weights;
  bool scratch = false;
};

std::vector<float> parse_weights(const std::string& list) {
  std::vector<float> weights;
  for (const std::string& item : study::parse_input_list(list)) {
    size_t used = 0;
    float w = 0.0f;
    try {
      w = std::stof(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    HITO_CHECK(used == item.size(), "--modality-weights '", list, "': '", item, "' is not a number");
    weights.push_back(w);
  }
  return weights;
}
}  // namespace

void register_fuse(CLI::App& app) {
  auto o = std::make_shared<study::FuseOptions>();
  auto flags = std::make_shared<FuseFlags>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("fuse", "Fusion of the modalities: early (embeddings), late (probabilities), joint (one network)");
  command->add_option("--kind", o->kind, "early, late or joint")->required()->check(CLI::IsMember({"early", "late", "joint"}));
  command->add_option("--inputs", flags->inputs,
                      "Comma-separated model folders of the run; early also takes prepared/tabular and "
                      "embeddings/<name> (default early: prepared/tabular + the cached embeddings; late: those of "
                      "tabular, image-head, image-finetune, image-scratch present)");
  command->add_option("--balance", o->balance, "early: pca, project or none")
      ->check(CLI::IsMember({"pca", "project", "none"}))
      ->capture_default_str();
  command->add_option("--width", o->width, "early: width of each modality's block after balancing")->capture_default_str();
  command->add_option("--modality-weights", flags->modality_weights, "early: one weight per input, comma-separated");
  command->add_option("--classifier", o->classifier, "early: linear or mlp")
      ->check(CLI::IsMember({"linear", "mlp"}))
      ->capture_default_str();
  command->add_option("--hidden", o->hidden, "early: hidden units of the mlp classifier")->capture_default_str();
  command->add_option("--folds", o->late.folds, "late: cross-fitting folds on the validation split")->capture_default_str();
  command->add_option("--grid-steps", o->late.grid_steps, "late: weighted mean weights in multiples of 1/steps")
      ->capture_default_str();
  command->add_option("--stack-c", o->late.stack_c, "late: inverse L2 strength of the stacking regression")
      ->capture_default_str();
  command->add_option("--stack-features", o->late.stack_features, "late: logprob or prob")
      ->check(CLI::IsMember({"logprob", "prob"}))
      ->capture_default_str();
  command->add_option("--head", o->head, "joint: concat or gated")->check(CLI::IsMember({"concat", "gated"}))->capture_default_str();
  command->add_option("--weights", flags->weights, "joint: pretrained backbone (default: ../shared/weights MobileNetV2 when found)");
  command->add_flag("--scratch", flags->scratch, "joint: the small CNN from scratch instead of a pretrained backbone");
  command->add_option("--backbone", o->backbone, "joint: architecture of --weights")->capture_default_str();
  command->add_flag("--finetune", o->finetune, "joint: train the last --unfreeze blocks of the pretrained backbone");
  command->add_option("--unfreeze", o->unfreeze, "joint, --finetune: last N blocks, or all")->capture_default_str();
  command->add_option("--size", o->size, "joint: square image size (default 224 pretrained, 96 scratch)");
  command->add_option("--branch-width", o->branch_width, "joint: width of each modality's branch")->capture_default_str();
  command->add_option("--cnn-width", o->cnn_width, "joint, scratch: channels of the first block")->capture_default_str();
  command->add_option("--cnn-depth", o->cnn_depth, "joint, scratch: convolution blocks")->capture_default_str();
  add_switch(*command, "augment", o->augment, "joint: training augmentation");
  auto* epochs = command->add_option("--epochs", o->train.epochs, "Maximum epochs (default 100 early, 30 joint)");
  auto* patience = command->add_option("--patience", o->train.patience, "Epochs without a better val balanced accuracy (default 15 early, 8 joint)");
  auto* lr = command->add_option("--lr", o->train.lr, "Learning rate (default 0.01 early, 0.001 joint)");
  command->add_option("--weight-decay", o->train.weight_decay, "Weight decay")->capture_default_str();
  command->add_option("--batch-size", o->batch_size, "Rows per step (default 256 early, 32 joint)");
  command->add_option("--name", o->name, "Model folder name (default fusion-<kind>), so that variants live side by side");
  command->add_flag("--refit", o->refit,
                    "Then also <name>-refit: early/joint retrained on train + val, late combining the inputs' refits");
  command->add_flag("--smoke", o->smoke, "One epoch, to check the wiring");
  add_resume_flag(*command, o->resume,
                  "early, joint: continue a killed training from its last finished epoch "
                  "(<run>/checkpoints/fusion-<kind>.safetensors); late fusion has no epochs and simply runs again");
  add_common_options(*command, *common);
  command->callback([o, flags, common, epochs, patience, lr] {
    study::FuseOptions options = *o;
    options.device = apply_common_options(*common);
    options.run_dir = common->run_dir;
    options.threads = common->threads;
    options.seed = common->seed;
    if (!flags->inputs.empty()) options.inputs = study::parse_input_list(flags->inputs);
    if (!flags->modality_weights.empty()) options.modality_weights = parse_weights(flags->modality_weights);
    if (epochs->count() == 0) options.train.epochs = options.kind == "joint" ? 30 : 100;
    if (lr->count() == 0) options.train.lr = options.kind == "joint" ? 1e-3f : 1e-2f;
    if (patience->count() == 0) options.train.patience = options.kind == "joint" ? 8 : 15;
    if (options.kind == "joint" && !flags->scratch)
      options.weights = flags->weights.empty() ? find_default_weights() : std::filesystem::path(flags->weights);
    study::run_fuse(options);
  });
}

}  // namespace hito::app

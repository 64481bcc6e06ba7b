// The hyperparameter flags of the tabular MLP.
#include "apps/cli/hyper_flags.h"

#include "apps/cli/command.h"

namespace hito::app {

nlohmann::json HyperFlags::overrides() const {
  nlohmann::json all = values.to_json(), picked = nlohmann::json::object();
  for (const auto& [key, option] : given)
    if (option->count() > 0) picked[key] = all[key];
  return picked;
}

std::shared_ptr<HyperFlags> add_hyper_flags(CLI::App& command, const study::TabularHyper& defaults, bool with_mode) {
  auto f = std::make_shared<HyperFlags>();
  f->values = defaults;
  study::TabularHyper& h = f->values;
  if (with_mode)
    f->given.emplace_back("mode", command.add_option("--mode", h.mode, "onehot (one-hot categoricals) or embedding (learned)")
                                      ->check(CLI::IsMember({"onehot", "embedding"}))
                                      ->capture_default_str());
  f->given.emplace_back("width", command.add_option("--width", h.width, "Units per hidden layer")->capture_default_str());
  f->given.emplace_back("depth", command.add_option("--depth", h.depth, "Hidden layers (0: linear)")->capture_default_str());
  f->given.emplace_back("dropout", command.add_option("--dropout", h.dropout, "Dropout after each hidden layer")->capture_default_str());
  f->given.emplace_back("lr", command.add_option("--lr", h.lr, "Peak learning rate (AdamW, cosine schedule)")->capture_default_str());
  f->given.emplace_back("weight_decay",
                        command.add_option("--weight-decay", h.weight_decay, "Decoupled weight decay")->capture_default_str());
  f->given.emplace_back("batch_size", command.add_option("--batch-size", h.batch_size, "Rows per step")->capture_default_str());
  f->given.emplace_back("epochs", command.add_option("--epochs", h.epochs, "Maximum epochs")->capture_default_str());
  f->given.emplace_back("patience", command.add_option("--patience", h.patience,
                                                       "Epochs without a better val balanced accuracy before stopping")
                                        ->capture_default_str());
  f->given.emplace_back("class_weighted",
                        add_switch(command, "class-weights", h.class_weighted, "Inverse-frequency class weights in the loss"));
  return f;
}


}  // namespace hito::app

// The hyperparameter flags of the tabular MLP (--width, --depth, --dropout, --lr, --weight-decay,
// --batch-size, --epochs, --patience, --class-weights/--no-class-weights, optionally --mode), shared by `hito tabular`
// and `hito pixels`. Only the flags given explicitly become overrides, so that they win over --config.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "apps/study/tabular/tabular.h"

namespace hito::app {

struct HyperFlags {
  study::TabularHyper values;
  std::vector<std::pair<std::string, CLI::Option*>> given;  // hyperparameter key -> its flag

  // The entries whose flag was given on the command line.
  nlohmann::json overrides() const;
};

std::shared_ptr<HyperFlags> add_hyper_flags(CLI::App& command, const study::TabularHyper& defaults, bool with_mode);

}  // namespace hito::app

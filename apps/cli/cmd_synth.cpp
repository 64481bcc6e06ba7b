// `hito synth --out DIR [--n N] [--seed S]`: writes the built-in synthetic data set in the HAM10000
// format (see apps/study/synth/synth.h).
#include <cstdio>

#include "apps/cli/command.h"
#include "apps/study/synth/synth.h"

namespace hito::app {

void register_synth(CLI::App& app) {
  auto options = std::make_shared<study::SynthOptions>();
  auto common = std::make_shared<CommonOptions>();
  auto out = std::make_shared<std::string>("data");
  CLI::App* command = app.add_subcommand("synth", "Generate the synthetic HAM10000-format data set");
  command->add_option("--out", *out, "Output folder (replaces an earlier data set there)")->capture_default_str();
  command->add_option("--n", options->n, "Number of images")->capture_default_str();
  command->add_option("--width", options->width, "Image width")->capture_default_str();
  command->add_option("--height", options->height, "Image height")->capture_default_str();
  add_common_options(*command, *common, DeviceFlag::No);
  command->callback([options, common, out] {
    apply_common_options(*common);
    options->out_dir = *out;
    options->seed = common->seed;
    options->threads = common->threads;
    study::SynthResult result = study::synth_dataset(*options);
    std::printf("wrote %lld images of %lld lesions to %s in %.2f s\n", static_cast<long long>(result.images),
                static_cast<long long>(result.lesions), out->c_str(), result.seconds);
  });
}

}  // namespace hito::app

// The options shared by every command.
#include "apps/cli/command.h"

#include "data/image.h"
#include "engine/random.h"
#include "kernels/runtime.h"

namespace hito::app {

void add_common_options(CLI::App& command, CommonOptions& options, DeviceFlag device) {
  command.add_option("--run", options.run_dir, "Run folder")->capture_default_str();
  if (device == DeviceFlag::Yes) command.add_option("--device", options.device, "cpu or cuda")->capture_default_str();
  command.add_option("--seed", options.seed, "Random seed")->capture_default_str();
  command.add_option("--threads", options.threads, "CPU threads (0: all cores)")->capture_default_str();
  command.add_option("--max-image-pixels", options.max_image_pixels,
                     "Refuse images whose header claims more pixels (0: the default, 89478485)");
}

CLI::Option* add_resume_flag(CLI::App& command, bool& resume, const std::string& what) {
  return command.add_flag("--resume", resume,
                          what.empty() ? "Continue a killed training from its last finished epoch "
                                         "(<run>/checkpoints/<model>.safetensors; none there: start afresh)"
                                       : what);
}

CLI::Option* add_switch(CLI::App& command, const std::string& name, bool& value, const std::string& description) {
  return command.add_flag("--" + name + ",!--no-" + name, value,
                          description + (value ? " (default: on; --no-" + name + " turns it off)" : " (default: off)"));
}

namespace {
// CLI11's help with flags named plainly: "--augment, --no-augment" rather than "--no-augment{false}".
class HitoFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* option, bool positional) const override {
    if (positional || option->get_items_expected() != 0) return CLI::Formatter::make_option_name(option, positional);
    std::string names;
    for (const std::string& name : option->get_snames()) names += (names.empty() ? "-" : ", -") + name;
    for (const std::string& name : option->get_lnames()) names += (names.empty() ? "--" : ", --") + name;
    return names.empty() ? CLI::Formatter::make_option_name(option, positional) : names;
  }
};
}  // namespace

void use_hito_help(CLI::App& app) { app.formatter(std::make_shared<HitoFormatter>()); }

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  HITO_CHECK(name == "cuda", "--device must be cpu or cuda, got '", name, "'");
  HITO_CHECK(cuda_available(), "--device cuda: ", cuda_unavailable_reason());
  return Device::CUDA;
}

Device apply_common_options(const CommonOptions& options) {
  if (options.threads > 0) set_num_threads(options.threads);
  manual_seed(options.seed);
  if (options.max_image_pixels > 0) data::set_max_image_pixels(options.max_image_pixels);
  return parse_device(options.device);
}

}  // namespace hito::app

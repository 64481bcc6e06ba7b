// The options shared by every command.
#include "apps/cli/command.h"

#include "data/image.h"
#include "engine/random.h"
#include "kernels/runtime.h"

namespace hito::app {

void add_common_options(CLI::App& command, CommonOptions& options) {
  command.add_option("--run", options.run_dir, "Run folder")->capture_default_str();
  command.add_option("--device", options.device, "cpu or cuda")->capture_default_str();
  command.add_option("--seed", options.seed, "Random seed")->capture_default_str();
  command.add_option("--threads", options.threads, "CPU threads (0: all cores)")->capture_default_str();
  command.add_option("--max-image-pixels", options.max_image_pixels,
                     "Refuse images whose header claims more pixels (0: the default, 89478485)");
}

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

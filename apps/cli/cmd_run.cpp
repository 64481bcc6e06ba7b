// `hito run [--data DIR --preset NAME] [--run DIR] [--smoke | --full]`: the main job, the whole study
// in order (apps/cli/run_plan.h), each step printed as the command that reruns it alone.
#include <chrono>
#include <cstdio>

#include "apps/cli/command.h"
#include "apps/cli/commands.h"
#include "apps/cli/run_plan.h"
#include "base/error.h"

namespace hito::app {

namespace {
struct RunFlags {
  StudyOptions study;
  bool smoke = false, full = false, no_pretrained = false;
};

void run_study(const RunFlags& flags, const CommonOptions& common) {
  apply_common_options(common);
  StudyOptions options = flags.study;
  options.run_dir = common.run_dir;
  options.device = common.device;
  options.seed = common.seed;
  options.threads = common.threads;
  options.level = flags.smoke ? StudyLevel::Smoke : flags.full ? StudyLevel::Full : StudyLevel::Quick;
  if (flags.no_pretrained) options.weights.clear();
  else if (options.weights.empty()) options.weights = find_default_weights().string();
  if (options.weights.empty())
    std::printf("no pretrained backbone found (../shared/weights/mobilenet_v2_imagenet.safetensors or --weights): "
                "the image models are trained from scratch\n");

  std::vector<StudyStep> steps = plan_study(options);
  std::vector<double> seconds;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < steps.size(); ++i) {
    std::printf("\n[%zu/%zu] %s\n$ %s\n", i + 1, steps.size(), steps[i].title.c_str(),
                format_command(steps[i].args).c_str());
    std::fflush(stdout);
    auto step_start = std::chrono::steady_clock::now();
    try {
      run_command_line(steps[i].args);
    } catch (const std::exception& e) {
      HITO_FAIL("step ", i + 1, " (", format_command(steps[i].args), ") failed: ", e.what());
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count());
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("\nstudy done in %.1f s:\n", total);
  for (size_t i = 0; i < steps.size(); ++i)
    std::printf("  %7.1f s  %s\n", seconds[i], format_command(steps[i].args).c_str());
  std::printf("report: %s\n", (std::filesystem::path(options.run_dir) / "report.html").string().c_str());
}
}  // namespace

void register_run(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  auto common = std::make_shared<CommonOptions>();
  CLI::App* command = app.add_subcommand("run", "The whole study in order: data, tabular, image, fusion, evaluation, report");
  command->add_option("--data", flags->study.data_dir, "Data folder (default: generate the synthetic data set)");
  auto* preset = command->add_option("--preset", flags->study.preset, "Data-set description: ham10000 (the default)");
  command->add_option("--config", flags->study.config, "Data-set description (JSON)")->excludes(preset);
  auto* smoke = command->add_flag("--smoke", flags->smoke, "A one-minute check: one epoch everywhere, small data");
  command->add_flag("--full", flags->full, "Train everything properly (fine-tuning, own CNN, joint fusion; for a GPU)")
      ->excludes(smoke);
  command->add_option("--weights", flags->study.weights,
                      "Pretrained backbone (default: ../shared/weights/mobilenet_v2_imagenet.safetensors when found)");
  command->add_flag("--no-pretrained", flags->no_pretrained, "Do not use a pretrained backbone");
  add_common_options(*command, *common);
  command->callback([flags, common] { run_study(*flags, *common); });
}

}  // namespace hito::app

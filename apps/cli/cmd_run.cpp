// `hito run [--data DIR --preset NAME] [--run DIR] [--plan smoke|quick|cpu|full] [--resume]` (--smoke,
// --full: aliases of --plan): the main job, the whole study in order (apps/cli/run_plan.h), each step
// printed as the command that reruns it alone, the plan recorded in <run>/plan.json. Every input is
// checked before step 1; the run folder is locked for the whole study; each finished step is recorded
// (apps/cli/run_record.h) so that --resume skips the steps whose outputs are complete and current and
// continues the first other one from its checkpoint. Progress (step headers, epochs, the time left)
// goes to stderr, the results (the table of steps and their times, the report's path) to stdout.
#include <chrono>
#include <cstdio>

#include "apps/cli/command.h"
#include "apps/cli/commands.h"
#include "apps/cli/run_plan.h"
#include "apps/cli/run_record.h"
#include "base/fs.h"
#include "base/error.h"
#include "base/fs.h"
#include "weights/safetensors.h"

namespace hito::app {

namespace {
struct RunFlags {
  StudyOptions study;
  std::string plan = "quick";
  bool smoke = false, full = false, no_pretrained = false, resume = false;
};

// The folders and files the study reads, checked before anything runs (not at step 6).
void check_inputs(const StudyOptions& o) {
  namespace fs = std::filesystem;
  HITO_CHECK(o.data_dir.empty() || fs::is_directory(o.data_dir), "--data ", o.data_dir, ": no such folder");
  HITO_CHECK(o.config.empty() || fs::is_regular_file(o.config), "--config ", o.config, ": no such file");
  HITO_CHECK(o.weights.empty() || fs::is_regular_file(o.weights), "--weights ", o.weights, ": no such file");
  if (!o.weights.empty()) read_safetensors(o.weights);  // a readable checkpoint, or an error naming it
}

std::string duration_text(double seconds) {
  char text[32];
  const int total = static_cast<int>(seconds + 0.5);
  if (total < 60) std::snprintf(text, sizeof text, "%d s", total);
  else if (total < 3600) std::snprintf(text, sizeof text, "%d min %02d s", total / 60, total % 60);
  else std::snprintf(text, sizeof text, "%d h %02d min", total / 3600, total % 3600 / 60);
  return text;
}

void run_study(const RunFlags& flags, const CommonOptions& common) {
  apply_common_options(common);
  StudyOptions options = flags.study;
  options.run_dir = common.run_dir;
  options.device = common.device;
  options.seed = common.seed;
  options.threads = common.threads;
  options.level = flags.smoke ? StudyLevel::Smoke : flags.full ? StudyLevel::Full : parse_study_level(flags.plan);
  if (flags.no_pretrained) options.weights.clear();
  else if (options.weights.empty()) options.weights = find_default_weights().string();
  check_inputs(options);
  if (options.weights.empty())
    std::fprintf(stderr, "no pretrained backbone found (../shared/weights/mobilenet_v2_imagenet.safetensors or "
                 "--weights): the image models are trained from scratch\n");

  const FolderLock lock(options.run_dir, "hito run");  // the steps take it again (re-entrant)
  std::vector<StudyStep> steps = plan_study(options);
  std::vector<StepRecord> record = flags.resume ? read_run_record(options.run_dir) : std::vector<StepRecord>();
  const size_t skipped = flags.resume ? current_steps(steps, record, options.run_dir) : 0;
  record.resize(skipped);
  for (size_t i = 0; i < skipped; ++i)
    std::fprintf(stderr, "[%zu/%zu] complete and current, skipped: %s\n", i + 1, steps.size(),
                 format_command(steps[i].args).c_str());
  std::vector<double> seconds(skipped, 0.0);
  // The exact plan, before anything runs, and again with each step's time as it finishes.
  const std::filesystem::path plan_file = std::filesystem::path(options.run_dir) / kPlanFile;
  auto record_plan = [&] { write_file_atomic(plan_file, plan_json(options, steps, seconds)); };
  record_plan();
  auto start = std::chrono::steady_clock::now();
  for (size_t i = skipped; i < steps.size(); ++i) {
    std::vector<std::string> args = steps[i].args;
    // The first step run again may have been killed while it trained: it continues from its checkpoint.
    if (flags.resume && i == skipped && steps[i].trains) args.push_back("--resume");
    std::fprintf(stderr, "\n[%zu/%zu] %s\n$ %s\n", i + 1, steps.size(), steps[i].title.c_str(), format_command(args).c_str());
    auto step_start = std::chrono::steady_clock::now();
    try {
      run_command_line(args);
    } catch (const std::exception& e) {
      HITO_FAIL("step ", i + 1, " (", format_command(args), ") failed: ", e.what());
    }
    record.push_back(record_step(steps[i]));
    write_run_record(options.run_dir, record);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count());
    record_plan();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t ran = i + 1 - skipped, left = steps.size() - i - 1;
    // The steps differ in cost (training dominates), so this is the pace so far, not a promise.
    if (left > 0)
      std::fprintf(stderr, "[%zu/%zu] done in %s; %s so far, about %s left at this pace (%zu step%s)\n", i + 1,
                   steps.size(), duration_text(seconds.back()).c_str(), duration_text(elapsed).c_str(),
                   duration_text(elapsed / ran * left).c_str(), left, left == 1 ? "" : "s");
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("\nstudy done in %s:\n", duration_text(total).c_str());
  for (size_t i = 0; i < steps.size(); ++i)
    std::printf("  %2zu  %12s  %s\n", i + 1, i < skipped ? "skipped" : duration_text(seconds[i]).c_str(),
                format_command(steps[i].args).c_str());
  std::printf("plan: %s\n", plan_file.string().c_str());
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
  auto* plan = command->add_option("--plan", flags->plan,
                                   "smoke (a one-minute check), quick (the default CPU study), cpu (the real-data "
                                   "study on 2 CPU cores in about an hour: fine-tuning at 224 px, own CNN, joint "
                                   "fusion, refits), full (the same at full length, for a GPU)")
                   ->check(CLI::IsMember({"smoke", "quick", "cpu", "full"}))
                   ->capture_default_str();
  auto* smoke = command->add_flag("--smoke", flags->smoke, "Alias of --plan smoke")->excludes(plan);
  command->add_flag("--full", flags->full, "Alias of --plan full")->excludes(smoke)->excludes(plan);
  command->add_option("--weights", flags->study.weights,
                      "Pretrained backbone (default: ../shared/weights/mobilenet_v2_imagenet.safetensors when found)");
  command->add_flag("--no-pretrained", flags->no_pretrained, "Do not use a pretrained backbone");
  command->add_flag("--resume", flags->resume,
                    "Skip the steps whose outputs are complete and current (<run>/run-steps.json) and continue the "
                    "first other one from its checkpoint");
  add_common_options(*command, *common);
  command->callback([flags, common] { run_study(*flags, *common); });
}

}  // namespace hito::app

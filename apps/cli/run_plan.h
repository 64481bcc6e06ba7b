// The study as a list of command lines: `hito run` plans the milestones in order and runs each
// step as the very command a user could type (printed before it runs), so that any step can be
// rerun alone. Planning is separate from running so that tests can check the plan.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hito::app {

// How much to train (--plan):
//   smoke  a one-minute check: one epoch everywhere, a small synthetic set;
//   quick  the default: every command's default settings, the slow image models left out;
//   cpu    the real-data study on 2 CPU cores in about an hour: the tabular MLP, PCA of the pixels, the
//          head on pretrained embeddings, fine-tuning at 224 px, the own CNN, the three fusions, every
//          trainable model refitted on train + val (--refit), explanations, evaluation, the report;
//   full   the same at full length, for a GPU.
enum class StudyLevel { Smoke, Quick, Cpu, Full };

// "smoke", "quick", "cpu", "full" <-> StudyLevel; an unknown name is an error listing the plans.
StudyLevel parse_study_level(const std::string& name);
std::string study_level_name(StudyLevel level);

struct StudyOptions {
  std::string data_dir;  // empty: generate the synthetic data set into <run>/data
  std::string preset, config;  // data-set description (empty: the ham10000 preset)
  std::string run_dir = "run";
  StudyLevel level = StudyLevel::Quick;
  std::string device = "cpu";
  unsigned long long seed = 0;
  int threads = 0;
  std::string weights;  // pretrained backbone (safetensors); empty: none found, image models from scratch
};

struct StudyStep {
  std::string title;              // what the step is for, shown in the log
  std::vector<std::string> args;  // the command line, without "hito"
  std::string output;             // the file or folder it writes (run_record.h)
  bool trains = false;            // a training command: takes --resume
};

std::vector<StudyStep> plan_study(const StudyOptions& options);

// <run>/plan.json: the plan's name, its options and every step's command line, with the seconds each
// took once it has run (`seconds`: one entry per finished step).
inline constexpr const char* kPlanFile = "plan.json";
std::string plan_json(const StudyOptions& options, const std::vector<StudyStep>& steps, const std::vector<double>& seconds);

// The pretrained MobileNetV2 of ../shared/weights, looked for beside the working folder and the
// executable's repository; empty when not found.
std::filesystem::path find_default_weights();

// "hito prepare --data d ..." with arguments quoted where needed, for the log.
std::string format_command(const std::vector<std::string>& args);

}  // namespace hito::app

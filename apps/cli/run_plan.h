// The study as a list of command lines: `hito run` plans the milestones in order and runs each
// step as the very command a user could type (printed before it runs), so that any step can be
// rerun alone. Planning is separate from running so that tests can check the plan.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hito::app {

// How much to train: smoke = a one-minute check (one epoch everywhere, a small synthetic set);
// quick = the default CPU study (every command's default settings, the slow image models left
// out); full = everything trained properly (for a GPU: fine-tuning, the own CNN, joint fusion).
enum class StudyLevel { Smoke, Quick, Full };

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

// The pretrained MobileNetV2 of ../shared/weights, looked for beside the working folder and the
// executable's repository; empty when not found.
std::filesystem::path find_default_weights();

// "hito prepare --data d ..." with arguments quoted where needed, for the log.
std::string format_command(const std::vector<std::string>& args);

}  // namespace hito::app

// The order of the study's milestones.
#include "apps/cli/run_plan.h"

#include <unistd.h>

#include <array>

namespace hito::app {

namespace {

// --device, --seed, --threads, which every training command takes.
std::vector<std::string> common_flags(const StudyOptions& o) {
  return {"--run", o.run_dir, "--device", o.device, "--seed", std::to_string(o.seed), "--threads",
          std::to_string(o.threads)};
}

void append(std::vector<std::string>& args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
}

// <run>/<name>
std::string in_run(const StudyOptions& o, const std::string& name) {
  return (std::filesystem::path(o.run_dir) / name).string();
}

StudyStep step(const StudyOptions& o, std::string title, std::vector<std::string> args, const std::string& output) {
  append(args, common_flags(o));
  return {std::move(title), std::move(args), in_run(o, output)};
}

// A step that --smoke shortens.
StudyStep smoke_step(const StudyOptions& o, std::string title, std::vector<std::string> args, const std::string& output) {
  StudyStep s = step(o, std::move(title), std::move(args), output);
  if (o.level == StudyLevel::Smoke) s.args.push_back("--smoke");
  return s;
}

StudyStep training_step(const StudyOptions& o, std::string title, std::vector<std::string> args, const std::string& output) {
  StudyStep s = smoke_step(o, std::move(title), std::move(args), output);
  s.trains = true;
  return s;
}

}  // namespace

std::vector<StudyStep> plan_study(const StudyOptions& o) {
  std::vector<StudyStep> steps;
  bool smoke = o.level == StudyLevel::Smoke, full = o.level == StudyLevel::Full;
  bool pretrained = !o.weights.empty();
  std::string data_dir = o.data_dir;

  if (data_dir.empty()) {
    data_dir = (std::filesystem::path(o.run_dir) / "data").string();
    steps.push_back({"milestone 0: generate the synthetic data set",
                     {"synth", "--out", data_dir, "--n", smoke ? "600" : "2000", "--seed", std::to_string(o.seed),
                      "--threads", std::to_string(o.threads)},
                     data_dir});
  }
  std::vector<std::string> prepare = {"prepare", "--data", data_dir};
  if (!o.config.empty()) append(prepare, {"--config", o.config});
  else if (!o.preset.empty()) append(prepare, {"--preset", o.preset});
  append(prepare, {"--run", o.run_dir, "--seed", std::to_string(o.seed), "--threads", std::to_string(o.threads)});
  steps.push_back({"milestone 0: check, split and preprocess the data", prepare, in_run(o, "prepared")});

  std::vector<std::string> search = {"search"};
  if (smoke) append(search, {"--strategy", "random", "--trials", "2"});
  steps.push_back(training_step(o, "milestone 1: hyperparameter search for the tabular MLP (validation split)", search, "search"));
  steps.push_back(training_step(o, "milestone 1: tabular MLP with the best configuration",
                                {"tabular", "--config", "best"}, "tabular"));
  steps.push_back(training_step(o, "milestone 1: PCA of the pixels + MLP", {"pixels"}, "pixels"));

  if (pretrained) {
    steps.push_back(step(o, "milestone 2: embeddings of the pretrained backbone (offline transfer)",
                         {"embed", "--weights", o.weights}, "embeddings"));
    steps.push_back(training_step(o, "milestone 2: classifier on the embeddings", {"image", "--mode", "head"}, "image-head"));
    if (full)
      steps.push_back(training_step(o, "milestone 2: fine-tuning the pretrained backbone",
                                    {"image", "--mode", "finetune", "--weights", o.weights}, "image-finetune"));
  }
  if (full || !pretrained)
    steps.push_back(training_step(o, "milestone 2: own CNN trained from scratch", {"image", "--mode", "scratch"}, "image-scratch"));
  // Occlusion costs ~50 forward passes per image: the quick study explains 120 evenly spaced test
  // images, the smoke check leaves occlusion out.
  std::vector<std::string> explain = {"explain"};
  if (smoke) append(explain, {"--methods", "gradcam,saliency"});
  else if (!full) append(explain, {"--limit", "120"});
  steps.push_back(smoke_step(o, "milestone 2: Grad-CAM, saliency and occlusion, scored against the lesion masks",
                                explain, "explain"));

  steps.push_back(training_step(o, "milestones 3-4: early fusion of the embeddings", {"fuse", "--kind", "early"}, "fusion-early"));
  steps.push_back(training_step(o, "milestones 3-4: late fusion of the predictions", {"fuse", "--kind", "late"}, "fusion-late"));
  if (full)
    steps.push_back(training_step(o, "milestones 3-4: joint network trained end to end", {"fuse", "--kind", "joint"}, "fusion-joint"));

  steps.push_back({"milestone 5: every model on the test split, by class, age, sex and site",
                   {"evaluate", "--run", o.run_dir}, in_run(o, "eval")});
  steps.push_back({"milestone 6: the report with its drafted discussion", {"report", "--run", o.run_dir}, in_run(o, "report.html")});
  return steps;
}

std::filesystem::path find_default_weights() {
  namespace fs = std::filesystem;
  const fs::path relative = fs::path("shared") / "weights" / "mobilenet_v2_imagenet.safetensors";
  std::vector<fs::path> bases = {fs::current_path(), fs::current_path().parent_path()};
  std::array<char, 4096> self{};
  ssize_t n = readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (n > 0) {
    // <repo>/build/hito -> look beside <repo>.
    fs::path exe(std::string(self.data(), static_cast<size_t>(n)));
    bases.push_back(exe.parent_path().parent_path().parent_path());
  }
  for (const fs::path& base : bases)
    if (fs::is_regular_file(base / relative)) return fs::weakly_canonical(base / relative);
  return {};
}

std::string format_command(const std::vector<std::string>& args) {
  std::string line = "hito";
  for (const std::string& a : args) {
    bool plain = !a.empty() && a.find_first_of(" \t\"'$\\") == std::string::npos;
    line += " " + (plain ? a : "'" + a + "'");
  }
  return line;
}

}  // namespace hito::app

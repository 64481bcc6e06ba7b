// The order of the study's milestones.
#include "apps/cli/run_plan.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "base/error.h"

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

// A step that trains: its output is the model folder it writes last (<name>-refit with --refit).
StudyStep training_step(const StudyOptions& o, std::string title, std::vector<std::string> args, std::string output) {
  if (std::find(args.begin(), args.end(), "--refit") != args.end()) output += "-refit";
  StudyStep s = smoke_step(o, std::move(title), std::move(args), output);
  s.trains = true;
  return s;
}

// The cpu plan's settings, sized on 2 cores (about 3 minutes per fine-tuning epoch at 224 px, 10 s per
// epoch of the own CNN at 64 px): fine-tuning at 224 px with the last 6 blocks unfrozen for at most 5
// epochs, a small own CNN at 64 px, a joint network on that CNN, and a refit on train + val of every
// trainable model but the fine-tuned network. Its refit, and the out-of-fold embeddings of the image
// networks for early fusion (--oof-folds), would take another 20 to 40 minutes: the full plan makes them.
std::vector<std::string> cpu_finetune_flags() {
  return {"--size", "224", "--unfreeze", "6", "--epochs", "5", "--patience", "2", "--lr", "1e-3",
          "--backbone-lr-scale", "0.3", "--batch-size", "32"};
}
std::vector<std::string> cpu_scratch_flags() {
  return {"--size", "64", "--width", "16", "--depth", "4", "--epochs", "15", "--patience", "5", "--lr", "3e-3"};
}
std::vector<std::string> cpu_joint_flags() {
  return {"--scratch", "--size", "64", "--cnn-width", "16", "--cnn-depth", "4", "--head", "gated", "--epochs", "12",
          "--patience", "4"};
}

}  // namespace

std::vector<StudyStep> plan_study(const StudyOptions& o) {
  std::vector<StudyStep> steps;
  const bool smoke = o.level == StudyLevel::Smoke, cpu = o.level == StudyLevel::Cpu, full = o.level == StudyLevel::Full;
  const bool thorough = cpu || full;  // fine-tuning, the own CNN, joint fusion and the refits
  const bool pretrained = !o.weights.empty();
  std::string data_dir = o.data_dir;
  // A model trained on train alone, and with --refit also on train + val (cpu and full plans).
  auto refit = [&](std::vector<std::string> args) {
    if (thorough) args.push_back("--refit");
    return args;
  };
  auto with = [](std::vector<std::string> args, const std::vector<std::string>& more) {
    append(args, more);
    return args;
  };

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
  steps.push_back(training_step(o, "milestone 1: hyperparameter search for the tabular MLP (validation split)", search,
                                "search"));
  steps.push_back(training_step(o, "milestone 1: tabular MLP with the best configuration",
                                refit({"tabular", "--config", "best"}), "tabular"));
  steps.push_back(training_step(o, "milestone 1: PCA of the pixels + MLP", refit({"pixels"}), "pixels"));

  const bool finetune = pretrained && thorough;
  if (pretrained) {
    steps.push_back(step(o, "milestone 2: embeddings of the pretrained backbone (offline transfer)",
                         {"embed", "--weights", o.weights}, "embeddings"));
    steps.push_back(training_step(o, "milestone 2: classifier on the embeddings", refit({"image", "--mode", "head"}),
                                  "image-head"));
    if (finetune) {
      std::vector<std::string> args = {"image", "--mode", "finetune", "--weights", o.weights};
      steps.push_back(training_step(o, "milestone 2: fine-tuning the pretrained backbone",
                                    cpu ? with(args, cpu_finetune_flags()) : refit(with(args, {"--oof-folds", "3"})),
                                    "image-finetune"));
    }
  }
  if (thorough || !pretrained)
    steps.push_back(training_step(o, "milestone 2: own CNN trained from scratch",
                                  refit(with({"image", "--mode", "scratch"},
                                             cpu ? cpu_scratch_flags()
                                                 : full ? std::vector<std::string>{"--oof-folds", "3"}
                                                        : std::vector<std::string>{})),
                                  "image-scratch"));
  // Occlusion costs ~50 forward passes per image: the quick and cpu studies explain 120 evenly spaced
  // test images, the smoke check leaves occlusion out.
  std::vector<std::string> explain = {"explain"};
  if (finetune) append(explain, {"--model", "image-finetune"});
  if (smoke) append(explain, {"--methods", "gradcam,saliency"});
  else if (!full) append(explain, {"--limit", "120"});
  steps.push_back(smoke_step(o, "milestone 2: Grad-CAM, saliency and occlusion, scored against the lesion masks",
                             explain, "explain"));

  steps.push_back(training_step(o, "milestones 3-4: early fusion of the embeddings",
                                refit({"fuse", "--kind", "early"}), "fusion-early"));
  if (finetune)  // the fine-tuned network's features beside the metadata (its own val rows are unseen by it)
    steps.push_back(training_step(o, "milestones 3-4: early fusion with the fine-tuned network's embeddings",
                                  refit({"fuse", "--kind", "early", "--name", "fusion-early-finetune", "--inputs",
                                         "prepared/tabular,image-finetune"}),
                                  "fusion-early-finetune"));
  steps.push_back(training_step(o, "milestones 3-4: late fusion of the predictions", refit({"fuse", "--kind", "late"}),
                                "fusion-late"));
  if (thorough)
    steps.push_back(training_step(o, "milestones 3-4: joint network trained end to end",
                                  refit(with({"fuse", "--kind", "joint"},
                                             cpu ? cpu_joint_flags() : std::vector<std::string>{})),
                                  "fusion-joint"));

  steps.push_back({"milestone 5: every model on the test split, by class, age, sex and site",
                   {"evaluate", "--run", o.run_dir}, in_run(o, "eval")});
  steps.push_back({"milestone 6: the report with its drafted discussion", {"report", "--run", o.run_dir},
                   in_run(o, "report.html")});
  return steps;
}

StudyLevel parse_study_level(const std::string& name) {
  if (name == "smoke") return StudyLevel::Smoke;
  if (name == "quick") return StudyLevel::Quick;
  if (name == "cpu") return StudyLevel::Cpu;
  if (name == "full") return StudyLevel::Full;
  HITO_FAIL("--plan '", name, "': the plans are smoke, quick, cpu and full");
}

std::string study_level_name(StudyLevel level) {
  switch (level) {
    case StudyLevel::Smoke: return "smoke";
    case StudyLevel::Quick: return "quick";
    case StudyLevel::Cpu: return "cpu";
    case StudyLevel::Full: return "full";
  }
  return "quick";
}

std::string plan_json(const StudyOptions& o, const std::vector<StudyStep>& steps, const std::vector<double>& seconds) {
  nlohmann::ordered_json plan = {{"plan", study_level_name(o.level)},
                                 {"data", o.data_dir.empty() ? "synthetic (hito synth)" : o.data_dir},
                                 {"preset", o.preset},
                                 {"config", o.config},
                                 {"run", o.run_dir},
                                 {"device", o.device},
                                 {"seed", o.seed},
                                 {"threads", o.threads},
                                 {"weights", o.weights}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < steps.size(); ++i) {
    nlohmann::ordered_json entry = {{"step", i + 1}, {"title", steps[i].title}, {"command", format_command(steps[i].args)},
                                    {"args", steps[i].args}};
    if (i < seconds.size()) entry["seconds"] = seconds[i];
    list.push_back(entry);
  }
  plan["steps"] = list;
  return plan.dump(2) + "\n";
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

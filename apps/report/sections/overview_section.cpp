// The "Overview" section: the run folder, and which milestones of the study have left their
// output in it (and, for those that have not, the command that makes it).
#include <chrono>
#include <ctime>

#include "apps/report/sections/sections.h"

namespace hito::report {

namespace {
struct Milestone {
  const char* folder;
  const char* what;
  const char* command;
};

// The study's milestones in pipeline order (see DESIGN.md).
const Milestone kMilestones[] = {
    {"prepared", "data preparation: split, encoders, missing values", "hito prepare"},
    {"tabular", "tabular model (MLP on the metadata)", "hito tabular"},
    {"search", "hyperparameter search", "hito search"},
    {"pixels", "PCA of the pixels + MLP", "hito pixels"},
    {"embeddings", "pretrained image embeddings", "hito embed"},
    {"image-head", "image model: head on frozen features", "hito image"},
    {"image-finetune", "image model: fine-tuned backbone", "hito image"},
    {"image-scratch", "image model: trained from scratch", "hito image"},
    {"explain", "explanations: Grad-CAM, saliency, occlusion", "hito explain"},
    {"fusion-*", "fusion of the two modalities (early, late, joint)", "hito fuse"},
    {"eval", "evaluation on the test split, subgroups", "hito evaluate"},
};

// Whether the milestone left its folder; "name-*" stands for any folder whose name starts with "name-".
bool milestone_done(const std::filesystem::path& run, const std::string& folder) {
  if (folder.size() < 2 || folder.substr(folder.size() - 2) != "-*") return std::filesystem::is_directory(run / folder);
  if (!std::filesystem::is_directory(run)) return false;
  const std::string prefix = folder.substr(0, folder.size() - 1);
  for (const auto& entry : std::filesystem::directory_iterator(run))
    if (entry.is_directory() && entry.path().filename().string().rfind(prefix, 0) == 0) return true;
  return false;
}

std::string local_time_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", std::localtime(&now));
  return buffer;
}
}  // namespace

void build_overview_section(const ReportContext& context, Report& report) {
  const auto run = std::filesystem::absolute(context.run_dir).lexically_normal();
  report.set_subtitle("Run folder " + run.string() + " | made " + local_time_now());
  Section& section = report.add_section("Overview");
  if (std::string banner = run_nature_banner(context); !banner.empty()) section.note(banner, NoteKind::Warning);
  section.paragraph(
      "This report gathers what the study's commands left in the run folder: the data preparation, every trained "
      "model's learning curves and scores, and the comparisons between them. Parts whose files are missing are "
      "listed as skipped, with the command that makes them.");
  Table table;
  table.header = {"milestone", "folder", "status"};
  int present = 0;
  for (const auto& m : kMilestones) {
    bool exists = milestone_done(run, m.folder);
    present += exists;
    Cell status(exists ? "done" : std::string("not run (") + m.command + ")");
    status.css_class = exists ? "best" : "";
    table.rows.push_back({m.what, std::string(m.folder) + "/", status});
  }
  section.facts(
      {{"run folder", run.string()},
       {"milestones with output", std::to_string(present) + " of " + std::to_string(std::size(kMilestones))}});
  section.table(table);
}

}  // namespace hito::report

// `hito runs [DIR]`: the run folders under DIR (default: the current folder) with their models and
// scores side by side (apps/study/runs/runs.h).
#include <cstdio>

#include "apps/cli/command.h"
#include "apps/study/runs/runs.h"

namespace hito::app {

void register_runs(CLI::App& app) {
  auto dir = std::make_shared<std::string>(".");
  CLI::App* command = app.add_subcommand("runs", "List the run folders under DIR with their models and test scores");
  command->add_option("dir", *dir, "Folder holding run folders (or a run folder)")->capture_default_str();
  command->callback([dir] {
    const std::vector<study::RunSummary> runs = study::list_runs(*dir);
    if (runs.empty())
      std::printf("no run folders under %s (a run folder holds prepared/: hito prepare --run DIR)\n", dir->c_str());
    else
      std::fputs(study::runs_table(runs).c_str(), stdout);
  });
}

}  // namespace hito::app

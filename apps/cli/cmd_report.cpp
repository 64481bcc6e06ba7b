// `hito report [--run DIR]`: writes <run>/report.html, one self-contained HTML file with whatever the
// run folder holds (see apps/report/sections/sections.h for the sections and how milestones add theirs).
#include <cstdio>

#include "apps/cli/command.h"
#include "apps/report/sections/sections.h"
#include "base/fs.h"

namespace hito::app {

namespace {
struct ReportOptions {
  std::string run_dir = "run";
  std::string out;  // default <run>/report.html
  bool keep_going = false;
};

void run_report(const ReportOptions& options) {
  report::ReportContext context{options.run_dir, options.keep_going};
  std::string html = report::build_report(context).render();
  std::filesystem::path out =
      options.out.empty() ? std::filesystem::path(options.run_dir) / "report.html" : std::filesystem::path(options.out);
  write_file_atomic(out, html);
  std::printf("wrote %s (%.1f KiB)\n", out.string().c_str(), html.size() / 1024.0);
}
}  // namespace

void register_report(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* command =
      app.add_subcommand("report", "Write <run>/report.html: every table and plot of the study, self-contained");
  command->add_option("--run", options->run_dir, "Run folder")->capture_default_str();
  command->add_option("--out", options->out, "Output file (default: <run>/report.html)");
  command->add_flag("--keep-going", options->keep_going,
                    "Show a section that fails (e.g. a malformed file) as an error box instead of stopping");
  command->callback([options] { run_report(*options); });
}

}  // namespace hito::app

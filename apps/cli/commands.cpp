// The subcommands of `hito`: one register_<name>() per apps/cmd_<name>.cpp.
#include "apps/cli/commands.h"

#include "apps/cli/command.h"

namespace hito::app {

void register_bench(CLI::App& app);
void register_evaluate(CLI::App& app);
void register_embed(CLI::App& app);
void register_explain(CLI::App& app);
void register_export(CLI::App& app);
void register_fuse(CLI::App& app);
void register_image(CLI::App& app);
void register_infer(CLI::App& app);
void register_prepare(CLI::App& app);
void register_report(CLI::App& app);
void register_run(CLI::App& app);
void register_runs(CLI::App& app);
void register_synth(CLI::App& app);
void register_pixels(CLI::App& app);
void register_predict(CLI::App& app);
void register_search(CLI::App& app);
void register_tabular(CLI::App& app);

void register_commands(CLI::App& app) {
  register_run(app);
  register_synth(app);
  register_prepare(app);
  register_search(app);
  register_tabular(app);
  register_pixels(app);
  register_predict(app);
  register_export(app);
  register_embed(app);
  register_image(app);
  register_explain(app);
  register_fuse(app);
  register_evaluate(app);
  register_report(app);
  register_runs(app);
  register_infer(app);
  register_bench(app);
}

void run_command_line(const std::vector<std::string>& args) {
  CLI::App app{"hito"};
  use_hito_help(app);
  app.require_subcommand(1);
  register_commands(app);
  // CLI11 takes a vector of arguments in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
}

}  // namespace hito::app

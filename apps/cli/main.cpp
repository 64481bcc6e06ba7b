// hito: the command line. One subcommand per milestone of the study (listed in apps/cli/commands.cpp);
// an error becomes one clear message on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "apps/cli/commands.h"
#include "base/error.h"

int main(int argc, char** argv) {
  CLI::App app{"hito: a from-scratch deep-learning engine and a multimodal (tabular + image) study"};
  app.require_subcommand(1);
  hito::app::register_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const hito::Error& e) {
    std::fprintf(stderr, "hito: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hito: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

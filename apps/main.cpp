// hito: the command line. One subcommand per milestone of the study (see README.md); an error
// becomes one clear message on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "engine/error.h"

namespace hito::app {
void register_bench(CLI::App& app);
void register_infer(CLI::App& app);
void register_prepare(CLI::App& app);
void register_report(CLI::App& app);
void register_synth(CLI::App& app);
}  // namespace hito::app

int main(int argc, char** argv) {
  CLI::App app{"hito: a from-scratch deep-learning engine and a multimodal (tabular + image) study"};
  app.require_subcommand(1);
  hito::app::register_bench(app);
  hito::app::register_infer(app);
  hito::app::register_synth(app);
  hito::app::register_prepare(app);
  hito::app::register_report(app);
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

// hito: the command line. One subcommand per milestone of the study (listed in apps/cli/commands.cpp);
// an error becomes one clear message on stderr and exit status 1. The messages carry no source
// locations ("apps/study/x.cpp:72: ") unless --verbose asks for them.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "apps/cli/command.h"
#include "apps/cli/commands.h"
#include "apps/cli/version.h"
#include "base/error.h"
#include "dist/communicator.h"

namespace {
// The commands that run in lockstep on every rank under mpirun (data-parallel training; rank 0
// alone writes). Any other command would have every rank write the same files.
bool runs_on_several_ranks(int argc, char** argv) {
  if (argc < 2) return true;
  const std::string name = argv[1];
  return name == "tabular" || name == "image" || name == "fuse" || name == "bench" || name[0] == '-';
}

// One process: the message and status 1. Under mpirun with several ranks: the message names the
// rank, and the whole job ends (the other ranks would otherwise wait for this one).
int fail(const std::string& message) {
  hito::dist::Communicator& comm = hito::dist::world();
  if (comm.distributed() && comm.size() > 1) comm.abort(message);
  std::fprintf(stderr, "hito: error: %s\n", message.c_str());
  return 1;
}

// Levenshtein distance: how far a mistyped command is from each real one.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "" when `word` names a subcommand (or is an option); otherwise the error naming it and the closest.
std::string unknown_command(const CLI::App& app, const std::string& word) {
  if (word.empty() || word[0] == '-') return "";
  std::string closest;
  size_t best = std::string::npos;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->get_name() == word) return "";
    size_t d = edit_distance(word, command->get_name());
    if (d < best) best = d, closest = command->get_name();
  }
  return "unknown command '" + word + "'; did you mean '" + closest + "'? (hito --help lists the commands)";
}

// The message without the "file.cpp:12: " prefixes HITO_CHECK adds (nested errors carry several).
std::string without_source_locations(const std::string& message) {
  static const std::regex location(R"([A-Za-z0-9_./-]+\.(cpp|cu|h|inc):[0-9]+: )");
  return std::regex_replace(message, location, "");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hito: a from-scratch deep-learning engine and a multimodal (tabular + image) study"};
  hito::app::use_hito_help(app);
  app.require_subcommand(1);
  app.fallthrough();  // --verbose after the subcommand too
  bool verbose = false;
  app.add_flag("--verbose", verbose, "Error messages with the source location of the failed check");
  app.set_version_flag("--version", hito::app::version_text(), "The version, commit, compiler, CPU code and CUDA");
  hito::app::register_commands(app);
  if (argc > 1) {
    std::string unknown = unknown_command(app, argv[1]);
    if (!unknown.empty()) {
      std::fprintf(stderr, "hito: error: %s\n", unknown.c_str());
      return 1;
    }
  }
  try {
    hito::dist::init(&argc, &argv);  // under mpirun: MPI, the rank and the world size
    HITO_CHECK(hito::dist::world().size() == 1 || runs_on_several_ranks(argc, argv), "hito ", argv[1],
               " runs as one process; under mpirun with several ranks only the training commands run "
               "(tabular, image, fuse, bench)");
    app.parse(argc, argv);
    hito::dist::finalize();
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    hito::dist::finalize();
    return status;
  } catch (const std::exception& e) {
    return fail(verbose ? std::string(e.what()) : without_source_locations(e.what()));
  }
  return 0;
}

// hito: the command line. One subcommand per milestone of the study (listed in apps/cli/commands.cpp);
// an error becomes one clear message on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "apps/cli/commands.h"
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
int fail(const char* message) {
  hito::dist::Communicator& comm = hito::dist::world();
  if (comm.distributed() && comm.size() > 1) comm.abort(message);
  std::fprintf(stderr, "hito: error: %s\n", message);
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hito: a from-scratch deep-learning engine and a multimodal (tabular + image) study"};
  app.require_subcommand(1);
  hito::app::register_commands(app);
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
  } catch (const hito::Error& e) {
    return fail(e.what());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}

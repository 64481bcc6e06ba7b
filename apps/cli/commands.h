// The list of `hito` subcommands, and a way to run one command line in-process (what `hito run`
// does for each step of the study, so that every step is exactly the command a user could type).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hito::app {

// Adds every subcommand to `app`.
void register_commands(CLI::App& app);

// Parses and runs one command line (without the program name), e.g. {"prepare", "--data", "d"}.
// Errors propagate as exceptions (hito::Error, CLI::ParseError).
void run_command_line(const std::vector<std::string>& args);

}  // namespace hito::app

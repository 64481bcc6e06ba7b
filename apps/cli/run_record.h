// What `hito run` remembers of the steps it finished, so that `hito run --resume` can skip them:
// <run>/run-steps.json lists, in plan order, each finished step's command line, the file or folder
// it wrote and that output's modification time when it finished (every output is written under a
// temporary name and renamed into place, so a rewritten output has another time).
//
// A step is complete and current, and skipped, when every step before it is, the record holds the
// same command line for it (the same configuration), its output is still there with the recorded
// time, prepared/ still matches the data folder (load_prepared re-checks the fingerprint), and a model
// folder's data fingerprint is prepared/'s. From the first step that is not, everything runs again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/cli/run_plan.h"

namespace hito::app {

struct StepRecord {
  std::string command;  // format_command(args)
  std::string output;   // StudyStep::output
  int64_t stamp = 0;    // the output's modification time, in the file clock's ticks
};

// The record of <run_dir>; empty when there is none. A malformed record is an error naming it.
std::vector<StepRecord> read_run_record(const std::filesystem::path& run_dir);
// Writes the record atomically.
void write_run_record(const std::filesystem::path& run_dir, const std::vector<StepRecord>& steps);
// The record of `step` as it stands now (just finished).
StepRecord record_step(const StudyStep& step);

// How many leading steps of `plan` are complete and current (see above).
size_t current_steps(const std::vector<StudyStep>& plan, const std::vector<StepRecord>& record,
                     const std::filesystem::path& run_dir);

}  // namespace hito::app

// The training checkpoint that makes `--resume` possible: written atomically after every epoch,
// it holds everything the loop of trainer.cpp carries from one epoch to the next, so that a run
// killed at any moment and resumed from its last checkpoint ends with bitwise the same weights and
// history as a run never interrupted (on the CPU):
//   tensors  model.<name>      the module's parameters and buffers now
//            best.<name>       those of the best validation epoch so far
//            optimizer.<key>   the optimizer's state (Optimizer::state: moments, step counts)
//   metadata "loop"            JSON: epochs done, optimizer steps (the schedule's position),
//                              early-stopping state, the history, the dropout generator's state,
//                              and "config", which must match for a resume to be accepted.
// The batch order needs no state: each epoch's shuffle is seeded by its number (batches.h).
#pragma once

#include <filesystem>
#include <string>

#include "apps/study/train/train_result.h"
#include "engine/optim/optimizer.h"
#include "layers/module.h"

namespace hito::study {

// What the loop carries across epochs besides the module and the optimizer.
struct LoopState {
  int64_t epochs_done = 0, steps = 0, since_best = 0;
  TrainResult result;  // history, best epoch and score (seconds: of the epochs done)
  NamedTensors best;   // the best epoch's weights
};

// Writes the checkpoint of `state` (atomically: a kill leaves the previous one whole).
void save_checkpoint(const std::filesystem::path& path, const Module& module, const Optimizer& optimizer,
                     const LoopState& state, const std::string& config);

// Restores module, optimizer, the dropout generator and `state` from `path`; false (nothing
// changed) when there is no such file. Errors name the file: not a checkpoint, another config
// (another model, data split or hyperparameters), tensors that do not match.
bool load_checkpoint(const std::filesystem::path& path, Module& module, Optimizer& optimizer, LoopState& state,
                     const std::string& config);

}  // namespace hito::study

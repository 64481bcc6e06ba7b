// How a `hito` command plugs into the command line: each apps/cmd_*.cpp defines one
// register_<name>(CLI::App&) that adds its subcommand, options and callback; apps/cli/main.cpp lists them.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "base/types.h"

namespace hito::app {

// Options every command shares.
struct CommonOptions {
  std::string run_dir = "run";  // --run: the run folder
  std::string device = "cpu";   // --device cpu|cuda
  uint64_t seed = 0;            // --seed
  int threads = 0;              // --threads (0: all cores)
  int64_t max_image_pixels = 0;  // --max-image-pixels (0: keep the default, data/image.h)
};

// Whether a command computes on a device (and so takes --device).
enum class DeviceFlag { Yes, No };
// Adds --run, --device (where the command uses it), --seed, --threads and --max-image-pixels to a
// subcommand.
void add_common_options(CLI::App& command, CommonOptions& options, DeviceFlag device = DeviceFlag::Yes);
// --resume: a training command continues a killed training from its last finished epoch
// (<run>/checkpoints/<model>.safetensors, apps/study/train/training_run.h); `what` says what it
// resumes when that is not the plain model ("" for the default text).
CLI::Option* add_resume_flag(CLI::App& command, bool& resume, const std::string& what = "");
// A boolean switch --NAME / --no-NAME whose help states the true default ("(default: on)").
CLI::Option* add_switch(CLI::App& command, const std::string& name, bool& value, const std::string& description);
// The help layout of every hito command: flags shown as "--augment, --no-augment" (CLI11 would print
// "--no-augment{false}"). Set on the top-level app before the subcommands are added.
void use_hito_help(CLI::App& app);
// Applies --threads, --seed and --max-image-pixels and checks that --device is usable; returns that device.
Device apply_common_options(const CommonOptions& options);
// "cpu" / "cuda" -> Device, with a clear error for anything else or a missing GPU.
Device parse_device(const std::string& name);

}  // namespace hito::app

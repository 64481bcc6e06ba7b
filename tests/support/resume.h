// Helpers of the resume tests: a hito training killed with SIGKILL while it trains, the way a crash
// or the out-of-memory killer would end it, and a model folder's history without its wall-clock
// column (the only column a resumed run may not reproduce).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hito::testing {

// Starts `hito <arguments>` in the background and kills it with SIGKILL as soon as `checkpoint`
// exists (its first epoch is done, the next one under way). False when the command ended before it
// could be killed (the test then proves nothing: make the training longer).
bool kill_once_checkpointed(const std::string& arguments, const std::filesystem::path& checkpoint);

// history.csv of a model folder, every row, without the "seconds" column.
std::vector<std::vector<std::string>> history_without_seconds(const std::filesystem::path& folder);

}  // namespace hito::testing

// The resume tests' helpers: a training killed with SIGKILL, and history.csv without its times.
#include "tests/support/resume.h"

#include "data/csv.h"
#include "tests/support/testing.h"

namespace hito::testing {

bool kill_once_checkpointed(const std::string& arguments, const std::filesystem::path& checkpoint) {
  CommandResult r = run_shell("'" + hito_binary().string() + "' " + arguments +
                              " > /dev/null 2>&1 & pid=$!; while kill -0 $pid 2> /dev/null && [ ! -f '" +
                              checkpoint.string() + "' ]; do sleep 0.005; done; kill -9 $pid 2> /dev/null && echo killed; "
                              "wait $pid; true");
  return r.output.find("killed") != std::string::npos;
}

std::vector<std::vector<std::string>> history_without_seconds(const std::filesystem::path& folder) {
  data::CsvTable t = data::read_csv(folder / "history.csv");
  const int64_t seconds = t.require_column("seconds");
  for (auto& row : t.rows) row.erase(row.begin() + seconds);
  return t.rows;
}

}  // namespace hito::testing

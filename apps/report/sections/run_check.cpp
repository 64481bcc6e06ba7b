// The run check, before any section: every model folder (and search/best.json, eval/eval.json) that
// records a data fingerprint must record the one of the run's prepared/ data. A folder trained on
// other data (another preparation, another data set copied in) is refused, as `hito evaluate`
// refuses it, so the report never shows its scores as if they belonged to this run; with
// --keep-going the refusal is shown as an error box at the top of the report instead.
#include "apps/report/sections/sections.h"

#include <algorithm>

#include "apps/eval/eval_results.h"
#include "apps/study/prepare/prepared_files.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::report {

namespace {
namespace fs = std::filesystem;

// The fingerprint a JSON file records, or "" when it records none.
std::string recorded_fingerprint(const fs::path& file) {
  Json json = read_json_file(file);
  return json.is_object() && json.contains("fingerprint") && json["fingerprint"].is_string()
             ? json["fingerprint"].get<std::string>()
             : "";
}
}  // namespace

void check_run_fingerprints(const ReportContext& context, Report&) {
  fs::path manifest = context.run_dir / study::kPreparedDir / study::kManifestFile;
  if (!fs::exists(manifest)) return;  // the prepared section says that prepare has not run
  std::string expected = recorded_fingerprint(manifest);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(context.run_dir)) {
    if (!entry.is_directory() || is_partial_output(entry.path())) continue;
    for (const char* name : {"config.json", "best.json", eval::kEvalJson})
      if (fs::is_regular_file(entry.path() / name)) files.push_back(entry.path() / name);
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string recorded = recorded_fingerprint(file);
    HITO_CHECK(recorded.empty() || recorded == expected, file.parent_path().string(), " was made from data with fingerprint ",
               recorded, ", but ", manifest.string(), " has ", expected,
               ": it belongs to another preparation; rerun it on these data or remove it");
  }
}

}  // namespace hito::report

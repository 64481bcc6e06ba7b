// The record of finished steps behind `hito run --resume`.
#include "apps/cli/run_record.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "apps/study/prepare/prepared_data.h"
#include "apps/study/train/model_output.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* kRecordFile = "run-steps.json";

int64_t stamp_of(const fs::path& output) {
  return static_cast<int64_t>(fs::last_write_time(output).time_since_epoch().count());
}

}  // namespace

std::vector<StepRecord> read_run_record(const fs::path& run_dir) {
  const fs::path path = run_dir / kRecordFile;
  if (!fs::exists(path)) return {};
  Json file = read_json_file(path);
  JsonReader<Json> read(file, path.string());
  std::vector<StepRecord> steps;
  const Json& list = read.array("steps");
  for (size_t i = 0; i < list.size(); ++i) {
    JsonReader<Json> step = read.child("steps").item(i);
    steps.push_back({step.text("command"), step.text("output"), step.integer("stamp")});
  }
  return steps;
}

void write_run_record(const fs::path& run_dir, const std::vector<StepRecord>& steps) {
  Json list = Json::array();
  for (const StepRecord& s : steps) list.push_back({{"command", s.command}, {"output", s.output}, {"stamp", s.stamp}});
  write_file_atomic(run_dir / kRecordFile, Json{{"steps", list}}.dump(2) + "\n");
}

StepRecord record_step(const StudyStep& step) {
  HITO_CHECK(fs::exists(step.output), "step `", format_command(step.args), "` finished without writing ", step.output);
  return {format_command(step.args), step.output, stamp_of(step.output)};
}

size_t current_steps(const std::vector<StudyStep>& plan, const std::vector<StepRecord>& record, const fs::path& run_dir) {
  std::unique_ptr<study::PreparedData> prepared;  // loaded once prepare's step is found current
  for (size_t i = 0; i < plan.size() && i < record.size(); ++i) {
    const StudyStep& step = plan[i];
    const StepRecord& done = record[i];
    if (done.command != format_command(step.args) || done.output != step.output || !fs::exists(step.output) ||
        stamp_of(step.output) != done.stamp)
      return i;
    try {
      if (step.args.front() == "prepare") prepared = std::make_unique<study::PreparedData>(study::load_prepared(run_dir));
      else if (prepared && fs::is_regular_file(fs::path(step.output) / "config.json"))
        study::check_model_fingerprint(step.output, *prepared);
    } catch (const Error& e) {
      std::fprintf(stderr, "step %zu is not current: %s\n", i + 1, e.what());
      return i;
    }
  }
  return std::min(plan.size(), record.size());
}

}  // namespace hito::app

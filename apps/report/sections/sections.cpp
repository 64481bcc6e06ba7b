// The list of report sections, in order, and the loop that builds them.
#include "apps/report/sections/sections.h"

#include "apps/study/prepare/prepared_files.h"
#include "base/error.h"
#include "base/json.h"

namespace hito::report {

const std::vector<SectionEntry>& section_builders() {
  static const std::vector<SectionEntry> builders = {
      {"run check", check_run_fingerprints},  // first: refuses folders made from other data
      {"overview", build_overview_section},
      {"data preparation", build_prepared_section},
      {"hyperparameter search", build_search_section},
      {"models", build_model_sections},
      {"explanations", build_explain_section},
      {"fusion", build_fusion_section},
      {"evaluation", build_evaluation_section},
      {"discussion", build_discussion_section},  // keep last: it draws on every section before it
  };
  return builders;
}

namespace {
namespace fs = std::filesystem;

bool flag_in(const fs::path& file, const char* key) {
  if (!fs::is_regular_file(file)) return false;
  nlohmann::json j = read_json_file<nlohmann::json>(file);
  return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

// The context with what the run folder says about its data and its training.
ReportContext with_run_nature(ReportContext context) {
  context.synthetic = flag_in(context.run_dir / study::kPreparedDir / study::kManifestFile, "synthetic");
  for (const auto& entry : fs::directory_iterator(context.run_dir))
    if (entry.is_directory() && flag_in(entry.path() / "config.json", "smoke")) context.smoke = true;
  return context;
}
}  // namespace

std::string run_nature_banner(const ReportContext& context) {
  std::string text;
  if (context.synthetic)
    text = "Synthetic data: this run's images and metadata were made by `hito synth` (drawn lesions in the HAM10000 "
           "format), not taken from patients. The scores check the pipeline; they say nothing about skin lesions.";
  if (context.smoke)
    text += std::string(text.empty() ? "" : " ") +
            "Smoke run (--smoke): every model trained for one epoch on little data, to check the wiring; the scores "
            "are not results.";
  return text;
}

Report build_report(const ReportContext& given) {
  HITO_CHECK(std::filesystem::is_directory(given.run_dir), "run folder ", given.run_dir.string(), " does not exist");
  const ReportContext context = with_run_nature(given);
  Report report("Multimodal study report");
  for (const auto& entry : section_builders()) {
    try {
      entry.build(context, report);
    } catch (const std::exception& e) {
      if (!context.keep_going) HITO_FAIL("report section '", entry.name, "': ", e.what());
      report.add_section(std::string("Error in ") + entry.name)
          .note(std::string("This section could not be built: ") + e.what(), NoteKind::Error);
    }
  }
  return report;
}

}  // namespace hito::report

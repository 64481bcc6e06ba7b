// The list of report sections, in order, and the loop that builds them.
#include "apps/report/sections/sections.h"

#include "base/error.h"

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

Report build_report(const ReportContext& context) {
  HITO_CHECK(std::filesystem::is_directory(context.run_dir), "run folder ", context.run_dir.string(),
             " does not exist");
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

// The report's sections and how milestones add theirs. A section builder reads what its milestone
// left in the run folder and appends one or more sections to the report; when its inputs are
// missing it adds its section with a "skipped" note saying which file is missing and which command
// makes it, so the report always shows what was and was not done.
//
// To add a section: write apps/report/sections/<milestone>_section.cpp defining
//   void build_<milestone>_section(const ReportContext& context, Report& report);
// declare it below and add one line to the list in sections.cpp (the list fixes the order).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/report/report.h"

namespace hito::report {

struct ReportContext {
  std::filesystem::path run_dir;  // the run folder (exists)
  bool keep_going = false;        // a failing builder shows its error in the report instead of aborting
  // Filled by build_report from the run folder: the data came from `hito synth` (prepared/manifest.json
  // "synthetic"), or a model was trained with --smoke (its config.json "smoke").
  bool synthetic = false, smoke = false;
};

// The banner text for a run on synthetic data or a smoke run; "" for a real study.
std::string run_nature_banner(const ReportContext& context);

using SectionBuilder = void (*)(const ReportContext& context, Report& report);

struct SectionEntry {
  const char* name;  // for messages: "data preparation"
  SectionBuilder build;
};

// The builders in report order.
const std::vector<SectionEntry>& section_builders();

// Runs every builder and returns the finished report. A builder that throws aborts the report with
// an error naming the section, unless context.keep_going, where the section shows the error instead.
Report build_report(const ReportContext& context);

// ---- the builders ----
void check_run_fingerprints(const ReportContext& context, Report& report);  // run_check.cpp (adds nothing)
void build_overview_section(const ReportContext& context, Report& report);  // overview_section.cpp
void build_prepared_section(const ReportContext& context, Report& report);  // prepared_section.cpp
void build_search_section(const ReportContext& context, Report& report);    // search_section.cpp
void build_model_sections(const ReportContext& context, Report& report);    // model_section.cpp
void build_explain_section(const ReportContext& context, Report& report);   // explain_section.cpp
void build_fusion_section(const ReportContext& context, Report& report);     // fusion_section.cpp
// evaluation_section.cpp: the test-set evaluation of every model, and the drafted discussion (last)
void build_evaluation_section(const ReportContext& context, Report& report);
void build_discussion_section(const ReportContext& context, Report& report);

}  // namespace hito::report

// The "Evaluation on the test split" section (from <run>/eval/, written by `hito evaluate`): every
// model's test scores with intervals, subgroup forest plots and tables (per class: the recall),
// calibration, confusion matrices, the paired comparisons. And the "Discussion (draft)" section, the
// report's last (discussion.h), which also reads <run>/explain/mask_scores.csv and .json when present.
#include <filesystem>

#include "apps/report/sections/discussion.h"
#include "apps/report/sections/sections.h"
#include "apps/eval/eval_results.h"
#include "base/error.h"

namespace hito::report {

namespace {

namespace fs = std::filesystem;

Cell interval_cell(const std::map<std::string, eval::Interval>& intervals, const std::string& name) {
  auto it = intervals.find(name);
  return it == intervals.end() ? Cell("-") : Cell::interval(it->second);
}

Table models_table(const eval::EvalResults& r) {
  Table table;
  table.caption = "All models on the same " + count_of(r.test_rows, "test image") +
                  "; a refit (train + val) has no validation score and is never the model chosen on validation";
  table.header = {"model",          "modality",          "fitted on",          "validation bacc",    "test balanced accuracy [95% CI]",
                  "macro AUC [95% CI]", "macro F1 [95% CI]", "accuracy [95% CI]", "ECE", "log loss"};
  for (const auto& m : r.models) {
    Cell bacc = interval_cell(m.test.intervals, "balanced_accuracy");
    if (m.name == r.best) bacc.css_class = "best";
    Cell name(m.name);
    if (m.name == r.baseline) name.text += " (baseline)";
    table.rows.push_back({name, m.modality, m.fitted_on == "train" ? Cell("train") : Cell("train + val (refit)"),
                          Cell::number(m.val_balanced_accuracy), bacc,
                          interval_cell(m.test.intervals, "macro_auc"), interval_cell(m.test.intervals, "macro_f1"),
                          interval_cell(m.test.intervals, "accuracy"), Cell::number(m.test.metrics.ece),
                          Cell::number(m.test.metrics.log_loss)});
  }
  return table;
}

Table subgroup_table(const eval::EvalResults& r, const eval::FamilyResult& f) {
  Table table;
  table.caption = "Balanced accuracy [95% CI] by " + f.family + (f.column.empty() ? "" : " (column " + f.column + ")");
  table.header = {f.family, "images", "lesions"};
  for (const auto& m : r.models) table.header.push_back(m.name);
  for (const auto& s : f.subgroups) {
    std::vector<Cell> row = {s.name, Cell::count(s.rows), Cell::count(s.lesions)};
    for (const auto& m : r.models) row.push_back(interval_cell(s.scores.at(m.name).intervals, "balanced_accuracy"));
    table.rows.push_back(row);
  }
  return table;
}

Table overall_comparisons_table(const eval::EvalResults& r, const std::string& kind) {
  Table table;
  table.header = {"model", "reference", "bacc difference [95% CI]", "share of resamples better",
                  "only model right", "only reference right", "McNemar p", "McNemar p (Holm)", "test"};
  for (const auto& c : r.comparisons) {
    if (c.comparison != kind || c.family != "all") continue;
    Cell diff = Cell::interval(c.bacc_difference.difference);
    if (c.bacc_difference.difference.lower > 0) diff.css_class = "best";
    table.rows.push_back({c.model, c.reference, diff, Cell::number(c.bacc_difference.share_a_better),
                          Cell::count(c.mcnemar.only_a_correct), Cell::count(c.mcnemar.only_b_correct),
                          Cell::number(c.mcnemar.p_value), Cell::number(c.p_holm), c.mcnemar.method()});
  }
  return table;
}

Table subgroup_comparisons_table(const eval::EvalResults& r) {
  Table table;
  table.caption = "Balanced-accuracy difference (fusion - " + r.baseline +
                  ") per class and subgroup [95% CI]; within a class it is the difference in recall";
  std::vector<std::string> fusions;
  for (const auto& c : r.comparisons)
    if (c.comparison == eval::kFusionVsBaseline && c.family == "all") fusions.push_back(c.model);
  table.header = {"family", "subgroup", "images"};
  for (const auto& f : fusions) table.header.push_back(f);
  for (const auto& family : r.families)
    for (const auto& s : family.subgroups) {
      std::vector<Cell> row = {family.family, s.name, Cell::count(s.rows)};
      for (const auto& f : fusions) {
        Cell cell("-");
        for (const auto& c : r.comparisons)
          if (c.comparison == eval::kFusionVsBaseline && c.model == f && c.family == family.family &&
              c.subgroup == s.name) {
            cell = Cell::interval(c.bacc_difference.difference);
            if (c.bacc_difference.difference.lower > 0) cell.css_class = "best";
          }
        row.push_back(cell);
      }
      table.rows.push_back(row);
    }
  return table;
}

// eval.json, with a hint to rerun `hito evaluate` when it cannot be read (e.g. written by an older hito).
eval::EvalResults read_evaluation(const fs::path& run_dir) {
  try {
    return eval::read_eval_results(run_dir / eval::kEvalFolder / eval::kEvalJson);
  } catch (const Error& e) {
    HITO_FAIL(e.what(), " (rerun `hito evaluate --run ", run_dir.string(), "`)");
  }
}

void add_figure_if_present(Section& section, const fs::path& path, const std::string& caption, bool wide = false) {
  if (fs::exists(path)) section.file_figure(path, caption, wide);
  else section.note("Missing figure " + path.string() + ": rerun `hito evaluate`.", NoteKind::Warning);
}

}  // namespace

void build_evaluation_section(const ReportContext& context, Report& report) {
  const fs::path dir = context.run_dir / eval::kEvalFolder;
  Section& section = report.add_section("Evaluation on the test split");
  if (!fs::exists(dir / eval::kEvalJson)) {
    section.note("Skipped: no " + (dir / eval::kEvalJson).string() + " yet. Run `hito evaluate --run " +
                     context.run_dir.string() + "` once the models are trained.",
                 NoteKind::Skipped);
    return;
  }
  const eval::EvalResults r = read_evaluation(context.run_dir);
  section.paragraph("Every model is scored on the same " + count_of(r.test_rows, "test image") + " (" +
                    std::to_string(r.test_lesions) +
                    " lesions), which no model or fusion weight was chosen on. Intervals are 95% percentile bootstrap "
                    "intervals over " + std::to_string(r.bootstrap.resamples) +
                    " resamples of lesions (all images of a lesion together), the same resamples for every model.");
  section.table(models_table(r));
  section.paragraph("Per-class precision, recall and F1 of every model are in eval/per_class.csv and in each model's "
                    "section; the recall of each class, with its interval, is the first subgroup table below.");

  section.heading("Subgroups");
  section.paragraph("Balanced accuracy per true class (there: the recall of the class), age band, sex and body site, "
                    "from the raw metadata. Small subgroups have wide intervals; the dashed line is chance level.");
  for (const auto& f : r.families) {
    if (!f.skipped.empty()) {
      section.note("No " + f.family + " subgroups: " + f.skipped + ".", NoteKind::Skipped);
      continue;
    }
    add_figure_if_present(section, dir / ("forest_" + f.family + ".svg"),
                          "Balanced accuracy by " + f.family + " with 95% intervals, one colour per model.", true);
    section.table(subgroup_table(r, f));
  }

  section.heading("Calibration");
  section.paragraph("Reliability diagrams on the test split: accuracy against confidence per bin; bars on the diagonal "
                    "are perfectly calibrated. The ECE column of the first table sums the gaps.");
  for (const auto& m : r.models)
    add_figure_if_present(section, dir / eval::model_figure_name("reliability", m.name), "Reliability of " + m.name + ".");

  section.heading("Confusion matrices");
  for (const auto& m : r.models)
    add_figure_if_present(section, dir / eval::model_figure_name("confusion", m.name),
                          "Confusion matrix of " + m.name + " (rows: true class, shares of the row, counts underneath).");

  section.heading("Paired comparisons");
  section.paragraph("Differences in balanced accuracy on the same test images, with paired lesion-bootstrap "
                    "intervals (highlighted where the interval excludes 0), and McNemar's test on the images exactly "
                    "one of the two models classified correctly.");
  if (!r.baseline.empty())
    section.paragraph("Fusion against the baseline " + r.baseline + ": " + r.baseline_note + ".");
  else
    section.note(r.baseline_note, NoteKind::Skipped);
  Table fusion = overall_comparisons_table(r, eval::kFusionVsBaseline);
  if (!fusion.rows.empty()) {
    fusion.caption = "Each fusion model against the best single-modality model";
    section.table(fusion);
    section.table(subgroup_comparisons_table(r));
  }
  Table best = overall_comparisons_table(r, eval::kBestVsOther);
  if (!best.rows.empty()) {
    best.caption = "The model chosen on validation (" + r.best +
                   ", the highest validation balanced accuracy) against each other model on test; McNemar's p "
                   "Holm-adjusted over these comparisons";
    section.table(best);
  }
}

void build_discussion_section(const ReportContext& context, Report& report) {
  const fs::path path = context.run_dir / eval::kEvalFolder / eval::kEvalJson;
  Section& discussion = report.add_section("Discussion (draft)");
  if (!fs::exists(path)) {
    discussion.note("Skipped: the discussion is drafted from " + path.string() + ", which `hito evaluate` writes.",
                    NoteKind::Skipped);
    return;
  }
  discussion.note("Draft for the researcher: written automatically from the numbers of this report by fixed rules (a "
                  "difference is only called one when its 95% interval excludes 0). Check and rewrite every sentence "
                  "before using it.",
                  NoteKind::Warning);
  if (context.synthetic)
    discussion.note("The data are synthetic: where the draft below speaks of patients, clinics or skin lesions, read "
                    "it as the wording it would use on real data.",
                    NoteKind::Warning);
  const eval::EvalResults r = read_evaluation(context.run_dir);
  for (const auto& part :
       draft_discussion(r, read_explanations(context.run_dir / "explain"))) {
    discussion.heading(part.heading);
    for (const auto& p : part.paragraphs) discussion.paragraph(p);
  }
}

}  // namespace hito::report

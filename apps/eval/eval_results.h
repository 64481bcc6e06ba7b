// What `hito evaluate` finds, as data: every model's test scores, the subgroup scores, the paired
// comparisons, and eval.json, the file that holds them for the report and the discussion. Computed
// by apps/study/evaluate/evaluate.h (run_evaluate), read back by apps/report.
#pragma once

#include <cmath>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/eval/bootstrap.h"
#include "apps/eval/mcnemar.h"
#include "apps/eval/metrics_file.h"

namespace hito::eval {

// A model's headline scores on some rows: the four headline statistics with intervals, and the ECE.
struct SubgroupScore {
  std::map<std::string, Interval> intervals;  // accuracy, balanced_accuracy, macro_f1, macro_auc
  double ece = 0;
};

struct ModelResult {
  std::string name, kind, modality;
  double val_balanced_accuracy = 0;  // NaN when the folder has no validation predictions
  std::string image_input;           // "224x224" (height x width) for models that see images, else ""
  SplitMetrics test;
  // What the model learnt from: "train", or "train+val" for a refit (apps/study/train/refit.h), whose
  // validation rows were training rows (it has no validation score and is never chosen on validation).
  std::string fitted_on = "train";
};

struct SubgroupResult {
  std::string family, name;
  int64_t rows = 0, lesions = 0;
  std::map<std::string, SubgroupScore> scores;  // model name -> its scores on these rows
};

struct FamilyResult {
  std::string family, column, skipped;
  std::vector<SubgroupResult> subgroups;  // display order; subgroups with test rows only
};

// A paired comparison of two models on the same rows ("all"/"all" for the whole test split):
//   "fusion-vs-baseline"  a fusion model (model) against the baseline (reference), overall and in
//                         every subgroup
//   "best-vs-other"       the model with the highest test balanced accuracy (model) against each
//                         other model (reference), overall only: is the ranking supported?
inline constexpr const char* kFusionVsBaseline = "fusion-vs-baseline";
inline constexpr const char* kBestVsOther = "best-vs-other";
struct ComparisonResult {
  std::string comparison, model, reference, family, subgroup;
  int64_t rows = 0, lesions = 0;
  PairedDifference bacc_difference;  // model - reference
  McNemarResult mcnemar;             // a = model, b = reference
  // McNemar's p after Holm's correction over the comparisons tested together: those of the same kind
  // in the same subgroup family (every fusion against the baseline overall, or in the age bands, ...).
  double p_holm = std::nan("");
};

struct EvalResults {
  std::vector<std::string> class_names;
  std::string fingerprint;
  int64_t test_rows = 0, test_lesions = 0;
  BootstrapOptions bootstrap;
  std::vector<ModelResult> models;
  std::vector<FamilyResult> families;
  std::string baseline;       // empty when there is none
  std::string baseline_note;  // how it was chosen, or why there are no comparisons
  std::string best;           // the model with the highest validation balanced accuracy (never chosen on test)
  std::vector<ComparisonResult> comparisons;

  const ModelResult* find_model(const std::string& name) const;  // null when absent
};

// eval.json <-> EvalResults. Errors name the file and the key.
nlohmann::ordered_json eval_results_to_json(const EvalResults& results);
EvalResults read_eval_results(const std::filesystem::path& path);

// The file name of a per-model figure in eval/: "<what>_<model>.svg" (what: confusion, reliability),
// the model name with any character other than letters, digits, '-' and '_' replaced by '_'.
std::string model_figure_name(const std::string& what, const std::string& model);

inline constexpr const char* kEvalFolder = "eval";
inline constexpr const char* kEvalJson = "eval.json";

}  // namespace hito::eval

// `hito evaluate`: every model folder of a run scored on the same test rows, overall and per
// subgroup, and each fusion model compared with the best single-modality model. Writes <run>/eval/:
//
//   models.csv       one row per model: kind, modality, validation bacc, test accuracy / balanced
//                    accuracy / macro-F1 / macro AUC each with its 95% interval, ECE, log loss
//   per_class.csv    model,class,support,predicted,precision,recall,f1,auc (test split)
//   subgroups.csv    model,family,subgroup,rows,lesions, then balanced accuracy, accuracy, macro-F1
//                    and macro AUC with intervals, and the ECE, of the model on that subgroup's rows
//   comparisons.csv  comparison,model,reference,family,subgroup,rows,lesions, the balanced-accuracy
//                    difference (model - reference) with its paired interval and the share of
//                    resamples where the model was better, and McNemar's test (discordant counts,
//                    method, p-value); see ComparisonResult for the two kinds of comparison
//   eval.json        all of the above (per model: the full test metrics of apps/eval/metrics_file.h
//                    with intervals), the bootstrap settings and how the baseline was chosen
//   forest_<family>.svg            subgroup balanced accuracy of every model with its interval
//   confusion_<model>.svg, reliability_<model>.svg
//
// A model folder is any subfolder of the run holding config.json and predictions_test.csv. A folder
// whose config.json records another data fingerprint is refused (an error), as is one whose test
// predictions do not cover exactly the test split. Intervals resample lesions (all images of a
// lesion together); every model and subgroup uses the same resamples (one seed).
//
// Modalities come from the folder name or the config's "kind": fusion* -> fusion; tabular*, search
// -> metadata; pixels, image* -> image; anything else -> other. The baseline of the comparisons is
// the metadata or image model with the highest validation balanced accuracy (never chosen on test).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apps/eval/bootstrap.h"
#include "apps/eval/mcnemar.h"
#include "apps/eval/metrics_file.h"
#include "apps/study/prepared_data.h"
#include "apps/study/subgroups.h"

namespace hito::study {

struct EvaluateOptions {
  fs::path run_dir = "run";
  uint64_t seed = 0;
  int64_t resamples = 1000;
  SubgroupColumns columns;
};

// "fusion", "metadata", "image" or "other" (see above).
std::string model_modality(const std::string& name, const std::string& kind);

// The model folders of a run (subfolders with config.json and predictions_test.csv): metadata
// models first, then image, fusion and other ones, by name within a modality.
std::vector<fs::path> model_folders_to_evaluate(const fs::path& run_dir);

// A model's headline scores on some rows: the four headline statistics with intervals, and the ECE.
struct SubgroupScore {
  std::map<std::string, eval::Interval> intervals;  // accuracy, balanced_accuracy, macro_f1, macro_auc
  double ece = 0;
};

struct ModelResult {
  std::string name, kind, modality;
  double val_balanced_accuracy = 0;  // NaN when the folder has no validation predictions
  std::string image_input;           // "224x224" (height x width) for models that see images, else ""
  eval::SplitMetrics test;
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
  eval::PairedDifference bacc_difference;  // model - reference
  eval::McNemarResult mcnemar;             // a = model, b = reference
};

struct EvalResults {
  std::vector<std::string> class_names;
  std::string fingerprint;
  int64_t test_rows = 0, test_lesions = 0;
  eval::BootstrapOptions bootstrap;
  std::vector<ModelResult> models;
  std::vector<FamilyResult> families;
  std::string baseline;       // empty when there is none
  std::string baseline_note;  // how it was chosen, or why there are no comparisons
  std::string best;           // the model with the highest test balanced accuracy
  std::vector<ComparisonResult> comparisons;

  const ModelResult* find_model(const std::string& name) const;  // null when absent
};

// Scores every model folder of the run and writes <run>/eval/ (replacing an older one only when all
// is written). Requires <run>/prepared/ and at least one model folder. Returns the results.
EvalResults run_evaluate(const EvaluateOptions& options);

// eval.json <-> EvalResults. Errors name the file and the key.
nlohmann::ordered_json eval_results_to_json(const EvalResults& results);
EvalResults read_eval_results(const fs::path& path);

// The file name of a per-model figure in eval/: "<what>_<model>.svg" (what: confusion, reliability),
// the model name with any character other than letters, digits, '-' and '_' replaced by '_'.
std::string model_figure_name(const std::string& what, const std::string& model);

inline constexpr const char* kEvalFolder = "eval";
inline constexpr const char* kEvalJson = "eval.json";

}  // namespace hito::study

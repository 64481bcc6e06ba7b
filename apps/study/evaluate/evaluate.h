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

#include "apps/eval/eval_results.h"
#include "apps/study/prepare/prepared_data.h"
#include "apps/study/evaluate/subgroups.h"

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

// Scores every model folder of the run and writes <run>/eval/ (replacing an older one only when all
// is written). Requires <run>/prepared/ and at least one model folder. Returns the results.
eval::EvalResults run_evaluate(const EvaluateOptions& options);

}  // namespace hito::study

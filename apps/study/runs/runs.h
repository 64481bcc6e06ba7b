// `hito runs [DIR]`: the run folders under DIR (and DIR itself when it is one) side by side: for each
// run its model folders with their kind and scores from metrics.json (validation balanced accuracy,
// test balanced accuracy with its lesion-bootstrap interval, test macro AUC), and whether the run
// was evaluated (eval/) and reported (report.html). A run folder is a folder holding prepared/; a
// run without models, or a model without metrics.json, is listed with what it has.
//
//   run      model       kind        val bacc  test bacc [95% CI]    test AUC  run has
//   run      tabular     tabular     0.447     0.362 [0.279, 0.442]  0.741     eval, report
//   run-new  -           -           -         -                     -         prepared only
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hito::study {

namespace fs = std::filesystem;

struct ModelSummary {
  std::string name, kind;
  std::optional<double> val_bacc, test_auc;  // absent without metrics.json (or without that split)
  std::string test_bacc;                     // "0.362 [0.279, 0.442]", or "" when absent
};

struct RunSummary {
  fs::path dir;
  std::vector<ModelSummary> models;  // in `hito evaluate`'s order (metadata, image, fusion, other)
  bool evaluated = false, reported = false;
};

// Every run folder under `dir` (one level down, and `dir` itself), by name. `dir` must exist.
std::vector<RunSummary> list_runs(const fs::path& dir);

// The table above, one row per model (one per run without models), columns aligned.
std::string runs_table(const std::vector<RunSummary>& runs);

}  // namespace hito::study

// `hito explain`: what an image model looks at. For one image model folder of the run (image-head,
// image-finetune, image-scratch, or any folder apps/study/image/image_model.h can load) it computes the
// maps of attribution.h for the class the model predicts, on the test split, and writes
// <run>/explain/:
//
//   mask_scores.csv / .json  per method, per true class and over all scored rows: pointing game,
//                            energy inside the lesion, mask area (chance level), flat maps
//                            (mask_scores.h); the JSON also has lesion-bootstrap 95% intervals of
//                            the overall scores and of their excess over the lesion area
//                            (score_intervals.h), the model, the settings and each method's time
//   row_scores.csv           one line per scored row: id,label,pred,p_pred,mask_area,<method>_hit,
//                            <method>_energy... (empty energy: flat map)
//   <method>_grid.png        the overlays: --per-class test images of each true class (the first
//                            ones in manifest order), one grid row per class, true and predicted
//                            labels under each tile, green frame when right, red when wrong
//   images_grid.png          the same images with the lesion mask's outline, when masks exist
//
// Rows are scored when they have a lesion mask; without masks the scores are skipped (and the
// JSON says so) but the grids are still drawn. Horizontal-flip test-time averaging of a model
// (tta_flip) is not applied: the maps explain the plain forward pass, whose prediction is shown.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/study/explain/attribution.h"
#include "base/types.h"

namespace hito::study {

namespace fs = std::filesystem;

struct ExplainOptions {
  fs::path run_dir;
  // "image-finetune", "image-scratch", "image-head" (folders of the run) or a folder path; empty:
  // the image model of the run with the best validation balanced accuracy.
  std::string model;
  int64_t per_class = 4;  // grid images per class
  std::vector<std::string> methods = {explain::kGradCam, explain::kSaliency, explain::kOcclusion};
  int64_t limit = 0;      // score at most this many test rows (evenly spaced); 0: all
  bool smoke = false;     // one image per class and at most 16 scored rows: a wiring check
  explain::OcclusionOptions occlusion;
  int64_t batch_size = 16;
  Device device = Device::CPU;
  int threads = 0;
};

// Writes <run>/explain/ (replacing an older one only once everything is written); returns it.
fs::path run_explain(const ExplainOptions& options);

// The model folder `model` names (see ExplainOptions::model). Errors list the image model folders
// present when none fits.
fs::path resolve_explain_model(const fs::path& run_dir, const std::string& model);

// Up to `limit` of `rows`, evenly spaced (all of them when limit is 0 or covers them), in order.
std::vector<int64_t> evenly_spaced(const std::vector<int64_t>& rows, int64_t limit);

}  // namespace hito::study

// `hito prepare`: turns a data folder (metadata CSV + images) into <run>/prepared/, the contract every
// later command trains and tests on:
//   split.csv            <id column>,split (train/val/test): stratified by label, grouped, seeded
//   rows.csv             id,group,split,label,label_index,image,mask,source_line in manifest order
//                        (paths relative to the data folder; mask empty when the row has none;
//                        source_line: the row's line in the metadata CSV)
//   manifest.json        fingerprint, data folder, config, seed, fractions, classes, counts, features
//   labels.npy           i64 (N)
//   tabular.npy          f32 (N, F): standardised numerics | missing indicators | one-hot (+ unknown)
//   numeric.npy          f32 (N, Fn): the first two parts alone
//   codes.npy            i64 (N, C): integer codes of the categoricals (for embedding layers)
//   encoders.json        the fitted TabularEncoder (imputation values, means/stds, vocabularies)
//   image_stats.json     per-channel mean/std of the training images on the [0, 1] scale
//   missing.csv          missing values per column, per split and per class
//   dropped_columns.csv  column,reason for every column that is not a feature, id, group or label
//   leakage.csv          how well each column alone predicts the label on the training split
//   class_counts.csv     class counts and shares per split
//   distributions.csv    value / band counts of every feature per split
//   skipped_rows.csv     rows skipped with --on-bad-row skip, each with its reason
//   summary.txt          the above in words
// Everything fitted (encoders, image statistics, the leakage check) sees the training rows only.
// The folder is built under a temporary name and swapped in at the end: an error leaves no
// half-written prepared/ behind.
#pragma once

#include <filesystem>
#include <string>

#include "engine/data/dataset_config.h"
#include "engine/data/split.h"

namespace hito::study {

namespace fs = std::filesystem;

struct PrepareOptions {
  fs::path data_dir;
  fs::path run_dir = "run";
  data::DatasetConfig config = data::DatasetConfig::preset("ham10000");
  data::SplitFractions fractions;
  uint64_t seed = 0;
  bool skip_bad_rows = false;    // --on-bad-row skip: skip and list bad rows instead of failing
  double leak_threshold = 0.95;  // a column whose lone balanced accuracy reaches this is dropped
  int threads = 0;               // image decoding threads (0: all cores)
  bool verbose = true;           // a summary on stdout
};

struct PrepareResult {
  fs::path prepared_dir;
  std::string fingerprint;
  int64_t rows = 0, skipped = 0;
  int64_t train = 0, val = 0, test = 0;
  double seconds = 0.0;
};

PrepareResult prepare_dataset(const PrepareOptions& options);

// For tests of every milestone: a run folder whose prepared/ holds the synthetic set of
// synthetic_for_tests(n, seed) (synth.h) prepared with the defaults, made once per machine and build
// in the system temp folder and reused (named after both builds; an atomic rename, like the data
// set). load_prepared() on it works; its image caches are shared by the tests that use it.
fs::path prepared_run_for_tests(int64_t n = 160, uint64_t seed = 1);

}  // namespace hito::study

// The files of <run>/prepared/, written by `hito prepare` (prepare.h) and read by every later command
// (prepared_data.h), the report and `hito predict` (a model folder carries copies of three of them):
// their names, once.
#pragma once

namespace hito::study {

// The folder under the run folder.
inline constexpr const char* kPreparedDir = "prepared";

// <id column>,split (train/val/test): stratified by label, grouped, seeded
inline constexpr const char* kSplitFile = "split.csv";
// id,group,split,label,label_index,image,mask,source_line in manifest order
//   (paths relative to the data folder; mask empty when the row has none; source_line: the row's
//   line in the metadata CSV)
inline constexpr const char* kRowsFile = "rows.csv";
// fingerprint, data folder, config, seed, fractions, classes, counts, features
inline constexpr const char* kManifestFile = "manifest.json";
// i64 (N)
inline constexpr const char* kLabelsFile = "labels.npy";
// f32 (N, F): standardised numerics | missing indicators | one-hot (+ unknown)
inline constexpr const char* kTabularFile = "tabular.npy";
// f32 (N, Fn): the first two parts alone
inline constexpr const char* kNumericFile = "numeric.npy";
// i64 (N, C): integer codes of the categoricals (for embedding layers)
inline constexpr const char* kCodesFile = "codes.npy";
// the fitted TabularEncoder (imputation values, means/stds, vocabularies)
inline constexpr const char* kEncodersFile = "encoders.json";
// per-channel mean/std of the training images on the [0, 1] scale
inline constexpr const char* kImageStatsFile = "image_stats.json";
// missing values per column, per split and per class
inline constexpr const char* kMissingFile = "missing.csv";
// column,reason for every column that is not a feature, id, group or label
inline constexpr const char* kDroppedColumnsFile = "dropped_columns.csv";
// how well each column alone predicts the label on the training split
inline constexpr const char* kLeakageFile = "leakage.csv";
// class counts and shares per split
inline constexpr const char* kClassCountsFile = "class_counts.csv";
// per split: rows, groups, the share of rows in groups of 1, 2, 3, 4+ rows, and the largest gaps to
// the whole data in class shares and in the multi-image share (the split's representativeness)
inline constexpr const char* kSplitBalanceFile = "split_balance.csv";
// value / band counts of every feature per split
inline constexpr const char* kDistributionsFile = "distributions.csv";
// rows skipped with --on-bad-row skip, each with its reason
inline constexpr const char* kSkippedRowsFile = "skipped_rows.csv";
// the above in words
inline constexpr const char* kSummaryFile = "summary.txt";

}  // namespace hito::study

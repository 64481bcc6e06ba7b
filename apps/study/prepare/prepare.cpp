// prepare_dataset: check rows -> split -> choose columns -> fit on train -> write prepared/.
#include "apps/study/prepare/prepare.h"


#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/study/prepare/prepared_files.h"
#include "apps/study/prepare/prepare_columns.h"
#include "apps/study/prepare/prepare_report.h"
#include "apps/study/prepare/prepare_rows.h"
#include "apps/study/prepare/prepared_data.h"
#include "apps/study/synth/synth.h"
#include "data/fingerprint.h"
#include "base/hash.h"
#include "data/npy.h"
#include "data/tabular_encoder.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/version.h"
#include "base/json.h"

namespace hito::study {

namespace {


struct ImageStats {
  std::array<double, 3> mean{}, std{};
  int64_t images = 0, pixels = 0;
};

// Per-channel mean and std over every pixel of the training images.
ImageStats training_image_stats(const CheckedData& data, const std::vector<int64_t>& train_rows) {
  ImageStats stats;
  std::array<double, 3> sum{}, sum_sq{};
  for (int64_t r : train_rows) {
    const CheckedRow& row = data.rows[static_cast<size_t>(r)];
    for (int c = 0; c < 3; ++c) sum[c] += row.channel_sum[c], sum_sq[c] += row.channel_sum_sq[c];
    stats.pixels += row.pixels;
    ++stats.images;
  }
  double n = static_cast<double>(stats.pixels);
  for (int c = 0; c < 3; ++c) {
    stats.mean[c] = sum[c] / n;
    stats.std[c] = std::sqrt(std::max(sum_sq[c] / n - stats.mean[c] * stats.mean[c], 0.0));
  }
  return stats;
}

std::string percent(int64_t part, int64_t whole) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%%", whole > 0 ? 100.0 * part / whole : 0.0);
  return text;
}

std::string summary_text(const PrepareOptions& options, const CheckedData& data, const std::vector<data::Part>& parts,
                         const ColumnPlan& plan, const data::TabularEncoder& encoder, const ImageStats& stats,
                         const data::SplitBalance& balance, const std::string& fingerprint) {
  std::string s;
  auto line = [&](const std::string& text) { s += text + "\n"; };
  int64_t n = static_cast<int64_t>(data.rows.size());
  line("data folder: " + fs::absolute(options.data_dir).string() + " (data set '" + options.config.name + "')");
  line("rows kept: " + std::to_string(n) + ", skipped: " + std::to_string(data.skipped.size()) +
       (data.skipped.empty() ? "" : " (see skipped_rows.csv)"));
  std::array<int64_t, data::kNumParts> part_rows{};
  for (data::Part p : parts) ++part_rows[static_cast<size_t>(p)];
  line("split (seed " + std::to_string(options.seed) + "): train " + std::to_string(part_rows[0]) + ", val " +
       std::to_string(part_rows[1]) + ", test " + std::to_string(part_rows[2]) + ", grouped by " +
       (options.config.group_column.empty() ? std::string("row") : options.config.group_column) + ", stratified by " +
       options.config.label_column);
  char balance_text[200];
  std::snprintf(balance_text, sizeof balance_text,
                "images in multi-image groups (by %s): %.1f%% of all, %.1f%% / %.1f%% / %.1f%% of train / val / test; largest "
                "class-share gap %.2f / %.2f / %.2f points (see split_balance.csv)",
                options.config.group_column.empty() ? "row" : options.config.group_column.c_str(),
                100 * balance.whole().multi_row_share(), 100 * balance.sides[0].multi_row_share(),
                100 * balance.sides[1].multi_row_share(), 100 * balance.sides[2].multi_row_share(),
                100 * balance.class_share_gap(data::Part::Train), 100 * balance.class_share_gap(data::Part::Val),
                100 * balance.class_share_gap(data::Part::Test));
  line(balance_text);
  line("classes (count, share of train / val / test):");
  for (size_t k = 0; k < data.classes.size(); ++k) {
    std::array<int64_t, data::kNumParts> counts{};
    int64_t total = 0;
    for (size_t r = 0; r < data.rows.size(); ++r)
      if (data.rows[r].label_index == static_cast<int64_t>(k)) ++counts[static_cast<size_t>(parts[r])], ++total;
    line("  " + data.classes[k] + ": " + std::to_string(total) + " (" + percent(counts[0], part_rows[0]) + " / " +
         percent(counts[1], part_rows[1]) + " / " + percent(counts[2], part_rows[2]) + ")");
  }
  line("features:");
  for (const auto& [column, kind] : plan.features) line("  " + column + " (" + data::kind_name(kind) + ")");
  line("dropped columns:");
  for (const DroppedColumn& d : plan.dropped) line("  " + d.column + ": " + d.reason);
  line("tabular width: " + std::to_string(encoder.feature_names().size()) + " (numeric part " +
       std::to_string(encoder.numeric_names().size()) + ", " + std::to_string(encoder.code_columns().size()) +
       " categorical codes)");
  char stats_text[160];
  std::snprintf(stats_text, sizeof(stats_text), "image mean (r, g, b) %.4f %.4f %.4f, std %.4f %.4f %.4f over %lld training images",
                stats.mean[0], stats.mean[1], stats.mean[2], stats.std[0], stats.std[1], stats.std[2],
                static_cast<long long>(stats.images));
  line(stats_text);
  line("fingerprint: " + fingerprint);
  return s;
}

}  // namespace

PrepareResult prepare_dataset(const PrepareOptions& options) {
  auto start = std::chrono::steady_clock::now();
  const data::DatasetConfig& config = options.config;
  FolderLock lock(options.run_dir, "hito prepare");  // a second prepare into this run folder is refused
  CheckedData data = check_rows(options);
  int64_t n = static_cast<int64_t>(data.rows.size());
  int64_t num_classes = static_cast<int64_t>(data.classes.size());

  std::vector<int64_t> labels;
  std::vector<std::string> groups;
  for (const CheckedRow& row : data.rows) labels.push_back(row.label_index), groups.push_back(row.group);
  std::vector<data::Part> parts = data::stratified_group_split(labels, groups, num_classes, options.fractions, options.seed);
  const data::SplitBalance balance = data::split_balance(labels, groups, parts, num_classes);
  data::check_split_balance(balance, data.classes);
  std::vector<int64_t> train_rows;
  for (int64_t r = 0; r < n; ++r)
    if (parts[static_cast<size_t>(r)] == data::Part::Train) train_rows.push_back(r);

  ColumnPlan plan = plan_columns(options, data.table, labels, num_classes, train_rows);
  data::TabularEncoder encoder = data::TabularEncoder::fit(data.table, plan.features, train_rows, config.missing(), config.ranges);
  data::EncodedTable encoded = encoder.transform(data.table);
  ImageStats stats = training_image_stats(data, train_rows);

  std::vector<data::FingerprintRow> fingerprint_rows;
  for (size_t r = 0; r < data.rows.size(); ++r) fingerprint_rows.push_back({data.table.rows[r], data.rows[r].image_hash});
  std::string fingerprint = data::fingerprint(data.table.header, fingerprint_rows);

  // ---- write prepared/ under a temporary name
  fs::path final_dir = prepared_dir_of(options.run_dir);
  fs::create_directories(final_dir.parent_path());
  OutputDir out(final_dir);
  const fs::path& dir = out.path();

  data::CsvWriter split_csv({config.id_column, "split"});
  data::CsvWriter rows_csv({"id", "group", "split", "label", "label_index", "image", "mask", "source_line"});
  for (int64_t r = 0; r < n; ++r) {
    const CheckedRow& row = data.rows[static_cast<size_t>(r)];
    const char* split = data::part_name(parts[static_cast<size_t>(r)]);
    split_csv.row({row.id, split});
    rows_csv.row({row.id, row.group, split, row.label, std::to_string(row.label_index), row.image.generic_string(),
                  row.mask.generic_string(), std::to_string(row.line)});
  }
  split_csv.write(dir / kSplitFile);
  rows_csv.write(dir / kRowsFile);

  data::save_npy(dir / kLabelsFile, Tensor::from_vector(labels, {n}));
  data::save_npy(dir / kTabularFile, encoded.tabular);
  data::save_npy(dir / kNumericFile, encoded.numeric);
  data::save_npy(dir / kCodesFile, encoded.codes);
  write_file_atomic(dir / kEncodersFile, encoder.to_json().dump(2) + "\n");

  OrderedJson image_stats = {{"mean", stats.mean},
                      {"std", stats.std},
                      {"scale", "[0, 1]"},
                      {"channels", {"r", "g", "b"}},
                      {"images", stats.images},
                      {"pixels", stats.pixels},
                      {"computed_on", "training split, decoded images at their stored resolution"}};
  write_file_atomic(dir / kImageStatsFile, image_stats.dump(2) + "\n");

  missing_table(data, parts, config.missing()).write(dir / kMissingFile);
  class_count_table(data, parts).write(dir / kClassCountsFile);
  split_balance_table(balance).write(dir / kSplitBalanceFile);
  distribution_table(data, parts, plan, config.missing()).write(dir / kDistributionsFile);
  data::CsvWriter dropped({"column", "reason"});
  for (const DroppedColumn& d : plan.dropped) dropped.row({d.column, d.reason});
  dropped.write(dir / kDroppedColumnsFile);
  data::CsvWriter leakage({"column", "kind", "balanced_accuracy", "flagged"});
  for (const LeakageScore& l : plan.leakage)
    leakage.row({l.column, l.kind, data::format_number(l.balanced_accuracy), l.flagged ? "true" : "false"});
  leakage.write(dir / kLeakageFile);
  if (!data.skipped.empty()) {
    data::CsvWriter skipped({"line", "row", "id", "reason"});
    for (const SkippedRow& s : data.skipped) skipped.row({std::to_string(s.line), std::to_string(s.record), s.id, s.reason});
    skipped.write(dir / kSkippedRowsFile);
  }

  PrepareResult result;
  result.prepared_dir = final_dir;
  result.fingerprint = fingerprint;
  result.rows = n;
  result.skipped = static_cast<int64_t>(data.skipped.size());
  for (data::Part p : parts) ++(p == data::Part::Train ? result.train : p == data::Part::Val ? result.val : result.test);

  OrderedJson features = OrderedJson::array();
  for (const auto& [column, kind] : plan.features) features.push_back({{"column", column}, {"kind", data::kind_name(kind)}});
  OrderedJson manifest = {
      {"hito_version", kVersion},
      {"fingerprint", fingerprint},
      {"fingerprint_covers", data::kFingerprintCovers},
      {"data_dir", fs::absolute(options.data_dir).lexically_normal().string()},
      {"synthetic", fs::exists(fs::path(options.data_dir) / kSyntheticMarkerFile)},
      {"dataset", config.to_json()},
      {"seed", options.seed},
      {"split_fractions", {{"train", options.fractions.train}, {"val", options.fractions.val}, {"test", options.fractions.test}}},
      {"split_method", "grouped, stratified by (class, group size 1/2/3/4+) so that every split matches the whole data "
                       "in class shares and in the share of images of multi-image groups (split_balance.csv)"},
      {"classes", data.classes},
      {"counts", {{"train", result.train}, {"val", result.val}, {"test", result.test}, {"total", n}, {"skipped", result.skipped}}},
      {"features", features},
      {"tabular_features", encoder.feature_names()},
      {"numeric_features", encoder.numeric_names()},
      {"code_columns", encoder.code_columns()},
      {"code_cardinalities", encoder.code_cardinalities()},
      {"leak_threshold", options.leak_threshold},
  };
  write_file_atomic(dir / kManifestFile, manifest.dump(2) + "\n");
  std::string summary = summary_text(options, data, parts, plan, encoder, stats, balance, fingerprint);
  write_file_atomic(dir / kSummaryFile, summary);
  out.commit();

  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.verbose) std::printf("%sprepared %s in %.2f s\n", summary.c_str(), final_dir.string().c_str(), result.seconds);
  return result;
}

}  // namespace hito::study

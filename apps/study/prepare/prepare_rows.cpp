// check_rows: every check of a metadata row and its image, each problem recorded against its row,
// then either one error listing them or the good rows with the skipped ones listed.
#include "apps/study/prepare/prepare_rows.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "data/fingerprint.h"
#include "data/image.h"
#include "data/parallel.h"
#include "base/error.h"
#include "base/fs.h"

namespace hito::study {

namespace {

using data::CsvTable;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Fills row r's id, label, group, image and mask from the table; returns "" or its problem.
std::string check_fields(const PrepareOptions& options, const CsvTable& table, size_t r,
                         std::unordered_map<std::string, int64_t>& first_line_of_id, CheckedRow& row) {
  const data::DatasetConfig& config = options.config;
  const auto& cells = table.rows[r];
  row.line = table.lines[r];
  row.id = cells[static_cast<size_t>(table.column(config.id_column))];
  row.label = std::string(data::trim(cells[static_cast<size_t>(table.column(config.label_column))]));
  if (!config.group_column.empty()) row.group = std::string(data::trim(cells[static_cast<size_t>(table.column(config.group_column))]));
  if (row.group.empty()) row.group = "row:" + row.id;  // no group: the row stands alone

  if (data::trim(row.id).empty()) return "empty id in column " + config.id_column;
  auto [first, fresh] = first_line_of_id.emplace(row.id, row.line);
  if (!fresh) return "duplicate " + config.id_column + " '" + row.id + "' (first on line " + std::to_string(first->second) + ")";
  if (row.label.empty()) return "empty label in column " + config.label_column;
  if (!config.classes.empty() && std::find(config.classes.begin(), config.classes.end(), row.label) == config.classes.end())
    return "label '" + row.label + "' is not one of the config's classes (" + join(config.classes) + ")";
  for (const auto& [column, range] : config.ranges) {
    const std::string& cell = cells[static_cast<size_t>(table.column(column))];
    if (config.missing().is_missing(cell)) continue;
    std::optional<double> value = data::parse_number(cell);
    if (!value) return "column '" + column + "' holds '" + cell + "', not a number";
    if (!range.contains(*value))
      return "column '" + column + "' holds " + std::string(data::trim(cell)) + ", outside its range " + range.describe();
  }
  data::ImageLookup image = data::find_image(config, options.data_dir, table, static_cast<int64_t>(r));
  row.image = image.relative;
  if (image.problem.empty() && !config.mask_pattern.empty()) {
    fs::path mask = data::expand_pattern(config.mask_pattern, table, static_cast<int64_t>(r));
    if (data::stays_inside(mask) && fs::is_regular_file(options.data_dir / mask)) row.mask = mask;
  }
  return image.problem;
}

// Decodes row's image, filling its size and pixel sums; returns "" or the problem.
std::string check_image(const fs::path& data_dir, CheckedRow& row) {
  fs::path path = data_dir / row.image;
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const Error&) {
    return "cannot read image file " + path.string();
  }
  data::Image image;
  std::string problem = data::try_decode_image(bytes, 3, image);
  if (!problem.empty()) return path.string() + ": " + problem;
  row.image_hash = data::image_content_hash(bytes);
  row.pixels = image.height * image.width;
  for (int64_t p = 0; p < row.pixels; ++p)
    for (int c = 0; c < 3; ++c) {
      double v = image.pixels[static_cast<size_t>(p * 3 + c)] / 255.0;
      row.channel_sum[c] += v;
      row.channel_sum_sq[c] += v * v;
    }
  return "";
}

// Marks the good rows of classes with fewer groups than the split has parts; returns the classes:
// the config's, or else those left with enough groups, sorted.
std::vector<std::string> check_class_sizes(const PrepareOptions& options, const std::vector<CheckedRow>& rows,
                                           std::vector<std::string>& reason) {
  std::map<std::string, std::set<std::string>> groups_of_class;
  for (size_t r = 0; r < rows.size(); ++r)
    if (reason[r].empty()) groups_of_class[rows[r].label].insert(rows[r].group);
  size_t needed = static_cast<size_t>(options.fractions.nonzero_parts());
  const std::string& group_column = options.config.group_column;
  std::string unit = group_column.empty() ? "rows" : group_column + " groups";
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t groups = groups_of_class[rows[r].label].size();
    if (reason[r].empty() && groups < needed)
      reason[r] = "class '" + rows[r].label + "' has " + std::to_string(groups) + " " + unit + ", but a split into " +
                  std::to_string(needed) + " parts needs at least " + std::to_string(needed);
  }
  if (!options.config.classes.empty()) return options.config.classes;  // named classes stay, even if absent
  std::vector<std::string> classes;
  for (const auto& [label, groups] : groups_of_class)
    if (groups.size() >= needed) classes.push_back(label);
  return classes;
}

std::string bad_rows_message(const fs::path& csv_path, const std::string& id_column, const std::vector<SkippedRow>& bad) {
  std::string message = std::to_string(bad.size()) + " bad row" + (bad.size() > 1 ? "s" : "") + " in " + csv_path.string() +
                        " (--on-bad-row skip skips them and lists them in skipped_rows.csv):";
  constexpr size_t kShown = 10;
  for (size_t i = 0; i < std::min(bad.size(), kShown); ++i)
    message += "\n  " + csv_path.filename().string() + ":" + std::to_string(bad[i].line) + " (row " +
               std::to_string(bad[i].record) + ", " + id_column + " '" + bad[i].id + "'): " + bad[i].reason;
  if (bad.size() > kShown) message += "\n  ... and " + std::to_string(bad.size() - kShown) + " more";
  return message;
}

}  // namespace

CheckedData check_rows(const PrepareOptions& options) {
  const data::DatasetConfig& config = options.config;
  HITO_CHECK(fs::is_directory(options.data_dir), "data folder ", options.data_dir.string(), " not found");
  fs::path csv_path = options.data_dir / config.metadata;
  HITO_CHECK(fs::is_regular_file(csv_path), csv_path.string(), ": metadata file not found (data set '", config.name, "')");
  CsvTable table = data::read_csv(csv_path, data::RaggedRows::Collect);
  int64_t id_col = table.require_column(config.id_column);
  table.require_column(config.label_column);
  if (!config.group_column.empty()) table.require_column(config.group_column);
  for (const auto& [column, range] : config.ranges) table.require_column(column);

  CheckedData out;
  for (const data::CsvReject& reject : table.rejected) {
    std::string id = static_cast<size_t>(id_col) < reject.fields.size() ? reject.fields[static_cast<size_t>(id_col)] : "";
    out.skipped.push_back({reject.line, reject.record, id, reject.reason});
  }
  size_t n = table.rows.size();
  std::vector<CheckedRow> rows(n);
  std::vector<std::string> reason(n);  // "" while row r is good
  std::unordered_map<std::string, int64_t> first_line_of_id;
  for (size_t r = 0; r < n; ++r) reason[r] = check_fields(options, table, r, first_line_of_id, rows[r]);
  // Images, decoded on all cores; each row's problem lands in its own slot (deterministic).
  data::parallel_items(static_cast<int64_t>(n), options.threads, [&](int64_t i, int) {
    size_t r = static_cast<size_t>(i);
    if (reason[r].empty()) reason[r] = check_image(options.data_dir, rows[r]);
  });
  out.classes = check_class_sizes(options, rows, reason);

  for (size_t r = 0; r < n; ++r)
    if (!reason[r].empty()) out.skipped.push_back({table.lines[r], table.records[r], rows[r].id, reason[r]});
  std::sort(out.skipped.begin(), out.skipped.end(), [](const SkippedRow& a, const SkippedRow& b) { return a.line < b.line; });
  HITO_CHECK(out.skipped.empty() || options.skip_bad_rows, bad_rows_message(csv_path, config.id_column, out.skipped));

  out.table.source = table.source;
  out.table.header = table.header;
  for (size_t r = 0; r < n; ++r) {
    if (!reason[r].empty()) continue;
    rows[r].label_index = std::find(out.classes.begin(), out.classes.end(), rows[r].label) - out.classes.begin();
    out.table.rows.push_back(std::move(table.rows[r]));
    out.table.lines.push_back(table.lines[r]);
    out.table.records.push_back(table.records[r]);
    out.rows.push_back(std::move(rows[r]));
  }
  HITO_CHECK(!out.rows.empty(), csv_path.string(), ": no usable rows (", out.skipped.size(), " skipped)");
  return out;
}

}  // namespace hito::study

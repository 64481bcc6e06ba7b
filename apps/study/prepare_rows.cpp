// check_rows: every check of a metadata row and its image, collecting problems in file order.
#include "apps/study/prepare_rows.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "engine/data/image.h"
#include "engine/data/parallel.h"
#include "engine/error.h"
#include "engine/fs.h"

namespace hito::study {

namespace {

using data::CsvTable;

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
  row.image_bytes = bytes.size();
  row.pixels = image.height * image.width;
  for (int64_t p = 0; p < row.pixels; ++p)
    for (int c = 0; c < 3; ++c) {
      double v = image.pixels[static_cast<size_t>(p * 3 + c)] / 255.0;
      row.channel_sum[c] += v;
      row.channel_sum_sq[c] += v * v;
    }
  return "";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

CheckedData check_rows(const PrepareOptions& options) {
  const data::DatasetConfig& config = options.config;
  HITO_CHECK(fs::is_directory(options.data_dir), "data folder ", options.data_dir.string(), " not found");
  fs::path csv_path = options.data_dir / config.metadata;
  HITO_CHECK(fs::is_regular_file(csv_path), csv_path.string(), ": metadata file not found (data set '", config.name, "')");
  CsvTable table = data::read_csv(csv_path, data::RaggedRows::Collect);
  int64_t id_col = table.require_column(config.id_column);
  int64_t label_col = table.require_column(config.label_column);
  int64_t group_col = config.group_column.empty() ? -1 : table.require_column(config.group_column);

  struct Problem {
    int64_t line, record;
    std::string id, reason;
  };
  std::vector<Problem> problems;
  for (const data::CsvReject& reject : table.rejected) {
    std::string id = static_cast<size_t>(id_col) < reject.fields.size() ? reject.fields[static_cast<size_t>(id_col)] : "";
    problems.push_back({reject.line, reject.record, id, reject.reason});
  }

  // Row checks that need no image.
  size_t n = table.rows.size();
  std::vector<CheckedRow> rows(n);
  std::vector<std::string> reason(n);
  std::unordered_map<std::string, int64_t> first_line;
  std::set<std::string> allowed(config.classes.begin(), config.classes.end());
  for (size_t r = 0; r < n; ++r) {
    const auto& cells = table.rows[r];
    CheckedRow& row = rows[r];
    row.line = table.lines[r];
    row.id = cells[static_cast<size_t>(id_col)];
    row.label = std::string(data::trim(cells[static_cast<size_t>(label_col)]));
    row.group = group_col >= 0 ? std::string(data::trim(cells[static_cast<size_t>(group_col)])) : "";
    if (row.group.empty()) row.group = "row:" + row.id;  // no group: the row stands alone
    if (data::trim(row.id).empty()) {
      reason[r] = "empty id in column " + config.id_column;
    } else if (auto [it, fresh] = first_line.emplace(row.id, row.line); !fresh) {
      reason[r] = "duplicate " + config.id_column + " '" + row.id + "' (first on line " + std::to_string(it->second) + ")";
    } else if (row.label.empty()) {
      reason[r] = "empty label in column " + config.label_column;
    } else if (!allowed.empty() && !allowed.count(row.label)) {
      reason[r] = "label '" + row.label + "' is not one of the config's classes (" + join(config.classes) + ")";
    } else {
      data::ImageLookup image = data::find_image(config, options.data_dir, table, static_cast<int64_t>(r));
      reason[r] = image.problem;
      row.image = image.relative;
      if (image.problem.empty() && !config.mask_pattern.empty()) {
        fs::path mask = data::expand_pattern(config.mask_pattern, table, static_cast<int64_t>(r));
        if (data::stays_inside(mask)) row.mask = mask;
      }
    }
  }
  // Images, decoded on all cores; each row's problem lands in its own slot (deterministic).
  data::parallel_items(static_cast<int64_t>(n), options.threads, [&](int64_t r, int) {
    if (reason[static_cast<size_t>(r)].empty()) reason[static_cast<size_t>(r)] = check_image(options.data_dir, rows[static_cast<size_t>(r)]);
  });

  // Classes, and the rows of classes with too few groups for the split.
  std::vector<std::string> classes = config.classes;
  if (classes.empty()) {
    std::set<std::string> seen;
    for (size_t r = 0; r < n; ++r)
      if (reason[r].empty()) seen.insert(rows[r].label);
    classes.assign(seen.begin(), seen.end());
  }
  std::map<std::string, std::set<std::string>> groups_of_class;
  for (size_t r = 0; r < n; ++r)
    if (reason[r].empty()) groups_of_class[rows[r].label].insert(rows[r].group);
  int needed = options.fractions.nonzero_parts();
  std::string group_word = config.group_column.empty() ? "rows" : config.group_column + " groups";
  for (size_t r = 0; r < n; ++r) {
    if (!reason[r].empty()) continue;
    size_t groups = groups_of_class[rows[r].label].size();
    if (static_cast<int>(groups) < needed)
      reason[r] = "class '" + rows[r].label + "' has " + std::to_string(groups) + " " + group_word + ", but a split into " +
                  std::to_string(needed) + " parts needs at least " + std::to_string(needed);
  }
  std::vector<std::string> present;
  for (const std::string& c : classes)
    if (groups_of_class.count(c) && static_cast<int>(groups_of_class[c].size()) >= needed) present.push_back(c);
  if (config.classes.empty()) classes = present;  // classes named by the config stay, even if absent

  for (size_t r = 0; r < n; ++r)
    if (!reason[r].empty()) problems.push_back({table.lines[r], table.records[r], rows[r].id, reason[r]});
  std::sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) { return a.line < b.line; });

  if (!problems.empty() && !options.skip_bad_rows) {
    std::string message = std::to_string(problems.size()) + " bad row" + (problems.size() > 1 ? "s" : "") + " in " +
                          csv_path.string() + " (--on-bad-row skip skips them and lists them in skipped_rows.csv):";
    constexpr size_t kShown = 10;
    for (size_t i = 0; i < std::min(problems.size(), kShown); ++i)
      message += "\n  " + csv_path.filename().string() + ":" + std::to_string(problems[i].line) + " (row " +
                 std::to_string(problems[i].record) + ", " + config.id_column + " '" + problems[i].id +
                 "'): " + problems[i].reason;
    if (problems.size() > kShown) message += "\n  ... and " + std::to_string(problems.size() - kShown) + " more";
    HITO_FAIL(message);
  }

  CheckedData out;
  out.classes = classes;
  out.table.source = table.source;
  out.table.header = table.header;
  for (const Problem& p : problems) out.skipped.push_back({p.line, p.record, p.id, p.reason});
  for (size_t r = 0; r < n; ++r) {
    if (!reason[r].empty()) continue;
    auto at = std::find(classes.begin(), classes.end(), rows[r].label);
    rows[r].label_index = at - classes.begin();
    out.table.rows.push_back(std::move(table.rows[r]));
    out.table.lines.push_back(table.lines[r]);
    out.table.records.push_back(table.records[r]);
    out.rows.push_back(std::move(rows[r]));
  }
  HITO_CHECK(!out.rows.empty(), csv_path.string(), ": no usable rows (", out.skipped.size(), " skipped)");
  return out;
}

}  // namespace hito::study

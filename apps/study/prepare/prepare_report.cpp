// Counting tables of `hito prepare`.
#include "apps/study/prepare/prepare_report.h"

#include <cmath>
#include <map>

namespace hito::study {

namespace {

// The split names a row belongs to in the tables: its own and "all".
constexpr const char* kSplits[] = {"all", "train", "val", "test"};

bool in_split(const std::string& split, data::Part part) { return split == std::string("all") || split == data::part_name(part); }

std::string share_text(int64_t count, int64_t total) {
  return total > 0 ? data::format_number(static_cast<double>(count) / static_cast<double>(total)) : "0";
}

}  // namespace

double band_width(double lo, double hi) {
  double span = hi - lo;
  if (!(span > 0)) return 1.0;
  double raw = span / 10.0;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (step * power >= raw) return step * power;
  return 10.0 * power;
}

std::string band_label(double value, double width) {
  double lo = std::floor(value / width) * width;
  std::string label = "[";
  label.append(data::format_number(lo)).append(",").append(data::format_number(lo + width)).append(")");
  return label;
}

data::CsvWriter missing_table(const CheckedData& data, const std::vector<data::Part>& parts, const data::MissingValues& missing) {
  data::CsvWriter out({"column", "split", "class", "missing", "total", "share"});
  std::vector<std::string> classes = {"all"};
  classes.insert(classes.end(), data.classes.begin(), data.classes.end());
  for (size_t c = 0; c < data.table.header.size(); ++c) {
    for (const char* split : kSplits) {
      for (size_t k = 0; k < classes.size(); ++k) {
        int64_t count = 0, total = 0;
        for (size_t r = 0; r < data.rows.size(); ++r) {
          if (!in_split(split, parts[r])) continue;
          if (k > 0 && data.rows[r].label_index != static_cast<int64_t>(k - 1)) continue;
          ++total;
          if (missing.is_missing(data.table.rows[r][c])) ++count;
        }
        out.row({data.table.header[c], split, classes[k], std::to_string(count), std::to_string(total), share_text(count, total)});
      }
    }
  }
  return out;
}

data::CsvWriter class_count_table(const CheckedData& data, const std::vector<data::Part>& parts) {
  data::CsvWriter out({"split", "class", "label_index", "count", "share"});
  for (const char* split : kSplits) {
    std::vector<int64_t> counts(data.classes.size(), 0);
    int64_t total = 0;
    for (size_t r = 0; r < data.rows.size(); ++r)
      if (in_split(split, parts[r])) ++counts[static_cast<size_t>(data.rows[r].label_index)], ++total;
    for (size_t k = 0; k < data.classes.size(); ++k)
      out.row({split, data.classes[k], std::to_string(k), std::to_string(counts[k]), share_text(counts[k], total)});
  }
  return out;
}

data::CsvWriter split_balance_table(const data::SplitBalance& balance) {
  data::CsvWriter out({"split", "rows", "groups", "multi_image_share", "share_in_groups_of_1", "share_in_groups_of_2",
                       "share_in_groups_of_3", "share_in_groups_of_4plus", "class_share_gap", "multi_image_share_gap"});
  for (int p : {data::kNumParts, 0, 1, 2}) {  // all, train, val, test
    const data::SplitBalance::Side& side = balance.sides[p];
    const bool whole = p == data::kNumParts;
    const data::Part part = static_cast<data::Part>(whole ? 0 : p);
    std::vector<std::string> row = {whole ? "all" : data::part_name(part), std::to_string(side.rows),
                                    std::to_string(side.groups), data::format_number(side.multi_row_share())};
    for (int b = 0; b < data::SplitBalance::kSizeBuckets; ++b) row.push_back(data::format_number(side.bucket_share(b)));
    row.push_back(data::format_number(whole ? 0.0 : balance.class_share_gap(part)));
    row.push_back(data::format_number(whole ? 0.0 : balance.multi_row_share_gap(part)));
    out.row(row);
  }
  return out;
}

data::CsvWriter distribution_table(const CheckedData& data, const std::vector<data::Part>& parts, const ColumnPlan& plan,
                                   const data::MissingValues& missing) {
  data::CsvWriter out({"variable", "value", "split", "count", "share"});
  for (const auto& [column, kind] : plan.features) {
    int64_t c = data.table.column(column);
    double width = 1.0;
    if (kind == data::ColumnKind::Numeric) {
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& row : data.table.rows)
        if (auto v = data::parse_number(row[static_cast<size_t>(c)]); v && !missing.is_missing(row[static_cast<size_t>(c)]))
          lo = std::min(lo, *v), hi = std::max(hi, *v);
      width = band_width(lo, hi);
    }
    // Value (or band) of each row; bands sort by their lower edge, values by name, "missing" last.
    std::vector<std::pair<double, std::string>> keys(data.rows.size());
    for (size_t r = 0; r < data.rows.size(); ++r) {
      const std::string& cell = data.table.rows[r][static_cast<size_t>(c)];
      if (missing.is_missing(cell)) {
        keys[r] = {INFINITY, "missing"};
      } else if (auto v = data::parse_number(cell); v && kind == data::ColumnKind::Numeric) {
        keys[r] = {std::floor(*v / width) * width, band_label(*v, width)};
      } else {
        keys[r] = {0.0, std::string(data::trim(cell))};
      }
    }
    std::map<std::pair<double, std::string>, int> order;
    for (const auto& key : keys) order.emplace(key, 0);
    for (const char* split : kSplits) {
      int64_t total = 0;
      std::map<std::pair<double, std::string>, int64_t> counts;
      for (size_t r = 0; r < data.rows.size(); ++r)
        if (in_split(split, parts[r])) ++counts[keys[r]], ++total;
      for (const auto& [key, unused] : order)
        out.row({column, key.second, split, std::to_string(counts[key]), share_text(counts[key], total)});
    }
  }
  return out;
}

}  // namespace hito::study

// Long CSV tables to category x group numbers (see pivot.h).
#include "apps/report/pivot.h"

#include <cmath>
#include <limits>
#include <map>

#include "data/csv_columns.h"
#include "base/error.h"

namespace hito::report {

namespace {
// The index of `name` in `names`, appended when new.
size_t index_of(std::vector<std::string>& names, const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  names.push_back(name);
  return names.size() - 1;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Pivot pivot_long(const data::CsvTable& table, int64_t category_column, int64_t group_column, int64_t value_column,
                 const std::function<bool(const std::vector<std::string>&)>& keep) {
  Pivot p;
  std::vector<double> values = data::column_numbers(table, value_column);
  std::map<std::pair<size_t, size_t>, int64_t> row_of;  // (category, group) -> the row that gave it
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    const auto& row = table.rows[r];
    if (keep && !keep(row)) continue;
    size_t c = index_of(p.categories, row[category_column]), g = index_of(p.groups, row[group_column]);
    auto [it, added] = row_of.emplace(std::make_pair(c, g), r);
    HITO_CHECK(added, table.where(r), ": repeats ", table.header[category_column], " '", row[category_column], "' and ",
               table.header[group_column], " '", row[group_column], "' of ", table.where(it->second));
  }
  p.values.assign(p.groups.size(), std::vector<double>(p.categories.size(), kNaN));
  for (const auto& [key, r] : row_of) p.values[key.second][key.first] = values[r];
  return p;
}

Pivot shares_within_groups(Pivot pivot) {
  for (auto& group : pivot.values) {
    double total = 0;
    for (double v : group)
      if (std::isfinite(v)) total += v;
    for (double& v : group) v = total > 0 && std::isfinite(v) ? v / total : kNaN;
  }
  return pivot;
}

}  // namespace hito::report

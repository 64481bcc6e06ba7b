// Numbers by category and group from a CSV table in long layout (one row per category and group:
// class,split,count -> mel,train,779), ready for a grouped bar chart or a heat map.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "data/csv.h"

namespace hito::report {

struct Pivot {
  std::vector<std::string> categories, groups;  // in order of first appearance
  std::vector<std::vector<double>> values;      // [group][category]; NaN where the table has no row
};

// Rows for which `keep` (when given) returns false are left out. A repeated
// (category, group) pair is an error naming the file and line.
Pivot pivot_long(const data::CsvTable& table, int64_t category_column, int64_t group_column, int64_t value_column,
                 const std::function<bool(const std::vector<std::string>&)>& keep = {});
// Each group's values divided by the group's total (shares that compare splits of different sizes).
Pivot shares_within_groups(Pivot pivot);

}  // namespace hito::report

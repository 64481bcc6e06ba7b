// Which metadata columns become features, and why each other column is dropped: the id and group
// columns (identifiers), the config's leaky columns (e.g. dx_type), columns the config does not list
// as features, identifier-like columns (a distinct value on most training rows), and any column that
// alone predicts the label almost perfectly on the training split (the leakage check).
//
// The leakage check scores each column by the balanced accuracy, on the training rows, of the rule
// "predict the class this value is most typical of" (the class with the largest share of its own
// training rows having this value; numeric columns are cut into up to 20 quantile bins; a missing
// value is a value of its own). A perfect copy of the label scores 1. A column at or above the
// threshold is dropped as label leakage; every column's score goes to leakage.csv.
#pragma once

#include <string>
#include <vector>

#include "apps/study/prepare/prepare_options.h"
#include "data/columns.h"
#include "data/csv.h"

namespace hito::study {

struct DroppedColumn {
  std::string column, reason;
};

struct LeakageScore {
  std::string column;
  std::string kind;
  double balanced_accuracy = 0.0;
  bool flagged = false;
};

struct ColumnPlan {
  std::vector<std::pair<std::string, data::ColumnKind>> features;  // in output order
  std::vector<DroppedColumn> dropped;
  std::vector<LeakageScore> leakage;
};

// `labels[r]` is row r's class index; `train_rows` index the table's rows.
ColumnPlan plan_columns(const PrepareOptions& options, const data::CsvTable& table, const std::vector<int64_t>& labels,
                        int64_t num_classes, const std::vector<int64_t>& train_rows);

// Balanced accuracy of the one-column majority rule described above (exposed for tests).
double lone_column_score(const std::vector<std::string>& cells, data::ColumnKind kind, const data::MissingValues& missing,
                         const std::vector<int64_t>& labels, int64_t num_classes);

}  // namespace hito::study

// TabularEncoder: the preprocessing of the tabular features, fitted on the training rows only and
// then applied unchanged to every row (and, saved as JSON, to new data by `hito predict`).
//
// Numeric column: missing cells take the training median; the column is standardised with the
// training mean and std (after imputation; a constant column gives zeros).
// Categorical column: the vocabulary is the training values, sorted; a missing cell takes the most
// frequent training value; a value never seen in training maps to an explicit unknown slot (code V,
// one-hot column "<col>=<unknown>").
// Every column with missing cells in the training rows also gets a missing-indicator (1 = missing).
//
// Outputs, row-aligned with the table:
//   tabular f32 (N, F): [standardised numerics | missing indicators | one-hot blocks (V + 1 each)]
//   numeric f32 (N, Fn): the first two parts alone (for models that embed the categoricals)
//   codes   i64 (N, C):  per categorical column, code in [0, V] (V = unknown)
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/columns.h"
#include "data/csv.h"
#include "engine/tensor.h"

namespace hito::data {

struct NumericEncoding {
  std::string column;
  double median = 0, mean = 0, std = 1;
  bool indicator = false;
  NumericRange range;  // the values a cell may hold (checked when fitting and when transforming)
};

struct CategoricalEncoding {
  std::string column;
  std::vector<std::string> vocabulary;  // sorted; code = index, vocabulary.size() = unknown
  std::string most_frequent;
  bool indicator = false;
};

// The values of one categorical column that training never saw (encoded as its unknown slot).
struct UnseenValues {
  std::string column;
  int64_t rows = 0;                  // cells with such a value
  std::vector<std::string> values;   // the distinct values, sorted
};

struct EncodedTable {
  Tensor tabular, numeric, codes;
};

class TabularEncoder {
 public:
  TabularEncoder() = default;
  // Fits on rows `train_rows` of `table`. `features` are (column, kind) in output order. Errors
  // name the file, row and column of a numeric cell that is not a number or lies outside its range
  // (`ranges`, else +-1e15), or a column with no value at all on the training rows.
  static TabularEncoder fit(const CsvTable& table, const std::vector<std::pair<std::string, ColumnKind>>& features,
                            const std::vector<int64_t>& train_rows, const MissingValues& missing,
                            const std::map<std::string, NumericRange>& ranges = {});
  // Encodes every row of `table` (which must have the feature columns; others are ignored).
  EncodedTable transform(const CsvTable& table) const;
  // Per categorical column with any, the values of `table` that transform() maps to the unknown slot
  // (missing cells are imputed, not unknown).
  std::vector<UnseenValues> unseen_values(const CsvTable& table) const;

  std::vector<std::string> feature_names() const;  // columns of `tabular`
  std::vector<std::string> numeric_names() const;  // columns of `numeric`
  std::vector<std::string> code_columns() const;   // columns of `codes`
  std::vector<int64_t> code_cardinalities() const; // V + 1 per categorical (embedding table sizes)
  const std::vector<NumericEncoding>& numerics() const { return numerics_; }
  const std::vector<CategoricalEncoding>& categoricals() const { return categoricals_; }
  const MissingValues& missing() const { return missing_; }

  nlohmann::ordered_json to_json() const;
  static TabularEncoder from_json(const nlohmann::ordered_json& json, const std::string& source);

 private:
  std::vector<NumericEncoding> numerics_;
  std::vector<CategoricalEncoding> categoricals_;
  MissingValues missing_;
};

}  // namespace hito::data

// The descriptive tables of `hito prepare`, as CSV for the report to plot:
//   missing.csv        column,split,class,missing,total,share: for every metadata column, per split
//                      (all/train/val/test) and per class (all/<class>); the config's missing-value
//                      tokens (e.g. "unknown") count as missing
//   class_counts.csv   split,class,label_index,count,share (share within the split)
//   split_balance.csv  split,rows,groups,multi_image_share,share_in_groups_of_1,_2,_3,_4plus,
//                      class_share_gap,multi_image_share_gap: how far each split (all included) is
//                      from the whole data in the two quantities the split balances (data/split.h)
//   distributions.csv  variable,value,split,count,share: numeric features in bands of a round width
//                      ("[40,50)"), categorical features by value, "missing" for missing cells
#pragma once

#include <string>
#include <vector>

#include "apps/study/prepare/prepare_columns.h"
#include "apps/study/prepare/prepare_rows.h"
#include "data/csv.h"
#include "data/split.h"

namespace hito::study {

data::CsvWriter missing_table(const CheckedData& data, const std::vector<data::Part>& parts, const data::MissingValues& missing);
data::CsvWriter class_count_table(const CheckedData& data, const std::vector<data::Part>& parts);
data::CsvWriter split_balance_table(const data::SplitBalance& balance);
data::CsvWriter distribution_table(const CheckedData& data, const std::vector<data::Part>& parts, const ColumnPlan& plan,
                                   const data::MissingValues& missing);

// A round band width (1, 2 or 5 times a power of ten) giving about ten bands over [lo, hi].
double band_width(double lo, double hi);
// "[40,50)" for value 43 and width 10.
std::string band_label(double value, double width);

}  // namespace hito::study

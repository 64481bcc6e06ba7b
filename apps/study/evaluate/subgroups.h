// The subgroups of the evaluation: every data-set row is put in one subgroup of each family — its
// true class, its age band, its sex and its body site — from the raw values of the metadata CSV (not
// the encoded features, where a missing age was imputed). Families:
//   class  the true class (balanced accuracy within one class is that class's recall)
//   age    <30, 30-44, 45-59, 60-74, >=75 (a band holds ages a with lower <= a < upper), missing
//   sex    female, male, unknown (missing or any other value)
//   site   the body-site value as written, "unknown" when missing
// The age, sex and site columns are named in SubgroupColumns (HAM10000's names by default); a family
// whose column the metadata lacks is skipped, with the reason recorded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/study/prepare/prepared_data.h"
#include "data/columns.h"

namespace hito::study {

inline constexpr const char* kMissingAge = "missing";
inline constexpr const char* kUnknownSex = "unknown";
inline constexpr const char* kUnknownSite = "unknown";

// "<30", "30-44", "45-59", "60-74", ">=75", then "missing": the display order.
const std::vector<std::string>& age_band_names();
// The band of an age; "missing" for no age.
std::string age_band(std::optional<double> age);
// "female" / "male" (case and surrounding spaces ignored), else "unknown".
std::string sex_group(std::string_view cell);

struct SubgroupColumns {
  std::string age = "age", sex = "sex", site = "localization";
};

// One family: the subgroup of every row of the prepared data (manifest order) and the subgroups in
// display order. `skipped` says why the family is absent (then `of_row` is empty).
struct SubgroupFamily {
  std::string family;  // "class", "age", "sex", "site"
  std::string column;  // the metadata column it comes from ("" for class)
  std::vector<std::string> of_row;
  std::vector<std::string> order;
  std::string skipped;
};

// The four families for the rows of `data`, reading the metadata CSV of its data folder. Errors name
// the file and row: an id of the prepared data missing from the metadata, an age that is neither
// missing nor a number. Site subgroups are ordered by their number of rows (largest first), "unknown"
// last.
std::vector<SubgroupFamily> subgroup_families(const PreparedData& data, const SubgroupColumns& columns = {});

}  // namespace hito::study

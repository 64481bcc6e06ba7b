// Subgroup assignment from the raw metadata values (see subgroups.h).
#include "apps/study/evaluate/subgroups.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>

#include "data/csv.h"
#include "base/error.h"

namespace hito::study {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The display order of a family: `fixed` first (those that occur), then the others by decreasing
// count, `last` at the end.
std::vector<std::string> display_order(const std::vector<std::string>& values, const std::vector<std::string>& fixed,
                                       const std::string& last) {
  std::map<std::string, int64_t> counts;
  for (const auto& v : values) ++counts[v];
  std::vector<std::string> order;
  for (const auto& f : fixed)
    if (counts.count(f)) order.push_back(f);
  std::vector<std::pair<int64_t, std::string>> rest;
  for (const auto& [value, count] : counts)
    if (std::find(fixed.begin(), fixed.end(), value) == fixed.end() && value != last) rest.emplace_back(-count, value);
  std::sort(rest.begin(), rest.end());
  for (const auto& [count, value] : rest) order.push_back(value);
  if (!last.empty() && counts.count(last)) order.push_back(last);
  return order;
}

}  // namespace

const std::vector<std::string>& age_band_names() {
  static const std::vector<std::string> names = {"<30", "30-44", "45-59", "60-74", ">=75", kMissingAge};
  return names;
}

std::string age_band(std::optional<double> age) {
  if (!age) return kMissingAge;
  const auto& names = age_band_names();
  if (*age < 30) return names[0];
  if (*age < 45) return names[1];
  if (*age < 60) return names[2];
  if (*age < 75) return names[3];
  return names[4];
}

std::string sex_group(std::string_view cell) {
  std::string value = lower(data::trim(cell));
  return value == "female" || value == "male" ? value : kUnknownSex;
}

std::vector<SubgroupFamily> subgroup_families(const PreparedData& data, const SubgroupColumns& columns) {
  std::vector<SubgroupFamily> families;
  SubgroupFamily by_class{"class", "", data.labels_text, data.classes, ""};
  families.push_back(by_class);

  fs::path csv_path = data.data_dir / data.config.metadata;
  data::CsvTable table = data::read_csv(csv_path, data::RaggedRows::Collect);
  int64_t id_col = table.require_column(data.config.id_column);
  std::unordered_map<std::string, int64_t> line_of;
  for (int64_t r = 0; r < table.num_rows(); ++r) line_of.emplace(table.rows[static_cast<size_t>(r)][static_cast<size_t>(id_col)], r);
  std::vector<int64_t> source;
  for (const std::string& id : data.ids) {
    auto it = line_of.find(id);
    HITO_CHECK(it != line_of.end(), csv_path.string(), " has no row with ", data.config.id_column, " '", id,
               "' of the prepared data; rerun `hito prepare`");
    source.push_back(it->second);
  }
  data::MissingValues missing = data.config.missing();

  auto family = [&](const std::string& name, const std::string& column, auto assign, const std::vector<std::string>& fixed,
                    const std::string& last) {
    SubgroupFamily f{name, column, {}, {}, ""};
    int64_t c = column.empty() ? -1 : table.column(column);
    if (c < 0) {
      f.skipped = "the metadata " + csv_path.string() + " has no column '" + column + "'";
    } else {
      for (int64_t r : source) f.of_row.push_back(assign(table.rows[static_cast<size_t>(r)][static_cast<size_t>(c)], r));
      f.order = display_order(f.of_row, fixed, last);
    }
    families.push_back(std::move(f));
  };
  family(
      "age", columns.age,
      [&](const std::string& cell, int64_t r) {
        if (missing.is_missing(cell)) return age_band(std::nullopt);
        std::optional<double> age = data::parse_number(cell);
        HITO_CHECK(age, table.where(r), ": age '", cell, "' in column ", columns.age, " is neither missing nor a number");
        return age_band(age);
      },
      age_band_names(), "");
  family(
      "sex", columns.sex, [&](const std::string& cell, int64_t) { return sex_group(cell); }, {"female", "male"},
      kUnknownSex);
  family(
      "site", columns.site,
      [&](const std::string& cell, int64_t) {
        return missing.is_missing(cell) ? std::string(kUnknownSite) : std::string(data::trim(cell));
      },
      {}, kUnknownSite);
  return families;
}

}  // namespace hito::study

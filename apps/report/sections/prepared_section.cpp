// The "Data preparation" section, from <run>/prepared/ as `hito prepare` writes it
// (apps/study/prepare/prepare.h, prepare_report.h):
//   manifest.json        data folder, data-set config, seed, split fractions, classes, counts, features
//   class_counts.csv     split,class,label_index,count,share (split "all" included)
//   split_balance.csv    per split: rows, groups, multi-image share, shares by group size, the gaps
//                        to the whole (written since the representative split; older runs lack it)
//   distributions.csv    variable,value,split,count,share
//   missing.csv          column,split,class,missing,total,share (class "all": over all classes)
//   dropped_columns.csv  column,reason
//   leakage.csv          column,kind,balanced_accuracy,flagged: each column alone against the label
//   image_stats.json     per-channel mean and std of the training images
//   skipped_rows.csv     rows left out with --on-bad-row skip, with their reasons
// Each part is shown when its file exists; the files that are missing are named in a note. The
// charts show the train/val/test splits (the "all" rows stay in the tables).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "plot/axis.h"
#include "plot/bar_chart.h"
#include "apps/study/prepare/prepared_files.h"
#include "apps/report/pivot.h"
#include "apps/report/sections/sections.h"
#include "data/columns.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::report {

namespace {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr size_t kLongTable = 24;  // longer tables go in a collapsed <details> block

// A JSON value as one line of text (strings unquoted, arrays joined with commas).
std::string json_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) out += (out.empty() ? "" : ", ") + json_text(item);
    return out;
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& [key, item] : v.items()) out += (out.empty() ? "" : ", ") + key + ": " + json_text(item);
    return out;
  }
  return v.dump();
}

void table_maybe_collapsed(Section& section, const Table& table, const std::string& what) {
  if (table.rows.size() <= kLongTable) {
    section.table(table);
    return;
  }
  section.html("<details><summary>" + escape_markup(what) + " (" + std::to_string(table.rows.size()) +
               " rows)</summary>" + render_table(table) + "</details>");
}

plot::BarChart bar_chart(const Pivot& p, const std::string& title, const std::string& y_label) {
  plot::BarChart chart;
  chart.title = title;
  chart.y_label = y_label;
  chart.categories = p.categories;
  for (size_t g = 0; g < p.groups.size(); ++g) chart.groups.push_back({p.groups[g], p.values[g]});
  return chart;
}

// A chart's groups: the splits, without the "all" pseudo-split that the tables also carry.
Pivot without_all(Pivot p) {
  for (size_t g = p.groups.size(); g-- > 0;)
    if (p.groups[g] == "all") p.groups.erase(p.groups.begin() + g), p.values.erase(p.values.begin() + g);
  return p;
}

void manifest_facts(Section& section, const fs::path& path) {
  json manifest = read_json_file<json>(path);
  std::vector<std::pair<std::string, std::string>> facts;
  auto add = [&](const std::string& label, const json* value) {
    if (value) facts.emplace_back(label, json_text(*value));
  };
  auto find = [&](const json& object, const char* key) { return object.contains(key) ? &object[key] : nullptr; };
  add("data folder", find(manifest, "data_dir"));
  if (const json* dataset = find(manifest, "dataset")) add("data set", find(*dataset, "name"));
  const json* synthetic = find(manifest, "synthetic");
  if (synthetic && synthetic->is_boolean() && synthetic->get<bool>())
    facts.emplace_back("data", "synthetic (made by hito synth; not patients)");
  add("rows per split", find(manifest, "counts"));
  add("split fractions", find(manifest, "split_fractions"));
  add("split seed", find(manifest, "seed"));
  if (const json* classes = find(manifest, "classes"))
    facts.emplace_back("classes", std::to_string(classes->size()) + ": " + json_text(*classes));
  add("fingerprint", find(manifest, "fingerprint"));
  add("hito version", find(manifest, "hito_version"));
  section.facts(facts);
  if (const json* features = find(manifest, "features"); features && features->is_array()) {
    std::string list;
    for (const auto& f : *features)
      list += (list.empty() ? "" : ", ") + json_text(f.value("column", json("?"))) + " (" +
              json_text(f.value("kind", json("?"))) + ")";
    std::string encoded = manifest.contains("tabular_features")
                              ? ", encoded as " + std::to_string(manifest["tabular_features"].size()) + " inputs"
                              : "";
    section.paragraph("Features of the tabular models: " + list + encoded +
                      ". Encoders, imputation and standardisation are fitted on the training split only.");
  }
}

// Classes down, splits across: "938 (67.0%)", the count and its share of the split.
Table count_share_table(const Pivot& counts, const std::string& category_label) {
  Pivot shares = shares_within_groups(counts);
  Table table;
  table.header = {category_label};
  for (const auto& g : counts.groups) table.header.push_back(g);
  for (size_t c = 0; c < counts.categories.size(); ++c) {
    std::vector<Cell> row = {counts.categories[c]};
    for (size_t g = 0; g < counts.groups.size(); ++g) {
      Cell cell = Cell::count(static_cast<int64_t>(std::isfinite(counts.values[g][c]) ? counts.values[g][c] : 0));
      cell.text += " (" + plot::format_number(100 * shares.values[g][c], 1) + "%)";
      row.push_back(cell);
    }
    table.rows.push_back(row);
  }
  return table;
}

void class_balance(Section& section, const fs::path& path) {
  data::CsvTable csv = data::read_csv(path);
  Pivot counts = pivot_long(csv, csv.require_column("class"), csv.require_column("split"), csv.require_column("count"));
  Pivot splits = without_all(counts);
  section.heading("Class balance");
  section.svg_figure(plot::render_bar_chart(bar_chart(splits, "Images per class and split", "images")),
                     "Number of images of each diagnosis in each split.");
  plot::BarChart shares = bar_chart(shares_within_groups(splits), "Class shares per split", "share of the split");
  shares.value_decimals = 2;
  section.svg_figure(plot::render_bar_chart(shares),
                     "Each split's class distribution; a stratified split keeps the bars of a class level.");
  section.table(count_share_table(counts, "class"));
}

void distributions(Section& section, const fs::path& path) {
  data::CsvTable csv = data::read_csv(path);
  section.heading("Patient characteristics");
  const int64_t variable = csv.require_column("variable"), value = csv.require_column("value"),
                split = csv.require_column("split");
  const int64_t count = csv.require_column("count");
  std::vector<std::string> variables;
  for (const auto& row : csv.rows)
    if (std::find(variables.begin(), variables.end(), row[variable]) == variables.end())
      variables.push_back(row[variable]);
  for (const auto& name : variables) {
    Pivot p = without_all(shares_within_groups(pivot_long(
        csv, value, split, count, [&](const std::vector<std::string>& row) { return row[variable] == name; })));
    plot::BarChart chart = bar_chart(p, name + " by split", "share of the split");
    chart.value_decimals = 2;
    chart.show_values = p.categories.size() <= 8;
    const bool wide = p.categories.size() > 10;  // many values (body sites) get the full width
    if (wide) chart.width = 960;
    section.svg_figure(plot::render_bar_chart(chart),
                       "Distribution of " + name + " in each split (shares of the split's images).", wide);
  }
  table_maybe_collapsed(section, table_from_csv(csv), "Counts behind these charts");
}

void missing_values(Section& section, const fs::path& path) {
  data::CsvTable csv = data::read_csv(path);
  section.heading("Missing values");
  const int64_t klass = csv.require_column("class");
  Pivot p = without_all(pivot_long(csv, csv.require_column("column"), csv.require_column("split"),
                                   csv.require_column("share"),
                                   [&](const std::vector<std::string>& row) { return row[klass] == "all"; }));
  plot::BarChart chart = bar_chart(p, "Share of missing values", "share missing");
  chart.value_decimals = 3;
  section.svg_figure(plot::render_bar_chart(chart),
                     "Share of rows without a value in each column (the data set's missing-value tokens, such as "
                     "\"unknown\", count as missing), by split.");
  table_maybe_collapsed(section, table_from_csv(csv), "Missing values per column, split and class");
}

void leakage(Section& section, const fs::path& path) {
  section.heading("Label leakage check");
  section.paragraph(
      "Each column alone, used to predict the label on the training split: a column that predicts it almost "
      "perfectly is flagged and dropped, as it would give the label away.");
  section.table(table_from_csv(data::read_csv(path)));
}

void image_stats(Section& section, const fs::path& path) {
  json stats = read_json_file<json>(path);
  section.heading("Image normalisation");
  HITO_CHECK(stats.contains("mean") && stats.contains("std") && stats["mean"].size() == stats["std"].size(),
             path.string(), ": expected \"mean\" and \"std\" arrays of equal length");
  static const char* channels[] = {"red", "green", "blue"};
  Table table;
  table.header = {"channel", "mean", "std"};
  for (size_t c = 0; c < stats["mean"].size(); ++c)
    table.rows.push_back({c < 3 ? channels[c] : std::to_string(c), Cell::number(stats["mean"][c].get<double>(), 4),
                          Cell::number(stats["std"][c].get<double>(), 4)});
  section.paragraph(
      "Per-channel statistics of the training images (on the [0, 1] scale), used to normalise every image.");
  section.table(table);
}
// What population the validation and test rows represent: the split's balance against the whole.
void split_balance(Section& section, const fs::path& path) {
  data::CsvTable csv = data::read_csv(path);
  section.heading("How representative the split is");
  const int64_t split_column = csv.require_column("split"), share_column = csv.require_column("multi_image_share");
  auto share_of = [&](const std::string& split) {
    for (const auto& row : csv.rows)
      if (row[static_cast<size_t>(split_column)] == split)
        if (auto share = data::parse_number(row[static_cast<size_t>(share_column)])) return *share;
    HITO_CHECK(false, path.string(), ": no numeric multi_image_share for split '", split, "'");
    return 0.0;
  };
  section.paragraph(
      "Lesions stay whole, and the split is stratified by class and by lesion size (1, 2, 3 or 4+ images), so "
      "that every split resembles the whole data: each class's share within 1 point and the share of images that "
      "belong to multi-image lesions within 3 points (prepare refuses a split that misses either). The test split "
      "therefore represents new lesions drawn at the data's natural rate: " +
      plot::format_number(100 * share_of("test"), 1) + "% of its images belong to lesions with several images, "
      "against " + plot::format_number(100 * share_of("all"), 1) + "% of the whole data.");
  section.table(table_from_csv(csv));
}
}  // namespace

void build_prepared_section(const ReportContext& context, Report& report) {
  const fs::path dir = context.run_dir / study::kPreparedDir;
  Section& section = report.add_section("Data preparation");
  if (!fs::is_directory(dir)) {
    section.note("Skipped: " + dir.string() + " does not exist. Run `hito prepare` to make it.", NoteKind::Skipped);
    return;
  }
  std::vector<std::string> missing;
  auto part = [&](const char* file, auto&& show) {
    if (fs::exists(dir / file))
      show(section, dir / file);
    else
      missing.push_back(file);
  };
  part(study::kManifestFile, manifest_facts);
  part(study::kClassCountsFile, class_balance);
  if (fs::exists(dir / study::kSplitBalanceFile)) split_balance(section, dir / study::kSplitBalanceFile);
  part(study::kDistributionsFile, distributions);
  part(study::kMissingFile, missing_values);
  part(study::kDroppedColumnsFile, [](Section& s, const fs::path& p) {
    s.heading("Dropped columns");
    s.paragraph("Columns the models never see, and why (identifiers, and columns that give the label away).");
    s.table(table_from_csv(data::read_csv(p)));
  });
  part(study::kLeakageFile, leakage);
  part(study::kImageStatsFile, image_stats);
  if (fs::exists(dir / study::kSkippedRowsFile)) {
    data::CsvTable skipped = data::read_csv(dir / study::kSkippedRowsFile);
    section.heading("Skipped rows");
    section.note("Skipped " + count_of(skipped.rows.size(), "row") + " of the data set (--on-bad-row skip).",
                 NoteKind::Warning);
    table_maybe_collapsed(section, table_from_csv(skipped), "Skipped rows and reasons");
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    section.note("Not shown, because " + dir.string() + " lacks: " + names + ".", NoteKind::Skipped);
  }
}

}  // namespace hito::report

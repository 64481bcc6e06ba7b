// `hito evaluate`: scoring every model of a run on the test split (see evaluate.h).
#include "apps/study/evaluate/evaluate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "plot/forest_plot.h"
#include "apps/eval/model_figures.h"
#include "plot/svg.h"
#include "apps/study/train/model_output.h"
#include "data/csv.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::study {

namespace {

using json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

json read_config(const fs::path& dir) {
  fs::path path = dir / kModelConfig;
  json config = read_json_file<json>(path);
  HITO_CHECK(config.is_object(), path.string(), ": expected a JSON object");
  return config;
}

// "HxW" from the first "preprocessing" object with a height and a width anywhere in a model's config
// (image models record their input geometry there); "" when there is none.
std::string image_input_of(const json& config) {
  if (config.is_object()) {
    if (config.contains("preprocessing")) {
      const json& p = config.at("preprocessing");
      if (p.is_object() && p.contains("height") && p.contains("width") && p["height"].is_number_integer() &&
          p["width"].is_number_integer())
        return std::to_string(p["height"].get<int64_t>()) + "x" + std::to_string(p["width"].get<int64_t>());
    }
    for (const auto& [key, value] : config.items())
      if (std::string found = image_input_of(value); !found.empty()) return found;
  }
  return "";
}

// A model's predictions on exactly the rows of one split, in the split's manifest order (so that
// every model lines up row by row for the paired comparisons).
eval::Predictions split_predictions(const fs::path& dir, const std::string& split, const PreparedData& data,
                                    const std::vector<int64_t>& split_rows, const std::vector<int64_t>& labels) {
  SavedPredictions saved = read_predictions(dir, split, data);
  std::unordered_map<int64_t, size_t> position;
  for (size_t i = 0; i < split_rows.size(); ++i) position.emplace(split_rows[i], i);
  const std::string file = (dir / ("predictions_" + split + ".csv")).string();
  std::vector<int64_t> line_of(split_rows.size(), -1);
  for (size_t i = 0; i < saved.rows.size(); ++i) {
    int64_t row = saved.rows[i];
    auto it = position.find(row);
    HITO_CHECK(it != position.end(), file, ": id '", data.ids[static_cast<size_t>(row)], "' is not a ", split,
               " row of the prepared data; all models must be scored on the same ", split, " split");
    HITO_CHECK(line_of[it->second] < 0, file, ": id '", data.ids[static_cast<size_t>(row)], "' appears twice");
    line_of[it->second] = static_cast<int64_t>(i);
  }
  for (size_t i = 0; i < split_rows.size(); ++i)
    HITO_CHECK(line_of[i] >= 0, file, " has no prediction for the ", split, " row '",
               data.ids[static_cast<size_t>(split_rows[i])], "' (", split_rows.size() - saved.rows.size(),
               " rows missing); all models must be scored on the same ", split, " split");

  int64_t k = data.num_classes();
  std::vector<float> probs = saved.probabilities.to_vector<float>();
  eval::Predictions p;
  p.num_classes = k;
  for (size_t i = 0; i < split_rows.size(); ++i) {
    p.labels.push_back(labels[static_cast<size_t>(split_rows[i])]);
    const float* row = probs.data() + line_of[i] * k;
    p.probs.insert(p.probs.end(), row, row + k);
  }
  p.groups = lesion_groups(data, split_rows);
  p.validate(file);
  return p;
}

eval::SubgroupScore subgroup_score(const eval::Predictions& p, const eval::BootstrapOptions& options) {
  eval::SplitMetrics split = eval::evaluate_split("test", p, options);
  return {split.intervals, split.metrics.ece};
}

// The positions (in test-row order) of the test rows in one subgroup.
std::vector<int64_t> test_positions(const SubgroupFamily& family, const std::string& name,
                                    const std::vector<int64_t>& test_rows) {
  std::vector<int64_t> positions;
  for (size_t i = 0; i < test_rows.size(); ++i)
    if (family.of_row[static_cast<size_t>(test_rows[i])] == name) positions.push_back(static_cast<int64_t>(i));
  return positions;
}

int64_t distinct(const std::vector<int64_t>& groups) { return static_cast<int64_t>(std::set<int64_t>(groups.begin(), groups.end()).size()); }

eval::ComparisonResult compare(const std::string& comparison, const eval::ModelResult& model, const eval::Predictions& a,
                         const eval::ModelResult& reference, const eval::Predictions& b, const std::string& family,
                         const std::string& subgroup, const eval::BootstrapOptions& options) {
  eval::ComparisonResult c;
  c.comparison = comparison;
  c.model = model.name;
  c.reference = reference.name;
  c.family = family;
  c.subgroup = subgroup;
  c.rows = a.rows();
  c.lesions = distinct(a.groups);
  c.bacc_difference = eval::paired_bootstrap_difference(
      a, b, [](const eval::Predictions& p) { return eval::balanced_accuracy(p); }, options);
  c.mcnemar = eval::mcnemar_test(a, b);
  return c;
}

// Every model on the test rows (and its validation balanced accuracy) into r.models; returns the
// test predictions in the same order, row-aligned.
std::vector<eval::Predictions> score_models(const std::vector<fs::path>& folders, const PreparedData& data,
                                            eval::EvalResults& r) {
  const std::vector<int64_t> labels = data.labels.to(Device::CPU).to_vector<int64_t>();
  const std::vector<int64_t> test_rows = data.rows_of(data::Part::Test), val_rows = data.rows_of(data::Part::Val);
  std::vector<eval::Predictions> test;
  for (const auto& dir : folders) {
    eval::ModelResult m;
    m.name = dir.filename().string();
    const json config = read_config(dir);
    m.kind = config.value("kind", std::string());
    m.image_input = image_input_of(config);
    m.fitted_on = config.value("fitted_on", std::string("train"));
    m.modality = model_modality(m.name, m.kind);
    test.push_back(split_predictions(dir, "test", data, test_rows, labels));
    m.test = eval::evaluate_split("test", test.back(), r.bootstrap);
    m.val_balanced_accuracy = kNaN;
    if (fs::exists(dir / kPredictionsVal) && !val_rows.empty())
      m.val_balanced_accuracy = eval::balanced_accuracy(split_predictions(dir, "val", data, val_rows, labels));
    const eval::Interval& bacc = m.test.intervals.at("balanced_accuracy");
    std::printf("evaluate: %-16s test balanced accuracy %.3f [%.3f, %.3f]\n", m.name.c_str(), bacc.estimate,
                bacc.lower, bacc.upper);
    r.models.push_back(std::move(m));
  }
  return test;
}

// Every model on the test rows of each subgroup with test rows, into r.families (same order as
// `families`).
void score_subgroups(const std::vector<SubgroupFamily>& families, const std::vector<int64_t>& test_rows,
                     const std::vector<eval::Predictions>& test, eval::EvalResults& r) {
  for (const SubgroupFamily& family : families) {
    eval::FamilyResult f{family.family, family.column, family.skipped, {}};
    for (const std::string& name : family.order) {
      std::vector<int64_t> positions = test_positions(family, name, test_rows);
      if (positions.empty()) continue;
      eval::SubgroupResult s{family.family, name, static_cast<int64_t>(positions.size()), 0, {}};
      for (size_t j = 0; j < r.models.size(); ++j) {
        eval::Predictions sub = test[j].subset(positions);
        s.lesions = distinct(sub.groups);
        s.scores[r.models[j].name] = subgroup_score(sub, r.bootstrap);
      }
      f.subgroups.push_back(std::move(s));
    }
    r.families.push_back(std::move(f));
  }
}

// Chooses r.baseline (the best single-modality model on validation) and compares every fusion model
// with it, overall and in every subgroup of r.families.
void compare_fusions_with_baseline(const std::vector<SubgroupFamily>& families, const std::vector<int64_t>& test_rows,
                                   const std::vector<eval::Predictions>& test, eval::EvalResults& r) {
  int best = -1;
  for (size_t j = 0; j < r.models.size(); ++j) {
    const eval::ModelResult& m = r.models[j];
    if ((m.modality == "metadata" || m.modality == "image") && std::isfinite(m.val_balanced_accuracy) &&
        (best < 0 || m.val_balanced_accuracy > r.models[static_cast<size_t>(best)].val_balanced_accuracy))
      best = static_cast<int>(j);
  }
  if (best < 0) {
    r.baseline_note = "no single-modality model with validation predictions: no comparisons";
    return;
  }
  const eval::ModelResult& b = r.models[static_cast<size_t>(best)];
  const eval::Predictions& bp = test[static_cast<size_t>(best)];
  r.baseline = b.name;
  r.baseline_note = "the single-modality (metadata or image) model with the highest validation balanced accuracy (" +
                    data::format_number(std::round(b.val_balanced_accuracy * 1000) / 1000) + ")";
  bool any_fusion = false;
  for (size_t j = 0; j < r.models.size(); ++j) {
    if (r.models[j].modality != "fusion") continue;
    any_fusion = true;
    const eval::Predictions& fp = test[j];
    r.comparisons.push_back(compare(eval::kFusionVsBaseline, r.models[j], fp, b, bp, "all", "all", r.bootstrap));
    for (size_t fi = 0; fi < families.size(); ++fi)  // r.families[fi]: the subgroups of families[fi] with test rows
      for (const eval::SubgroupResult& s : r.families[fi].subgroups) {
        std::vector<int64_t> positions = test_positions(families[fi], s.name, test_rows);
        r.comparisons.push_back(compare(eval::kFusionVsBaseline, r.models[j], fp.subset(positions), b, bp.subset(positions),
                                        s.family, s.name, r.bootstrap));
      }
  }
  if (!any_fusion) r.baseline_note += "; no fusion model to compare with it";
}

// Sets r.best (the highest validation balanced accuracy: the choice is made before the test split
// is looked at) and compares it on test with every other model: is its lead supported by a paired
// interval? No comparison when no model has validation predictions.
void compare_best_with_others(const std::vector<eval::Predictions>& test, eval::EvalResults& r) {
  int best = -1;
  for (size_t j = 0; j < r.models.size(); ++j)
    if (std::isfinite(r.models[j].val_balanced_accuracy) &&
        (best < 0 || r.models[j].val_balanced_accuracy > r.models[size_t(best)].val_balanced_accuracy))
      best = static_cast<int>(j);
  if (best < 0) return;
  const size_t top = static_cast<size_t>(best);
  r.best = r.models[top].name;
  for (size_t j = 0; j < r.models.size(); ++j)
    if (j != top)
      r.comparisons.push_back(
          compare(eval::kBestVsOther, r.models[top], test[top], r.models[j], test[j], "all", "all", r.bootstrap));
}

// Holm's correction over each set of comparisons tested together: one kind, one subgroup family.
void adjust_for_multiplicity(eval::EvalResults& r) {
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> sets;
  for (size_t i = 0; i < r.comparisons.size(); ++i)
    sets[{r.comparisons[i].comparison, r.comparisons[i].family}].push_back(i);
  for (const auto& [key, members] : sets) {
    std::vector<double> p;
    for (size_t i : members) p.push_back(r.comparisons[i].mcnemar.p_value);
    const std::vector<double> adjusted = eval::holm_adjusted(p);
    for (size_t k = 0; k < members.size(); ++k) r.comparisons[members[k]].p_holm = adjusted[k];
  }
}

// ---- files ----

std::string num(double value) { return data::format_number(value); }

void interval_fields(std::vector<std::string>& fields, const std::map<std::string, eval::Interval>& intervals,
                     const std::string& name) {
  auto it = intervals.find(name);
  if (it == intervals.end()) {
    fields.insert(fields.end(), {"", "", ""});
    return;
  }
  fields.insert(fields.end(), {num(it->second.estimate), num(it->second.lower), num(it->second.upper)});
}

const std::vector<std::string> kHeadline = {"balanced_accuracy", "accuracy", "macro_f1", "macro_auc"};

std::vector<std::string> headline_header() {
  std::vector<std::string> header;
  for (const auto& name : kHeadline) header.insert(header.end(), {name, name + "_lower", name + "_upper"});
  return header;
}

void write_models_csv(const fs::path& path, const eval::EvalResults& r) {
  std::vector<std::string> header = {"model", "kind", "modality", "fitted_on", "val_balanced_accuracy", "rows", "lesions"};
  for (const auto& h : headline_header()) header.push_back(h);
  header.insert(header.end(), {"ece", "log_loss"});
  data::CsvWriter csv(header);
  for (const auto& m : r.models) {
    std::vector<std::string> fields = {m.name, m.kind, m.modality, m.fitted_on, num(m.val_balanced_accuracy),
                                       std::to_string(r.test_rows), std::to_string(r.test_lesions)};
    for (const auto& name : kHeadline) interval_fields(fields, m.test.intervals, name);
    fields.insert(fields.end(), {num(m.test.metrics.ece), num(m.test.metrics.log_loss)});
    csv.row(fields);
  }
  csv.write(path);
}

void write_per_class_csv(const fs::path& path, const eval::EvalResults& r) {
  data::CsvWriter csv({"model", "class", "support", "predicted", "precision", "recall", "f1", "auc"});
  for (const auto& m : r.models)
    for (size_t k = 0; k < m.test.metrics.per_class.size(); ++k) {
      const auto& c = m.test.metrics.per_class[k];
      csv.row({m.name, r.class_names[k], std::to_string(c.support), std::to_string(c.predicted), num(c.precision),
               num(c.recall), num(c.f1), num(c.auc)});
    }
  csv.write(path);
}

void write_subgroups_csv(const fs::path& path, const eval::EvalResults& r) {
  std::vector<std::string> header = {"model", "family", "subgroup", "rows", "lesions"};
  for (const auto& h : headline_header()) header.push_back(h);
  header.push_back("ece");
  data::CsvWriter csv(header);
  for (const auto& m : r.models)
    for (const auto& f : r.families)
      for (const auto& s : f.subgroups) {
        const eval::SubgroupScore& score = s.scores.at(m.name);
        std::vector<std::string> fields = {m.name, f.family, s.name, std::to_string(s.rows), std::to_string(s.lesions)};
        for (const auto& name : kHeadline) interval_fields(fields, score.intervals, name);
        fields.push_back(num(score.ece));
        csv.row(fields);
      }
  csv.write(path);
}

void write_comparisons_csv(const fs::path& path, const eval::EvalResults& r) {
  data::CsvWriter csv({"comparison", "model", "reference", "family", "subgroup", "rows", "lesions", "bacc_difference",
                       "bacc_difference_lower", "bacc_difference_upper", "share_model_better", "both_correct",
                       "only_model_correct", "only_reference_correct", "both_wrong", "mcnemar_method",
                       "mcnemar_statistic", "mcnemar_p_value", "mcnemar_p_holm"});
  for (const auto& c : r.comparisons) {
    const auto& d = c.bacc_difference.difference;
    const auto& m = c.mcnemar;
    csv.row({c.comparison, c.model, c.reference, c.family, c.subgroup, std::to_string(c.rows), std::to_string(c.lesions),
             num(d.estimate), num(d.lower), num(d.upper), num(c.bacc_difference.share_a_better),
             std::to_string(m.both_correct), std::to_string(m.only_a_correct), std::to_string(m.only_b_correct),
             std::to_string(m.both_wrong), m.method(), num(m.statistic), num(m.p_value), num(c.p_holm)});
  }
  csv.write(path);
}

void write_figures(const fs::path& dir, const eval::EvalResults& r) {
  for (const auto& m : r.models) {
    eval::SplitMetrics titled = m.test;  // the figures' titles name the split: "Reliability (<model>, test)"
    titled.split = m.name + ", test";
    plot::write_svg(dir / eval::model_figure_name("confusion", m.name), eval::confusion_svg(titled, r.class_names));
    plot::write_svg(dir / eval::model_figure_name("reliability", m.name), eval::reliability_svg(titled));
  }
  for (const auto& f : r.families) {
    if (!f.skipped.empty()) continue;
    plot::ForestPlot plot;
    plot.title = "Balanced accuracy by " + f.family + " (test split)";
    plot.x_label = f.family == "class" ? "recall of the class (balanced accuracy within it)" : "balanced accuracy";
    plot.x_min = 0;
    plot.x_max = 1;
    for (const auto& s : f.subgroups) {
      plot.rows.push_back(s.name);
      plot.row_notes.push_back("n = " + std::to_string(s.rows) + ", " + std::to_string(s.lesions) + " lesions");
    }
    for (const auto& m : r.models) {
      plot::ForestSeries series;
      series.name = m.name;
      for (const auto& s : f.subgroups) {
        const auto& i = s.scores.at(m.name).intervals.at("balanced_accuracy");
        series.points.push_back({i.estimate, i.lower, i.upper});
      }
      plot.series.push_back(std::move(series));
    }
    if (r.models.size() == 1) {
      plot.reference = r.models[0].test.metrics.balanced_accuracy;
      plot.reference_label = "overall";
    } else {
      plot.reference = 1.0 / static_cast<double>(r.class_names.size());
      plot.reference_label = "chance";
    }
    plot::write_svg(dir / ("forest_" + f.family + ".svg"), plot::render_forest_plot(plot));
  }
}

}  // namespace

std::string model_modality(const std::string& name, const std::string& kind) {
  auto any = [&](auto test) { return test(name) || test(kind); };
  if (any([](const std::string& s) { return starts_with(s, "fusion"); })) return "fusion";
  if (any([](const std::string& s) { return starts_with(s, "tabular") || s == "search"; })) return "metadata";
  if (any([](const std::string& s) { return s == "pixels" || starts_with(s, "image"); })) return "image";
  return "other";
}

std::vector<fs::path> model_folders_to_evaluate(const fs::path& run_dir) {
  HITO_CHECK(fs::is_directory(run_dir), "run folder ", run_dir.string(), " does not exist");
  const std::vector<std::string> order = {"metadata", "image", "fusion", "other"};
  std::vector<std::pair<std::pair<size_t, std::string>, fs::path>> found;
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    const fs::path& dir = entry.path();
    if (!entry.is_directory() || is_partial_output(dir) || !fs::exists(dir / kModelConfig) ||
        !fs::exists(dir / kPredictionsTest))
      continue;
    std::string name = dir.filename().string();
    std::string modality = model_modality(name, read_config(dir).value("kind", std::string()));
    size_t rank = static_cast<size_t>(std::find(order.begin(), order.end(), modality) - order.begin());
    found.push_back({{rank, name}, dir});
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> folders;
  for (auto& [key, dir] : found) folders.push_back(std::move(dir));
  return folders;
}

eval::EvalResults run_evaluate(const EvaluateOptions& options) {
  HITO_CHECK(options.resamples > 0, "--resamples must be positive, got ", options.resamples);
  PreparedData data = load_prepared(options.run_dir);
  std::vector<fs::path> folders = model_folders_to_evaluate(options.run_dir);
  HITO_CHECK(!folders.empty(), "no model folder (a subfolder with ", kModelConfig, " and ", kPredictionsTest, ") in ",
             options.run_dir.string(), ": train a model first (hito tabular, hito image, hito fuse, ...)");
  // Every folder is checked before anything is computed: a model trained on other data stops the run.
  for (const auto& dir : folders) check_model_fingerprint(dir, data);

  eval::EvalResults r;
  r.class_names = data.classes;
  r.fingerprint = data.fingerprint;
  r.bootstrap.resamples = options.resamples;
  r.bootstrap.seed = options.seed;
  const std::vector<int64_t> test_rows = data.rows_of(data::Part::Test);
  HITO_CHECK(!test_rows.empty(), "the prepared data in ", data.prepared_dir.string(), " have no test rows");
  r.test_rows = static_cast<int64_t>(test_rows.size());

  const std::vector<eval::Predictions> test = score_models(folders, data, r);
  r.test_lesions = distinct(test[0].groups);
  const std::vector<SubgroupFamily> families = subgroup_families(data, options.columns);
  score_subgroups(families, test_rows, test, r);
  compare_fusions_with_baseline(families, test_rows, test, r);
  compare_best_with_others(test, r);
  adjust_for_multiplicity(r);

  OutputDir out(options.run_dir / eval::kEvalFolder);
  write_models_csv(out.path() / "models.csv", r);
  write_per_class_csv(out.path() / "per_class.csv", r);
  write_subgroups_csv(out.path() / "subgroups.csv", r);
  write_comparisons_csv(out.path() / "comparisons.csv", r);
  write_file_atomic(out.path() / eval::kEvalJson, eval::eval_results_to_json(r).dump(2) + "\n");
  write_figures(out.path(), r);
  out.commit();
  return r;
}

}  // namespace hito::study

// eval.json: writing EvalResults and reading them back (for the report). Layout:
//   {"class_names": [...], "fingerprint": "...", "test_rows": N, "test_lesions": L,
//    "bootstrap": {"resamples": 1000, "confidence": 0.95, "seed": 0},
//    "models": [{"name", "kind", "modality", "val_balanced_accuracy", "image_input": "224x224" or "",
//                "test": <metrics.json split entry>}],
//    "families": [{"family", "column", "skipped", "subgroups": [{"name", "rows", "lesions",
//                  "scores": {<model>: {"ece", "intervals": {<statistic>: <interval>}}}}]}],
//    "baseline": "<model>" or null, "baseline_note": "...",
//    "best": "<model>",
//    "comparisons": [{"comparison", "model", "reference", "family", "subgroup", "rows", "lesions",
//                     "bacc_difference": <interval>, "share_model_better",
//                     "mcnemar": {"both_correct", "only_model_correct", "only_reference_correct",
//                                 "both_wrong", "exact", "statistic", "p_value", "method",
//                                 "clustered", "p_holm"}}]}
// Undefined numbers are null.
#include <cctype>
#include <cmath>
#include <limits>

#include "apps/eval/eval_results.h"

#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::eval {

namespace {

using json = nlohmann::ordered_json;

json number_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json intervals_json(const std::map<std::string, Interval>& intervals) {
  json out = json::object();
  for (const auto& [name, interval] : intervals) out[name] = interval_to_json(interval);
  return out;
}

// Members of one object with the file and path named in errors.
using Node = JsonReader<json>;

// An object of named intervals ({"balanced_accuracy": <interval>, ...}).
std::map<std::string, Interval> intervals_of(const Node& node) {
  std::map<std::string, Interval> out;
  HITO_CHECK(node.value().is_object(), node.where(), ": expected an object");
  for (const auto& [name, interval] : node.value().items()) out[name] = interval_from_json(interval, node.where() + "." + name);
  return out;
}

}  // namespace

json eval_results_to_json(const EvalResults& r) {
  json out;
  out["class_names"] = r.class_names;
  out["fingerprint"] = r.fingerprint;
  out["test_rows"] = r.test_rows;
  out["test_lesions"] = r.test_lesions;
  out["bootstrap"] = {{"resamples", r.bootstrap.resamples}, {"confidence", r.bootstrap.confidence}, {"seed", r.bootstrap.seed}};
  json models = json::array();
  for (const auto& m : r.models)
    models.push_back({{"name", m.name},
                      {"kind", m.kind},
                      {"modality", m.modality},
                      {"val_balanced_accuracy", number_or_null(m.val_balanced_accuracy)},
                      {"image_input", m.image_input},
                      {"fitted_on", m.fitted_on},
                      {"test", split_metrics_to_json(m.test, r.class_names)}});
  out["models"] = models;
  json families = json::array();
  for (const auto& f : r.families) {
    json subgroups = json::array();
    for (const auto& s : f.subgroups) {
      json scores = json::object();
      for (const auto& [model, score] : s.scores)
        scores[model] = {{"ece", number_or_null(score.ece)}, {"intervals", intervals_json(score.intervals)}};
      subgroups.push_back({{"name", s.name}, {"rows", s.rows}, {"lesions", s.lesions}, {"scores", scores}});
    }
    families.push_back({{"family", f.family},
                        {"column", f.column},
                        {"skipped", f.skipped.empty() ? json(nullptr) : json(f.skipped)},
                        {"subgroups", subgroups}});
  }
  out["families"] = families;
  out["baseline"] = r.baseline.empty() ? json(nullptr) : json(r.baseline);
  out["baseline_note"] = r.baseline_note;
  out["best"] = r.best;
  json comparisons = json::array();
  for (const auto& c : r.comparisons) {
    const auto& m = c.mcnemar;
    comparisons.push_back({{"comparison", c.comparison},
                           {"model", c.model},
                           {"reference", c.reference},
                           {"family", c.family},
                           {"subgroup", c.subgroup},
                           {"rows", c.rows},
                           {"lesions", c.lesions},
                           {"bacc_difference", interval_to_json(c.bacc_difference.difference)},
                           {"share_model_better", number_or_null(c.bacc_difference.share_a_better)},
                           {"mcnemar",
                            {{"both_correct", m.both_correct},
                             {"only_model_correct", m.only_a_correct},
                             {"only_reference_correct", m.only_b_correct},
                             {"both_wrong", m.both_wrong},
                             {"exact", m.exact},
                             {"statistic", number_or_null(m.statistic)},
                             {"p_value", number_or_null(m.p_value)},
                             {"clustered", m.clustered},
                             {"p_holm", number_or_null(c.p_holm)},
                             {"method", m.method()}}}});
  }
  out["comparisons"] = comparisons;
  return out;
}

EvalResults read_eval_results(const std::filesystem::path& path) {
  json root = read_json_file<json>(path);
  Node r(root, path.string());
  EvalResults out;
  out.class_names = r.strings("class_names");
  out.fingerprint = r.text("fingerprint");
  out.test_rows = r.integer("test_rows");
  out.test_lesions = r.integer("test_lesions");
  Node bootstrap = r.child("bootstrap");
  out.bootstrap.resamples = bootstrap.integer("resamples");
  out.bootstrap.confidence = bootstrap.number("confidence");
  out.bootstrap.seed = static_cast<uint64_t>(bootstrap.integer("seed"));
  Node models = r.child("models");
  for (size_t i = 0; i < r.size("models"); ++i) {
    Node m = models.item(i);
    ModelResult model{m.text("name"), m.text("kind"), m.text("modality"), m.number("val_balanced_accuracy"),
                      m.has("image_input") ? m.text("image_input") : "", {}};
    model.test = split_metrics_from_json(m.at("test"), "test", out.class_names.size(), m.where() + ".test");
    if (m.has("fitted_on")) model.fitted_on = m.text("fitted_on");
    out.models.push_back(std::move(model));
  }
  Node families = r.child("families");
  for (size_t i = 0; i < r.size("families"); ++i) {
    Node f = families.item(i);
    FamilyResult family{f.text("family"), f.text("column"), f.text("skipped"), {}};
    Node subgroups = f.child("subgroups");
    for (size_t j = 0; j < f.size("subgroups"); ++j) {
      Node s = subgroups.item(j);
      SubgroupResult subgroup{family.family, s.text("name"), s.integer("rows"), s.integer("lesions"), {}};
      Node scores = s.child("scores");
      for (const auto& [model, value] : scores.value().items()) {
        Node score = scores.child(model);
        subgroup.scores[model] = {intervals_of(score.child("intervals")), score.number("ece")};
      }
      family.subgroups.push_back(std::move(subgroup));
    }
    out.families.push_back(std::move(family));
  }
  out.baseline = r.text("baseline");
  out.baseline_note = r.text("baseline_note");
  out.best = r.text("best");
  Node comparisons = r.child("comparisons");
  for (size_t i = 0; i < r.size("comparisons"); ++i) {
    Node c = comparisons.item(i);
    ComparisonResult comparison;
    comparison.comparison = c.text("comparison");
    comparison.model = c.text("model");
    comparison.reference = c.text("reference");
    comparison.family = c.text("family");
    comparison.subgroup = c.text("subgroup");
    comparison.rows = c.integer("rows");
    comparison.lesions = c.integer("lesions");
    comparison.bacc_difference.difference = interval_from_json(c.at("bacc_difference"), c.where() + ".bacc_difference");
    comparison.bacc_difference.share_a_better = c.number("share_model_better");
    Node m = c.child("mcnemar");
    comparison.mcnemar.both_correct = m.integer("both_correct");
    comparison.mcnemar.only_a_correct = m.integer("only_model_correct");
    comparison.mcnemar.only_b_correct = m.integer("only_reference_correct");
    comparison.mcnemar.both_wrong = m.integer("both_wrong");
    comparison.mcnemar.exact = m.boolean("exact");
    comparison.mcnemar.statistic = m.number("statistic");
    comparison.mcnemar.p_value = m.number("p_value");
    if (m.has("clustered")) comparison.mcnemar.clustered = m.boolean("clustered");
    if (m.has("p_holm")) comparison.p_holm = m.number("p_holm");
    out.comparisons.push_back(std::move(comparison));
  }
  return out;
}

const ModelResult* EvalResults::find_model(const std::string& name) const {
  for (const auto& m : models)
    if (m.name == name) return &m;
  return nullptr;
}

std::string model_figure_name(const std::string& what, const std::string& model) {
  std::string name = model;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return what + "_" + name + ".svg";
}

}  // namespace hito::eval

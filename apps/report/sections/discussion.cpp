// The drafted discussion (see discussion.h for its wording rules).
#include "apps/report/sections/discussion.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "apps/report/html.h"
#include "apps/study/evaluate/subgroups.h"
#include "data/columns.h"
#include "data/csv.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

namespace hito::report {

namespace {

namespace fs = std::filesystem;

std::string fixed(double value, int decimals = 3) {
  if (!std::isfinite(value)) return "undefined";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string percent(double share) { return std::isfinite(share) ? fixed(100 * share, 0) + "%" : "undefined"; }

std::string with_interval(const eval::Interval& i) {
  return fixed(i.estimate) + " (95% CI " + fixed(i.lower) + " to " + fixed(i.upper) + ")";
}

bool excludes_zero_above(const eval::Interval& i) { return std::isfinite(i.lower) && i.lower > 0; }
bool excludes_zero_below(const eval::Interval& i) { return std::isfinite(i.upper) && i.upper < 0; }

std::string signed_number(double value) {
  std::string text = fixed(value);
  if (value > 0) text.insert(text.begin(), '+');
  return text;
}

std::string p_value(double p) { return !std::isfinite(p) ? "p undefined" : p < 0.001 ? "p < 0.001" : "p = " + fixed(p, 3); }

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ",
                 const std::string& last_separator = " and ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? last_separator : separator;
    out += items[i];
  }
  return out;
}

const eval::Interval& bacc(const eval::ModelResult& m) { return m.test.intervals.at("balanced_accuracy"); }

std::string subgroup_label(const std::string& family, const std::string& name) {
  if (family == "class") return "true class " + name;
  if (family == "age") return name == study::kMissingAge ? "age missing" : "age " + name;
  if (family == "sex") return name == study::kUnknownSex ? "sex unknown" : name + " patients";
  if (family == "site") return name == study::kUnknownSite ? "body site unknown" : "site " + name;
  return family + " " + name;
}

const eval::SubgroupResult* find_subgroup(const eval::EvalResults& r, const std::string& family, const std::string& name) {
  for (const auto& f : r.families)
    if (f.family == family)
      for (const auto& s : f.subgroups)
        if (s.name == name) return &s;
  return nullptr;
}

// ---- the parts ----

DiscussionPart best_model(const eval::EvalResults& r) {
  DiscussionPart part{"Best model", {}};
  const eval::ModelResult* best = r.find_model(r.best);
  if (!best) {
    part.paragraphs.push_back("No model was evaluated.");
    return part;
  }
  part.paragraphs.push_back("The model chosen on the validation split (the highest validation balanced accuracy, " +
                            fixed(best->val_balanced_accuracy, 3) + ") is " + best->name + ". On the " +
                            count_of(r.test_rows, "test image") + " (" + count_of(r.test_lesions, "lesion") +
                            ") its balanced accuracy is " + with_interval(bacc(*best)) +
                            ", with a macro one-vs-rest AUC of " +
                            with_interval(best->test.intervals.at("macro_auc")) + ".");
  std::vector<std::string> behind, unclear;
  for (const auto& c : r.comparisons) {
    if (c.comparison != eval::kBestVsOther) continue;
    const auto& d = c.bacc_difference.difference;
    if (excludes_zero_above(d)) behind.push_back(c.reference + " by " + with_interval(d));
    else unclear.push_back(describe_difference(c.model, c.reference, d));
  }
  if (r.models.size() == 1) part.paragraphs.push_back("It is the only model evaluated, so it is not compared here.");
  if (!behind.empty())
    part.paragraphs.push_back("Paired by lesion on the same test images, its balanced accuracy is higher than that of " +
                              join(behind) + ".");
  if (!unclear.empty())
    part.paragraphs.push_back("Its lead is not established over every model: " + join(unclear, "; ", "; ") +
                              ". The ranking among these models is therefore open.");
  return part;
}

DiscussionPart fusion(const eval::EvalResults& r) {
  DiscussionPart part{"Does fusion help?", {}};
  std::vector<const eval::ComparisonResult*> overall;
  std::map<std::string, std::vector<const eval::ComparisonResult*>> by_fusion;
  for (const auto& c : r.comparisons) {
    if (c.comparison != eval::kFusionVsBaseline) continue;
    if (c.family == "all") overall.push_back(&c);
    else by_fusion[c.model].push_back(&c);
  }
  if (r.baseline.empty()) {
    part.paragraphs.push_back("No comparison: " + r.baseline_note + ".");
    return part;
  }
  if (overall.empty()) {
    part.paragraphs.push_back("No fusion model in this run, so whether fusion helps cannot be said yet (run hito fuse). "
                              "The best single-modality model, chosen on the validation split, is " + r.baseline + ".");
    return part;
  }
  part.paragraphs.push_back("Each fusion model is compared with " + r.baseline + ", " + r.baseline_note +
                            ", on the same test images, with intervals of the difference that resample lesions.");
  std::vector<std::string> lead_met, level_met, both_met;  // the two parts of the target, and both
  for (const auto* c : overall) {
    const auto& d = c->bacc_difference.difference;
    const auto& m = c->mcnemar;
    std::string more = m.only_a_correct > m.only_b_correct ? c->model : c->reference;
    const double p = std::isfinite(c->p_holm) ? c->p_holm : m.p_value;
    const std::string corrected =
        std::isfinite(c->p_holm) && overall.size() > 1
            ? " (Holm-adjusted over the " + std::to_string(overall.size()) + " fusion comparisons: " + p_value(p) + ")"
            : "";
    std::string verdict = p < 0.05 ? corrected + "; at the 5% level, " + more + " classifies more images correctly"
                                   : corrected + "; no evidence of a difference in accuracy";
    std::string text = "Balanced accuracy: " + describe_difference(c->model, c->reference, d) + ". McNemar's test on the " +
                       count_of(m.only_a_correct + m.only_b_correct, "image") + " that exactly one of the two " +
                       "classified correctly (" + std::to_string(m.only_a_correct) + " for " + c->model + ", " +
                       std::to_string(m.only_b_correct) + " for " + c->reference + "; " + m.method() + "): " +
                       p_value(m.p_value) + verdict +
                       " (McNemar counts mistakes, so it weighs the frequent classes most; balanced accuracy weighs "
                       "every class equally).";
    part.paragraphs.push_back(text);
    const eval::ModelResult* f = r.find_model(c->model);
    bool lead = d.estimate >= 0.03 && excludes_zero_above(d), level = f && f->test.metrics.balanced_accuracy > 0.75;
    if (lead) lead_met.push_back(c->model);
    if (level) level_met.push_back(c->model);
    if (lead && level) both_met.push_back(c->model);
  }
  // "no fusion leads" / "fusion-late leads" / "fusion-early and fusion-late lead"
  auto who = [](const std::vector<std::string>& models, const std::string& singular, const std::string& plural) {
    return (models.empty() ? std::string("no fusion") : join(models)) + " " + (models.size() > 1 ? plural : singular);
  };
  part.paragraphs.push_back(
      "The study's target (a fusion at least 0.03 above the best single-modality model, with an interval that excludes "
      "0, and above 0.75 balanced accuracy) is " +
      (both_met.empty() ? std::string("not met") : "met by " + join(both_met)) + " on this test split: " +
      who(lead_met, "leads", "lead") + " by at least 0.03 with an interval excluding 0; " + who(level_met, "is", "are") +
      " above 0.75.");

  size_t tested = 0, small = 0;
  std::vector<std::string> helps, hurts;
  for (const auto& [model, comparisons] : by_fusion)
    for (const auto* c : comparisons) {
      if (c->rows < kSmallSubgroup) {  // a bootstrap over a handful of lesions says little, whatever its interval
        ++small;
        continue;
      }
      ++tested;
      const auto& d = c->bacc_difference.difference;
      std::string item = subgroup_label(c->family, c->subgroup) + " for " + model + " (" + signed_number(d.estimate) +
                         ", 95% CI " + fixed(d.lower) + " to " + fixed(d.upper) + ", n = " + std::to_string(c->rows) + ")";
      if (excludes_zero_above(d)) helps.push_back(item);
      if (excludes_zero_below(d)) hurts.push_back(item);
    }
  std::string caveat = " Of these " + std::to_string(tested) +
                       " class and subgroup comparisons (those with at least " + std::to_string(kSmallSubgroup) +
                       " test images; " + std::to_string(small) +
                       " smaller ones are not judged), about 1 in 20 would exclude 0 by chance alone even without any "
                       "real difference; treat single findings as hypotheses.";
  if (helps.empty() && hurts.empty())
    part.paragraphs.push_back("In no class or subgroup (age band, sex, body site) does the interval of the difference "
                              "exclude 0: no evidence that fusion helps or hurts a particular group." + caveat);
  else {
    if (!helps.empty())
      part.paragraphs.push_back("The difference is above 0 (interval excluding 0) for " + join(helps, "; ", "; and ") + ".");
    if (!hurts.empty())
      part.paragraphs.push_back("The difference is below 0 (interval excluding 0) for " + join(hurts, "; ", "; and ") + ".");
    part.paragraphs.push_back("Everywhere else the intervals include 0." + caveat);
  }
  return part;
}

DiscussionPart failures(const eval::EvalResults& r) {
  DiscussionPart part{"Where the models fail", {}};
  const eval::ModelResult* best = r.find_model(r.best);
  if (!best) return part;
  const auto& m = best->test.metrics;

  // Classes by recall.
  std::vector<size_t> classes;
  for (size_t k = 0; k < m.per_class.size(); ++k)
    if (m.per_class[k].support > 0) classes.push_back(k);
  std::sort(classes.begin(), classes.end(), [&](size_t a, size_t b) { return m.per_class[a].recall < m.per_class[b].recall; });
  std::vector<std::string> worst_classes;
  for (size_t i = 0; i < std::min<size_t>(2, classes.size()); ++i) {
    size_t k = classes[i];
    std::string item = r.class_names[k] + " (recall " + fixed(m.per_class[k].recall);
    if (const auto* s = find_subgroup(r, "class", r.class_names[k])) {
      const auto& i95 = s->scores.at(best->name).intervals.at("balanced_accuracy");
      item += ", 95% CI " + fixed(i95.lower) + " to " + fixed(i95.upper);
    }
    worst_classes.push_back(item + ", " + count_of(m.per_class[k].support, "test image") + ")");
  }
  if (!worst_classes.empty())
    part.paragraphs.push_back(best->name + " finds the lowest share of the images of " + join(worst_classes) + ".");

  // Confused class pairs.
  std::vector<std::tuple<int64_t, size_t, size_t>> pairs;
  for (size_t t = 0; t < m.confusion.size(); ++t)
    for (size_t p = 0; p < m.confusion[t].size(); ++p)
      if (t != p && m.confusion[t][p] > 0) pairs.emplace_back(m.confusion[t][p], t, p);
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<std::string> confused;
  for (size_t i = 0; i < std::min<size_t>(3, pairs.size()); ++i) {
    auto [count, t, p] = pairs[i];
    confused.push_back(r.class_names[t] + " taken for " + r.class_names[p] + " (" + std::to_string(count) + " of " +
                       std::to_string(m.per_class[t].support) + " " + r.class_names[t] + " images, " +
                       percent(static_cast<double>(count) / static_cast<double>(m.per_class[t].support)) + ")");
  }
  if (!confused.empty())
    part.paragraphs.push_back("The most frequent confusions of " + best->name + " are " + join(confused) + ".");

  // Subgroups of age, sex and site: the lowest scores among those large enough to judge.
  const double overall = best->test.metrics.balanced_accuracy;
  struct Ranked {
    double estimate;
    std::string text;
    bool below;  // the subgroup's interval lies below the overall score
  };
  std::vector<Ranked> ranked;
  std::vector<std::string> small;
  for (const auto& f : r.families) {
    if (f.family == "class") continue;
    for (const auto& s : f.subgroups) {
      const auto& i = s.scores.at(best->name).intervals.at("balanced_accuracy");
      std::string label = subgroup_label(f.family, s.name);
      if (s.rows < kSmallSubgroup) small.push_back(label + " (n = " + std::to_string(s.rows) + ")");
      else
        ranked.push_back({i.estimate,
                          label + " " + fixed(i.estimate) + " (95% CI " + fixed(i.lower) + " to " + fixed(i.upper) +
                              ", n = " + std::to_string(s.rows) + ")",
                          std::isfinite(i.upper) && i.upper < overall});
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) { return a.estimate < b.estimate; });
  std::vector<std::string> worst, below;
  for (size_t j = 0; j < std::min<size_t>(3, ranked.size()); ++j) worst.push_back(ranked[j].text);
  for (const auto& s : ranked)
    if (s.below) below.push_back(s.text);
  if (!worst.empty())
    part.paragraphs.push_back("The lowest balanced accuracies of " + best->name +
                              " among age, sex and body-site subgroups with at least " + std::to_string(kSmallSubgroup) +
                              " test images: " + join(worst) + ".");
  if (!ranked.empty())
    part.paragraphs.push_back(
        below.empty() ? "Every age, sex and body-site subgroup with at least " + std::to_string(kSmallSubgroup) +
                            " test images has an interval that includes the overall " + fixed(overall) +
                            ": no evidence that " + best->name + " does worse in any of them."
                      : "Subgroups whose interval lies entirely below the overall " + fixed(overall) + ": " +
                            join(below) + ". (Among many subgroups, some fall below by chance; these are leads to "
                            "check, not findings.)");
  if (!small.empty())
    part.paragraphs.push_back("Too few test images to judge (fewer than " + std::to_string(kSmallSubgroup) + "): " +
                              join(small) + ".");
  return part;
}

DiscussionPart calibration(const eval::EvalResults& r) {
  DiscussionPart part{"Calibration", {}};
  const eval::ModelResult* best = r.find_model(r.best);
  if (!best) return part;
  double gap = 0;
  int64_t rows = 0;
  for (const auto& bin : best->test.metrics.reliability)
    if (bin.count > 0) {
      gap += static_cast<double>(bin.count) * (bin.confidence - bin.accuracy);
      rows += bin.count;
    }
  gap = rows > 0 ? gap / static_cast<double>(rows) : NAN;
  std::string direction = !std::isfinite(gap)       ? ""
                          : gap > 0.02              ? "; on average its confidence exceeds its accuracy by " + fixed(gap, 2) + " (over-confident)"
                          : gap < -0.02             ? "; on average its accuracy exceeds its confidence by " + fixed(-gap, 2) + " (under-confident)"
                                                    : "; its mean confidence is within 0.02 of its accuracy";
  part.paragraphs.push_back("The expected calibration error of " + best->name + " is " + fixed(best->test.metrics.ece) +
                            direction +
                            ". Class weighting or balanced sampling during training shifts probabilities towards rare "
                            "classes, so the probabilities should be recalibrated (e.g. temperature scaling on the "
                            "validation split) before they are read as risks.");
  return part;
}

// The Wilson 95% interval of a proportion observed on n independent rows; NaN for no rows.
std::pair<double, double> wilson_interval(double share, int64_t n) {
  if (n <= 0 || !std::isfinite(share)) return {NAN, NAN};
  const double z = 1.959963984540054, nn = static_cast<double>(n);
  const double centre = (share + z * z / (2 * nn)) / (1 + z * z / nn);
  const double half = z * std::sqrt(share * (1 - share) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

DiscussionPart explanation(const Explanations& explanations) {
  DiscussionPart part{"What the explanations say", {}};
  if (explanations.scores.empty()) {
    part.paragraphs.push_back("No explanation scores in this run (hito explain writes them to explain/).");
    return part;
  }
  if (!explanations.model.empty())
    part.paragraphs.push_back("The maps explain " + explanations.model +
                              "'s predicted class and are scored against the lesion masks.");
  for (const auto& s : explanations.scores) {
    auto [lower, upper] = wilson_interval(s.pointing_game, s.rows);
    std::string relation = !std::isfinite(lower) || !std::isfinite(s.mask_area)
                               ? "cannot be compared with chance"
                           : lower > s.mask_area ? "is above chance"
                           : upper < s.mask_area ? "is below chance"
                                                 : "is not distinguishable from chance";
    part.paragraphs.push_back(s.method + ": the map's maximum falls on the lesion in " + percent(s.pointing_game) +
                              " of " + std::to_string(s.rows) + " scored test images (95% CI " + percent(lower) + " to " +
                              percent(upper) + ") and " + percent(s.energy_inside) +
                              " of its positive weight lies on the lesion; the lesion covers " + percent(s.mask_area) +
                              " of the image on average, the score of an uninformative map, so the pointing game " +
                              relation + ".");
  }
  part.paragraphs.push_back("The pointing-game intervals are Wilson intervals that treat the images as independent; the "
                            "energy shares are point estimates without intervals. Both measure agreement with the lesion outline, "
                            "not whether the features used are clinically meaningful; a map that also covers the "
                            "surrounding skin is not necessarily wrong.");
  return part;
}

DiscussionPart limits(const eval::EvalResults& r) {
  DiscussionPart part{"Limits", {}};
  const eval::ModelResult* any = r.models.empty() ? nullptr : &r.models.front();
  if (any) {
    const auto& per_class = any->test.metrics.per_class;
    size_t largest = 0, smallest = 0;
    for (size_t k = 0; k < per_class.size(); ++k) {
      if (per_class[k].support > per_class[largest].support) largest = k;
      if (per_class[k].support < per_class[smallest].support) smallest = k;
    }
    part.paragraphs.push_back(
        "Class imbalance: " + r.class_names[largest] + " makes up " +
        percent(static_cast<double>(per_class[largest].support) / static_cast<double>(r.test_rows)) +
        " of the test images and " + r.class_names[smallest] + " only " + std::to_string(per_class[smallest].support) +
        ", so the recall of the rare classes, and with it the balanced accuracy, has wide intervals.");
  }
  std::vector<std::string> missing;
  for (const auto& [family, name, what] : {std::tuple{"age", study::kMissingAge, "the age"},
                                           std::tuple{"sex", study::kUnknownSex, "the sex"},
                                           std::tuple{"site", study::kUnknownSite, "the body site"}})
    if (const auto* s = find_subgroup(r, family, name)) missing.push_back(std::to_string(s->rows) + " lack " + what);
  if (!missing.empty())
    part.paragraphs.push_back("Missing metadata: of the " + count_of(r.test_rows, "test image") + ", " +
                              join(missing) + "; the metadata models see these only through imputed values and "
                              "missing-value indicators.");
  std::vector<std::string> inputs;
  for (const auto& m : r.models)
    if (!m.image_input.empty()) inputs.push_back(m.name + " " + m.image_input);
  part.paragraphs.push_back(
      "Image size: the networks see downsampled images" +
      (inputs.empty() ? std::string(" (the input size is recorded in each image model's config.json)")
                      : " (height x width: " + join(inputs) + ")") +
      ", which loses fine structures such as dots and streaks that dermatologists use.");
  part.paragraphs.push_back(
      "One source: every image comes from one data set, and the test split is drawn from the same collection "
      "(different lesions, same clinics and devices). Nothing here shows how the models behave on other clinics, "
      "cameras or skin types; the intervals only cover the resampling of these lesions.");
  part.paragraphs.push_back("The test split was used once, for this evaluation: models and fusion weights were chosen "
                            "on the validation split.");
  return part;
}

DiscussionPart future_work() {
  return {"Future work",
          {"External validation on another data set (e.g. another clinic's dermoscopy images); larger input images and "
           "fine-tuning on a GPU; recalibration on the validation split; more training data or augmentation for the "
           "rare classes; subgroup analyses with enough images per subgroup; a dermatologist's review of the "
           "explanation maps."}};
}

}  // namespace

std::string describe_difference(const std::string& what_a, const std::string& what_b, const eval::Interval& d) {
  std::string interval = "95% CI " + fixed(d.lower) + " to " + fixed(d.upper);
  if (excludes_zero_above(d)) return what_a + " is higher than " + what_b + " by " + fixed(d.estimate) + " (" + interval + ")";
  if (excludes_zero_below(d)) return what_a + " is lower than " + what_b + " by " + fixed(-d.estimate) + " (" + interval + ")";
  return "there is no evidence of a difference between " + what_a + " and " + what_b + ": the difference is " +
         fixed(d.estimate) + " (" + interval + "), an interval that includes 0";
}

Explanations read_explanations(const fs::path& explain_dir) {
  Explanations out;
  const fs::path path = explain_dir / "mask_scores.csv", summary = explain_dir / "mask_scores.json";
  if (fs::exists(summary)) {
    Json j = read_json_file(summary);
    if (j.is_object() && j.contains("model") && j["model"].is_string()) out.model = j["model"].get<std::string>();
  }
  if (!fs::exists(path)) return out;
  std::vector<ExplanationScore>& scores = out.scores;
  data::CsvTable table = data::read_csv(path);
  int64_t method = table.require_column("method"), cls = table.require_column("class"),
          rows = table.require_column("rows"), pointing = table.require_column("pointing_game"),
          energy = table.require_column("energy_inside"), area = table.require_column("mask_area");
  auto number = [&](int64_t r, int64_t c) {
    const std::string& cell = table.rows[static_cast<size_t>(r)][static_cast<size_t>(c)];
    if (cell.empty()) return static_cast<double>(NAN);
    std::optional<double> value = data::parse_number(cell);
    HITO_CHECK(value, table.where(r), ": '", cell, "' in column ", table.header[static_cast<size_t>(c)], " is not a number");
    return *value;
  };
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    const auto& fields = table.rows[static_cast<size_t>(r)];
    if (fields[static_cast<size_t>(cls)] != "all") continue;
    scores.push_back({fields[static_cast<size_t>(method)], static_cast<int64_t>(number(r, rows)), number(r, pointing),
                      number(r, energy), number(r, area)});
  }
  return out;
}

std::vector<DiscussionPart> draft_discussion(const eval::EvalResults& results, const Explanations& explanations) {
  return {best_model(results), fusion(results),      failures(results), calibration(results),
          explanation(explanations), limits(results), future_work()};
}

}  // namespace hito::report

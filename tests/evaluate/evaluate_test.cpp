// hito evaluate on a tiny run with hand-made model folders: scores checked against hand counts, the
// baseline chosen on validation, the paired comparison and McNemar counts, subgroup sizes, lesion
// resampling, the fingerprint refusal and the same-test-rows check, and eval.json read back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>

#include "apps/report/sections/sections.h"
#include "apps/eval/eval_results.h"
#include "apps/study/evaluate/evaluate.h"
#include "apps/study/train/model_output.h"
#include "apps/study/prepare/prepare.h"
#include "data/csv.h"
#include "base/error.h"
#include "base/fs.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

namespace fs = std::filesystem;

// Which class a hand-made model predicts at position i of a split, given the true label.
using Rule = std::function<int64_t(size_t i, int64_t label)>;

struct TinyRun {
  fs::path run;
  study::PreparedData data;
  std::vector<int64_t> labels, test_rows, val_rows;
};

// The synthetic test split happens to hold one image per lesion: to see that intervals resample
// lesions, pairs of consecutive test rows are made images of one lesion (rows.csv's group column).
void pair_test_lesions(const fs::path& run) {
  fs::path path = run / "prepared" / "rows.csv";
  data::CsvTable rows = data::read_csv(path);
  int64_t group = rows.require_column("group"), split = rows.require_column("split");
  data::CsvWriter out(rows.header);
  std::string first_of_pair;
  int64_t test_index = 0;
  for (auto fields : rows.rows) {
    if (fields[static_cast<size_t>(split)] == "test") {
      if (test_index++ % 2 == 0) first_of_pair = fields[static_cast<size_t>(group)];
      else fields[static_cast<size_t>(group)] = first_of_pair;
    }
    out.row(fields);
  }
  out.write(path);
}

TinyRun make_run(const std::string& name) {
  TinyRun t;
  t.run = testing::temp_dir(name);
  fs::copy(testing::prepared_run_for_tests(160, 1) / "prepared", t.run / "prepared", fs::copy_options::recursive);
  pair_test_lesions(t.run);
  t.data = study::load_prepared(t.run);
  t.labels = t.data.labels.to_vector<int64_t>();
  t.test_rows = t.data.rows_of(data::Part::Test);
  t.val_rows = t.data.rows_of(data::Part::Val);
  return t;
}

Tensor probabilities(const TinyRun& t, const std::vector<int64_t>& rows, const Rule& rule) {
  int64_t k = t.data.num_classes();
  std::vector<float> p;
  for (size_t i = 0; i < rows.size(); ++i) {
    int64_t predicted = rule(i, t.labels[static_cast<size_t>(rows[i])]);
    for (int64_t c = 0; c < k; ++c) p.push_back(c == predicted ? 0.7f : 0.3f / static_cast<float>(k - 1));
  }
  return Tensor::from_vector(p, {static_cast<int64_t>(rows.size()), k});
}

std::vector<std::string> ids_of(const TinyRun& t, const std::vector<int64_t>& rows) {
  std::vector<std::string> ids;
  for (int64_t r : rows) ids.push_back(t.data.ids[static_cast<size_t>(r)]);
  return ids;
}

void write_model(const TinyRun& t, const std::string& name, const std::string& kind, const Rule& val, const Rule& test,
                 const std::string& fingerprint = "") {
  fs::path dir = t.run / name;
  fs::create_directories(dir);
  nlohmann::json config = {{"kind", kind}, {"fingerprint", fingerprint.empty() ? t.data.fingerprint : fingerprint}};
  if (kind == "image-head") config["network"] = {{"mode", "head"}, {"preprocessing", {{"height", 64}, {"width", 48}}}};
  write_file_atomic(dir / study::kModelConfig, config.dump());
  study::write_predictions_csv(dir / study::kPredictionsVal, t.data.config.id_column, ids_of(t, t.val_rows),
                               probabilities(t, t.val_rows, val), t.data.classes);
  study::write_predictions_csv(dir / study::kPredictionsTest, t.data.config.id_column, ids_of(t, t.test_rows),
                               probabilities(t, t.test_rows, test), t.data.classes);
}

int64_t wrong(int64_t label, int64_t k) { return (label + 1) % k; }

// Balanced accuracy by hand: the mean over the classes present of the share of their rows predicted right.
double hand_bacc(const TinyRun& t, const Rule& rule) {
  std::map<int64_t, std::pair<int64_t, int64_t>> per_class;  // label -> (right, rows)
  for (size_t i = 0; i < t.test_rows.size(); ++i) {
    int64_t label = t.labels[static_cast<size_t>(t.test_rows[i])];
    per_class[label].first += rule(i, label) == label;
    ++per_class[label].second;
  }
  double sum = 0;
  for (const auto& [label, counts] : per_class) sum += static_cast<double>(counts.first) / counts.second;
  return sum / static_cast<double>(per_class.size());
}

class Evaluate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    t_ = new TinyRun(make_run("evaluate_tiny"));
    int64_t k = t_->data.num_classes();
    // tabular: perfect on validation (so it is the baseline), right on every third test row.
    tabular_ = [k](size_t i, int64_t y) { return i % 3 == 0 ? y : wrong(y, k); };
    // image-head: better on test (every second row) but worse on validation.
    image_ = [k](size_t i, int64_t y) { return i % 2 == 0 ? y : wrong(y, k); };
    write_model(*t_, "tabular", "tabular", [](size_t, int64_t y) { return y; }, tabular_);
    write_model(*t_, "image-head", "image-head", image_, image_);
    write_model(*t_, "fusion-late", "fusion-late", [](size_t, int64_t y) { return y; }, [](size_t, int64_t y) { return y; });
    // A folder another command is still writing (OutputDir's temporary name) is not a model yet.
    write_model(*t_, "fusion-joint.partial-99", "fusion-joint", image_, image_);
    study::EvaluateOptions options;
    options.run_dir = t_->run;
    options.resamples = 200;
    results_ = new eval::EvalResults(study::run_evaluate(options));
  }
  static void TearDownTestSuite() {
    delete results_;
    delete t_;
  }
  static TinyRun* t_;
  static eval::EvalResults* results_;
  static Rule tabular_, image_;
};
TinyRun* Evaluate::t_ = nullptr;
eval::EvalResults* Evaluate::results_ = nullptr;
Rule Evaluate::tabular_, Evaluate::image_;

TEST_F(Evaluate, EveryModelOnTheTestRowsScoredAsByHand) {
  const auto& r = *results_;
  ASSERT_EQ(r.models.size(), 3u);
  EXPECT_EQ(r.models[0].name, "tabular");
  EXPECT_EQ(r.models[0].modality, "metadata");
  EXPECT_EQ(r.models[1].name, "image-head");
  EXPECT_EQ(r.models[1].modality, "image");
  EXPECT_EQ(r.models[2].name, "fusion-late");
  EXPECT_EQ(r.models[2].modality, "fusion");
  EXPECT_EQ(r.test_rows, static_cast<int64_t>(t_->test_rows.size()));
  EXPECT_NEAR(r.models[0].test.metrics.balanced_accuracy, hand_bacc(*t_, tabular_), 1e-12);
  EXPECT_NEAR(r.models[1].test.metrics.balanced_accuracy, hand_bacc(*t_, image_), 1e-12);
  EXPECT_DOUBLE_EQ(r.models[2].test.metrics.balanced_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(r.models[0].val_balanced_accuracy, 1.0);
  for (const auto& m : r.models) EXPECT_EQ(m.test.metrics.rows, r.test_rows);
  EXPECT_EQ(r.models[1].image_input, "64x48");
  EXPECT_EQ(r.models[0].image_input, "");
}

TEST_F(Evaluate, IntervalsResampleLesions) {
  std::set<std::string> lesions;
  for (int64_t row : t_->test_rows) lesions.insert(t_->data.groups[static_cast<size_t>(row)]);
  EXPECT_EQ(results_->test_lesions, static_cast<int64_t>(lesions.size()));
  EXPECT_EQ(results_->test_lesions, (results_->test_rows + 1) / 2);
  for (const auto& m : results_->models) {
    const auto& bacc = m.test.intervals.at("balanced_accuracy");
    EXPECT_EQ(bacc.groups, results_->test_lesions);
    EXPECT_EQ(bacc.resamples, 200);
    EXPECT_LE(bacc.lower, bacc.estimate);
    EXPECT_GE(bacc.upper, bacc.estimate);
  }
}

TEST_F(Evaluate, SubgroupsPartitionTheTestRows) {
  ASSERT_EQ(results_->families.size(), 4u);
  for (const auto& f : results_->families) {
    ASSERT_TRUE(f.skipped.empty()) << f.family << ": " << f.skipped;
    int64_t rows = 0;
    for (const auto& s : f.subgroups) {
      rows += s.rows;
      EXPECT_GT(s.rows, 0);
      EXPECT_LE(s.lesions, s.rows);
      EXPECT_EQ(s.scores.size(), 3u);
      EXPECT_DOUBLE_EQ(s.scores.at("fusion-late").intervals.at("balanced_accuracy").estimate, 1.0);
    }
    EXPECT_EQ(rows, results_->test_rows) << f.family;
  }
  // Within one true class, balanced accuracy is that class's recall.
  const auto& classes = results_->families[0];
  const auto& tabular = results_->models[0].test.metrics;
  for (const auto& s : classes.subgroups) {
    size_t k = static_cast<size_t>(std::find(results_->class_names.begin(), results_->class_names.end(), s.name) -
                                   results_->class_names.begin());
    EXPECT_NEAR(s.scores.at("tabular").intervals.at("balanced_accuracy").estimate, tabular.per_class[k].recall, 1e-12);
    EXPECT_EQ(s.rows, tabular.per_class[k].support);
  }
}

TEST_F(Evaluate, FusionAgainstTheBaselineChosenOnValidation) {
  const auto& r = *results_;
  EXPECT_EQ(r.baseline, "tabular");  // best on validation, although image-head is better on test
  ASSERT_FALSE(r.comparisons.empty());
  const auto& all = r.comparisons[0];
  EXPECT_EQ(all.comparison, eval::kFusionVsBaseline);
  EXPECT_EQ(all.model, "fusion-late");
  EXPECT_EQ(all.reference, "tabular");
  EXPECT_EQ(all.family, "all");
  EXPECT_NEAR(all.bacc_difference.difference.estimate, 1.0 - hand_bacc(*t_, tabular_), 1e-12);
  int64_t only_fusion = 0;
  for (size_t i = 0; i < t_->test_rows.size(); ++i) only_fusion += i % 3 != 0;
  EXPECT_EQ(all.mcnemar.only_a_correct, only_fusion);
  EXPECT_EQ(all.mcnemar.only_b_correct, 0);
  EXPECT_EQ(all.mcnemar.both_correct, r.test_rows - only_fusion);
  EXPECT_GT(all.bacc_difference.difference.lower, 0.0);
  // One comparison per subgroup of every family besides the overall one, then the model chosen on
  // validation (tabular, although fusion-late is far better on test: the test split chooses nothing)
  // against the two others.
  size_t subgroups = 0;
  for (const auto& f : r.families) subgroups += f.subgroups.size();
  ASSERT_EQ(r.comparisons.size(), 1 + subgroups + 2);
  EXPECT_EQ(r.best, "tabular");
  const auto& lead = r.comparisons.back();
  EXPECT_EQ(lead.comparison, eval::kBestVsOther);
  EXPECT_EQ(lead.model, "tabular");
  EXPECT_EQ(lead.reference, "fusion-late");
  EXPECT_NEAR(lead.bacc_difference.difference.estimate, hand_bacc(*t_, tabular_) - 1.0, 1e-12);
  // Holm over the comparisons tested together: one fusion overall (unchanged), two best-vs-other.
  EXPECT_DOUBLE_EQ(all.p_holm, all.mcnemar.p_value);
  const auto& first_lead = r.comparisons[r.comparisons.size() - 2];
  const double smaller = std::min(first_lead.mcnemar.p_value, lead.mcnemar.p_value);
  EXPECT_DOUBLE_EQ(std::min(first_lead.p_holm, lead.p_holm), std::min(1.0, 2 * smaller));
  EXPECT_GE(lead.p_holm, lead.mcnemar.p_value);
}

TEST_F(Evaluate, FilesAndEvalJsonReadBack) {
  fs::path dir = t_->run / eval::kEvalFolder;
  for (const char* file : {"models.csv", "per_class.csv", "subgroups.csv", "comparisons.csv", "eval.json",
                           "forest_age.svg", "forest_sex.svg", "forest_site.svg", "forest_class.svg",
                           "confusion_tabular.svg", "reliability_fusion-late.svg"})
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  data::CsvTable models = data::read_csv(dir / "models.csv");
  ASSERT_EQ(models.num_rows(), 3);
  EXPECT_EQ(models.rows[2][0], "fusion-late");
  data::CsvTable subgroups = data::read_csv(dir / "subgroups.csv");
  size_t expected = 0;
  for (const auto& f : results_->families) expected += 3 * f.subgroups.size();
  EXPECT_EQ(static_cast<size_t>(subgroups.num_rows()), expected);

  eval::EvalResults back = eval::read_eval_results(dir / eval::kEvalJson);
  EXPECT_EQ(back.class_names, results_->class_names);
  ASSERT_EQ(back.models.size(), 3u);
  EXPECT_DOUBLE_EQ(back.models[0].test.metrics.balanced_accuracy, results_->models[0].test.metrics.balanced_accuracy);
  EXPECT_DOUBLE_EQ(back.models[0].test.intervals.at("balanced_accuracy").lower,
                   results_->models[0].test.intervals.at("balanced_accuracy").lower);
  EXPECT_EQ(back.models[1].image_input, "64x48");
  EXPECT_EQ(back.families.size(), results_->families.size());
  EXPECT_EQ(back.families[1].subgroups.size(), results_->families[1].subgroups.size());
  EXPECT_EQ(back.baseline, "tabular");
  EXPECT_EQ(back.best, "tabular");
  EXPECT_DOUBLE_EQ(back.comparisons.back().p_holm, results_->comparisons.back().p_holm);
  EXPECT_EQ(back.comparisons.back().comparison, eval::kBestVsOther);
  ASSERT_EQ(back.comparisons.size(), results_->comparisons.size());
  EXPECT_EQ(back.comparisons[0].mcnemar.only_a_correct, results_->comparisons[0].mcnemar.only_a_correct);
  EXPECT_DOUBLE_EQ(back.comparisons[0].bacc_difference.difference.upper,
                   results_->comparisons[0].bacc_difference.difference.upper);
}

TEST_F(Evaluate, TheReportShowsTheEvaluationAndTheDraftedDiscussionLast) {
  report::Report built = report::build_report({t_->run, false});
  ASSERT_GE(built.sections().size(), 2u);
  EXPECT_EQ(built.sections().back().title(), "Discussion (draft)");
  std::string html = built.render();
  for (const char* part : {"Evaluation on the test split", "Subgroups", "Calibration", "Paired comparisons",
                           "Draft for the researcher", "Does fusion help?", "fusion-late is higher than tabular"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
}

TEST(EvaluateReport, SkippedWithTheCommandWhenThereIsNoEvaluation) {
  fs::path run = testing::temp_dir("evaluate_no_eval");
  report::Report built = report::build_report({run, false});
  std::string html = built.render();
  EXPECT_NE(html.find("Run `hito evaluate --run"), std::string::npos);
  EXPECT_NE(html.find("which `hito evaluate` writes"), std::string::npos);
}

TEST(EvaluateRefusal, AModelTrainedOnOtherDataIsRefusedAndNothingIsWritten) {
  TinyRun t = make_run("evaluate_fingerprint");
  Rule right = [](size_t, int64_t y) { return y; };
  write_model(t, "tabular", "tabular", right, right);
  write_model(t, "pixels", "pixels", right, right, "0123456789abcdef");
  study::EvaluateOptions options;
  options.run_dir = t.run;
  options.resamples = 10;
  try {
    study::run_evaluate(options);
    FAIL() << "expected the fingerprint refusal";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("pixels"), std::string::npos) << message;
    EXPECT_NE(message.find("0123456789abcdef"), std::string::npos) << message;
    EXPECT_NE(message.find(t.data.fingerprint), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(t.run / eval::kEvalFolder));
}

TEST(EvaluateRefusal, EveryModelMustCoverTheSameTestRows) {
  TinyRun t = make_run("evaluate_rows");
  Rule right = [](size_t, int64_t y) { return y; };
  write_model(t, "tabular", "tabular", right, right);
  // Rewrite image-head's test predictions without the last test row.
  write_model(t, "image-head", "image-head", right, right);
  std::vector<int64_t> fewer(t.test_rows.begin(), t.test_rows.end() - 1);
  study::write_predictions_csv(t.run / "image-head" / study::kPredictionsTest, t.data.config.id_column, ids_of(t, fewer),
                               probabilities(t, fewer, right), t.data.classes);
  study::EvaluateOptions options;
  options.run_dir = t.run;
  options.resamples = 10;
  try {
    study::run_evaluate(options);
    FAIL() << "expected an error for a missing test row";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("image-head"), std::string::npos) << message;
    EXPECT_NE(message.find("has no prediction for the test row '" + t.data.ids[static_cast<size_t>(t.test_rows.back())]),
              std::string::npos)
        << message;
  }
  EXPECT_FALSE(fs::exists(t.run / eval::kEvalFolder));
}

TEST(EvaluateRefusal, ModalityFromNameOrKind) {
  EXPECT_EQ(study::model_modality("fusion-early", "fusion-early"), "fusion");
  EXPECT_EQ(study::model_modality("my-model", "fusion-joint"), "fusion");
  EXPECT_EQ(study::model_modality("tabular", "tabular"), "metadata");
  EXPECT_EQ(study::model_modality("search", ""), "metadata");
  EXPECT_EQ(study::model_modality("pixels", "pixels"), "image");
  EXPECT_EQ(study::model_modality("image-scratch", "image-scratch"), "image");
  EXPECT_EQ(study::model_modality("something", "else"), "other");
}

}  // namespace
}  // namespace hito

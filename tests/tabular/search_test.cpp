// hito search: the trials each strategy plans, the files it writes, and the best trial's
// configuration read back by hito tabular --config best.
#include <gtest/gtest.h>

#include <set>

#include "apps/report/sections/sections.h"
#include "apps/study/tabular/search.h"
#include "data/csv.h"
#include "tests/tabular/tabular_fixture.h"

namespace hito::study {
namespace {

TEST(SearchPlan, GridEnumeratesTheProductAndCanBeCut) {
  TabularHyper base;
  base.patience = 7;
  SearchSpace space = grid_space();
  std::vector<TabularHyper> plan = plan_trials("grid", 0, space, base, 0);
  ASSERT_EQ(static_cast<int64_t>(plan.size()), space.size());
  EXPECT_EQ(space.size(), 64);
  std::set<std::string> distinct;
  for (const TabularHyper& h : plan) {
    distinct.insert(h.to_json().dump());
    EXPECT_EQ(h.patience, 7) << "the base's entries are kept";
  }
  EXPECT_EQ(distinct.size(), plan.size());
  // Batch size varies fastest, lr slowest.
  EXPECT_EQ(plan[0].batch_size, space.batch_size[0]);
  EXPECT_EQ(plan[1].batch_size, space.batch_size[1]);
  EXPECT_EQ(plan.back().lr, space.lr.back());
  EXPECT_EQ(plan_trials("grid", 5, space, base, 0).size(), 5u);
  EXPECT_THROW(plan_trials("bayes", 5, space, base, 0), Error);
}

TEST(SearchPlan, RandomDrawsFromTheListsWithTheSeed) {
  SearchSpace space = random_space();
  std::vector<TabularHyper> a = plan_trials("random", 12, space, {}, 1), b = plan_trials("random", 12, space, {}, 1),
                            c = plan_trials("random", 12, space, {}, 2);
  ASSERT_EQ(a.size(), 12u);
  std::string ja, jc;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].to_json(), b[i].to_json());
    ja += a[i].to_json().dump();
    jc += c[i].to_json().dump();
    EXPECT_NE(std::find(space.width.begin(), space.width.end(), a[i].width), space.width.end());
    EXPECT_NE(std::find(space.lr.begin(), space.lr.end(), a[i].lr), space.lr.end());
  }
  EXPECT_NE(ja, jc);
  EXPECT_EQ(plan_trials("random", 0, space, {}, 1).size(), 24u);
}

TEST(Search, WritesTrialsAndTheBestConfigurationThatTabularReads) {
  fs::path run = tabular_test_run("search");
  SearchOptions o;
  o.run_dir = run;
  o.strategy = "random";
  o.trials = 3;
  o.base.epochs = 3;
  o.seed = 2;
  SearchResult result = run_search(o);
  EXPECT_EQ(result.trials, 3);

  data::CsvTable trials = data::read_csv(run / "search" / "trials.csv");
  EXPECT_EQ(trials.header,
            (std::vector<std::string>{"trial", "mode", "lr", "width", "depth", "dropout", "weight_decay", "batch_size",
                                      "val_bacc", "val_macro_auc", "val_loss", "best_epoch", "epochs_run", "seconds"}));
  ASSERT_EQ(trials.num_rows(), 3);
  const int64_t score = trials.require_column("val_bacc");
  double best = -1;
  for (const auto& row : trials.rows) best = std::max(best, std::stod(row[static_cast<size_t>(score)]));
  EXPECT_DOUBLE_EQ(result.best_val_bacc, best);
  EXPECT_TRUE(fs::exists(run / "search" / "search.svg"));

  nlohmann::json saved = nlohmann::json::parse(read_file(best_config_path(run)));
  EXPECT_EQ(saved["scored_on"], "val");
  EXPECT_DOUBLE_EQ(saved["val_bacc"].get<double>(), best);

  TabularOptions t = quick_tabular_options(run);
  t.config = "best";
  t.overrides = {{"epochs", 2}};
  TabularHyper h = resolve_hyper(t);
  EXPECT_EQ(h.width, result.best.width);
  EXPECT_EQ(h.depth, result.best.depth);
  EXPECT_EQ(h.batch_size, result.best.batch_size);
  EXPECT_FLOAT_EQ(h.lr, result.best.lr);
  EXPECT_EQ(h.epochs, 2);
  fs::path folder = run_tabular(t);
  nlohmann::json config = nlohmann::json::parse(read_file(folder / "config.json"));
  EXPECT_EQ(config["config_source"], "best");
  EXPECT_EQ(config["hyperparameters"]["width"], result.best.width);

  // The report's search section: the best configuration, the ranked trials and the figure.
  report::Report report("test");
  report::build_search_section({.run_dir = run}, report);
  const std::string html = report.render();
  EXPECT_NE(html.find("Trials ranked by validation balanced accuracy"), std::string::npos);
  EXPECT_NE(html.find("data:image/svg+xml"), std::string::npos);
  report::Report empty("test");
  report::build_search_section({.run_dir = testing::temp_dir("hito-search-none")}, empty);
  EXPECT_NE(empty.render().find("Skipped: no search/trials.csv"), std::string::npos);
}

}  // namespace
}  // namespace hito::study

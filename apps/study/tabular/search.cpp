// hito search: trials of the tabular MLP scored on the validation split, the table and the best
// configuration.
#include "apps/study/tabular/search.h"

#include <chrono>
#include <cstdio>

#include "apps/eval/metrics.h"
#include "plot/line_chart.h"
#include "data/csv.h"
#include "base/fs.h"
#include "base/json.h"
#include "kernels/runtime.h"
#include "engine/random.h"

namespace hito::study {

namespace {

inline constexpr const char* kTrialsFile = "trials.csv";
inline constexpr const char* kSearchFigure = "search.svg";

struct TrialScore {
  double val_bacc = 0, val_macro_auc = 0, val_loss = 0, seconds = 0;
  int64_t best_epoch = 0, epochs_run = 0;
};

// One trial; its epochs are checkpointed in `run`'s checkpoint, which --resume continues.
TrialScore score_trial(const PreparedData& data, const TabularInputs& inputs, const TabularHyper& hyper,
                       const SearchOptions& o, const std::string& label, const TrainingRun& run) {
  const auto start = std::chrono::steady_clock::now();
  TabularFit fit = fit_tabular(data, inputs, hyper,
                               {.seed = o.seed, .device = o.device, .progress = o.progress, .with_test = false, .label = label,
                                .run = &run});
  TrialScore s;
  s.val_bacc = fit.training.best_val_bacc;
  eval::Predictions p = eval::make_predictions(
      Tensor::from_vector(fit.val.labels, {static_cast<int64_t>(fit.val.labels.size())}), fit.val.probabilities);
  p.num_classes = data.num_classes();
  s.val_macro_auc = eval::macro_auc(p);
  s.val_loss = fit.val.loss;
  s.best_epoch = fit.training.best_epoch;
  s.epochs_run = static_cast<int64_t>(fit.training.history.size());
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

// The search's resume file, <run>/checkpoints/search-trials.json: the scores of the trials done, and
// the plan they belong to (the data's fingerprint and every trial's hyperparameters), which must
// match for --resume to reuse them.
fs::path trials_done_path(const TrainingRun& run) { return run.checkpoint().parent_path() / "search-trials.json"; }

std::string plan_key(const std::vector<TabularHyper>& plan, const PreparedData& data) {
  nlohmann::ordered_json trials = nlohmann::ordered_json::array();
  for (const TabularHyper& h : plan) trials.push_back(h.to_json());
  return "data=" + data.fingerprint + " trials=" + trials.dump();
}

void save_trials_done(const fs::path& path, const std::string& key, const std::vector<TrialScore>& scores) {
  nlohmann::json rows = nlohmann::json::array();
  for (const TrialScore& s : scores)
    rows.push_back({s.val_bacc, s.val_macro_auc, s.val_loss, s.seconds, s.best_epoch, s.epochs_run});
  write_file_atomic(path, nlohmann::json{{"plan", key}, {"scores", rows}}.dump() + "\n");
}

std::vector<TrialScore> load_trials_done(const fs::path& path, const std::string& key) {
  if (!fs::exists(path)) return {};
  Json file = read_json_file(path);
  JsonReader<Json> read(file, path.string());
  HITO_CHECK(read.text("plan") == key, path.string(),
             ": was written by a search with another plan (data, strategy, trials or seed); delete it to start over");
  std::vector<TrialScore> scores;
  try {
    for (const Json& r : read.array("scores"))
      scores.push_back({r.at(0).get<double>(), r.at(1).get<double>(), r.at(2).get<double>(), r.at(3).get<double>(),
                        r.at(4).get<int64_t>(), r.at(5).get<int64_t>()});
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(path.string(), ": malformed trial scores: ", e.what());
  }
  return scores;
}

bool better(const TrialScore& a, const TrialScore& b) {
  if (a.val_bacc != b.val_bacc) return a.val_bacc > b.val_bacc;
  return a.val_macro_auc > b.val_macro_auc;
}

std::string search_figure(const std::vector<TrialScore>& scores, size_t best) {
  plot::LineChart chart;
  chart.title = "Search: validation balanced accuracy per trial";
  chart.x_label = "trial";
  chart.y_label = "val balanced accuracy";
  chart.integer_x = true;
  plot::Series series{.name = "trials", .x = {}, .y = {}, .line = false, .markers = true};
  for (size_t i = 0; i < scores.size(); ++i) {
    series.x.push_back(static_cast<double>(i + 1));
    series.y.push_back(scores[i].val_bacc);
  }
  chart.series.push_back(series);
  char label[64];
  std::snprintf(label, sizeof label, "best: trial %zu (%.3f)", best + 1, scores[best].val_bacc);
  chart.highlights.push_back({static_cast<double>(best + 1), scores[best].val_bacc, label});
  return plot::render_line_chart(chart);
}

template <typename T>
T pick(const std::vector<T>& values, Generator& gen) {
  return values[static_cast<size_t>(gen.integer(static_cast<int64_t>(values.size())))];
}

}  // namespace

int64_t SearchSpace::size() const {
  return static_cast<int64_t>(lr.size() * width.size() * depth.size() * dropout.size() * weight_decay.size() *
                              batch_size.size());
}

SearchSpace grid_space() {
  return {.lr = {1e-3f, 1e-2f}, .dropout = {0.1f, 0.4f}, .weight_decay = {1e-4f, 1e-2f},
          .width = {32, 128}, .depth = {1, 3}, .batch_size = {64, 256}};
}

SearchSpace random_space() {
  return {.lr = {1e-4f, 3e-4f, 1e-3f, 3e-3f, 1e-2f, 3e-2f},
          .dropout = {0.0f, 0.1f, 0.2f, 0.3f, 0.5f},
          .weight_decay = {0.0f, 1e-5f, 1e-4f, 1e-3f, 1e-2f},
          .width = {16, 32, 64, 128, 256},
          .depth = {1, 2, 3, 4},
          .batch_size = {32, 64, 128, 256, 512}};
}

std::vector<TabularHyper> plan_trials(const std::string& strategy, int64_t trials, const SearchSpace& space,
                                      const TabularHyper& base, uint64_t seed) {
  HITO_CHECK(space.size() > 0, "search: every hyperparameter needs at least one value");
  HITO_CHECK(trials >= 0, "--trials must be >= 0, got ", trials);
  std::vector<TabularHyper> plan;
  if (strategy == "grid") {
    for (float lr : space.lr)
      for (int64_t width : space.width)
        for (int64_t depth : space.depth)
          for (float dropout : space.dropout)
            for (float weight_decay : space.weight_decay)
              for (int64_t batch_size : space.batch_size) {
                TabularHyper h = base;
                h.lr = lr, h.width = width, h.depth = depth, h.dropout = dropout, h.weight_decay = weight_decay;
                h.batch_size = batch_size;
                plan.push_back(h);
              }
    if (trials > 0 && trials < static_cast<int64_t>(plan.size())) plan.resize(static_cast<size_t>(trials));
    return plan;
  }
  HITO_CHECK(strategy == "random", "--strategy must be grid or random, got '", strategy, "'");
  Generator gen(seed ^ 0x5ea4c4ull);
  for (int64_t t = 0; t < (trials > 0 ? trials : 24); ++t) {
    TabularHyper h = base;
    h.lr = pick(space.lr, gen);
    h.width = pick(space.width, gen);
    h.depth = pick(space.depth, gen);
    h.dropout = pick(space.dropout, gen);
    h.weight_decay = pick(space.weight_decay, gen);
    h.batch_size = pick(space.batch_size, gen);
    plan.push_back(h);
  }
  return plan;
}

SearchResult run_search(const SearchOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  const TrainingRun run(o.run_dir, "search", o.resume, "hito search");
  PreparedData data = load_prepared(o.run_dir);
  TabularHyper base = o.base.updated(nlohmann::json::object(), "the search's base configuration");
  if (o.smoke) base.epochs = 1;
  const std::vector<TabularHyper> plan =
      plan_trials(o.strategy, o.trials, o.strategy == "grid" ? grid_space() : random_space(), base, o.seed);
  TabularInputs inputs = tabular_inputs(data, base.mode);

  // --resume: the trials done are kept, the one in progress continues from its last epoch.
  const fs::path trials_done = trials_done_path(run);
  const std::string key = plan_key(plan, data);
  std::vector<TrialScore> scores = o.resume ? load_trials_done(trials_done, key) : std::vector<TrialScore>();
  HITO_CHECK(scores.size() <= plan.size(), trials_done.string(), ": holds more trials than the plan");
  if (!scores.empty()) std::printf("search: resumed after trial %zu of %zu\n", scores.size(), plan.size());
  size_t best = 0;
  for (size_t t = 0; t < scores.size(); ++t)
    if (better(scores[t], scores[best])) best = t;
  for (size_t t = scores.size(); t < plan.size(); ++t) {
    const TabularHyper& h = plan[t];
    scores.push_back(score_trial(data, inputs, h, o, "trial " + std::to_string(t + 1), run));
    run.finish();  // the trial's epoch checkpoint, before the trial counts as done (a kill between: it reruns)
    save_trials_done(trials_done, key, scores);
    if (better(scores[t], scores[best])) best = t;
    std::printf("search trial %zu/%zu: lr %g width %lld depth %lld dropout %g weight decay %g batch %lld -> val bacc %.3f, "
                "macro AUC %.3f (best epoch %lld, %.1fs)%s\n",
                t + 1, plan.size(), h.lr, static_cast<long long>(h.width), static_cast<long long>(h.depth), h.dropout,
                h.weight_decay, static_cast<long long>(h.batch_size), scores[t].val_bacc, scores[t].val_macro_auc,
                static_cast<long long>(scores[t].best_epoch), scores[t].seconds, best == t ? " (best so far)" : "");
    std::fflush(stdout);
  }

  OutputDir folder(o.run_dir / "search");
  data::CsvWriter csv({"trial", "mode", "lr", "width", "depth", "dropout", "weight_decay", "batch_size", "val_bacc",
                       "val_macro_auc", "val_loss", "best_epoch", "epochs_run", "seconds"});
  for (size_t t = 0; t < plan.size(); ++t) {
    const TabularHyper& h = plan[t];
    const TrialScore& s = scores[t];
    csv.row({std::to_string(t + 1), h.mode, data::format_number(tidy(h.lr)), std::to_string(h.width), std::to_string(h.depth),
             data::format_number(tidy(h.dropout)), data::format_number(tidy(h.weight_decay)), std::to_string(h.batch_size),
             data::format_number(s.val_bacc), data::format_number(s.val_macro_auc), data::format_number(s.val_loss),
             std::to_string(s.best_epoch), std::to_string(s.epochs_run), data::format_number(s.seconds)});
  }
  csv.write(folder.path() / kTrialsFile);
  // The best trial's configuration with the base's epoch budget (not the one-epoch budget of --smoke).
  TabularHyper chosen = plan[best];
  chosen.epochs = o.base.epochs;
  nlohmann::ordered_json best_json = {{"hyperparameters", chosen.to_json()},
                                      {"trial", best + 1},
                                      {"val_bacc", scores[best].val_bacc},
                                      {"val_macro_auc", scores[best].val_macro_auc},
                                      {"best_epoch", scores[best].best_epoch},
                                      {"strategy", o.strategy},
                                      {"trials", plan.size()},
                                      {"scored_on", "val"},
                                      {"seed", o.seed},
                                      {"smoke", o.smoke},
                                      {"fingerprint", data.fingerprint}};
  write_file_atomic(folder.path() / "best.json", best_json.dump(2) + "\n");
  write_file_atomic(folder.path() / kSearchFigure, search_figure(scores, best));
  folder.commit();
  fs::remove(trials_done);

  std::printf("search: best of %zu trials is trial %zu, val balanced accuracy %.3f -> %s\n", plan.size(), best + 1,
              scores[best].val_bacc, best_config_path(o.run_dir).string().c_str());
  return {folder.final_path(), chosen, scores[best].val_bacc, static_cast<int64_t>(plan.size())};
}

}  // namespace hito::study

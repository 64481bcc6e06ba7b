// --refit on train + validation (refit.h).
#include "apps/study/train/refit.h"

#include <algorithm>

#include "apps/eval/metrics_file.h"
#include "apps/study/train/model_output.h"
#include "base/error.h"

namespace hito::study {

std::string refit_folder_name(const std::string& name) { return name + kRefitSuffix; }

TrainConfig FitSpec::train_config(TrainConfig chosen) const {
  if (!refit) return chosen;
  chosen.epochs = epochs;
  chosen.patience = epochs + 1;
  chosen.warmup_epochs = std::min(chosen.warmup_epochs, epochs - 1);
  chosen.keep_last_epoch = true;
  chosen.checkpoint.clear();
  chosen.resume = false;
  chosen.label = folder;
  return chosen;
}

void FitSpec::describe(nlohmann::ordered_json& config) const {
  config["fitted_on"] = refit ? "train+val" : "train";
  if (!refit) return;
  config["refit_of"] = refit_of;
  config["refit_epochs"] = epochs;
}

FitSpec train_only_fit(const PreparedData& data, const std::string& folder) {
  FitSpec fit;
  fit.train_rows = data.rows_of(data::Part::Train);
  fit.folder = folder;
  return fit;
}

FitSpec refit_fit(const PreparedData& data, const std::filesystem::path& train_only) {
  FitSpec fit;
  for (int64_t r = 0; r < data.size(); ++r) {
    const data::Part part = data.parts[static_cast<size_t>(r)];
    if (part == data::Part::Train || part == data::Part::Val) fit.train_rows.push_back(r);
  }
  fit.refit_of = train_only.filename().string();
  fit.folder = refit_folder_name(fit.refit_of);
  fit.refit = true;
  const eval::MetricsFile metrics = eval::read_metrics_file(train_only / kMetricsFile);
  HITO_CHECK(metrics.extra.contains("best_epoch") && metrics.extra["best_epoch"].is_number_integer(),
             "--refit: ", (train_only / kMetricsFile).string(), " records no best_epoch to refit for");
  fit.epochs = metrics.extra["best_epoch"].get<int64_t>();
  HITO_CHECK(fit.epochs >= 1, "--refit: ", (train_only / kMetricsFile).string(), " records best_epoch ", fit.epochs);
  return fit;
}

std::filesystem::path fit_and_refit(const PreparedData& data, const TrainingRun& run, const std::string& folder,
                                    bool refit, const std::function<std::filesystem::path(const FitSpec&)>& fit_one,
                                    const std::function<void(const std::filesystem::path&)>& after_train_only) {
  const std::filesystem::path train_only = fit_one(train_only_fit(data, folder));
  run.finish();
  if (after_train_only) after_train_only(train_only);
  if (refit) fit_one(refit_fit(data, train_only));
  return train_only;
}

}  // namespace hito::study

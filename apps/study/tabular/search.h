// `hito search`: grid or random search over the tabular MLP's learning rate, width, depth, dropout,
// weight decay and batch size. Each trial is trained with early stopping (fit_tabular) and scored on
// the validation split only (its best validation balanced accuracy; ties by validation macro AUC):
// the test split is never evaluated. Writes <run>/search/:
//   trials.csv   trial,mode,lr,width,depth,dropout,weight_decay,batch_size,val_bacc,val_macro_auc,
//                val_loss,best_epoch,epochs_run,seconds (one row per trial, in the order run)
//   best.json    {"hyperparameters": {...}, "trial", "val_bacc", "val_macro_auc", "strategy", ...}:
//                what `hito tabular --config best` reads
//   search.svg   validation balanced accuracy of every trial, the best one highlighted
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "apps/study/tabular/tabular.h"

namespace hito::study {

// The values each hyperparameter may take.
struct SearchSpace {
  std::vector<float> lr, dropout, weight_decay;
  std::vector<int64_t> width, depth, batch_size;
  int64_t size() const;  // the number of grid points
};

// Grid: 2 values each (64 points); random: wider lists, sampled uniformly.
SearchSpace grid_space();
SearchSpace random_space();

// The trials a strategy runs: grid, every point of the product in order (lr slowest ... batch size
// fastest), cut to the first `trials` when trials > 0; random, `trials` points drawn with the seed.
// Each is `base` with the six searched entries replaced.
std::vector<TabularHyper> plan_trials(const std::string& strategy, int64_t trials, const SearchSpace& space,
                                      const TabularHyper& base, uint64_t seed);

struct SearchOptions {
  fs::path run_dir = "run";
  std::string strategy = "random";  // grid | random
  int64_t trials = 0;               // 0: the whole grid, or 24 random trials
  TabularHyper base;                // mode, epochs, patience, class weighting of every trial
  bool smoke = false;               // one epoch per trial
  bool resume = false;              // --resume: keep the trials done, continue the one in progress
  bool progress = false;            // per-epoch progress lines of each trial
  Device device = Device::CPU;
  int threads = 0;
  uint64_t seed = 0;
};

struct SearchResult {
  fs::path folder;
  TabularHyper best;
  double best_val_bacc = 0.0;
  int64_t trials = 0;
};

SearchResult run_search(const SearchOptions& options);

}  // namespace hito::study

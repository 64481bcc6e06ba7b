// `hito pixels` (the practical's optional 1D model): every image downsized (default 32x32, the whole
// image stretched, from the run's image cache), flattened to [0, 1] values, projected on the first k
// principal components of the training split's images (PCA fitted on train only, whitened), and the
// tabular MLP trained on those k inputs by the shared loop. Written as the model folder
// <run>/pixels/ (kind "pixels"), with the same files as `hito tabular` plus
//   pca.safetensors          mean (D), components (k, D), variance (k): what `hito predict` applies
//   explained_variance.csv   component,ratio,cumulative for every component
//   explained_variance.svg   the ratios and their running total
#pragma once

#include <filesystem>
#include <string>

#include "apps/study/tabular/pca.h"
#include "apps/study/tabular/tabular.h"
#include "data/image_source.h"

namespace hito::study {

inline constexpr const char* kPcaFile = "pca.safetensors";

struct PixelsOptions {
  fs::path run_dir = "run";
  int64_t size = 32;         // images are size x size
  int64_t components = 50;   // k (capped by the pixel count and the training rows)
  // The MLP on the components (mode is ignored). Defaults chosen on the HAM10000 validation split
  // among a handful of widths, dropouts and k (25, 50, 100 components).
  TabularHyper hyper{.width = 128, .depth = 2, .dropout = 0.3f, .lr = 3e-3f, .weight_decay = 1e-4f, .batch_size = 128};
  bool refit = false;        // then also pixels-refit: the MLP on train + val (apps/study/train/refit.h)
  bool smoke = false;        // one epoch
  bool resume = false;       // --resume: continue from <run>/checkpoints/pixels.safetensors
  bool progress = true;
  Device device = Device::CPU;
  int threads = 0;
  uint64_t seed = 0;
};

// Trains, evaluates and writes <run>/pixels/; prints val and test scores; returns the folder.
fs::path run_pixels(const PixelsOptions& options);

// Every image of a source flattened: f32 (N, size * size * 3) in [0, 1], (y, x, channel) order.
Tensor flatten_images(const data::ImageSource& images, int threads);

// Writes and reads pca.safetensors.
void save_pca(const Pca& pca, const fs::path& path);
Pca load_pca(const fs::path& path, bool whiten);

}  // namespace hito::study

// hito pixels: PCA of the downsized images + the tabular MLP on the components.
#include "apps/study/tabular/pixels.h"

#include <algorithm>
#include <cstdio>

#include "plot/line_chart.h"
#include "apps/study/train/model_output.h"
#include "data/csv.h"
#include "data/parallel.h"
#include "base/fs.h"
#include "kernels/runtime.h"
#include "weights/safetensors.h"

namespace hito::study {

namespace {

void write_explained_variance(const fs::path& folder, const Pca& pca, int64_t size) {
  data::CsvWriter csv({"component", "ratio", "cumulative"});
  double cumulative = 0.0;
  for (size_t c = 0; c < pca.explained_ratio.size(); ++c) {
    cumulative += pca.explained_ratio[c];
    csv.row({std::to_string(c + 1), data::format_number(pca.explained_ratio[c]), data::format_number(cumulative)});
  }
  csv.write(folder / "explained_variance.csv");
  plot::LineChart chart = plot::explained_variance_chart(
      pca.explained_ratio, "PCA of " + std::to_string(size) + "x" + std::to_string(size) +
                               " images (train split): the " + std::to_string(pca.dims()) + " components kept");
  write_file_atomic(folder / "explained_variance.svg", plot::render_line_chart(chart));
}

}  // namespace

Tensor flatten_images(const data::ImageSource& images, int threads) {
  const int64_t n = images.size(), d = images.height() * images.width() * 3;
  std::vector<float> values(static_cast<size_t>(n * d));
  data::parallel_items(n, threads, [&](int64_t i, int) {
    std::vector<uint8_t> pixels(static_cast<size_t>(d));
    images.read(i, pixels.data());
    float* out = values.data() + i * d;
    for (int64_t j = 0; j < d; ++j) out[j] = pixels[static_cast<size_t>(j)] / 255.0f;
  });
  return Tensor::from_vector(values, {n, d});
}

void save_pca(const Pca& pca, const fs::path& path) {
  std::vector<float> variance(pca.variance.begin(), pca.variance.end());
  write_safetensors(path, {{"mean", pca.mean}, {"components", pca.components},
                           {"variance", Tensor::from_vector(variance, {pca.dims()})}});
}

Pca load_pca(const fs::path& path, bool whiten) {
  Pca pca;
  pca.whiten = whiten;
  for (auto& [name, tensor] : read_safetensors(path).tensors) {
    if (name == "mean") pca.mean = tensor;
    else if (name == "components") pca.components = tensor;
    else if (name == "variance")
      for (float v : tensor.to_vector<float>()) pca.variance.push_back(v);
  }
  HITO_CHECK(pca.mean.defined() && pca.components.defined() && pca.components.dim() == 2 &&
                 pca.components.size(1) == pca.mean.size(0) &&
                 static_cast<int64_t>(pca.variance.size()) == pca.components.size(0),
             path.string(), ": expected tensors mean (D), components (k, D) and variance (k)");
  return pca;
}

fs::path run_pixels(const PixelsOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  HITO_CHECK(o.size >= 4, "--size must be >= 4, got ", o.size);
  HITO_CHECK(o.components >= 1, "--components must be >= 1, got ", o.components);
  const TrainingRun run(o.run_dir, "pixels", o.resume, "hito pixels");
  PreparedData data = load_prepared(o.run_dir);
  TabularHyper hyper = o.hyper.updated(nlohmann::json::object(), "the pixels configuration");
  hyper.mode = "onehot";  // the inputs are the components alone
  if (o.smoke) hyper.epochs = 1;

  auto cache = data.image_cache(o.size, o.size, data::ResizeMode::Stretch, o.threads);
  Tensor pixels = flatten_images(*cache, o.threads);  // (N, D)
  const std::vector<int64_t> train = data.rows_of(data::Part::Train);
  const int64_t k = std::min({o.components, pixels.size(1), static_cast<int64_t>(train.size()) - 1});
  Pca pca = Pca::fit(pixels, train, k, true);
  double kept = 0.0;
  for (int64_t c = 0; c < k; ++c) kept += pca.explained_ratio[static_cast<size_t>(c)];
  std::printf("pixels: PCA of %lldx%lld images on %zu training rows: %lld components keep %.1f%% of the variance\n",
              static_cast<long long>(o.size), static_cast<long long>(o.size), train.size(), static_cast<long long>(k),
              100.0 * kept);

  TabularInputs inputs;
  inputs.numeric = pca.transform(pixels);
  for (int64_t c = 0; c < k; ++c) inputs.numeric_names.push_back("pc" + std::to_string(c + 1));
  // The PCA stays as fitted on the training split in a refit: it is preprocessing, like the encoders.
  auto fit_one = [&](const FitSpec& spec) {
    TabularFit fit = fit_tabular(data, inputs, hyper, command_fit_settings(spec, o.seed, o.device, o.progress, run));

    ModelOutputs out = model_outputs(fit);
    out.config = {{"kind", "pixels"},
                  {"pca", {{"size", o.size}, {"resize", "stretch"}, {"components", k}, {"whiten", true},
                           {"explained_variance_kept", kept}, {"file", kPcaFile}}},
                  {"hyperparameters", hyper.to_json()},
                  {"model", tabular_model_json(inputs, hyper, data.num_classes())},
                  {"seed", o.seed},
                  {"smoke", o.smoke}};
    out.metrics_extra["pca_components"] = k;
    out.metrics_extra["pca_explained_variance_kept"] = kept;
    out.extra_files = [&](const fs::path& folder) {
      save_pca(pca, folder / kPcaFile);
      write_explained_variance(folder, pca, o.size);
    };
    spec.describe(out.config);
    fs::path folder = write_model_folder(data, spec.folder, out);
    print_model_scores(folder);
    return folder;
  };
  return fit_and_refit(data, run, "pixels", o.refit, fit_one);
}

}  // namespace hito::study

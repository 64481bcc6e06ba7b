// Throughput of the image data pipeline (data/) on the real HAM10000 images beside the
// project, in images per second: one DataLoader pass decoding and resizing every JPEG on the workers
// (no cache), building the memory-mapped cache (decoding on all cores), and one DataLoader pass from
// that cache, all at 224x224 (centre crop), batches of 64, 2 workers. Skipped when the data are absent.
// Run from the repository root: build/bench/hito_microbench --benchmark_filter=Pipeline
// (HITO_HAM10000 overrides the data folder, ../shared/data/ham10000 by default).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "data/data_loader.h"
#include "data/dataset_config.h"
#include "data/image_cache.h"

namespace hito::data {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSize = 224;

// The image files of the real data set, in metadata order (empty when the folder is absent).
const std::vector<fs::path>& real_images() {
  static const std::vector<fs::path> paths = [] {
    const char* env = std::getenv("HITO_HAM10000");
    fs::path dir = env ? env : "../shared/data/ham10000";
    std::vector<fs::path> out;
    DatasetConfig config = DatasetConfig::preset("ham10000");
    if (!fs::exists(dir / config.metadata)) return out;
    CsvTable table = read_csv(dir / config.metadata);
    for (int64_t r = 0; r < table.num_rows(); ++r) out.push_back(dir / resolve_image(config, dir, table, r));
    return out;
  }();
  return paths;
}

fs::path bench_cache_dir() { return fs::temp_directory_path() / ("hito-bench-cache-" + std::to_string(::getpid())); }

// One pass of a loader over every image; returns the number of images seen.
int64_t loader_pass(std::shared_ptr<const ImageSource> images) {
  int64_t n = images->size();
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  LoaderOptions options;
  options.batch_size = 64;
  options.workers = 2;
  DataLoader loader(std::move(images), {Tensor(), Tensor(), Tensor::zeros({n}, DType::I64)}, rows, options);
  int64_t seen = 0;
  loader.start_epoch(0);
  for (LoaderBatch batch; loader.next(batch);) seen += batch.labels.size(0);
  return seen;
}

void BM_PipelineDecodingPass(benchmark::State& state) {
  if (real_images().empty()) return state.SkipWithError("HAM10000 not found (set HITO_HAM10000)");
  auto files = std::make_shared<ImageFiles>(real_images(), kSize, kSize, ResizeMode::Crop);
  for (auto _ : state) benchmark::DoNotOptimize(loader_pass(files));
  state.SetItemsProcessed(state.iterations() * int64_t(real_images().size()));
}
BENCHMARK(BM_PipelineDecodingPass)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

void BM_PipelineCacheBuild(benchmark::State& state) {
  if (real_images().empty()) return state.SkipWithError("HAM10000 not found (set HITO_HAM10000)");
  for (auto _ : state) {
    fs::remove_all(bench_cache_dir());
    benchmark::DoNotOptimize(ImageCache::open_or_build(bench_cache_dir(), "bench", real_images(), kSize, kSize, ResizeMode::Crop));
  }
  state.SetItemsProcessed(state.iterations() * int64_t(real_images().size()));
}
BENCHMARK(BM_PipelineCacheBuild)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

void BM_PipelineCachedPass(benchmark::State& state) {
  if (real_images().empty()) return state.SkipWithError("HAM10000 not found (set HITO_HAM10000)");
  auto cache = ImageCache::open_or_build(bench_cache_dir(), "bench", real_images(), kSize, kSize, ResizeMode::Crop);
  for (auto _ : state) benchmark::DoNotOptimize(loader_pass(cache));
  state.SetItemsProcessed(state.iterations() * int64_t(real_images().size()));
  fs::remove_all(bench_cache_dir());
}
BENCHMARK(BM_PipelineCachedPass)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace hito::data

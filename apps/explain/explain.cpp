// `hito explain`: maps for the test split, their scores against the lesion masks, the overlay grids
// (see explain.h).
#include "apps/explain/explain.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "apps/eval/metrics_file.h"
#include "apps/explain/mask_scores.h"
#include "apps/explain/overlays.h"
#include "apps/explain/score_intervals.h"
#include "apps/report/png.h"
#include "apps/study/image_model.h"
#include "apps/study/model_output.h"
#include "apps/study/prepared_data.h"
#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/fs.h"
#include "engine/ops.h"
#include "models/image_preprocess.h"

namespace hito::study {

namespace {

const std::vector<std::string> kImageModels = {"image-finetune", "image-scratch", "image-head"};

bool is_model_folder(const fs::path& dir) { return fs::exists(dir / kModelConfig); }

// Validation balanced accuracy from a model folder's metrics.json (-1 when absent).
double validation_score(const fs::path& dir) {
  if (!fs::exists(dir / kMetricsFile)) return -1.0;
  eval::MetricsFile metrics = eval::read_metrics_file(dir / kMetricsFile);
  const eval::SplitMetrics* val = metrics.find("val");
  return val ? val->metrics.balanced_accuracy : -1.0;
}

// What one scored row got from each method, for row_scores.csv.
struct RowRecord {
  int64_t row = 0, predicted = 0;
  float probability = 0.0f;
  double mask_area = 0.0;
  std::vector<explain::MapScore> scores;  // per method
};

std::string row_scores_csv(const PreparedData& data, const std::vector<std::string>& methods,
                           const std::vector<RowRecord>& records) {
  const std::vector<int64_t> labels = data.labels.to_vector<int64_t>();
  std::ostringstream out;
  out << data.config.id_column << ",label,pred,p_pred,mask_area";
  for (const auto& m : methods) out << ',' << m << "_hit," << m << "_energy";
  out << '\n';
  char number[32];
  for (const RowRecord& r : records) {
    std::snprintf(number, sizeof number, "%.6g,%.6g", r.probability, r.mask_area);
    out << data.ids[r.row] << ',' << data.classes[labels[r.row]] << ',' << data.classes[r.predicted] << ','
        << number;
    for (const auto& s : r.scores) {
      out << ',' << (s.hit ? 1 : 0) << ',';
      if (!s.flat) {
        std::snprintf(number, sizeof number, "%.6g", s.energy_inside);
        out << number;
      }
    }
    out << '\n';
  }
  return out.str();
}

// The first `per_class` test rows of each class, class by class.
std::vector<int64_t> grid_rows(const std::vector<int64_t>& test, const std::vector<int64_t>& labels,
                               int64_t num_classes, int64_t per_class) {
  std::vector<int64_t> rows;
  for (int64_t k = 0; k < num_classes; ++k) {
    int64_t taken = 0;
    for (int64_t r : test)
      if (taken < per_class && labels[static_cast<size_t>(r)] == k) rows.push_back(r), ++taken;
  }
  return rows;
}

}  // namespace

std::vector<int64_t> evenly_spaced(const std::vector<int64_t>& rows, int64_t limit) {
  const auto n = static_cast<int64_t>(rows.size());
  if (limit <= 0 || limit >= n) return rows;
  std::vector<int64_t> picked;
  for (int64_t i = 0; i < limit; ++i) picked.push_back(rows[static_cast<size_t>(i * n / limit)]);
  return picked;
}

fs::path resolve_explain_model(const fs::path& run_dir, const std::string& model) {
  std::vector<std::string> present;
  for (const auto& name : kImageModels)
    if (is_model_folder(run_dir / name)) present.push_back(name);
  const std::string listing = present.empty() ? "none (train one with hito image)" : [&] {
    std::string s;
    for (const auto& name : present) s += (s.empty() ? "" : ", ") + name;
    return s;
  }();
  if (model.empty()) {
    HITO_CHECK(!present.empty(), "hito explain: no image model folder in ", run_dir.string(), " (looked for ",
               "image-finetune, image-scratch, image-head; train one with hito image)");
    fs::path best;
    double best_score = -2.0;
    for (const auto& name : present) {
      double score = validation_score(run_dir / name);
      if (score > best_score) best_score = score, best = run_dir / name;
    }
    return best;
  }
  if (std::find(kImageModels.begin(), kImageModels.end(), model) != kImageModels.end()) {
    HITO_CHECK(is_model_folder(run_dir / model), "hito explain: --model ", model, ": no ", kModelConfig, " in ",
               (run_dir / model).string(), "; image models present: ", listing);
    return run_dir / model;
  }
  HITO_CHECK(is_model_folder(model), "hito explain: --model ", model, " is neither an image model name (",
             "image-finetune, image-scratch, image-head) nor a model folder with ", kModelConfig,
             "; image models present in the run: ", listing);
  return model;
}

fs::path run_explain(const ExplainOptions& options) {
  using Clock = std::chrono::steady_clock;
  PreparedData data = load_prepared(options.run_dir);
  const fs::path model_dir = resolve_explain_model(options.run_dir, options.model);
  check_model_fingerprint(model_dir, data);
  LoadedImageNetwork loaded = load_image_network(model_dir, options.device);
  HITO_CHECK(loaded.classes == data.classes, "hito explain: the classes of ", model_dir.string(),
             " differ from those of the prepared data");
  HITO_CHECK(options.per_class >= 0 && options.limit >= 0 && options.batch_size > 0,
             "hito explain: --per-class and --limit must not be negative");
  ImageNetwork& network = *loaded.network;
  const ImagePreprocessing& pre = loaded.spec.preprocessing;
  const int64_t H = pre.height, W = pre.width, S = H * W, K = data.num_classes();
  const std::vector<std::string>& methods = options.methods;
  const explain::OcclusionOptions occlusion = explain::resolve_occlusion(options.occlusion, H, W);  // checked early
  const int64_t per_class = options.smoke ? std::min<int64_t>(options.per_class, 1) : options.per_class;
  const int64_t limit = options.smoke ? (options.limit > 0 ? std::min<int64_t>(options.limit, 16) : 16) : options.limit;

  const std::vector<int64_t> labels = data.labels.to_vector<int64_t>();
  const std::vector<int64_t> test = data.rows_of(data::Part::Test);
  HITO_CHECK(!test.empty(), "hito explain: the prepared data of ", options.run_dir.string(), " have no test rows");
  std::vector<int64_t> with_mask;
  for (int64_t r : test)
    if (!data.masks[static_cast<size_t>(r)].empty()) with_mask.push_back(r);
  const std::vector<int64_t> scored = evenly_spaced(with_mask, limit);
  const std::vector<int64_t> shown = grid_rows(test, labels, K, per_class);
  std::set<int64_t> work_set(scored.begin(), scored.end());
  work_set.insert(shown.begin(), shown.end());
  const std::vector<int64_t> work(work_set.begin(), work_set.end());
  const std::set<int64_t> scored_set(scored.begin(), scored.end());

  auto images = pre.for_run(data, options.threads);
  std::vector<fs::path> mask_paths;
  std::map<int64_t, int64_t> mask_index;  // data-set row -> index into mask_paths
  for (int64_t r : work)
    if (!data.masks[static_cast<size_t>(r)].empty()) {
      mask_index[r] = static_cast<int64_t>(mask_paths.size());
      mask_paths.push_back(data.masks[static_cast<size_t>(r)]);
    }
  auto masks = pre.files(mask_paths);  // resized (and cropped) exactly like the images

  std::printf("explain: %s (%lldx%lld) on %zu test rows (%zu scored against masks, %zu shown), methods:",
              model_dir.filename().string().c_str(), static_cast<long long>(H), static_cast<long long>(W), work.size(),
              scored.size(), shown.size());
  for (const auto& m : methods) std::printf(" %s", m.c_str());
  std::printf("\n");
  std::fflush(stdout);

  explain::MaskScores scores(methods, data.classes);
  std::vector<RowRecord> records;
  std::map<int64_t, explain::ExplainedImage> shown_images;
  const std::set<int64_t> shown_set(shown.begin(), shown.end());
  std::vector<double> seconds(methods.size(), 0.0);
  const auto start = Clock::now();
  int64_t done = 0, next_report = 0;
  for (size_t first = 0; first < work.size(); first += static_cast<size_t>(options.batch_size)) {
    const std::vector<int64_t> rows(work.begin() + static_cast<std::ptrdiff_t>(first),
                                    work.begin() + static_cast<std::ptrdiff_t>(
                                                       std::min(work.size(), first + static_cast<size_t>(options.batch_size))));
    const auto B = static_cast<int64_t>(rows.size());
    std::vector<data::Image> pixels(rows.size(), data::Image(H, W, 3));
    for (int64_t i = 0; i < B; ++i) images->read(rows[static_cast<size_t>(i)], pixels[static_cast<size_t>(i)].pixels.data());
    Tensor x = images_to_batch(pixels, pre.mean, pre.std).to(options.device);

    std::vector<float> probs;
    {
      NoGradGuard no_grad;
      probs = softmax(network.forward(x), 1).to(Device::CPU).to_vector<float>();
    }
    std::vector<int64_t> predicted(rows.size());
    for (int64_t i = 0; i < B; ++i) {
      const float* p = probs.data() + i * K;
      predicted[static_cast<size_t>(i)] = std::max_element(p, p + K) - p;
    }
    std::vector<std::vector<uint8_t>> row_masks(rows.size());
    data::Image mask_pixels(H, W, 3);
    for (int64_t i = 0; i < B; ++i) {
      auto it = mask_index.find(rows[static_cast<size_t>(i)]);
      if (it == mask_index.end()) continue;
      masks->read(it->second, mask_pixels.pixels.data());
      row_masks[static_cast<size_t>(i)] = explain::binarize_mask(mask_pixels.pixels.data(), S, 3);
    }

    std::vector<RowRecord> batch_records(rows.size());
    for (int64_t i = 0; i < B; ++i) {
      const auto u = static_cast<size_t>(i);
      batch_records[u].row = rows[u];
      batch_records[u].predicted = predicted[u];
      batch_records[u].probability = probs[static_cast<size_t>(i * K + predicted[u])];
      if (shown_set.count(rows[u])) {
        explain::ExplainedImage& shown_image = shown_images[rows[u]];
        shown_image.id = data.ids[static_cast<size_t>(rows[u])];
        shown_image.label = labels[static_cast<size_t>(rows[u])];
        shown_image.predicted = predicted[u];
        shown_image.probability = batch_records[u].probability;
        shown_image.image = report::RgbImage(static_cast<int>(W), static_cast<int>(H));
        shown_image.image.pixels = pixels[u].pixels;
        shown_image.mask = row_masks[u];
      }
    }
    for (size_t m = 0; m < methods.size(); ++m) {
      const auto t0 = Clock::now();
      Tensor maps = explain::explanation_map(methods[m], network, x, predicted, occlusion);
      seconds[m] += std::chrono::duration<double>(Clock::now() - t0).count();
      const float* values = maps.data<float>();
      for (int64_t i = 0; i < B; ++i) {
        const auto u = static_cast<size_t>(i);
        const float* map = values + i * S;
        if (scored_set.count(rows[u])) {
          explain::MapScore score = explain::score_map(map, row_masks[u].data(), S);
          scores.add(methods[m], labels[static_cast<size_t>(rows[u])], score);
          batch_records[u].scores.push_back(score);
          batch_records[u].mask_area = score.mask_area;
        }
        if (shown_set.count(rows[u])) shown_images[rows[u]].maps[methods[m]].assign(map, map + S);
      }
    }
    for (int64_t i = 0; i < B; ++i)
      if (scored_set.count(rows[static_cast<size_t>(i)])) records.push_back(batch_records[static_cast<size_t>(i)]);
    done += B;
    if (done >= next_report || done == static_cast<int64_t>(work.size())) {
      std::printf("explain: %lld/%zu rows, %.0f s\n", static_cast<long long>(done), work.size(),
                  std::chrono::duration<double>(Clock::now() - start).count());
      std::fflush(stdout);
      next_report = done + std::max<int64_t>(1, static_cast<int64_t>(work.size()) / 10);
    }
  }

  // ---- outputs ----
  OutputDir out(options.run_dir / "explain");
  nlohmann::ordered_json summary;
  summary["model"] = model_dir.filename().string();
  summary["model_dir"] = fs::absolute(model_dir).string();
  summary["architecture"] = loaded.spec.architecture;
  summary["mode"] = loaded.spec.mode;
  summary["input"] = {H, W};
  summary["explained_class"] = "predicted";
  summary["tta_flip_ignored"] = loaded.spec.tta_flip;
  summary["methods"] = methods;
  summary["occlusion"] = {{"patch", occlusion.patch}, {"stride", occlusion.stride}, {"fill", "image mean colour"}};
  summary["test_rows"] = test.size();
  summary["test_rows_with_masks"] = with_mask.size();
  summary["rows_scored"] = scored.size();
  summary["limit"] = limit;
  nlohmann::ordered_json timing = nlohmann::ordered_json::object();
  for (size_t m = 0; m < methods.size(); ++m) timing[methods[m]] = seconds[m];
  summary["seconds"] = timing;
  std::vector<explain::ScoreIntervals> intervals(methods.size());  // lesion bootstrap, when scored
  if (scored.empty()) {
    summary["scores"] = nullptr;
    summary["note"] = "no test row has a lesion mask: nothing to score";
  } else {
    summary["scores"] = scores.to_json();
    std::vector<int64_t> scored_rows;
    for (const RowRecord& r : records) scored_rows.push_back(r.row);
    const std::vector<int64_t> groups = lesion_groups(data, scored_rows);
    for (size_t m = 0; m < methods.size(); ++m) {
      std::vector<explain::MapScore> method_scores;
      for (const RowRecord& r : records) method_scores.push_back(r.scores[m]);
      intervals[m] = explain::bootstrap_scores(method_scores, groups);
      summary["scores"][methods[m]]["all"]["intervals"] = explain::intervals_to_json(intervals[m]);
    }
    write_file_atomic(out.path() / "mask_scores.csv", scores.to_csv());
    write_file_atomic(out.path() / "row_scores.csv", row_scores_csv(data, methods, records));
  }
  std::vector<explain::ExplainedImage> grid_images;
  for (int64_t r : shown) grid_images.push_back(shown_images.at(r));
  std::vector<std::string> shown_ids;
  for (const auto& image : grid_images) shown_ids.push_back(image.id);
  summary["grid_ids"] = shown_ids;
  if (!grid_images.empty()) {
    const int columns = static_cast<int>(std::max<int64_t>(1, per_class));
    for (const auto& m : methods)
      report::write_png(out.path() / (m + "_grid.png"),
                        explain::explanation_grid(grid_images, m, data.classes, columns,
                                                  explain::method_title(m)));
    if (!mask_paths.empty())
      report::write_png(out.path() / "images_grid.png",
                        explain::image_grid(grid_images, data.classes, columns, "Lesion outlines"));
  }
  write_file_atomic(out.path() / "mask_scores.json", summary.dump(2) + "\n");
  out.commit();

  for (size_t m = 0; m < methods.size() && !scored.empty(); ++m) {
    const explain::ScoreSummary& s = scores.overall(methods[m]);
    const explain::ScoreIntervals& ci = intervals[m];
    std::printf("explain: %-9s pointing game %.3f [%.3f, %.3f], energy inside %.3f [%.3f, %.3f] (lesion area %.3f, "
                "%lld flat maps), %.1f s\n",
                methods[m].c_str(), s.pointing_game(), ci.pointing_game.lower, ci.pointing_game.upper,
                s.energy_inside(), ci.energy_inside.lower, ci.energy_inside.upper, s.mask_area(),
                static_cast<long long>(s.flat), seconds[m]);
  }
  std::printf("explain: wrote %s\n", out.final_path().string().c_str());
  return out.final_path();
}

}  // namespace hito::study

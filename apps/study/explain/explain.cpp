// `hito explain`: maps for the test split, their scores against the lesion masks, the overlay grids
// (see explain.h).
#include "apps/study/explain/explain.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "apps/eval/metrics_file.h"
#include "apps/study/explain/mask_scores.h"
#include "apps/study/explain/overlays.h"
#include "apps/study/explain/score_intervals.h"
#include "plot/png.h"
#include "apps/study/image/image_model.h"
#include "apps/study/train/model_output.h"
#include "apps/study/prepare/prepared_data.h"
#include "engine/autograd.h"
#include "base/error.h"
#include "base/fs.h"
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

namespace {

// Which test rows are explained: those scored against their masks and those shown in the grids.
struct RowPlan {
  std::vector<int64_t> test, with_mask, scored, shown;
  std::vector<int64_t> work;  // scored and shown, each once, in manifest order
};

RowPlan plan_rows(const PreparedData& data, const std::vector<int64_t>& labels, int64_t per_class, int64_t limit) {
  RowPlan plan;
  plan.test = data.rows_of(data::Part::Test);
  HITO_CHECK(!plan.test.empty(), "hito explain: the prepared data of ", data.run_dir.string(), " have no test rows");
  for (int64_t r : plan.test)
    if (!data.masks[static_cast<size_t>(r)].empty()) plan.with_mask.push_back(r);
  plan.scored = evenly_spaced(plan.with_mask, limit);
  plan.shown = grid_rows(plan.test, labels, data.num_classes(), per_class);
  std::set<int64_t> work(plan.scored.begin(), plan.scored.end());
  work.insert(plan.shown.begin(), plan.shown.end());
  plan.work.assign(work.begin(), work.end());
  return plan;
}

// The pass over the planned rows, batch by batch: predictions, maps, scores, grid images.
class Explainer {
 public:
  Explainer(const PreparedData& data, const LoadedImageNetwork& loaded, const RowPlan& plan, const ExplainOptions& options,
            const explain::OcclusionOptions& occlusion)
      : scores(options.methods, data.classes),
        seconds(options.methods.size(), 0.0),
        data_(data),
        network_(*loaded.network),
        pre_(loaded.spec.preprocessing),
        options_(options),
        occlusion_(occlusion),
        labels_(data.labels.to_vector<int64_t>()),
        scored_(plan.scored.begin(), plan.scored.end()),
        shown_(plan.shown.begin(), plan.shown.end()) {
    images_ = pre_.for_run(data, options.threads);
    std::vector<fs::path> mask_paths;
    for (int64_t r : plan.work)
      if (!data.masks[static_cast<size_t>(r)].empty()) {
        mask_index_[r] = static_cast<int64_t>(mask_paths.size());
        mask_paths.push_back(data.masks[static_cast<size_t>(r)]);
      }
    masks_ = pre_.files(mask_paths);  // resized (and cropped) exactly like the images
  }

  void run_batch(const std::vector<int64_t>& rows);

  explain::MaskScores scores;
  std::vector<RowRecord> records;                            // the scored rows, in manifest order
  std::map<int64_t, explain::ExplainedImage> shown_images;  // by data-set row
  std::vector<double> seconds;                               // per method

 private:
  const PreparedData& data_;
  ImageNetwork& network_;
  const ImagePreprocessing& pre_;
  const ExplainOptions& options_;
  explain::OcclusionOptions occlusion_;
  std::vector<int64_t> labels_;
  std::set<int64_t> scored_, shown_;
  std::shared_ptr<const data::ImageSource> images_, masks_;
  std::map<int64_t, int64_t> mask_index_;  // data-set row -> index into masks_
};

void Explainer::run_batch(const std::vector<int64_t>& rows) {
  using Clock = std::chrono::steady_clock;
  const int64_t H = pre_.height, W = pre_.width, S = H * W, K = data_.num_classes();
  const size_t B = rows.size();
  std::vector<data::Image> pixels(B, data::Image(H, W, 3));
  for (size_t i = 0; i < B; ++i) images_->read(rows[i], pixels[i].pixels.data());
  const Tensor x = images_to_batch(pixels, pre_.mean, pre_.std).to(options_.device);

  std::vector<float> probs;
  {
    NoGradGuard no_grad;
    probs = softmax(network_.forward(x), 1).to(Device::CPU).to_vector<float>();
  }
  std::vector<RowRecord> batch(B);
  std::vector<int64_t> predicted(B);
  for (size_t i = 0; i < B; ++i) {
    const float* p = probs.data() + static_cast<int64_t>(i) * K;
    predicted[i] = std::max_element(p, p + K) - p;
    batch[i] = {rows[i], predicted[i], p[predicted[i]], 0.0, {}};
  }
  std::vector<std::vector<uint8_t>> masks(B);
  data::Image mask_pixels(H, W, 3);
  for (size_t i = 0; i < B; ++i) {
    auto it = mask_index_.find(rows[i]);
    if (it == mask_index_.end()) continue;
    masks_->read(it->second, mask_pixels.pixels.data());
    masks[i] = explain::binarize_mask(mask_pixels.pixels.data(), S, 3);
  }
  for (size_t i = 0; i < B; ++i) {
    if (!shown_.count(rows[i])) continue;
    explain::ExplainedImage& shown = shown_images[rows[i]];
    shown.id = data_.ids[static_cast<size_t>(rows[i])];
    shown.label = labels_[static_cast<size_t>(rows[i])];
    shown.predicted = predicted[i];
    shown.probability = batch[i].probability;
    shown.image = plot::RgbImage(static_cast<int>(W), static_cast<int>(H));
    shown.image.pixels = pixels[i].pixels;
    shown.mask = masks[i];
  }

  const std::vector<std::string>& methods = options_.methods;
  for (size_t m = 0; m < methods.size(); ++m) {
    const auto t0 = Clock::now();
    const Tensor maps = explain::explanation_map(methods[m], network_, x, predicted, occlusion_);
    seconds[m] += std::chrono::duration<double>(Clock::now() - t0).count();
    for (size_t i = 0; i < B; ++i) {
      const float* map = maps.data<float>() + static_cast<int64_t>(i) * S;
      if (scored_.count(rows[i])) {
        const explain::MapScore score = explain::score_map(map, masks[i].data(), S);
        scores.add(methods[m], labels_[static_cast<size_t>(rows[i])], score);
        batch[i].scores.push_back(score);
        batch[i].mask_area = score.mask_area;
      }
      if (shown_.count(rows[i])) shown_images[rows[i]].maps[methods[m]].assign(map, map + S);
    }
  }
  for (size_t i = 0; i < B; ++i)
    if (scored_.count(rows[i])) records.push_back(batch[i]);
}

// Lesion-bootstrap intervals of each method's overall scores.
std::vector<explain::ScoreIntervals> score_intervals(const PreparedData& data, const std::vector<std::string>& methods,
                                                     const std::vector<RowRecord>& records) {
  std::vector<int64_t> rows;
  for (const RowRecord& r : records) rows.push_back(r.row);
  const std::vector<int64_t> groups = lesion_groups(data, rows);
  std::vector<explain::ScoreIntervals> intervals;
  for (size_t m = 0; m < methods.size(); ++m) {
    std::vector<explain::MapScore> method_scores;
    for (const RowRecord& r : records) method_scores.push_back(r.scores[m]);
    intervals.push_back(explain::bootstrap_scores(method_scores, groups));
  }
  return intervals;
}

}  // namespace

fs::path run_explain(const ExplainOptions& options) {
  using Clock = std::chrono::steady_clock;
  PreparedData data = load_prepared(options.run_dir);
  const fs::path model_dir = resolve_explain_model(options.run_dir, options.model);
  check_model_fingerprint(model_dir, data);
  LoadedImageNetwork loaded = load_image_network(model_dir, options.device);
  HITO_CHECK(loaded.classes == data.classes, "hito explain: the classes of ", model_dir.string(),
             " differ from those of the prepared data");
  HITO_CHECK(options.per_class >= 0 && options.limit >= 0 && options.batch_size > 0,
             "hito explain: --per-class and --limit must not be negative, --batch-size must be positive");
  const std::vector<std::string>& methods = options.methods;
  const int64_t H = loaded.spec.preprocessing.height, W = loaded.spec.preprocessing.width;
  const explain::OcclusionOptions occlusion = explain::resolve_occlusion(options.occlusion, H, W);  // checked early
  const int64_t per_class = options.smoke ? std::min<int64_t>(options.per_class, 1) : options.per_class;
  const int64_t limit = options.smoke ? (options.limit > 0 ? std::min<int64_t>(options.limit, 16) : 16) : options.limit;
  const RowPlan plan = plan_rows(data, data.labels.to_vector<int64_t>(), per_class, limit);

  std::printf("explain: %s (%lldx%lld) on %zu test rows (%zu scored against masks, %zu shown), methods:",
              model_dir.filename().string().c_str(), static_cast<long long>(H), static_cast<long long>(W),
              plan.work.size(), plan.scored.size(), plan.shown.size());
  for (const auto& m : methods) std::printf(" %s", m.c_str());
  std::printf("\n");
  std::fflush(stdout);

  Explainer explainer(data, loaded, plan, options, occlusion);
  const auto start = Clock::now();
  const auto batch_size = static_cast<size_t>(options.batch_size);
  size_t next_report = 0;
  for (size_t first = 0; first < plan.work.size(); first += batch_size) {
    const size_t end = std::min(plan.work.size(), first + batch_size);
    explainer.run_batch(std::vector<int64_t>(plan.work.begin() + static_cast<std::ptrdiff_t>(first),
                                             plan.work.begin() + static_cast<std::ptrdiff_t>(end)));
    if (end >= next_report || end == plan.work.size()) {
      std::printf("explain: %zu/%zu rows, %.0f s\n", end, plan.work.size(),
                  std::chrono::duration<double>(Clock::now() - start).count());
      std::fflush(stdout);
      next_report = end + std::max<size_t>(1, plan.work.size() / 10);
    }
  }
  const std::vector<explain::ScoreIntervals> intervals =
      plan.scored.empty() ? std::vector<explain::ScoreIntervals>() : score_intervals(data, methods, explainer.records);

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
  summary["test_rows"] = plan.test.size();
  summary["test_rows_with_masks"] = plan.with_mask.size();
  summary["rows_scored"] = plan.scored.size();
  summary["limit"] = limit;
  nlohmann::ordered_json timing = nlohmann::ordered_json::object();
  for (size_t m = 0; m < methods.size(); ++m) timing[methods[m]] = explainer.seconds[m];
  summary["seconds"] = timing;
  if (plan.scored.empty()) {
    summary["scores"] = nullptr;
    summary["note"] = "no test row has a lesion mask: nothing to score";
  } else {
    summary["scores"] = explainer.scores.to_json();
    for (size_t m = 0; m < methods.size(); ++m)
      summary["scores"][methods[m]]["all"]["intervals"] = explain::intervals_to_json(intervals[m]);
    write_file_atomic(out.path() / "mask_scores.csv", explainer.scores.to_csv());
    write_file_atomic(out.path() / "row_scores.csv", row_scores_csv(data, methods, explainer.records));
  }
  std::vector<explain::ExplainedImage> grid_images;
  std::vector<std::string> shown_ids;
  for (int64_t r : plan.shown) {
    grid_images.push_back(explainer.shown_images.at(r));
    shown_ids.push_back(grid_images.back().id);
  }
  summary["grid_ids"] = shown_ids;
  if (!grid_images.empty()) {
    const int columns = static_cast<int>(std::max<int64_t>(1, per_class));
    for (const auto& m : methods)
      plot::write_png(out.path() / (m + "_grid.png"),
                        explain::explanation_grid(grid_images, m, data.classes, columns, explain::method_title(m)));
    const bool any_mask = std::any_of(grid_images.begin(), grid_images.end(), [](const auto& g) { return !g.mask.empty(); });
    if (any_mask)
      plot::write_png(out.path() / "images_grid.png",
                        explain::image_grid(grid_images, data.classes, columns, "Lesion outlines"));
  }
  write_file_atomic(out.path() / "mask_scores.json", summary.dump(2) + "\n");
  out.commit();

  for (size_t m = 0; m < methods.size() && !plan.scored.empty(); ++m) {
    const explain::ScoreSummary& s = explainer.scores.overall(methods[m]);
    const explain::ScoreIntervals& ci = intervals[m];
    std::printf("explain: %-9s pointing game %.3f [%.3f, %.3f], energy inside %.3f [%.3f, %.3f] (lesion area %.3f, "
                "%lld flat maps), %.1f s\n",
                methods[m].c_str(), s.pointing_game(), ci.pointing_game.lower, ci.pointing_game.upper,
                s.energy_inside(), ci.energy_inside.lower, ci.energy_inside.upper, s.mask_area(),
                static_cast<long long>(s.flat), explainer.seconds[m]);
  }
  std::printf("explain: wrote %s\n", out.final_path().string().c_str());
  return out.final_path();
}

}  // namespace hito::study

// Pointing game, energy inside the mask and their summaries (see mask_scores.h).
#include "apps/study/explain/mask_scores.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "base/error.h"

namespace hito::explain {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string format_score(double value) {
  if (!std::isfinite(value)) return "";
  std::ostringstream out;
  out.precision(6);
  out << value;
  return out.str();
}

nlohmann::ordered_json json_score(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json summary_json(const ScoreSummary& s) {
  return {{"rows", s.rows},
          {"pointing_game", json_score(s.pointing_game())},
          {"energy_inside", json_score(s.energy_inside())},
          {"mask_area", json_score(s.mask_area())},
          {"flat_maps", s.flat}};
}
}  // namespace

MapScore score_map(const float* map, const uint8_t* mask, int64_t pixels) {
  HITO_CHECK(pixels > 0, "score_map: empty map");
  MapScore score;
  int64_t argmax = 0, inside = 0;
  float lo = map[0], hi = map[0];
  double energy = 0.0, energy_in = 0.0;
  for (int64_t i = 0; i < pixels; ++i) {
    const float v = map[i];
    HITO_CHECK(std::isfinite(v), "score_map: map value ", i, " is not finite");
    if (v > hi) hi = v, argmax = i;
    lo = std::min(lo, v);
    const bool in = mask[i] != 0;
    inside += in;
    if (v > 0.0f) {
      energy += v;
      if (in) energy_in += v;
    }
  }
  HITO_CHECK(inside > 0, "score_map: the mask has no lesion pixel");
  score.mask_area = static_cast<double>(inside) / static_cast<double>(pixels);
  score.flat = !(hi > lo) || !(energy > 0.0);
  score.hit = !score.flat && mask[argmax] != 0;
  score.energy_inside = score.flat ? kNaN : energy_in / energy;
  return score;
}

void ScoreSummary::add(const MapScore& score) {
  ++rows;
  mask_area_sum += score.mask_area;
  if (score.flat) {
    ++flat;
    return;
  }
  hits += score.hit;
  ++energy_rows;
  energy_sum += score.energy_inside;
}

double ScoreSummary::pointing_game() const { return rows > 0 ? static_cast<double>(hits) / rows : kNaN; }
double ScoreSummary::energy_inside() const { return energy_rows > 0 ? energy_sum / energy_rows : kNaN; }
double ScoreSummary::mask_area() const { return rows > 0 ? mask_area_sum / rows : kNaN; }

MaskScores::MaskScores(std::vector<std::string> methods, std::vector<std::string> classes)
    : methods_(std::move(methods)),
      classes_(std::move(classes)),
      per_class_(methods_.size(), std::vector<ScoreSummary>(classes_.size())),
      overall_(methods_.size()) {}

size_t MaskScores::method_index(const std::string& method) const {
  auto it = std::find(methods_.begin(), methods_.end(), method);
  HITO_CHECK(it != methods_.end(), "mask scores: method '", method, "' was not asked for");
  return static_cast<size_t>(it - methods_.begin());
}

void MaskScores::add(const std::string& method, int64_t label, const MapScore& score) {
  HITO_CHECK(label >= 0 && label < static_cast<int64_t>(classes_.size()), "mask scores: label ", label,
             " outside the ", classes_.size(), " classes");
  const size_t m = method_index(method);
  per_class_[m][static_cast<size_t>(label)].add(score);
  overall_[m].add(score);
}

const ScoreSummary& MaskScores::per_class(const std::string& method, int64_t label) const {
  return per_class_[method_index(method)].at(static_cast<size_t>(label));
}

const ScoreSummary& MaskScores::overall(const std::string& method) const { return overall_[method_index(method)]; }

std::string MaskScores::to_csv() const {
  std::ostringstream out;
  out << "method,class,rows,pointing_game,energy_inside,mask_area,flat_maps\n";
  auto line = [&](const std::string& method, const std::string& group, const ScoreSummary& s) {
    out << method << ',' << group << ',' << s.rows << ',' << format_score(s.pointing_game()) << ','
        << format_score(s.energy_inside()) << ',' << format_score(s.mask_area()) << ',' << s.flat << '\n';
  };
  for (size_t m = 0; m < methods_.size(); ++m) {
    for (size_t k = 0; k < classes_.size(); ++k) line(methods_[m], classes_[k], per_class_[m][k]);
    line(methods_[m], "all", overall_[m]);
  }
  return out.str();
}

nlohmann::ordered_json MaskScores::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (size_t m = 0; m < methods_.size(); ++m) {
    nlohmann::ordered_json classes = nlohmann::ordered_json::object();
    for (size_t k = 0; k < classes_.size(); ++k) classes[classes_[k]] = summary_json(per_class_[m][k]);
    out[methods_[m]] = {{"all", summary_json(overall_[m])}, {"per_class", classes}};
  }
  return out;
}

std::vector<uint8_t> binarize_mask(const uint8_t* pixels, int64_t pixel_count, int64_t channels) {
  std::vector<uint8_t> mask(static_cast<size_t>(pixel_count));
  for (int64_t i = 0; i < pixel_count; ++i) mask[static_cast<size_t>(i)] = pixels[i * channels] > 127 ? 1 : 0;
  return mask;
}

}  // namespace hito::explain

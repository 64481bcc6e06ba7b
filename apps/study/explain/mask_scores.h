// How well an explanation map agrees with the lesion's segmentation mask, the scores of
// `hito explain` (<run>/explain/mask_scores.csv and .json):
//
//   pointing game   hit when the map's maximum (the first one in row-major order) lies inside the
//                   lesion; the share of hits over the rows. A flat map (maximum == minimum, or no
//                   positive value) points nowhere and counts as a miss.
//   energy inside   sum(max(map, 0) * mask) / sum(max(map, 0)): the share of the map's positive
//                   energy that falls on the lesion; averaged over the rows whose map is not flat.
//   mask area       the share of the image the lesion covers: what a uniform (uninformative) map
//                   scores on both measures, the chance level to compare them with.
//
// A map and its mask have the same (H, W): the model's input geometry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hito::explain {

struct MapScore {
  bool flat = false;
  bool hit = false;             // false when flat
  double energy_inside = 0.0;   // NaN when flat
  double mask_area = 0.0;
};

// map: `pixels` floats; mask: `pixels` bytes, non-zero inside the lesion (at least one such pixel).
MapScore score_map(const float* map, const uint8_t* mask, int64_t pixels);

// The scores of one method over a group of rows (one class, or all).
struct ScoreSummary {
  int64_t rows = 0, flat = 0, hits = 0, energy_rows = 0;
  double energy_sum = 0.0, mask_area_sum = 0.0;

  void add(const MapScore& score);
  double pointing_game() const;  // hits / rows (NaN without rows)
  double energy_inside() const;  // mean over the non-flat rows (NaN without any)
  double mask_area() const;      // mean over the rows (NaN without rows)
};

// Every method's summaries per class (by the rows' true class) and over all rows.
class MaskScores {
 public:
  MaskScores(std::vector<std::string> methods, std::vector<std::string> classes);
  // The score of `method`'s map for a row whose true class is `label`.
  void add(const std::string& method, int64_t label, const MapScore& score);

  const std::vector<std::string>& methods() const { return methods_; }
  const std::vector<std::string>& classes() const { return classes_; }
  const ScoreSummary& per_class(const std::string& method, int64_t label) const;
  const ScoreSummary& overall(const std::string& method) const;

  // Header: method,class,rows,pointing_game,energy_inside,mask_area,flat_maps; for each method one
  // line per class then one with class "all". Undefined scores (no rows) are empty fields.
  std::string to_csv() const;
  // {"<method>": {"all": {...}, "per_class": {"<class>": {...}}}} with the fields of the CSV
  // (null for undefined scores).
  nlohmann::ordered_json to_json() const;

 private:
  size_t method_index(const std::string& method) const;
  std::vector<std::string> methods_, classes_;
  std::vector<std::vector<ScoreSummary>> per_class_;  // [method][class]
  std::vector<ScoreSummary> overall_;                 // [method]
};

// A lesion mask resized like the model's input, (H, W, channels) u8 -> (H, W) bytes: 1 where the
// first channel is above 127, else 0.
std::vector<uint8_t> binarize_mask(const uint8_t* pixels, int64_t pixel_count, int64_t channels);

}  // namespace hito::explain

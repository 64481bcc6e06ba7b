// synth_dataset: class profiles -> lesions (metadata + look) -> views -> files. Every random choice
// comes from a Generator seeded by (seed, what, index), so the output depends on the seed alone,
// not on the number of threads.
#include "apps/study/synth/synth.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "apps/study/synth/synth_image.h"
#include "data/csv.h"
#include "base/hash.h"
#include "data/parallel.h"
#include "base/error.h"
#include "base/fs.h"

namespace hito::study {

namespace {

using Rgb = std::array<float, 3>;
using Weighted = std::vector<std::pair<const char*, double>>;

// What a class looks like in each modality. Shares are HAM10000's.
struct ClassProfile {
  const char* name;
  double share;
  double age_mean, age_sd, male_share;
  Weighted sites, dx_types;
  // Image: colours, size (fraction of the height), outline and marks; spread drawn per lesion.
  Rgb base, secondary;
  float radius, irregularity, asymmetry, edge, texture;
  float veil = 0, pale_centre_chance = 0, network = 0;
  int vessels = 0, lobules = 0, dots = 0;
};

// bkl and akiec share one look (told apart by age and site); df mostly looks like nv (told apart by
// site, sex and age; a pale centre on some); mel, bcc and vasc have looks of their own but share
// their patients' profiles with other classes.
const std::vector<ClassProfile>& profiles() {
  static const std::vector<ClassProfile> table = [] {
    const Rgb keratosis_base = {168, 124, 92}, keratosis_secondary = {120, 84, 60};
    const Rgb naevus_base = {136, 88, 60}, naevus_secondary = {96, 60, 40};
    std::vector<ClassProfile> t;
    t.push_back({"akiec", 0.0327, 70, 8, 0.66,
                 {{"face", 0.42}, {"scalp", 0.16}, {"hand", 0.14}, {"ear", 0.1}, {"neck", 0.1}, {"upper extremity", 0.08}},
                 {{"histo", 1.0}},
                 keratosis_base, keratosis_secondary, 0.27f, 0.07f, 0.08f, 0.10f, 0.5f});
    t.back().dots = 6;
    t.push_back({"bcc", 0.0513, 66, 11, 0.6,
                 {{"face", 0.3}, {"back", 0.25}, {"trunk", 0.15}, {"neck", 0.1}, {"chest", 0.1}, {"scalp", 0.05}, {"ear", 0.05}},
                 {{"histo", 1.0}},
                 {214, 150, 148}, {235, 190, 185}, 0.24f, 0.05f, 0.06f, 0.16f, 0.4f});
    t.back().vessels = 4;
    t.push_back({"bkl", 0.1097, 58, 12, 0.54,
                 {{"trunk", 0.3}, {"back", 0.3}, {"chest", 0.14}, {"abdomen", 0.1}, {"upper extremity", 0.1}, {"lower extremity", 0.06}},
                 {{"histo", 0.71}, {"consensus", 0.23}, {"confocal", 0.06}},
                 keratosis_base, keratosis_secondary, 0.27f, 0.07f, 0.08f, 0.10f, 0.5f});
    t.back().dots = 6;
    t.push_back({"df", 0.0115, 37, 10, 0.3, {{"lower extremity", 0.84}, {"upper extremity", 0.1}, {"trunk", 0.06}},
                 {{"consensus", 0.6}, {"histo", 0.4}},
                 naevus_base, naevus_secondary, 0.2f, 0.03f, 0.04f, 0.18f, 0.3f});
    t.back().pale_centre_chance = 0.5f;
    t.back().network = 0.3f;
    t.push_back({"mel", 0.1111, 56, 15, 0.58,
                 {{"back", 0.3}, {"trunk", 0.16}, {"upper extremity", 0.15}, {"abdomen", 0.12}, {"chest", 0.1}, {"neck", 0.05},
                  {"face", 0.05}, {"lower extremity", 0.05}, {"foot", 0.02}},
                 {{"histo", 1.0}},
                 {70, 44, 36}, {30, 22, 24}, 0.36f, 0.13f, 0.16f, 0.05f, 0.8f});
    t.back().veil = 0.45f;
    t.push_back({"nv", 0.6695, 44, 15, 0.5,
                 {{"back", 0.32}, {"trunk", 0.2}, {"upper extremity", 0.15}, {"abdomen", 0.15}, {"chest", 0.07}, {"neck", 0.04},
                  {"lower extremity", 0.02}, {"foot", 0.02}, {"face", 0.02}, {"genital", 0.01}},
                 {{"follow_up", 0.55}, {"histo", 0.37}, {"consensus", 0.08}},
                 naevus_base, naevus_secondary, 0.22f, 0.03f, 0.04f, 0.18f, 0.3f});
    t.back().network = 0.3f;
    t.push_back({"vasc", 0.0142, 48, 20, 0.45,
                 {{"trunk", 0.3}, {"lower extremity", 0.25}, {"abdomen", 0.15}, {"back", 0.1}, {"upper extremity", 0.1}, {"face", 0.1}},
                 {{"consensus", 0.55}, {"histo", 0.45}},
                 {196, 70, 88}, {150, 40, 70}, 0.2f, 0.04f, 0.05f, 0.07f, 0.3f});
    t.back().lobules = 5;
    return t;
  }();
  return table;
}

uint64_t seed_for(uint64_t seed, const char* what, uint64_t index) { return Hasher().add(seed).add(what).add(index).digest(); }

const char* pick(const Weighted& options, Generator& gen) {
  double total = 0;
  for (const auto& o : options) total += o.second;
  double u = gen.uniform() * total;
  for (const auto& o : options)
    if ((u -= o.second) < 0) return o.first;
  return options.back().first;
}

// Images per class by largest remainder, so they add up to n; every class gets at least
// kMinLesions images (taken from the largest class), so that a small set still splits three ways.
constexpr int64_t kMinLesions = 3;

std::vector<int64_t> class_counts(int64_t n) {
  const auto& p = profiles();
  std::vector<int64_t> counts(p.size());
  std::vector<std::pair<double, size_t>> remainders;
  int64_t given = 0;
  for (size_t k = 0; k < p.size(); ++k) {
    double exact = p[k].share * static_cast<double>(n);
    counts[k] = static_cast<int64_t>(std::floor(exact));
    given += counts[k];
    remainders.push_back({exact - std::floor(exact), k});
  }
  std::sort(remainders.rbegin(), remainders.rend());
  for (int64_t i = 0; given < n; ++i, ++given) ++counts[remainders[static_cast<size_t>(i) % remainders.size()].second];
  auto largest = std::max_element(counts.begin(), counts.end());
  for (int64_t& count : counts)
    if (count < kMinLesions) *largest -= kMinLesions - count, count = kMinLesions;
  return counts;
}

struct Lesion {
  size_t profile;
  std::string lesion_id, dx_type, age, sex, site;
  LesionLook look;
  int64_t images = 1;
};

float jitter(float value, float spread, Generator& gen) { return value * (1 + spread * gen.normal()); }

Lesion make_lesion(size_t k, uint64_t seed, uint64_t index) {
  const ClassProfile& p = profiles()[k];
  Generator gen(seed_for(seed, "lesion", index));
  Lesion l;
  l.profile = k;
  l.dx_type = pick(p.dx_types, gen);
  double age = std::clamp(p.age_mean + p.age_sd * gen.normal(), 0.0, 85.0);
  char age_text[16];
  std::snprintf(age_text, sizeof(age_text), "%.1f", 5.0 * std::round(age / 5.0));  // HAM10000 writes "45.0"
  l.age = gen.uniform() < 0.02f ? "" : age_text;
  l.sex = gen.uniform() < 0.01f ? "unknown" : gen.uniform() < p.male_share ? "male" : "female";
  l.site = gen.uniform() < 0.03f ? "unknown" : pick(p.sites, gen);

  LesionLook& look = l.look;
  float brightness = 12.0f * gen.normal();  // lighter or darker, with a slight change of hue
  for (int c = 0; c < 3; ++c) {
    float shift = brightness + 4.0f * gen.normal();
    look.base[c] = std::clamp(p.base[c] + shift, 0.0f, 255.0f);
    look.secondary[c] = std::clamp(p.secondary[c] + shift, 0.0f, 255.0f);
  }
  float tone = gen.uniform();  // light to medium skin
  look.skin = {232 - 40 * tone, 188 - 45 * tone, 160 - 45 * tone};
  look.radius = std::clamp(jitter(p.radius, 0.18f, gen), 0.08f, 0.45f);
  look.elongation = gen.uniform(0.72f, 1.0f);
  look.irregularity = std::max(0.0f, jitter(p.irregularity, 0.3f, gen));
  look.asymmetry = std::max(0.0f, jitter(p.asymmetry, 0.3f, gen));
  look.edge = std::max(0.02f, jitter(p.edge, 0.25f, gen));
  look.texture = std::clamp(jitter(p.texture, 0.25f, gen), 0.0f, 1.0f);
  look.texture_scale = gen.uniform(4.0f, 8.0f);
  look.veil = p.veil > 0 ? std::clamp(jitter(p.veil, 0.3f, gen), 0.1f, 0.8f) : 0.0f;
  look.vessels = p.vessels > 0 ? p.vessels - 1 + static_cast<int>(gen.integer(3)) : 0;
  look.lobules = p.lobules > 0 ? p.lobules - 2 + static_cast<int>(gen.integer(4)) : 0;
  look.dots = p.dots > 0 ? p.dots - 3 + static_cast<int>(gen.integer(6)) : 0;
  look.pale_centre = gen.uniform() < p.pale_centre_chance ? gen.uniform(0.3f, 0.45f) : 0.0f;
  look.network = p.network > 0 ? gen.uniform(0.5f, 1.0f) * p.network : 0.0f;
  look.shape_seed = gen.next_u64();

  // Several images of some lesions (HAM10000 has about 1.34 images per lesion).
  float u = gen.uniform();
  l.images = u < 0.74f ? 1 : u < 0.91f ? 2 : u < 0.97f ? 3 : 4;
  return l;
}

View make_view(uint64_t seed, uint64_t image_index, bool first_of_lesion) {
  Generator gen(seed_for(seed, "view", image_index));
  View v;
  v.centre_x = 0.5f + gen.uniform(-0.08f, 0.08f);
  v.centre_y = 0.5f + gen.uniform(-0.08f, 0.08f);
  v.angle = gen.uniform(0.0f, 6.2831853f);
  v.scale = first_of_lesion ? 1.0f : gen.uniform(0.85f, 1.15f);
  v.light = gen.uniform(0.9f, 1.06f);
  v.seed = gen.next_u64();
  return v;
}

// "ISIC_0024306" style names from a number.
std::string numbered(const char* prefix, int64_t number) {
  char text[32];
  std::snprintf(text, sizeof(text), "%s_%07lld", prefix, static_cast<long long>(number));
  return text;
}

}  // namespace

SynthResult synth_dataset(const SynthOptions& options) {
  auto start = std::chrono::steady_clock::now();
  HITO_CHECK(options.n >= 40, "hito synth: --n must be at least 40 (three lesions of every class, so each split gets one), got ",
             options.n);
  HITO_CHECK(options.width >= 16 && options.height >= 16, "hito synth: images must be at least 16x16");
  // The output folder is replaced: never one that holds something other than a data set.
  const fs::path& out_dir = options.out_dir;
  HITO_CHECK(!fs::exists(out_dir) || (fs::is_directory(out_dir) && (fs::is_empty(out_dir) ||
                                                                    fs::exists(out_dir / "HAM10000_metadata.csv"))),
             "hito synth: refusing to replace ", out_dir.string(), ": it is not empty and holds no HAM10000_metadata.csv");

  // Lesions, class by class, until each class has its share of images.
  std::vector<Lesion> lesions;
  std::vector<int64_t> counts = class_counts(options.n);
  uint64_t lesion_index = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    for (int64_t left = counts[k], made = 0; left > 0; ++made) {
      Lesion l = make_lesion(k, options.seed, lesion_index++);
      int64_t reserved = std::max<int64_t>(0, kMinLesions - made - 1);  // images kept for the lesions still needed
      l.images = std::clamp<int64_t>(l.images, 1, left - reserved);
      left -= l.images;
      lesions.push_back(std::move(l));
    }
  }
  // Shuffled order and id numbers, as in a real export.
  Generator gen(seed_for(options.seed, "order", 0));
  auto shuffle = [&](auto& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[static_cast<size_t>(gen.integer(static_cast<int64_t>(i)))]);
  };
  shuffle(lesions);
  std::vector<int64_t> lesion_numbers(lesions.size()), image_numbers(static_cast<size_t>(options.n));
  std::iota(lesion_numbers.begin(), lesion_numbers.end(), 0);
  std::iota(image_numbers.begin(), image_numbers.end(), 24306);
  shuffle(lesion_numbers);
  shuffle(image_numbers);

  struct Row {
    size_t lesion;
    std::string image_id;
    View view;
  };
  std::vector<Row> rows;
  for (size_t l = 0; l < lesions.size(); ++l) {
    lesions[l].lesion_id = numbered("HAM", lesion_numbers[l]);
    for (int64_t i = 0; i < lesions[l].images; ++i) {
      uint64_t index = rows.size();
      rows.push_back({l, numbered("ISIC", image_numbers[index]), make_view(options.seed, index, i == 0)});
    }
  }

  OutputDir out(options.out_dir);
  fs::create_directories(out.path() / "images");
  fs::create_directories(out.path() / "masks");
  data::parallel_items(static_cast<int64_t>(rows.size()), options.threads, [&](int64_t r, int) {
    const Row& row = rows[static_cast<size_t>(r)];
    SynthImage drawn = draw_lesion(lesions[row.lesion].look, row.view, options.height, options.width);
    data::write_jpeg(out.path() / "images" / (row.image_id + ".jpg"), drawn.image, 90);
    data::write_png(out.path() / "masks" / (row.image_id + "_segmentation.png"), drawn.mask);
  });
  data::CsvWriter csv({"lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"});
  for (const Row& row : rows) {
    const Lesion& l = lesions[row.lesion];
    csv.row({l.lesion_id, row.image_id, profiles()[l.profile].name, l.dx_type, l.age, l.sex, l.site});
  }
  csv.write(out.path() / "HAM10000_metadata.csv");
  write_file_atomic(out.path() / kSyntheticMarkerFile,
                    "Synthetic data made by `hito synth --seed " + std::to_string(options.seed) +
                        "`: drawn lesions in the HAM10000 format, not patients or clinical images.\n");
  out.commit();

  SynthResult result;
  result.images = static_cast<int64_t>(rows.size());
  result.lesions = static_cast<int64_t>(lesions.size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace hito::study

// `hito synth`: the built-in default data set, in exactly the HAM10000 format (HAM10000_metadata.csv
// with lesion_id,image_id,dx,dx_type,age,sex,localization + images/<id>.jpg + masks/<id>_segmentation.png),
// generated deterministically from a seed in a few seconds.
//
// The 7 classes come in HAM10000's proportions; some lesions have several images (other angle,
// scale, lighting, hair); age, sex and body site depend on the class; some ages are missing and some
// sex/site values are "unknown"; dx_type is tied to the label (it leaks it, as in the real data).
// The two modalities are made complementary, so that a model fusing them beats either alone:
//   told apart by the image:    mel vs nv (dark, blue-grey, large, irregular vs brown, round),
//                               bcc (pink with red vessels), vasc (red-purple lobules);
//   told apart by the metadata: akiec vs bkl (same look; akiec on the face/scalp/hands of the old),
//                               df vs nv (mostly the same look; df on the legs of younger women).
#pragma once

#include <cstdint>
#include <filesystem>

namespace hito::study {

namespace fs = std::filesystem;

// The file `hito synth` leaves in the data folder it makes, so that `hito prepare` records the data as
// synthetic (prepared/manifest.json "synthetic") and the report says so.
inline constexpr const char* kSyntheticMarkerFile = "SYNTHETIC.txt";

struct SynthOptions {
  fs::path out_dir = "data";
  int64_t n = 2000;  // images
  uint64_t seed = 0;
  int64_t width = 200, height = 150;
  int threads = 0;  // 0: all cores
};

struct SynthResult {
  int64_t images = 0, lesions = 0;
  double seconds = 0.0;
};

// Writes the data set to options.out_dir (built under a temporary name, swapped in at the end). An
// existing out_dir is replaced only when it is empty or holds a HAM10000_metadata.csv.
SynthResult synth_dataset(const SynthOptions& options);

}  // namespace hito::study

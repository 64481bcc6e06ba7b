// Drawing one synthetic dermoscopy image and its lesion mask from a lesion's parameters: a skin
// background with low-frequency mottling, a lesion whose outline (radius harmonics: irregularity,
// asymmetry), colours, edge sharpness and texture follow its class, class marks (blue-grey veil,
// vessels, lobules, whitish dots, a pale centre, pigment network), then hair, vignetting and noise.
#pragma once

#include <array>
#include <cstdint>

#include "data/image.h"
#include "engine/random.h"

namespace hito::study {

// What the image of a lesion looks like; fixed per lesion, so its several images agree.
struct LesionLook {
  std::array<float, 3> base{}, secondary{};  // RGB 0..255: main colour, and the colour texture mixes in
  float radius = 0.3f;        // mean radius, as a fraction of the image height
  float elongation = 1.0f;    // ellipse axis ratio (<= 1)
  float irregularity = 0.05f; // amplitude of the outline's higher harmonics
  float asymmetry = 0.05f;    // amplitude of the first harmonic (one side bulges)
  float edge = 0.08f;         // width of the soft edge, as a fraction of the radius
  float texture = 0.3f;       // how much of the secondary colour the noise mixes in
  float texture_scale = 6.0f; // noise cells across the lesion
  float veil = 0.0f;          // blue-grey veil coverage (melanoma)
  int vessels = 0;            // red branching lines (basal cell carcinoma)
  int lobules = 0;            // red-purple round lobules (vascular lesions)
  int dots = 0;               // whitish dots (keratoses)
  float pale_centre = 0.0f;   // radius of a pale central patch, fraction of the radius (dermatofibroma)
  float network = 0.0f;       // strength of a pigment network (naevi)
  std::array<float, 3> skin{};  // the patient's skin tone
  uint64_t shape_seed = 0;    // outline harmonics and mark positions
};

// One view of the lesion: where it sits, how it is turned and lit.
struct View {
  float centre_x = 0.5f, centre_y = 0.5f;  // fractions of the image size
  float angle = 0.0f, scale = 1.0f, light = 1.0f;
  uint64_t seed = 0;  // hair, vignetting and noise
};

struct SynthImage {
  data::Image image;  // RGB
  data::Image mask;   // gray, 255 inside the lesion
};

SynthImage draw_lesion(const LesionLook& look, const View& view, int64_t height, int64_t width);

}  // namespace hito::study

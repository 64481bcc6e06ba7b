// The PNG grids of `hito explain`: each explained test image with a method's map drawn over it in
// the jet colour map, its true and predicted labels underneath, and the images themselves with the
// lesion mask's outline.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plot/raster.h"

namespace hito::explain {

// One image shown in the grids, at the model's input size.
struct ExplainedImage {
  std::string id;
  int64_t label = 0, predicted = 0;
  float probability = 0.0f;  // of the predicted class
  plot::RgbImage image;
  std::vector<uint8_t> mask;                      // (height, width), 1 inside the lesion; empty: none
  std::map<std::string, std::vector<float>> maps;  // method -> (height, width)
};

// The overlays of `method` for every image, `columns` per grid row, in the given order. Negative
// map values (occlusion) are drawn as zero: the colour shows where the evidence for the class is.
plot::RgbImage explanation_grid(const std::vector<ExplainedImage>& images, const std::string& method,
                                  const std::vector<std::string>& classes, int columns, const std::string& title);

// The images with their lesion outline (one-pixel boundary of the mask, in white) where a mask exists.
plot::RgbImage image_grid(const std::vector<ExplainedImage>& images, const std::vector<std::string>& classes,
                            int columns, const std::string& title);

// "Grad-CAM", "Saliency (input gradient)", "Occlusion": a method's name for people.
std::string method_title(const std::string& method);

}  // namespace hito::explain

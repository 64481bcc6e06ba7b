// Explanation overlays and image grids (see overlays.h).
#include "apps/study/explain/overlays.h"

#include <algorithm>
#include <cstdio>

#include "apps/study/explain/attribution.h"
#include "plot/image_grid.h"
#include "base/error.h"

namespace hito::explain {

namespace {

const plot::Rgb kRight = {46, 160, 67}, kWrong = {207, 34, 46};

// "true: mel" and "pred: nv 0.83", the predicted line coloured by whether it is right.
std::vector<plot::CaptionLine> caption(const ExplainedImage& image, const std::vector<std::string>& classes) {
  char probability[16];
  std::snprintf(probability, sizeof probability, "%.2f", image.probability);
  const bool right = image.label == image.predicted;
  return {{"true: " + classes.at(static_cast<size_t>(image.label))},
          {"pred: " + classes.at(static_cast<size_t>(image.predicted)) + " " + probability, right ? kRight : kWrong}};
}

plot::RgbImage grid(const std::vector<plot::GridTile>& tiles, int columns, const std::string& title) {
  HITO_CHECK(!tiles.empty(), "explanation grid: no image to show");
  plot::GridOptions options;
  options.columns = std::max(1, columns);
  options.tile_size = 160;
  options.title = title;
  return plot::compose_grid(tiles, options);
}

}  // namespace

std::string method_title(const std::string& method) {
  if (method == kGradCam) return "Grad-CAM";
  if (method == kSaliency) return "Saliency (input gradient)";
  if (method == kOcclusion) return "Occlusion";
  return method;
}

plot::RgbImage explanation_grid(const std::vector<ExplainedImage>& images, const std::string& method,
                                  const std::vector<std::string>& classes, int columns, const std::string& title) {
  std::vector<plot::GridTile> tiles;
  for (const ExplainedImage& image : images) {
    auto it = image.maps.find(method);
    HITO_CHECK(it != image.maps.end(), "explanation grid: image ", image.id, " has no ", method, " map");
    std::vector<float> evidence = it->second;
    for (float& v : evidence) v = std::max(v, 0.0f);
    plot::RgbImage overlay = plot::overlay_heat_map(image.image, evidence, image.image.width, image.image.height);
    tiles.push_back({overlay, caption(image, classes), image.label == image.predicted ? kRight : kWrong});
  }
  return grid(tiles, columns, title);
}

plot::RgbImage image_grid(const std::vector<ExplainedImage>& images, const std::vector<std::string>& classes,
                            int columns, const std::string& title) {
  std::vector<plot::GridTile> tiles;
  for (const ExplainedImage& image : images) {
    plot::RgbImage outlined = image.image;
    const int W = image.image.width, H = image.image.height;
    if (!image.mask.empty()) {
      auto inside = [&](int x, int y) {
        return x >= 0 && y >= 0 && x < W && y < H && image.mask[static_cast<size_t>(y * W + x)] != 0;
      };
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          if (inside(x, y) && !(inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1)))
            outlined.set(x, y, {255, 255, 255});
    }
    tiles.push_back({outlined, caption(image, classes), image.label == image.predicted ? kRight : kWrong});
  }
  return grid(tiles, columns, title);
}

}  // namespace hito::explain

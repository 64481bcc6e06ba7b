// The CNNs by name, for the command line (`hito infer --arch NAME`) and the benchmarks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/image_classifier.h"

namespace hito {

// "resnet18", "resnet34", "resnet50", "mobilenet_v2", "small_cnn"
std::vector<std::string> image_model_names();
// A freshly initialised model; num_classes 0 builds it without a classifier. An unknown name is an
// error that lists the known ones.
std::shared_ptr<ImageClassifier> make_image_model(const std::string& arch, int64_t num_classes,
                                                  Generator& gen = default_generator());

}  // namespace hito

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
// The name of the classifier's weight (num_classes, num_features) in a state dict of `arch`
// ("fc.weight", "classifier.1.weight"): how many classes a checkpoint has.
std::string classifier_weight_name(const std::string& arch);

}  // namespace hito

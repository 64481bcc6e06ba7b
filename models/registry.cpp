// Model construction by name.
#include "models/registry.h"

#include <functional>
#include <map>

#include "models/mobilenet_v2.h"
#include "models/resnet.h"
#include "models/small_cnn.h"

namespace hito {

namespace {
using Factory = std::function<std::shared_ptr<ImageClassifier>(int64_t, Generator&)>;
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> all = {
      {"resnet18", [](int64_t k, Generator& g) { return resnet18(k, g); }},
      {"resnet34", [](int64_t k, Generator& g) { return resnet34(k, g); }},
      {"resnet50", [](int64_t k, Generator& g) { return resnet50(k, g); }},
      {"mobilenet_v2", [](int64_t k, Generator& g) { return std::make_shared<MobileNetV2>(k, 0.2f, g); }},
      {"small_cnn",
       [](int64_t k, Generator& g) {
         SmallCnnConfig config;
         config.num_classes = k;
         return std::make_shared<SmallCnn>(config, g);
       }},
  };
  return all;
}
}  // namespace

std::vector<std::string> image_model_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories()) names.push_back(name);
  return names;
}

namespace {
void check_known(const std::string& arch) {
  if (factories().count(arch)) return;
  std::string known;
  for (const auto& name : image_model_names()) known += (known.empty() ? "" : ", ") + name;
  HITO_FAIL("unknown architecture '", arch, "'; known: ", known);
}
}  // namespace

std::shared_ptr<ImageClassifier> make_image_model(const std::string& arch, int64_t num_classes, Generator& gen) {
  check_known(arch);
  return factories().at(arch)(num_classes, gen);
}

std::string classifier_weight_name(const std::string& arch) {
  check_known(arch);
  return arch == "mobilenet_v2" ? "classifier.1.weight" : "fc.weight";
}

}  // namespace hito

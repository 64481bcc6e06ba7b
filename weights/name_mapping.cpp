// Checkpoint name mapping (rules in name_mapping.h).
#include "weights/name_mapping.h"

#include <map>
#include <regex>

#include "base/error.h"

namespace hito {

namespace {

std::string strip_wrappers(std::string name) {
  for (const char* prefix : {"module.", "model."})
    if (name.rfind(prefix, 0) == 0) name = name.substr(std::string(prefix).size());
  return name;
}

// timm's mobilenetv2_100 -> torchvision's mobilenet_v2; names that fit no rule are returned as they
// are (a strict load then reports them).
std::string timm_mobilenet_v2_name(const std::string& name) {
  static const int64_t kBlocksPerStage[] = {1, 2, 3, 4, 3, 3, 1};
  static const std::map<std::string, std::string> kFirstBlock = {
      {"conv_dw", "conv.0.0"}, {"bn1", "conv.0.1"}, {"conv_pw", "conv.1"}, {"bn2", "conv.2"}};
  static const std::map<std::string, std::string> kOtherBlocks = {
      {"conv_pw", "conv.0.0"}, {"bn1", "conv.0.1"}, {"conv_dw", "conv.1.0"},
      {"bn2", "conv.1.1"},     {"conv_pwl", "conv.2"}, {"bn3", "conv.3"}};
  static const std::map<std::string, std::string> kTopLevel = {{"conv_stem", "features.0.0"},
                                                               {"bn1", "features.0.1"},
                                                               {"conv_head", "features.18.0"},
                                                               {"bn2", "features.18.1"},
                                                               {"classifier", "classifier.1"}};
  static const std::regex kBlock(R"(blocks\.(\d+)\.(\d+)\.(\w+)\.(\w+))");
  static const std::regex kTop(R"((\w+)\.(\w+))");
  std::smatch m;
  if (std::regex_match(name, m, kBlock)) {
    const int64_t stage = std::stoll(m[1]), index = std::stoll(m[2]);
    if (stage >= 7 || index >= kBlocksPerStage[stage]) return name;
    const auto& parts = stage == 0 ? kFirstBlock : kOtherBlocks;
    auto it = parts.find(m[3]);
    if (it == parts.end()) return name;
    int64_t feature = 1 + index;
    for (int64_t s = 0; s < stage; ++s) feature += kBlocksPerStage[s];
    return "features." + std::to_string(feature) + "." + it->second + "." + m[4].str();
  }
  if (std::regex_match(name, m, kTop)) {
    auto it = kTopLevel.find(m[1]);
    if (it != kTopLevel.end()) return it->second + "." + m[2].str();
  }
  return name;
}

}  // namespace

NamedTensors to_torchvision_names(const NamedTensors& tensors) {
  bool timm_mobilenet = false;
  for (const auto& [name, tensor] : tensors) timm_mobilenet |= strip_wrappers(name) == "conv_stem.weight";
  NamedTensors renamed;
  std::map<std::string, std::string> origin;  // new name -> the checkpoint's
  for (const auto& [name, tensor] : tensors) {
    std::string mapped = strip_wrappers(name);
    if (timm_mobilenet) mapped = timm_mobilenet_v2_name(mapped);
    auto [it, inserted] = origin.emplace(mapped, name);
    HITO_CHECK(inserted, "checkpoint tensors '", it->second, "' and '", name, "' both map to '", mapped, "'");
    renamed.emplace_back(mapped, tensor);
  }
  return renamed;
}

}  // namespace hito

// The built-in data-set presets: the JSON files of data/presets/, compiled into the library as text
// (CMake writes presets.cpp from data/presets.cpp.in). DatasetConfig::preset() parses one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hito::data {

// The JSON text of a preset, or an empty view when there is none of that name.
std::string_view preset_text(std::string_view name);
// The names of every preset, sorted.
std::vector<std::string> preset_names();

}  // namespace hito::data

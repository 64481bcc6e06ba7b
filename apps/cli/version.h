// What `hito --version` prints: the version, the commit the build was configured at, the compiler,
// the CPU code path, and the CUDA and cuDNN versions when the CUDA back end is built in.
#pragma once

#include <string>

namespace hito::app {

std::string version_text();

}  // namespace hito::app

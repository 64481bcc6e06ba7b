// Builds the message of a hito::Error: "<file>:<line>: <message>", the path shortened to the project.
#include "base/error.h"

#include <cstring>

namespace hito::detail {

void throw_error(const char* file, int line, const std::string& message) {
  // Keep the path from the project root ("engine/tensor.cpp"), not the build machine's absolute path.
  const char* shown = file;
  for (const char* dir : {"/engine/", "/kernels/", "/layers/", "/models/", "/apps/", "/weights/", "/tests/", "/bench/"}) {
    if (const char* at = std::strstr(file, dir)) { shown = at + 1; break; }
  }
  throw Error(std::string(shown) + ":" + std::to_string(line) + ": " + message);
}

}  // namespace hito::detail

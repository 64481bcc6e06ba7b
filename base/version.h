// The hito version, recorded in the artifacts a run writes (manifest.json, ...).
#pragma once

namespace hito {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace hito

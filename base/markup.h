// Text made safe to place in HTML and XML (the report and its SVG figures): the five characters with
// a meaning in markup become entities, and the control characters XML 1.0 forbids are dropped (tab
// and newline stay).
#pragma once

#include <string>
#include <string_view>

namespace hito {

std::string escape_markup(std::string_view text);

}  // namespace hito

// UTF-8 validation for text read from files: a cell, a name or a label that is not valid UTF-8
// (or holds a NUL byte) is refused where it is read, with its file, row and column, rather than
// later inside a JSON writer with no location at all.
#pragma once

#include <string>
#include <string_view>

namespace hito {

// "" for valid UTF-8 without NUL bytes; otherwise what is wrong and at which byte
// ("a NUL byte at byte 3", "invalid UTF-8 at byte 7").
std::string text_problem(std::string_view text);

}  // namespace hito

// Errors: every failed check throws hito::Error carrying the source location and a message that
// names the offending file, row or tensor. The CLI turns it into one line and a non-zero exit.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace hito {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] void throw_error(const char* file, int line, const std::string& message);

// Concatenates the streamable arguments of a check message.
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace hito

// HITO_CHECK(cond, parts...): throws hito::Error("file:line: parts...") when cond is false.
#define HITO_CHECK(cond, ...)                                                         \
  do {                                                                                \
    if (!(cond)) ::hito::detail::throw_error(__FILE__, __LINE__, ::hito::detail::cat(__VA_ARGS__)); \
  } while (0)

// HITO_FAIL(parts...): throws unconditionally.
#define HITO_FAIL(...) ::hito::detail::throw_error(__FILE__, __LINE__, ::hito::detail::cat(__VA_ARGS__))

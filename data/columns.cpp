// Column kinds, missing-value tokens and number parsing.
#include "data/columns.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/error.h"

namespace hito::data {

const char* kind_name(ColumnKind kind) { return kind == ColumnKind::Numeric ? "numeric" : "categorical"; }

ColumnKind parse_kind(const std::string& name, const std::string& what) {
  if (name == "numeric") return ColumnKind::Numeric;
  HITO_CHECK(name == "categorical", what, ": kind must be numeric or categorical, got '", name, "'");
  return ColumnKind::Categorical;
}

std::string NumericRange::describe() const {
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "[%.15g, %.15g]", min, max);
  return buffer;
}

MissingValues::MissingValues(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool MissingValues::is_missing(std::string_view cell) const {
  std::string_view value = trim(cell);
  if (value.empty()) return true;
  for (const std::string& token : tokens_)
    if (value == token) return true;
  return false;
}

std::optional<double> parse_number(std::string_view cell) {
  std::string_view text = trim(cell);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

ColumnKind infer_kind(const std::vector<std::string>& cells, const MissingValues& missing) {
  bool any = false;
  for (const std::string& cell : cells) {
    if (missing.is_missing(cell)) continue;
    if (!parse_number(cell)) return ColumnKind::Categorical;
    any = true;
  }
  return any ? ColumnKind::Numeric : ColumnKind::Categorical;
}

}  // namespace hito::data

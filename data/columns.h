// Column vocabulary shared by the data-set description and the tabular encoder: the kind of a
// feature column (numeric or categorical), which cell values count as missing, and number parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hito::data {

enum class ColumnKind { Numeric, Categorical };

const char* kind_name(ColumnKind kind);  // "numeric" / "categorical"
// "numeric" / "categorical" -> kind; an error naming `what` otherwise.
ColumnKind parse_kind(const std::string& name, const std::string& what);

// The cell values that mean "missing", compared after trimming spaces (the empty string always is).
class MissingValues {
 public:
  MissingValues() = default;
  explicit MissingValues(std::vector<std::string> tokens);
  bool is_missing(std::string_view cell) const;
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  std::vector<std::string> tokens_;
};

// The values a numeric column may hold. Every numeric cell must lie within +-1e15 even when the
// data-set config declares no range (beyond that a square overflows the statistics and a float
// loses the value); a config's "ranges" narrows it ({"age": [0, 120]}).
inline constexpr double kMaxNumericMagnitude = 1e15;
struct NumericRange {
  double min = -kMaxNumericMagnitude, max = kMaxNumericMagnitude;
  bool contains(double value) const { return value >= min && value <= max; }
  std::string describe() const;  // "[0, 120]"
};

std::string_view trim(std::string_view text);
// The number in `cell` (spaces around allowed), or nothing when it is not a finite number.
std::optional<double> parse_number(std::string_view cell);
// Numeric when every non-missing cell parses as a number and there is at least one; else categorical.
ColumnKind infer_kind(const std::vector<std::string>& cells, const MissingValues& missing);

}  // namespace hito::data

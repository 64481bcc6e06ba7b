// Parsing with the depth and duplicate-key checks, and the typed reads of JsonReader (see json.h).
#include "base/json.h"

#include <limits>
#include <set>

#include "base/error.h"
#include "base/fs.h"

namespace hito {

template <class J>
J parse_json(std::string_view text, const std::string& where) {
  // nlohmann calls back at every event with the depth; an exception thrown here stops the parse
  // before a deeper value is built. One set of keys per open object finds a key given twice.
  std::vector<std::set<std::string>> open_objects;
  auto check = [&](int depth, typename J::parse_event_t event, J& parsed) {
    using Event = typename J::parse_event_t;
    if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth)
      HITO_FAIL(where, ": JSON nested deeper than ", kMaxJsonDepth, " levels");
    if (event == Event::object_start) open_objects.emplace_back();
    if (event == Event::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == Event::key && !open_objects.empty() && !open_objects.back().insert(parsed.template get<std::string>()).second)
      HITO_FAIL(where, ": names '", parsed.template get<std::string>(), "' twice in one object");
    return true;
  };
  try {
    return J::parse(text.begin(), text.end(), check);
  } catch (const nlohmann::json::exception& e) {
    HITO_FAIL(where, ": not valid JSON: ", e.what());
  }
}

template <class J>
J read_json_file(const std::filesystem::path& path) {
  HITO_CHECK(std::filesystem::is_regular_file(path), path.string(), " not found");
  return parse_json<J>(read_file(path), path.string());
}

template <class J>
std::string json_excerpt(const J& value, size_t max_chars) {
  // Parsed values are at most kMaxJsonDepth deep, so dump() cannot recurse far; "replace" keeps a
  // string that is not valid UTF-8 (built in memory, not parsed) from throwing while reporting.
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
  return text;
}

template <class J>
void JsonReader<J>::require_object() const {
  HITO_CHECK(value_.is_object(), where_, ": expected a JSON object, got ", value_.type_name());
}

template <class J>
bool JsonReader<J>::has(const std::string& key) const {
  require_object();
  return value_.contains(key);
}

template <class J>
const J& JsonReader<J>::at(const std::string& key) const {
  require_object();
  HITO_CHECK(value_.contains(key), where_, ": missing key \"", key, "\"");
  return value_.at(key);
}

template <class J>
JsonReader<J> JsonReader<J>::child(const std::string& key) const {
  return JsonReader(at(key), where_ + "." + key);
}

template <class J>
double JsonReader<J>::number(const std::string& key) const {
  const J& v = at(key);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  HITO_CHECK(v.is_number(), where_, ": \"", key, "\" must be a number or null");
  return v.template get<double>();
}

template <class J>
int64_t JsonReader<J>::integer(const std::string& key) const {
  const J& v = at(key);
  HITO_CHECK(v.is_number_integer(), where_, ": \"", key, "\" must be an integer");
  return v.template get<int64_t>();
}

template <class J>
bool JsonReader<J>::boolean(const std::string& key) const {
  const J& v = at(key);
  HITO_CHECK(v.is_boolean(), where_, ": \"", key, "\" must be true or false");
  return v.template get<bool>();
}

template <class J>
std::string JsonReader<J>::text(const std::string& key) const {
  const J& v = at(key);
  if (v.is_null()) return "";
  HITO_CHECK(v.is_string(), where_, ": \"", key, "\" must be a string");
  return v.template get<std::string>();
}

template <class J>
std::vector<std::string> JsonReader<J>::strings(const std::string& key) const {
  std::vector<std::string> out;
  for (const J& v : array(key)) {
    HITO_CHECK(v.is_string(), where_, ": \"", key, "\" must be an array of strings");
    out.push_back(v.template get<std::string>());
  }
  return out;
}

template <class J>
const J& JsonReader<J>::array(const std::string& key) const {
  const J& v = at(key);
  HITO_CHECK(v.is_array(), where_, ": \"", key, "\" must be an array");
  return v;
}

template <class J>
JsonReader<J> JsonReader<J>::item(size_t i) const {
  HITO_CHECK(value_.is_array(), where_, ": expected a JSON array, got ", value_.type_name());
  HITO_CHECK(i < value_.size(), where_, ": no item ", i, " (the array has ", value_.size(), ")");
  return JsonReader(value_[i], where_ + "[" + std::to_string(i) + "]");
}

template Json parse_json<Json>(std::string_view, const std::string&);
template OrderedJson parse_json<OrderedJson>(std::string_view, const std::string&);
template Json read_json_file<Json>(const std::filesystem::path&);
template OrderedJson read_json_file<OrderedJson>(const std::filesystem::path&);
template std::string json_excerpt<Json>(const Json&, size_t);
template std::string json_excerpt<OrderedJson>(const OrderedJson&, size_t);
template class JsonReader<Json>;
template class JsonReader<OrderedJson>;

}  // namespace hito

// JSON in hito: every JSON text the project reads goes through parse_json (or read_json_file), which
// bounds the nesting depth (a hostile file cannot exhaust the stack, here or later in dump() and the
// destructors), refuses a key given twice in one object, and turns every syntax error into an Error
// naming the file. JsonReader then reads typed values with errors that name the file and the path of
// the value inside it: "run/eval/eval.json: models[2].test: \"macro_auc\" must be a number or null".
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hito {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;  // keeps the keys in file order

// Objects and arrays may nest this deep; hito's own files nest at most about six levels.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text`. `where` names it in errors ("config.json", "the safetensors header of m.st").
// J is Json or OrderedJson.
template <class J = Json>
J parse_json(std::string_view text, const std::string& where);

// Reads and parses a file; a missing or unreadable file is an Error naming it.
template <class J = Json>
J read_json_file(const std::filesystem::path& path);

// The value as compact JSON for an error message, cut to about `max_chars` ("[1,2,3,...").
template <class J>
std::string json_excerpt(const J& value, size_t max_chars = 120);

// A checked view of one JSON value (not owned: the value must outlive the reader) and where it is.
template <class J = Json>
class JsonReader {
 public:
  JsonReader(const J& value, std::string where) : value_(value), where_(std::move(where)) {}

  const J& value() const { return value_; }
  const std::string& where() const { return where_; }

  // ---- objects: the value must be an object, and `key` present unless asked with has() ----
  bool has(const std::string& key) const;
  const J& at(const std::string& key) const;
  JsonReader child(const std::string& key) const;  // where: "<where>.key"
  double number(const std::string& key) const;     // a number, or null as NaN
  int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string text(const std::string& key) const;  // a string, or null as ""
  std::vector<std::string> strings(const std::string& key) const;  // an array of strings
  const J& array(const std::string& key) const;                    // an array (checked)
  size_t size(const std::string& key) const { return array(key).size(); }

  // ---- arrays: the value must be an array ----
  JsonReader item(size_t i) const;  // where: "<where>[i]"

 private:
  void require_object() const;
  const J& value_;
  std::string where_;
};

}  // namespace hito

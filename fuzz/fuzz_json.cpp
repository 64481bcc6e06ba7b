// The JSON files hito reads back from a run folder: the reader itself (depth limit, duplicate
// keys), the typed reads of JsonReader that every later command uses, the tabular encoder of
// prepared/encoders.json, and the excerpts error messages quote.
#include "base/json.h"
#include "data/tabular_encoder.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hito;
  fuzz::refuse_cleanly([&] {
    OrderedJson json = parse_json<OrderedJson>(fuzz::as_text(data, size), "fuzz.json");
    json_excerpt(json);
    if (json.is_object()) {
      JsonReader<OrderedJson> reader(json, "fuzz.json");
      for (const auto& [key, value] : json.items()) {
        if (value.is_number()) reader.number(key);
        if (value.is_number_integer()) reader.integer(key);
        if (value.is_string()) reader.text(key);
        if (value.is_array() && !value.empty()) reader.child(key).item(0);
      }
      fuzz::refuse_cleanly([&] { data::TabularEncoder::from_json(json, "encoders.json"); });
    }
  });
  return 0;
}

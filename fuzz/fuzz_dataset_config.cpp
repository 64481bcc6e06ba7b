// Data-set configs (data/dataset_config.h, `hito prepare --config FILE`): the JSON reader with its
// depth limit, every key, and the round trip through to_json.
#include "base/json.h"
#include "data/dataset_config.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hito;
  fuzz::refuse_cleanly([&] {
    OrderedJson json = parse_json<OrderedJson>(fuzz::as_text(data, size), "fuzz.json");
    data::DatasetConfig config = data::DatasetConfig::from_json(json, "fuzz.json");
    data::DatasetConfig::from_json(config.to_json(), "round trip");
  });
  return 0;
}

// The one JSON reader of the project (base/json.h): syntax errors, nesting deeper than the limit and
// keys given twice are refused with the file named; JsonReader's typed reads name the value's path.
#include "base/json.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/fs.h"
#include "tests/support/testing.h"

namespace hito {
namespace {

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(Json, ParsesAndKeepsTheKeyOrderWhenAsked) {
  Json plain = parse_json<Json>(R"({"b": 1, "a": [true, null]})", "inline");
  EXPECT_EQ(plain["b"].get<int>(), 1);
  OrderedJson ordered = parse_json<OrderedJson>(R"({"b": 1, "a": 2})", "inline");
  EXPECT_EQ(ordered.begin().key(), "b");
}

TEST(Json, ASyntaxErrorNamesTheText) {
  std::string message = testing::error_message([] { parse_json(R"({"a": )", "settings.json"); });
  EXPECT_NE(message.find("settings.json: not valid JSON"), std::string::npos) << message;
}

TEST(Json, NestingBeyondTheLimitIsRefusedWithoutExhaustingTheStack) {
  EXPECT_NO_THROW(parse_json(nested(kMaxJsonDepth), "deep"));
  std::string message = testing::error_message([] { parse_json(nested(kMaxJsonDepth + 1), "deep.json"); });
  EXPECT_NE(message.find("deep.json: JSON nested deeper than"), std::string::npos) << message;
  // A hostile file: a million levels, in objects and in arrays.
  std::string objects;
  for (int i = 0; i < 1000000; ++i) objects += "{\"a\":";
  EXPECT_THROW(parse_json(objects, "objects"), Error);
  EXPECT_THROW(parse_json(nested(1000000), "arrays"), Error);
}

TEST(Json, AKeyGivenTwiceInOneObjectIsRefused) {
  EXPECT_NO_THROW(parse_json(R"({"a": {"x": 1}, "b": {"x": 2}})", "siblings"));
  std::string message = testing::error_message([] { parse_json(R"({"a": {"x": 1, "x": 2}})", "twice.json"); });
  EXPECT_NE(message.find("twice.json: names 'x' twice in one object"), std::string::npos) << message;
}

TEST(Json, AMissingFileIsNamed) {
  fs::path missing = testing::temp_dir("json") / "absent.json";
  EXPECT_NE(testing::error_message([&] { read_json_file(missing); }).find("absent.json not found"), std::string::npos);
}

TEST(JsonReader, TypedReadsNameThePathOfTheValue) {
  Json root = parse_json(R"({"models": [{"name": "tabular", "auc": null, "rows": 3, "ok": true, "tags": ["a"]}]})",
                         "eval.json");
  JsonReader<Json> model = JsonReader<Json>(root, "eval.json").child("models").item(0);
  EXPECT_EQ(model.where(), "eval.json.models[0]");
  EXPECT_EQ(model.text("name"), "tabular");
  EXPECT_TRUE(std::isnan(model.number("auc")));
  EXPECT_EQ(model.integer("rows"), 3);
  EXPECT_TRUE(model.boolean("ok"));
  EXPECT_EQ(model.strings("tags"), std::vector<std::string>{"a"});
  EXPECT_TRUE(model.has("rows"));
  EXPECT_FALSE(model.has("absent"));
  auto fails_with = [&](const std::function<void()>& read, const std::string& expected) {
    std::string message = testing::error_message(read);
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  };
  fails_with([&] { model.number("name"); }, "eval.json.models[0]: \"name\" must be a number or null");
  fails_with([&] { model.integer("ok"); }, "eval.json.models[0]: \"ok\" must be an integer");
  fails_with([&] { model.text("rows"); }, "eval.json.models[0]: \"rows\" must be a string");
  fails_with([&] { model.at("absent"); }, "eval.json.models[0]: missing key \"absent\"");
  fails_with([&] { model.child("name").at("x"); }, "eval.json.models[0].name: expected a JSON object");
  fails_with([&] { JsonReader<Json>(root, "eval.json").child("models").item(5); }, "eval.json.models: no item 5");
}

}  // namespace
}  // namespace hito

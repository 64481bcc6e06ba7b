// The op table itself (tests/support/op_table.h): every op declared in engine/ops.h has an entry,
// or is named below as outside it with the reason; every entry has cases that each of the three
// drivers runs; case names fit test names; the export for the PyTorch script reads back.
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "tests/support/op_table.h"
#include "weights/safetensors.h"

namespace hito {
namespace {

using testing::Driver;

// Ops of engine/ops.h that autograd does not record, with where they are tested.
const std::map<std::string, std::string> kOutsideTheTable = {
    {"add_", "in place and never recorded: tests/engine/broadcast_test.cpp and tests/cuda/elementwise_test.cpp"},
    {"conv2d_fused", "inference only, equal to conv2d + act: tests/conv/conv_test.cpp and cuda_parity_test.cpp"},
    {"fold_batch_norm", "folds weights for inference: tests/conv/conv_test.cpp"},
};
// Entries without gradients: run by CUDA parity and goldens only.
const std::set<std::string> kForwardOnly = {"argmax", "to_float"};
// Entries that are not functions of engine/ops.h.
const std::set<std::string> kTensorMethods = {"reshape"};

// The names of the functions declared at namespace level in engine/ops.h ("Tensor name(" at the
// start of a line; the inline operators are spelt otherwise).
std::set<std::string> declared_ops() {
  std::ifstream in(testing::source_dir() / "engine" / "ops.h");
  std::set<std::string> names;
  std::regex declaration(R"(^[A-Za-z_]\w*\s+(\w+)\()");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, declaration)) names.insert(m[1]);
  return names;
}

std::set<std::string> table_ops() {
  std::set<std::string> names;
  for (const testing::OpEntry& e : testing::op_table().ops()) names.insert(e.name);
  return names;
}

TEST(OpTable, EveryOpOfTheApiHasAnEntry) {
  std::set<std::string> declared = declared_ops(), in_table = table_ops();
  // The parse must see the API: a regex that matched nothing would pass everything.
  ASSERT_GE(declared.size(), 35u);
  ASSERT_TRUE(declared.count("matmul") && declared.count("conv2d") && declared.count("add_"));
  for (const std::string& op : declared)
    EXPECT_TRUE(in_table.count(op) || kOutsideTheTable.count(op))
        << "engine/ops.h declares " << op << ", which has no entry in the op table (tests/support/op_table_*.cpp)";
  for (const std::string& op : in_table)
    EXPECT_TRUE(declared.count(op) || kTensorMethods.count(op)) << "the op table has " << op << ", which engine/ops.h lacks";
  for (const auto& [op, reason] : kOutsideTheTable) EXPECT_TRUE(declared.count(op)) << op << " is no longer in engine/ops.h";
}

TEST(OpTable, EveryEntryRunsThroughEveryDriver) {
  for (const testing::OpEntry& e : testing::op_table().ops()) {
    EXPECT_FALSE(testing::cases_of(e.name, Driver::Golden).empty()) << e.name << " has no case that goldens check";
    EXPECT_FALSE(testing::cases_of(e.name, Driver::Parity).empty()) << e.name << " has no case for CUDA parity";
    bool gradchecked = !testing::cases_of(e.name, Driver::Gradcheck).empty();
    EXPECT_EQ(gradchecked, !kForwardOnly.count(e.name))
        << e.name << (gradchecked ? " is forward only but has gradients" : " has no case that gradcheck runs");
  }
}

TEST(OpTable, CaseNamesAreUniqueAndFitTestNames) {
  std::set<std::string> ids;
  std::regex valid("[A-Za-z0-9_]+");
  size_t count = 0;
  for (const testing::OpEntry& e : testing::op_table().ops()) {
    EXPECT_TRUE(std::regex_match(e.name, valid)) << e.name;
    for (const testing::OpCase& c : e.cases) {
      ++count;
      EXPECT_TRUE(std::regex_match(c.name, valid)) << c.id();
      EXPECT_TRUE(ids.insert(c.id()).second) << c.id() << " twice";
      EXPECT_FALSE(c.inputs.empty()) << c.id();
      std::set<std::string> inputs;
      for (const testing::OpInput& in : c.inputs) EXPECT_TRUE(inputs.insert(in.name).second) << c.id() << " " << in.name;
    }
  }
  EXPECT_EQ(ids.size(), count);
}

TEST(OpTable, ExportReadsBackWithEveryGoldenCase) {
  testing::fs::path dir = testing::temp_dir("op-table-export");
  testing::export_op_table(dir / "cases.safetensors");
  SafetensorsFile file = read_safetensors(dir / "cases.safetensors");
  nlohmann::json cases = nlohmann::json::parse(file.metadata.at("cases"));
  std::map<std::string, Tensor> tensors(file.tensors.begin(), file.tensors.end());
  size_t expected = 0;
  for (const std::string& op : testing::op_names(Driver::Golden)) expected += testing::cases_of(op, Driver::Golden).size();
  ASSERT_EQ(cases.size(), expected);
  for (const nlohmann::json& c : cases)
    for (const nlohmann::json& in : c["inputs"])
      EXPECT_TRUE(tensors.count(c["id"].get<std::string>() + "." + in["name"].get<std::string>())) << c.dump();
  testing::fs::remove_all(dir);
}

}  // namespace
}  // namespace hito

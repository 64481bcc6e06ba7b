// The op table (tests/support/op_table.h) against PyTorch: every case that all drivers run, on the
// inputs, upstream gradient, outputs, input gradients and updated buffers that
// tests/scripts/make_op_fixtures.py stored in tests/fixtures/engine/op_table.safetensors. One test per
// op, named after it; and the fixture must hold exactly the table's cases.
#include <algorithm>

#include "tests/engine/golden.h"
#include "tests/support/op_table.h"

namespace hito {
namespace {

using testing::OpCase;
using testing::Role;

const testing::Golden& fixture() {
  static const testing::Golden golden("op_table.safetensors");
  return golden;
}

const char* const kRerun = " (the table changed: rerun tests/scripts/make_op_fixtures.py)";

void expect_matches_pytorch(const OpCase& c) {
  const testing::Golden& golden = fixture();
  const std::string key = c.id() + ".";
  ASSERT_TRUE(golden.has(key + "out")) << c.id() << " has no golden" << kRerun;
  // PyTorch's inputs, checked against the table's shapes and dtypes.
  std::vector<Tensor> expected_inputs = c.make_inputs(), inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    Tensor t = golden[key + c.inputs[i].name].clone();
    ASSERT_EQ(t.shape(), expected_inputs[i].shape()) << c.id() << " input " << c.inputs[i].name << kRerun;
    ASSERT_EQ(t.dtype(), expected_inputs[i].dtype()) << c.id() << " input " << c.inputs[i].name << kRerun;
    if (c.inputs[i].role == Role::Grad) t.set_requires_grad(true);
    inputs.push_back(t);
  }
  Tensor out = c.run(inputs);
  EXPECT_TRUE(testing::same_values(out, golden[key + "out"], c.golden.out)) << c.id() << " output";
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].role == Role::State)
      EXPECT_TRUE(testing::same_values(inputs[i], golden[key + "new_" + c.inputs[i].name],
                                       c.inputs[i].golden.value_or(c.golden.state)))
          << c.id() << " " << c.inputs[i].name << " after the call";
  if (!c.differentiable()) return;
  out.backward(golden[key + "gout"]);
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.inputs[i].role == Role::Grad)
      EXPECT_TRUE(testing::same_values(inputs[i].grad(), golden[key + "d" + c.inputs[i].name],
                                       c.inputs[i].golden.value_or(c.golden.grad)))
          << c.id() << " gradient of " << c.inputs[i].name;
}

class OpGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(OpGolden, MatchesPyTorch) {
  for (const OpCase* c : testing::cases_of(GetParam(), testing::Driver::Golden)) expect_matches_pytorch(*c);
}

INSTANTIATE_TEST_SUITE_P(Table, OpGolden, ::testing::ValuesIn(testing::op_names(testing::Driver::Golden)),
                         [](const auto& info) { return info.param; });

TEST(OpGoldenFixture, HoldsExactlyTheTablesCases) {
  std::vector<std::string> in_table, in_fixture = fixture().metadata("cases").get<std::vector<std::string>>();
  for (const std::string& op : testing::op_names(testing::Driver::Golden))
    for (const OpCase* c : testing::cases_of(op, testing::Driver::Golden)) in_table.push_back(c->id());
  std::sort(in_table.begin(), in_table.end());
  std::sort(in_fixture.begin(), in_fixture.end());
  std::vector<std::string> missing, stale;
  std::set_difference(in_table.begin(), in_table.end(), in_fixture.begin(), in_fixture.end(), std::back_inserter(missing));
  std::set_difference(in_fixture.begin(), in_fixture.end(), in_table.begin(), in_table.end(), std::back_inserter(stale));
  EXPECT_TRUE(missing.empty()) << missing.size() << " cases have no golden, the first " << missing.front() << kRerun;
  EXPECT_TRUE(stale.empty()) << stale.size() << " goldens have no case, the first " << stale.front() << kRerun;
}

}  // namespace
}  // namespace hito

// The op table (tests/support/op_table.h) on CUDA against the CPU: every case (the CUDA size
// classes too), outputs, the gradients of every Grad input, and the State inputs after the call.
// One test per op, named after it; skipped with a message where no GPU is present.
#include "tests/cuda/compare.h"
#include "tests/support/op_table.h"

namespace hito {
namespace {

using testing::OpCase;
using testing::Role;

class OpParity : public ::testing::TestWithParam<std::string> {};

TEST_P(OpParity, MatchesTheCpu) {
  HITO_REQUIRE_CUDA();
  for (const OpCase* c : testing::cases_of(GetParam(), testing::Driver::Parity)) {
    // The State inputs each device's call received (and updated).
    std::vector<Tensor> cpu_state, cuda_state;
    auto f = [&](const std::vector<Tensor>& in) {
      std::vector<Tensor>& seen = in.front().is_cuda() ? cuda_state : cpu_state;
      seen.clear();
      for (size_t i = 0; i < in.size(); ++i)
        if (c->inputs[i].role == Role::State) seen.push_back(in[i]);
      return c->run(in);
    };
    EXPECT_TRUE(testing::matches_cpu(f, c->make_inputs(), c->parity.out, c->parity.grad)) << c->id();
    ASSERT_EQ(cuda_state.size(), cpu_state.size());
    for (size_t k = 0; k < cpu_state.size(); ++k)
      EXPECT_TRUE(testing::same_values(cuda_state[k].to(Device::CPU), cpu_state[k], c->parity.state))
          << c->id() << " state " << k << " after the call";
  }
}

// "Cuda" first: the device check runs the tests named Cuda*.
INSTANTIATE_TEST_SUITE_P(CudaTable, OpParity, ::testing::ValuesIn(testing::op_names(testing::Driver::Parity)),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hito

// The op table (tests/support/op_table.h) by finite differences: for every op, each of its cases
// that all drivers run and that has an input to differentiate. One test per op, named after it.
//
// On one thread: finite differences call an op thousands of times on tiny tensors, where waking
// threads costs more than the work, and far more when other processes hold the cores (conv2d's cases:
// under a second on one thread, tens of seconds on two with a loaded machine). The threaded splits of
// the kernels are checked, forward and backward, against naive loops at sizes that split (conv_test,
// matmul_test, ...).
#include "kernels/runtime.h"
#include "tests/support/op_table.h"

namespace hito {
namespace {

using testing::OpCase;

class OpGradcheck : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { set_num_threads(1); }
  void TearDown() override { set_num_threads(threads_); }

 private:
  int threads_ = num_threads();
};

TEST_P(OpGradcheck, MatchesFiniteDifferences) {
  for (const OpCase* c : testing::cases_of(GetParam(), testing::Driver::Gradcheck)) {
    // State inputs are copied per evaluation, so that gradcheck's many forward passes do not move
    // them under its feet.
    auto f = [c](const std::vector<Tensor>& in) {
      std::vector<Tensor> fresh = in;
      for (size_t i = 0; i < in.size(); ++i)
        if (c->inputs[i].role == testing::Role::State) fresh[i] = in[i].clone();
      return c->run(fresh);
    };
    EXPECT_TRUE(testing::gradcheck(f, c->make_inputs(), c->gradcheck)) << c->id();
  }
}

INSTANTIATE_TEST_SUITE_P(Table, OpGradcheck, ::testing::ValuesIn(testing::op_names(testing::Driver::Gradcheck)),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hito

// export_op_table FILE: writes the op table's golden cases (tests/support/op_table.h) to FILE, for
// tests/scripts/make_op_fixtures.py, which runs it and computes PyTorch's values from them.
#include <cstdio>
#include <exception>

#include "tests/support/op_table.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.safetensors\n", argv[0]);
    return 2;
  }
  try {
    hito::testing::export_op_table(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "export_op_table: %s\n", e.what());
    return 1;
  }
  return 0;
}

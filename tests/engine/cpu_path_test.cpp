// The CPU kernels' ISA level (kernels/cpu/isa.h): how HITO_CPU_PATH is read, and that the level a
// process runs at is the one it was asked for. ctest runs the kernel, engine and model suites again
// with HITO_CPU_PATH=avx2 and =scalar (tests/CMakeLists.txt), so every level passes the same tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "base/error.h"
#include "kernels/cpu/kernels.h"

namespace hito {
namespace {

using cpu::Isa;

TEST(CpuPath, UnforcedRunsTheHighestLevelTheCpuSupports) {
  EXPECT_EQ(cpu::resolve_isa(nullptr, Isa::avx512), Isa::avx512);
  EXPECT_EQ(cpu::resolve_isa("", Isa::avx2), Isa::avx2);
  EXPECT_EQ(cpu::resolve_isa(nullptr, Isa::scalar), Isa::scalar);
}

TEST(CpuPath, ForcesALowerOrEqualLevel) {
  EXPECT_EQ(cpu::resolve_isa("avx2", Isa::avx512), Isa::avx2);
  EXPECT_EQ(cpu::resolve_isa("scalar", Isa::avx512), Isa::scalar);
  EXPECT_EQ(cpu::resolve_isa("scalar", Isa::avx2), Isa::scalar);
  EXPECT_EQ(cpu::resolve_isa("avx512", Isa::avx512), Isa::avx512);
}

TEST(CpuPath, RefusesAHigherLevelAndUnknownNames) {
  try {
    cpu::resolve_isa("avx512", Isa::avx2);
    FAIL() << "avx512 on an AVX2 CPU was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HITO_CPU_PATH=avx512 asks for more than this CPU has: it runs at most avx2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(cpu::resolve_isa("avx2", Isa::scalar), Error);
  EXPECT_THROW(cpu::resolve_isa("AVX2", Isa::avx512), Error);
  EXPECT_THROW(cpu::resolve_isa("sse", Isa::avx512), Error);
}

TEST(CpuPath, RunsTheForcedLevelOrElseTheSupportedOne) {
  const char* forced = std::getenv("HITO_CPU_PATH");
  const std::string expected = forced && *forced ? forced : cpu::isa_name(cpu::supported_isa());
  EXPECT_EQ(cpu::isa_name(cpu::active_isa()), expected);
}

}  // namespace
}  // namespace hito

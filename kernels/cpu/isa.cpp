// Choosing the CPU kernels' instruction-set level (see isa.h). Compiled once, for the baseline.
#include "kernels/cpu/isa.h"

#include <cstdlib>
#include <cstring>

#include "base/error.h"

namespace hito::cpu {

namespace {
constexpr Isa kAll[] = {Isa::scalar, Isa::avx2, Isa::avx512};

// The features each variant's compiler flags (-march=x86-64-v3, -v4) allow it to use. The CPU check
// of GCC and Clang also asks the operating system (XGETBV) whether it saves the AVX registers.
bool cpu_has_avx2_level() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2");
}
bool cpu_has_avx512_level() {
  return cpu_has_avx2_level() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}
}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::scalar: return "scalar";
  }
  return "unknown";
}

Isa supported_isa() {
  if (cpu_has_avx512_level()) return Isa::avx512;
  if (cpu_has_avx2_level()) return Isa::avx2;
  return Isa::scalar;
}

Isa resolve_isa(const char* forced, Isa supported) {
  if (!forced || !*forced) return supported;
  for (Isa isa : kAll) {
    if (std::strcmp(forced, isa_name(isa)) != 0) continue;
    HITO_CHECK(isa <= supported, "HITO_CPU_PATH=", forced, " asks for more than this CPU has: it runs at most ",
               isa_name(supported), " (HITO_CPU_PATH may only force a lower level)");
    return isa;
  }
  HITO_FAIL("HITO_CPU_PATH must be avx512, avx2 or scalar, got '", forced, "'");
}

Isa active_isa() {
  static const Isa chosen = resolve_isa(std::getenv("HITO_CPU_PATH"), supported_isa());
  return chosen;
}

}  // namespace hito::cpu

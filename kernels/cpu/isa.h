// The instruction-set level the CPU kernels run at. kernels/cpu/*.cpp are compiled once per level
// (cmake/cpu_variants.cmake) into the namespaces hito::cpu::scalar, ::avx2 and ::avx512; the level
// is chosen once, at the first kernel call, from the CPU's features (CPUID), or forced lower with
// the environment variable HITO_CPU_PATH=avx512|avx2|scalar (a level above the CPU's is refused).
#pragma once

namespace hito::cpu {

// Ordered: a CPU that runs one level runs every level below it.
//  scalar: x86-64-v2 (SSE4.2), the portable C++ loops (the compiler may use SSE registers);
//  avx2:   x86-64-v3 (AVX2, FMA, BMI2), own AVX2 register tiles;
//  avx512: x86-64-v4 (AVX-512 F/BW/CD/DQ/VL), own AVX-512 register tiles.
enum class Isa { scalar = 0, avx2 = 1, avx512 = 2 };

const char* isa_name(Isa isa);
// The highest level this CPU (and its operating system) supports.
Isa supported_isa();
// The level to run: `forced` (HITO_CPU_PATH's value; null or empty: not forced) or else `supported`.
// Throws hito::Error naming the levels when `forced` is unknown or above `supported`.
Isa resolve_isa(const char* forced, Isa supported);
// The level every hito::cpu kernel call runs at: resolve_isa(HITO_CPU_PATH, supported_isa()),
// decided once per process.
Isa active_isa();

}  // namespace hito::cpu

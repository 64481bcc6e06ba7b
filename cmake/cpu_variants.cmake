# The CPU kernels (kernels/cpu/*.cpp but isa.cpp) compiled once per instruction-set level, for one
# binary that runs on any x86-64 CPU (kernels/cpu/isa.h chooses the level at run time):
#   scalar  -march=x86-64-v2  namespace hito::cpu::scalar
#   avx2    -march=x86-64-v3  namespace hito::cpu::avx2
#   avx512  -march=x86-64-v4  namespace hito::cpu::avx512
# Each variant's sources define their functions in namespace hito::cpu::${isa} (the macro
# HITO_CPU_ISA), but the templates and inline functions they instantiate (Eigen's products, the
# standard library's) have the same names in every variant and in the baseline code. Left to the
# linker, one copy of each would serve all of them: AVX-512 code reached from the scalar path, or the
# other way round. So each variant's objects are linked into one relocatable object
# (ld -r --force-group-allocation dissolves the COMDAT groups that would merge them) and every
# symbol outside hito::cpu::${isa} is made local to it (objcopy); only the variant's own functions
# remain visible to the rest of the library. objcopy cannot make GCC's unique symbols local (the
# static variables of inline functions and their guards, _ZZ* and _ZGV*, such as Eigen's cache
# sizes), so a first pass makes those weak (any other unique symbol would fail the link, loudly, as a
# multiple definition).

# GNU ld and objcopy whatever the compiler: LLVM's lld (Clang's fuzz and sanitizer builds) has no
# --force-group-allocation.
find_program(HITO_GNU_LD NAMES ld.bfd ld REQUIRED)
find_program(HITO_GNU_OBJCOPY NAMES objcopy REQUIRED)

function(hito_add_cpu_variants target sources warnings)
  set(HITO_CPU_ISA_scalar x86-64-v2)
  set(HITO_CPU_ISA_avx2 x86-64-v3)
  set(HITO_CPU_ISA_avx512 x86-64-v4)
  foreach(isa scalar avx2 avx512)
    add_library(hito_cpu_${isa} OBJECT ${sources})
    target_include_directories(hito_cpu_${isa} PRIVATE ${CMAKE_SOURCE_DIR})
    target_compile_definitions(hito_cpu_${isa} PRIVATE HITO_CPU_ISA=${isa})
    target_compile_options(hito_cpu_${isa} PRIVATE ${warnings} -march=${HITO_CPU_ISA_${isa}})
    target_link_libraries(hito_cpu_${isa} PRIVATE hito_deps)

    # The mangled prefix of namespace hito::cpu::${isa}: _ZN4hito3cpu6avx512 and so on.
    string(LENGTH ${isa} length)
    set(merged ${CMAKE_CURRENT_BINARY_DIR}/hito_cpu_${isa}.o)
    add_custom_command(OUTPUT ${merged}
      COMMAND ${HITO_GNU_LD} -r --force-group-allocation -o ${merged}.all $<TARGET_OBJECTS:hito_cpu_${isa}>
      COMMAND ${HITO_GNU_OBJCOPY} --wildcard --weaken-symbol=_ZZ* --weaken-symbol=_ZGV* ${merged}.all ${merged}.weak
      COMMAND ${HITO_GNU_OBJCOPY} --wildcard --keep-global-symbol=_ZN4hito3cpu${length}${isa}* ${merged}.weak ${merged}
      DEPENDS hito_cpu_${isa} $<TARGET_OBJECTS:hito_cpu_${isa}>
      COMMENT "Linking the ${isa} CPU kernels into one object with local symbols"
      COMMAND_EXPAND_LISTS VERBATIM)
    target_sources(${target} PRIVATE ${merged})
  endforeach()
endfunction()

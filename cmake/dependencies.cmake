# Debian-packaged dependencies (installed by scripts/setup.sh), gathered in one interface target.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(OpenMP REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_path(STB_INCLUDE_DIR stb_image.h PATHS /usr/include/stb REQUIRED)
find_library(OPENBLAS_LIBRARY NAMES openblas REQUIRED)
find_path(CBLAS_INCLUDE_DIR cblas.h PATHS /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas NO_DEFAULT_PATH REQUIRED)
find_package(Threads REQUIRED)

add_library(hito_deps INTERFACE)
target_include_directories(hito_deps SYSTEM INTERFACE ${STB_INCLUDE_DIR} ${CBLAS_INCLUDE_DIR})
# Matrix products go through kernels/cpu/gemm.cpp (Eigen's kernels or OpenBLAS); threads are ours.
target_compile_definitions(hito_deps INTERFACE EIGEN_DONT_PARALLELIZE)
target_link_libraries(hito_deps INTERFACE Eigen3::Eigen OpenMP::OpenMP_CXX nlohmann_json::nlohmann_json
  CLI11::CLI11 ${OPENBLAS_LIBRARY} Threads::Threads)

# MPI (OpenMPI from Debian) for data-parallel training under mpirun (dist/); without it hito runs as
# one process and refuses an mpirun launch with a clear message.
find_package(MPI COMPONENTS C)
if(MPI_C_FOUND)
  message(STATUS "hito: MPI ON (${MPIEXEC_EXECUTABLE})")
else()
  message(STATUS "hito: MPI OFF (install libopenmpi-dev for data-parallel training)")
endif()

# Decide whether to build the CUDA back end and find cuBLAS and cuDNN.
# AUTO: on when nvcc is found. The CPU build never needs any CUDA file.
set(HITO_WITH_CUDA OFF)
set(HITO_CUDA_ARCHITECTURES 90 CACHE STRING "CUDA architectures to build for (H100/H200: 90)")
if(NOT HITO_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(HITO_WITH_CUDA ON)
  elseif(HITO_CUDA STREQUAL "ON")
    message(FATAL_ERROR "HITO_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()

if(HITO_WITH_CUDA)
  set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 cannot ask nvcc for C++20; kernels need only 17
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  set(CMAKE_CUDA_ARCHITECTURES ${HITO_CUDA_ARCHITECTURES})
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
  find_library(CUDNN_LIBRARY NAMES cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} REQUIRED)
  find_path(CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} REQUIRED)
  add_library(hito_cuda_deps INTERFACE)
  target_include_directories(hito_cuda_deps SYSTEM INTERFACE ${CUDNN_INCLUDE_DIR})
  # The CUDA runtime is linked statically, so a hito binary runs beside any libcudart (see
  # scripts/device_bundle.sh). cuBLAS is not linked but opened on first use (kernels/cuda/cublas.h):
  # loading it costs about 200 MB of resident memory, even in runs that never use the GPU.
  target_link_libraries(hito_cuda_deps INTERFACE CUDA::cudart_static ${CMAKE_DL_LIBS} ${CUDNN_LIBRARY})
  # NCCL for the all-reduce of CUDA tensors in data-parallel jobs (dist/nccl.cpp).
  find_library(HITO_NCCL_LIBRARY NAMES nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
  find_path(HITO_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  if(NOT HITO_NCCL_INCLUDE_DIR)
    set(HITO_NCCL_LIBRARY "")
  endif()
  message(STATUS "hito: CUDA back end ON (architectures ${HITO_CUDA_ARCHITECTURES}), NCCL: ${HITO_NCCL_LIBRARY}")
else()
  message(STATUS "hito: CUDA back end OFF")
endif()

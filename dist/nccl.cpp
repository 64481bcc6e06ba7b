// NCCL collectives for CUDA tensors (the CPU build has the stubs at the end).
#include "dist/nccl.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"

#if HITO_WITH_NCCL
#include <cuda_runtime.h>
#include <nccl.h>
#endif

namespace hito::dist::nccl {

#if HITO_WITH_NCCL

namespace {

struct State {
  int rank = 0, size = 1;
  std::function<void(void*, size_t)> broadcast_id;
  // Two communicators, one per stream: NCCL needs the operations of one communicator to run in one
  // order everywhere, which a communicator shared by two streams would not guarantee.
  ncclComm_t on_default = nullptr;  // batch-norm statistics, broadcasts: the default stream
  ncclComm_t on_side = nullptr;     // gradient buckets: the side stream
  cudaStream_t side = nullptr;      // never synchronises with the default stream by itself
};

State& state() {
  static State s;
  return s;
}

void check_cuda(cudaError_t code, const char* call) {
  HITO_CHECK(code == cudaSuccess, call, " failed: ", cudaGetErrorString(code));
}

void check_nccl(ncclResult_t code, const char* call) {
  HITO_CHECK(code == ncclSuccess, call, " failed: ", ncclGetErrorString(code));
}

ncclComm_t open_communicator(State& s) {
  ncclUniqueId id;
  if (s.rank == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  s.broadcast_id(&id, sizeof id);
  ncclComm_t comm = nullptr;
  check_nccl(ncclCommInitRank(&comm, s.size, id, s.rank), "ncclCommInitRank");
  return comm;
}

// The job's NCCL communicators and the side stream, made on first use by every rank together.
State& opened() {
  State& s = state();
  if (s.on_default) return s;
  HITO_CHECK(s.broadcast_id, "NCCL used before dist::init()");
  s.on_default = open_communicator(s);
  s.on_side = open_communicator(s);
  check_cuda(cudaStreamCreateWithFlags(&s.side, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  return s;
}

cudaEvent_t new_event() {
  cudaEvent_t event;
  check_cuda(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), "cudaEventCreateWithFlags");
  return event;
}

}  // namespace

void configure(int rank, int size, int local_rank, std::function<void(void*, size_t)> broadcast_id) {
  State& s = state();
  s.rank = rank;
  s.size = size;
  s.broadcast_id = std::move(broadcast_id);
  // One GPU per rank, chosen before CUDA starts (so that a CPU job never starts it): the
  // (local rank mod n)-th of the n GPUs listed in CUDA_VISIBLE_DEVICES, or of those the driver
  // lists; the rank then sees it as device 0.
  std::vector<std::string> gpus;
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) {
    std::stringstream list(visible);
    for (std::string gpu; std::getline(list, gpu, ',');)
      if (!gpu.empty()) gpus.push_back(gpu);
  } else {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/driver/nvidia/gpus", error))
      (void)entry, gpus.push_back(std::to_string(gpus.size()));
  }
  if (gpus.empty()) return;
  setenv("CUDA_VISIBLE_DEVICES", gpus[static_cast<size_t>(local_rank) % gpus.size()].c_str(), 1);
}

void all_reduce_sum(float* data, size_t count) {
  check_nccl(ncclAllReduce(data, data, count, ncclFloat, ncclSum, opened().on_default, cudaStreamLegacy),
             "ncclAllReduce");
}

void broadcast(void* data, size_t bytes) {
  check_nccl(ncclBroadcast(data, data, bytes, ncclUint8, 0, opened().on_default, cudaStreamLegacy), "ncclBroadcast");
}

std::function<bool()> start_all_reduce_sum(float* data, size_t count) {
  State& s = opened();
  ncclComm_t comm = s.on_side;
  cudaStream_t side = s.side;
  cudaEvent_t queued = new_event(), done = new_event();
  check_cuda(cudaEventRecord(queued, cudaStreamLegacy), "cudaEventRecord");
  check_cuda(cudaStreamWaitEvent(side, queued, 0), "cudaStreamWaitEvent");
  check_nccl(ncclAllReduce(data, data, count, ncclFloat, ncclSum, comm, side), "ncclAllReduce");
  check_cuda(cudaEventRecord(done, side), "cudaEventRecord");
  auto finished = std::make_shared<bool>(false);
  return [comm, queued, done, finished] {
    if (*finished) return true;
    cudaError_t status = cudaEventQuery(done);
    if (status == cudaErrorNotReady) {
      ncclResult_t async = ncclSuccess;
      check_nccl(ncclCommGetAsyncError(comm, &async), "ncclCommGetAsyncError");
      check_nccl(async, "ncclAllReduce (asynchronous error)");
      return false;
    }
    check_cuda(status, "cudaEventQuery");
    check_cuda(cudaStreamWaitEvent(cudaStreamLegacy, done, 0), "cudaStreamWaitEvent");
    cudaEventDestroy(queued);
    cudaEventDestroy(done);
    *finished = true;
    return true;
  };
}

void close() {
  State& s = state();
  if (s.on_default) ncclCommDestroy(s.on_default);
  if (s.on_side) ncclCommDestroy(s.on_side);
  if (s.side) cudaStreamDestroy(s.side);
  s.on_default = s.on_side = nullptr;
  s.side = nullptr;
}

#else  // without CUDA (or without NCCL): nothing to select

namespace {
[[noreturn]] void missing() { HITO_FAIL("this hito was built without NCCL (CUDA off, or nccl.h not found under /usr/local/cuda): CUDA tensors cannot be all-reduced"); }
}  // namespace

void configure(int, int, int, std::function<void(void*, size_t)>) {}
void all_reduce_sum(float*, size_t) { missing(); }
void broadcast(void*, size_t) { missing(); }
std::function<bool()> start_all_reduce_sum(float*, size_t) { missing(); }
void close() {}

#endif

}  // namespace hito::dist::nccl

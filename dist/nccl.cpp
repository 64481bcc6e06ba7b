// NCCL collectives for CUDA tensors (the CPU build has the stubs at the end).
#include "dist/nccl.h"

#include <memory>
#include <string>

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
  ncclComm_t comm = nullptr;
  cudaStream_t side = nullptr;  // gradient buckets: never synchronises with the default stream by itself
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

// The job's NCCL communicator, opened on first use by every rank together.
ncclComm_t communicator() {
  State& s = state();
  if (s.comm) return s.comm;
  HITO_CHECK(s.broadcast_id, "NCCL used before dist::init()");
  ncclUniqueId id;
  if (s.rank == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  s.broadcast_id(&id, sizeof id);
  check_nccl(ncclCommInitRank(&s.comm, s.size, id, s.rank), "ncclCommInitRank");
  check_cuda(cudaStreamCreateWithFlags(&s.side, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  return s.comm;
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
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    cudaGetLastError();  // no GPU: a CPU job; clear the error the query left
    return;
  }
  check_cuda(cudaSetDevice(local_rank % devices), "cudaSetDevice");
}

void all_reduce_sum(float* data, size_t count) {
  check_nccl(ncclAllReduce(data, data, count, ncclFloat, ncclSum, communicator(), cudaStreamLegacy), "ncclAllReduce");
}

void broadcast(void* data, size_t bytes) {
  check_nccl(ncclBroadcast(data, data, bytes, ncclUint8, 0, communicator(), cudaStreamLegacy), "ncclBroadcast");
}

std::function<bool()> start_all_reduce_sum(float* data, size_t count) {
  ncclComm_t comm = communicator();
  cudaStream_t side = state().side;
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
  if (s.comm) ncclCommDestroy(s.comm);
  if (s.side) cudaStreamDestroy(s.side);
  s.comm = nullptr;
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

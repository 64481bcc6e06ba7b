// The CUDA half of the communicator: NCCL collectives on device memory. The NCCL communicator is
// opened on first use (rank 0 makes the unique id, MPI broadcasts it). Compiled when CUDA is on
// (HITO_WITH_NCCL); otherwise every call but select_device and close says that NCCL is missing.
#pragma once

#include <cstddef>
#include <functional>

namespace hito::dist::nccl {

// Who this process is, and how rank 0's NCCL id reaches the others (an MPI broadcast); gives this
// rank GPU (local_rank mod the GPUs present) through CUDA_VISIBLE_DEVICES, before CUDA starts.
// Nothing more without NCCL or GPUs.
void configure(int rank, int size, int local_rank, std::function<void(void* data, size_t bytes)> broadcast_id);
// Sum all-reduce in place, queued on the default stream (in order with the kernels around it).
void all_reduce_sum(float* data, size_t count);
// Rank 0's bytes to every rank, queued on the default stream.
void broadcast(void* data, size_t bytes);
// Sum all-reduce in place on a side stream that first waits for the work queued so far; returns a
// poll that is true once the result is there (and then has the default stream wait for it), and
// that reports an asynchronous NCCL error by throwing.
std::function<bool()> start_all_reduce_sum(float* data, size_t count);
// Destroys the communicator and the side stream, if they were made.
void close();

}  // namespace hito::dist::nccl

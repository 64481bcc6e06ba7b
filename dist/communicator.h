// The processes of a data-parallel job and what they say to each other.
//
// `mpirun -np N hito <command>` starts N copies of hito; each reads its rank (0..N-1) and the world
// size N from the MPI environment (init(), called by main). Without mpirun hito is one process of
// world size 1 and makes no MPI call at all. Host values and CPU tensors travel through MPI; CUDA
// tensors through NCCL (dist/nccl.h, compiled when CUDA is on; the NCCL id is shared over MPI).
//
// No collective waits for ever: each polls its request and, when the other ranks have not answered
// within the timeout (HITO_DIST_TIMEOUT seconds, default 300), prints which collective of which rank
// stalled and ends the whole job with MPI_Abort. A rank that dies is noticed by mpirun itself,
// which ends the others.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace hito::dist {

// A collective started and not finished: poll() is true once its result is in place.
struct Pending {
  std::function<bool()> poll;
  std::string what;  // for the time-out message: "all-reduce of gradient bucket 2"
};

class Communicator {
 public:
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Started by mpirun (even with one rank): the data-parallel machinery is on.
  bool distributed() const { return launched_; }
  // The one process that writes the model folders, checkpoints and the report.
  bool is_writer() const { return rank_ == 0; }
  double timeout_seconds() const { return timeout_seconds_; }

  // Blocking collectives on host values, element-wise sums in place.
  void all_reduce_sum(std::vector<double>& values, const std::string& what);
  void all_reduce_sum(std::vector<int64_t>& values, const std::string& what);
  // Rank 0's bytes to every rank.
  void broadcast(void* data, size_t bytes, const std::string& what);
  // Every rank's values, concatenated in rank order (lengths may differ).
  std::vector<int64_t> all_gather(const std::vector<int64_t>& mine, const std::string& what);
  void barrier(const std::string& what);

  // f32 tensors, in place, on either device (CPU: MPI; CUDA: NCCL, ordered on the default stream).
  void all_reduce_sum(const Tensor& t, const std::string& what);
  void broadcast(const Tensor& t, const std::string& what);
  // Starts a sum all-reduce of a contiguous f32 tensor in place and returns at once (CUDA: on a
  // side stream that waits for the work queued so far); wait() makes the result visible.
  Pending start_all_reduce(const Tensor& t, std::string what);
  // Waits for a started collective within the timeout (else ends the job, naming it).
  void wait(const Pending& pending);
  // Lets MPI move requests in flight forward (it progresses them only inside its calls).
  void progress();

  // Prints "hito: error: rank R of N: message" and ends every process of the job.
  [[noreturn]] void abort(const std::string& message) const;

 private:
  friend void init(int* argc, char*** argv);
  friend void finalize();
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  bool launched_ = false;
  double timeout_seconds_ = 300.0;
};

// The job's communicator (world size 1 until init() finds an MPI launch).
Communicator& world();

// Reads the launch environment; under mpirun initialises MPI, picks this rank's GPU (the local
// rank modulo the GPUs present, dist/nccl.h) and silences stdout on every rank but 0. Called first
// in main, before anything starts CUDA.
void init(int* argc, char*** argv);
// A barrier (with the timeout) and MPI_Finalize; nothing without mpirun.
void finalize();

}  // namespace hito::dist

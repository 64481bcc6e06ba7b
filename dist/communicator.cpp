// The job's communicator: MPI for host memory and CPU tensors, NCCL for CUDA tensors, every wait
// bounded by the timeout.
#include "dist/communicator.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "dist/nccl.h"

#if HITO_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only
#include <mpi.h>
#endif

namespace hito::dist {

namespace {

// The variables the launchers set: OpenMPI's mpirun, then MPICH/Hydra and PMIx ones.
const char* launch_variable(const char* openmpi, const char* other) {
  if (const char* v = std::getenv(openmpi)) return v;
  return std::getenv(other);
}

#if HITO_WITH_MPI
int parse_int(const char* text, const char* what) {
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  HITO_CHECK(end != text && *end == '\0' && value >= 0, "the launch environment's ", what, " '", text,
             "' is not a number");
  return static_cast<int>(value);
}

double timeout_from_environment() {
  const char* text = std::getenv("HITO_DIST_TIMEOUT");
  if (!text || !*text) return 300.0;
  char* end = nullptr;
  double seconds = std::strtod(text, &end);
  HITO_CHECK(end != text && *end == '\0' && seconds > 0, "HITO_DIST_TIMEOUT must be a positive number of seconds, got '",
             text, "'");
  return seconds;
}

// The MPI calls that start collectives: a failure names the call.
void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  HITO_FAIL(call, " failed: ", std::string(text, static_cast<size_t>(length)));
}

Pending mpi_pending(MPI_Request request, std::string what) {
  auto held = std::make_shared<MPI_Request>(request);
  return {[held] {
            int done = 0;
            check_mpi(MPI_Test(held.get(), &done, MPI_STATUS_IGNORE), "MPI_Test");
            return done != 0;
          },
          std::move(what)};
}

// Starts a sum all-reduce of `count` values in place.
Pending start_sum(void* data, size_t count, MPI_Datatype type, std::string what) {
  HITO_CHECK(count <= static_cast<size_t>(INT32_MAX), what, ": ", count, " values are too many for one message");
  MPI_Request request;
  check_mpi(MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), type, MPI_SUM, MPI_COMM_WORLD, &request),
            "MPI_Iallreduce");
  return mpi_pending(request, std::move(what));
}
#endif

}  // namespace

Communicator& world() {
  static Communicator communicator;
  return communicator;
}

void Communicator::wait(const Pending& pending) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  for (int spins = 0; !pending.poll(); ++spins) {
    double waited = std::chrono::duration<double>(Clock::now() - start).count();
    if (waited > timeout_seconds_) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.0f", timeout_seconds_);
      abort("no answer from the other ranks within " + std::string(seconds) + " s (HITO_DIST_TIMEOUT) during " +
            pending.what + ": a rank has died or hangs; ending the job");
    }
    // Spin briefly (collectives of a step take microseconds), then stop burning a core.
    if (spins > 1000) std::this_thread::sleep_for(std::chrono::microseconds(spins > 100000 ? 1000 : 20));
  }
}

void Communicator::abort(const std::string& message) const {
  std::fprintf(stderr, "hito: error: rank %d of %d: %s\n", rank_, size_, message.c_str());
  std::fflush(stderr);
#if HITO_WITH_MPI
  if (launched_) MPI_Abort(MPI_COMM_WORLD, 1);
#endif
  std::_Exit(1);
}

#if HITO_WITH_MPI

void Communicator::all_reduce_sum(std::vector<double>& values, const std::string& what) {
  if (launched_) wait(start_sum(values.data(), values.size(), MPI_DOUBLE, what));
}

void Communicator::all_reduce_sum(std::vector<int64_t>& values, const std::string& what) {
  if (launched_) wait(start_sum(values.data(), values.size(), MPI_INT64_T, what));
}

void Communicator::broadcast(void* data, size_t bytes, const std::string& what) {
  if (!launched_) return;
  HITO_CHECK(bytes <= static_cast<size_t>(INT32_MAX), "broadcast of ", bytes, " bytes: too large for one message");
  MPI_Request request;
  check_mpi(MPI_Ibcast(data, static_cast<int>(bytes), MPI_BYTE, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast");
  wait(mpi_pending(request, what));
}

std::vector<int64_t> Communicator::all_gather(const std::vector<int64_t>& mine, const std::string& what) {
  if (!launched_) return mine;
  std::vector<int> counts(static_cast<size_t>(size_)), offsets(static_cast<size_t>(size_));
  int count = static_cast<int>(mine.size());
  MPI_Request request;
  check_mpi(MPI_Iallgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD, &request), "MPI_Iallgather");
  wait(mpi_pending(request, what + " (lengths)"));
  int64_t total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[static_cast<size_t>(r)] = static_cast<int>(total);
    total += counts[static_cast<size_t>(r)];
  }
  std::vector<int64_t> all(static_cast<size_t>(total));
  check_mpi(MPI_Iallgatherv(mine.data(), count, MPI_INT64_T, all.data(), counts.data(), offsets.data(), MPI_INT64_T,
                            MPI_COMM_WORLD, &request), "MPI_Iallgatherv");
  wait(mpi_pending(request, what));
  return all;
}

void Communicator::barrier(const std::string& what) {
  if (!launched_) return;
  MPI_Request request;
  check_mpi(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
  wait(mpi_pending(request, what));
}

Pending Communicator::start_all_reduce(const Tensor& t, std::string what) {
  HITO_CHECK(t.dtype() == DType::F32, "all-reduce of ", t.describe(), ": only f32 tensors are reduced");
  if (!launched_) return {[] { return true; }, std::move(what)};
  if (t.is_cuda()) return {nccl::start_all_reduce_sum(t.data<float>(), static_cast<size_t>(t.numel())), std::move(what)};
  return start_sum(t.data<float>(), static_cast<size_t>(t.numel()), MPI_FLOAT, std::move(what));
}

void Communicator::progress() {
  if (!launched_) return;
  int flag = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
}

void init(int* argc, char*** argv) {
  Communicator& c = world();
  const char* size = launch_variable("OMPI_COMM_WORLD_SIZE", "PMI_SIZE");
  if (!size) return;
  int provided = 0;
  check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  c.launched_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &c.rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &c.size_);
  // Errors come back as codes (check_mpi), so a failing call is named instead of aborting silently.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  const char* local = launch_variable("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID");
  c.local_rank_ = local ? parse_int(local, "local rank") : 0;
  c.timeout_seconds_ = timeout_from_environment();
  nccl::configure(c.rank_, c.size_, c.local_rank_,
                  [&c](void* data, size_t bytes) { c.broadcast(data, bytes, "the NCCL id"); });
  if (c.rank_ != 0 && !std::freopen("/dev/null", "w", stdout)) c.abort("cannot silence stdout");
}

void finalize() {
  Communicator& c = world();
  if (!c.launched_) return;
  c.barrier("the end of the job");
  nccl::close();
  MPI_Finalize();
  c.launched_ = false;
}

#else  // built without MPI: world size 1, and a clear error under mpirun

void Communicator::all_reduce_sum(std::vector<double>&, const std::string&) {}
void Communicator::all_reduce_sum(std::vector<int64_t>&, const std::string&) {}
void Communicator::broadcast(void*, size_t, const std::string&) {}
std::vector<int64_t> Communicator::all_gather(const std::vector<int64_t>& mine, const std::string&) { return mine; }
void Communicator::barrier(const std::string&) {}
Pending Communicator::start_all_reduce(const Tensor&, std::string what) { return {[] { return true; }, std::move(what)}; }
void Communicator::progress() {}

void init(int*, char***) {
  HITO_CHECK(!launch_variable("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"),
             "hito was built without MPI, so it cannot run under mpirun (install libopenmpi-dev and rebuild)");
}
void finalize() {}

#endif

void Communicator::all_reduce_sum(const Tensor& t, const std::string& what) {
  if (launched_ && t.is_cuda()) {
    HITO_CHECK(t.dtype() == DType::F32, "all-reduce of ", t.describe(), ": only f32 tensors are reduced");
    nccl::all_reduce_sum(t.data<float>(), static_cast<size_t>(t.numel()));  // queued in order on the default stream
    return;
  }
  wait(start_all_reduce(t, what));
}

void Communicator::broadcast(const Tensor& t, const std::string& what) {
  if (!launched_) return;
  if (t.is_cuda()) {
    nccl::broadcast(t.raw_data(), t.nbytes());
    return;
  }
  broadcast(t.raw_data(), t.nbytes(), what);
}

}  // namespace hito::dist

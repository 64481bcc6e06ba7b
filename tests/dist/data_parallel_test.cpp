// Data-parallel training under mpirun (dist/): two ranks train the same weights as one process,
// and a rank that dies or hangs ends the job with a clear message instead of a silent hang.
// Skipped when hito was built without MPI.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/fs.h"
#include "tests/support/study_data.h"
#include "tests/support/testing.h"
#include "weights/safetensors.h"

namespace hito::testing {
namespace {

// One machine, shared memory only, and no cross-memory attach (containers often forbid it).
std::string mpirun(int ranks, const std::string& environment, const std::string& arguments) {
  return environment + " '" + std::string(HITO_MPIEXEC) + "' --allow-run-as-root --oversubscribe " +
         "--mca btl self,vader --mca btl_vader_single_copy_mechanism none -np " +
         std::to_string(ranks) + " -x HITO_DIST_TIMEOUT -x HITO_DIST_BUCKET_MB '" + hito_binary().string() + "' " +
         arguments;
}

#define SKIP_WITHOUT_MPI() \
  if (std::string(HITO_MPIEXEC).empty()) GTEST_SKIP() << "hito was built without MPI (install libopenmpi-dev)"

// A copy of the shared prepared run (each test trains into its own folders).
fs::path fresh_run(const std::string& name) {
  fs::path run = temp_dir(name);
  fs::copy(prepared_run_for_tests(480, 5), run, fs::copy_options::recursive);
  return run;
}

// ||a - b|| / ||a|| of every tensor of two weight files.
void expect_same_weights(const fs::path& one, const fs::path& two, double tolerance,
                         const std::vector<std::string>& not_compared = {}) {
  NamedTensors a = read_safetensors(one).tensors, b = read_safetensors(two).tensors;
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    if (std::find(not_compared.begin(), not_compared.end(), a[i].first) != not_compared.end()) continue;
    ASSERT_EQ(a[i].second.shape(), b[i].second.shape()) << a[i].first;
    if (a[i].second.dtype() != DType::F32) {
      EXPECT_TRUE(identical(a[i].second, b[i].second)) << a[i].first;
      continue;
    }
    std::vector<float> x = a[i].second.to_vector<float>(), y = b[i].second.to_vector<float>();
    double diff = 0, norm = 0;
    for (size_t k = 0; k < x.size(); ++k) diff += (x[k] - y[k]) * double(x[k] - y[k]), norm += x[k] * double(x[k]);
    EXPECT_LE(std::sqrt(diff), tolerance * std::sqrt(norm)) << a[i].first << ": relative difference "
                                                            << std::sqrt(diff / std::max(norm, 1e-30));
  }
}

// The train_loss column of a history.csv.
std::vector<float> train_losses(const fs::path& history) {
  std::ifstream in(history);
  std::string line;
  std::getline(in, line);  // header: epoch,train_loss,...
  std::vector<float> losses;
  while (std::getline(in, line)) losses.push_back(std::stof(line.substr(line.find(',') + 1)));
  return losses;
}

TEST(DataParallel, TwoRanksTrainTheTabularMlpAsOneProcess) {
  SKIP_WITHOUT_MPI();
  fs::path one = fresh_run("dist_tabular_one"), two = fresh_run("dist_tabular_two");
  // Class-weighted loss, batch norm, 5 epochs of AdamW; a last batch of the epoch smaller than the rest.
  std::string args = " tabular --dropout 0 --epochs 5 --patience 10 --batch-size 48 --threads 1 --run ";
  CommandResult single = run_hito(args + one.string());
  ASSERT_EQ(single.status, 0) << single.output;
  CommandResult parallel = run_shell(mpirun(2, "HITO_DIST_TIMEOUT=60", args + two.string()));
  ASSERT_EQ(parallel.status, 0) << parallel.output;
  // A Linear bias that feeds a BatchNorm has a zero gradient in exact arithmetic (the normalisation
  // removes it), so Adam steps it by the round-off of the sum alone, which differs with the order
  // of summation: in one process with 1 and with 2 threads as much as between 1 and 2 ranks. The
  // batch norm's running mean follows that bias. Every other tensor must agree.
  expect_same_weights(one / "tabular" / "model.safetensors", two / "tabular" / "model.safetensors", 1e-5,
                      {"mlp.hidden.0.bias", "mlp.hidden.1.running_mean", "mlp.hidden.3.bias",
                       "mlp.hidden.4.running_mean", "mlp.hidden.6.bias", "mlp.hidden.7.running_mean"});
  std::vector<float> a = train_losses(one / "tabular" / "history.csv"), b = train_losses(two / "tabular" / "history.csv");
  EXPECT_TRUE(all_close(b, a, 1e-5f, 1e-6f)) << "the logged training loss is the global batch's";
  // Rank 0 alone wrote: one model folder, no partial folder of another rank left.
  for (const auto& entry : fs::directory_iterator(two)) EXPECT_FALSE(is_partial_output(entry.path())) << entry.path();
  fs::remove_all(one);
  fs::remove_all(two);
}

TEST(DataParallel, TwoRanksTrainTheSmallCnnAsOneProcess) {
  SKIP_WITHOUT_MPI();
  fs::path one = fresh_run("dist_cnn_one"), two = fresh_run("dist_cnn_two");
  // Batch norm after every convolution, augmentation on; buckets of 16 KiB, so the gradients travel
  // in several buckets that start during the backward pass.
  std::string args = " image --mode scratch --size 32 --width 8 --depth 3 --epochs 3 --patience 10 --batch-size 30 "
                     "--threads 1 --run ";
  CommandResult single = run_hito(args + one.string());
  ASSERT_EQ(single.status, 0) << single.output;
  CommandResult parallel = run_shell(mpirun(2, "HITO_DIST_TIMEOUT=60 HITO_DIST_BUCKET_MB=0.016", args + two.string()));
  ASSERT_EQ(parallel.status, 0) << parallel.output;
  expect_same_weights(one / "image-scratch" / "model.safetensors", two / "image-scratch" / "model.safetensors", 1e-5);
  fs::remove_all(one);
  fs::remove_all(two);
}

TEST(DataParallel, TwoRanksTrainTheJointFusion) {
  SKIP_WITHOUT_MPI();
  // Its dropout is fixed (each rank draws its own masks), so only the run itself is checked: it ends
  // well and rank 0 alone wrote the model folder.
  fs::path run = fresh_run("dist_joint");
  CommandResult parallel = run_shell(mpirun(2, "HITO_DIST_TIMEOUT=60",
                                            " fuse --kind joint --scratch --size 32 --cnn-width 8 --cnn-depth 2 "
                                            "--epochs 2 --batch-size 30 --threads 1 --run " + run.string()));
  ASSERT_EQ(parallel.status, 0) << parallel.output;
  EXPECT_TRUE(fs::exists(run / "fusion-joint" / "model.safetensors"));
  for (const auto& entry : fs::directory_iterator(run)) EXPECT_FALSE(is_partial_output(entry.path())) << entry.path();
  fs::remove_all(run);
}

// The pid of rank `rank` of a job whose command line holds `marker`, once it runs (0 after 60 s).
pid_t rank_pid(const std::string& marker, int rank) {
  std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (int attempt = 0; attempt < 600; ++attempt) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream cmdline(entry.path() / "cmdline"), environ(entry.path() / "environ");
      std::stringstream command, variables;
      command << cmdline.rdbuf();
      variables << environ.rdbuf();
      if (command.str().find(marker) == std::string::npos || command.str().find("mpirun") != std::string::npos ||
          command.str().find("mpiexec") != std::string::npos)
        continue;
      std::string env = variables.str();
      for (size_t at = 0; (at = env.find(wanted, at)) != std::string::npos; at += wanted.size())
        if ((at == 0 || env[at - 1] == '\0') && (at + wanted.size() == env.size() || env[at + wanted.size()] == '\0'))
          return static_cast<pid_t>(std::stol(name));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

// Starts a long 2-rank training, sends `signal` to rank 1 once it trains, and expects the job to end
// soon after with a failure status and `message` in its output.
void expect_job_ends(const std::string& name, int signal, const std::string& message) {
  fs::path run = fresh_run(name);
  std::string args = " tabular --epochs 100000 --patience 100000 --batch-size 32 --threads 1 --run " + run.string();
  CommandResult result;
  std::thread job([&] { result = run_shell(mpirun(2, "HITO_DIST_TIMEOUT=5 timeout 120", args)); });
  pid_t pid = rank_pid(run.string(), 1);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // well into training
  auto sent = std::chrono::steady_clock::now();
  if (pid > 0) kill(pid, signal);
  job.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  if (pid > 0) kill(pid, SIGKILL);  // a stopped rank that survived the job would linger
  fs::remove_all(run);
  ASSERT_GT(pid, 0) << "rank 1 was not found running";
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.status, 124) << "the job hung until timeout(1) ended it:\n" << result.output;
  EXPECT_LT(seconds, 60.0);
  EXPECT_NE(result.output.find(message), std::string::npos) << result.output;
}

TEST(DataParallel, AKilledRankEndsTheJobWithAClearMessage) {
  SKIP_WITHOUT_MPI();
  // mpirun's own report: "... process rank 1 with PID ... exited on signal 9 (Killed)".
  expect_job_ends("dist_killed", SIGKILL, "rank 1 with PID");
}

TEST(DataParallel, AHungRankEndsTheJobWithinTheTimeout) {
  SKIP_WITHOUT_MPI();
  expect_job_ends("dist_hung", SIGSTOP, "hito: error: rank 0 of 2: no answer from the other ranks within 5 s");
}

}  // namespace
}  // namespace hito::testing

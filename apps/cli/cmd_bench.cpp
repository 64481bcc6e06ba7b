// `hito bench`: runs the standard workloads and prints one JSON line each, in the format of
// bench/reference_torch.py, so the two can be compared side by side.
#include <sys/resource.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/bench/workload.h"
#include "apps/cli/command.h"
#include "base/error.h"
#include "dist/communicator.h"
#include "kernels/cpu/kernels.h"
#include "kernels/runtime.h"

namespace hito::app {

namespace {
struct BenchOptions {
  std::string workload = "all";
  std::string device = "cpu";
  int threads = 0;
  double seconds = 2.0;
};

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

void run_bench(const BenchOptions& options) {
  bench::BenchConfig config;
  config.device = parse_device(options.device);
  config.threads = options.threads > 0 ? options.threads : num_threads();
  config.seconds = options.seconds;
  set_num_threads(config.threads);
  const auto& all = bench::workloads();
  HITO_CHECK(options.workload == "all" || all.count(options.workload), "unknown workload '", options.workload,
             "'; known: all", [&] {
               std::string names;
               for (auto& [name, fn] : all) names += ", " + name;
               return names;
             }());
  for (const auto& [name, workload] : all) {
    if (options.workload != "all" && options.workload != name) continue;
    if (options.workload == "all" && !bench::runs_by_default_on(name, config.device)) continue;
    bench::BenchResult r = workload(config);
    double steps_per_s = r.steps / r.seconds;
    nlohmann::ordered_json line = {{"workload", name},
                                   {"engine", "hito"},
                                   {"device", device_name(config.device)},
                                   {"threads", config.threads},
                                   {"ranks", dist::world().size()},
                                   {"batch", r.batch},
                                   {"steps_per_s", steps_per_s},
                                   {"samples_per_s", steps_per_s * r.batch}};
    if (r.flops_per_step > 0) line["gflops"] = steps_per_s * r.flops_per_step / 1e9;
    line["cpu_path"] = cpu::isa_name(cpu::active_isa());  // the ISA level of the CPU kernels
    line["gemm"] = cpu::gemm_backend_name();
    line["peak_rss_mb"] = peak_rss_mb();
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
  }
}
}  // namespace

void register_bench(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* command = app.add_subcommand("bench", "Throughput of the standard workloads, as JSON lines");
  command->add_option("--workload", options->workload, "Workload name, or all")->capture_default_str();
  command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", options->threads, "CPU threads (0: all cores)")->capture_default_str();
  command->add_option("--seconds", options->seconds, "Timed seconds per workload")->capture_default_str();
  command->callback([options] { run_bench(*options); });
}

}  // namespace hito::app

// Benchmark: `relc run examples/winback/winback.rel` over two generated datasets (say 100,000 and
// 1,000,000 customers), phase by phase, each run in a fresh process (which also gives its peak
// memory): loading, measures, compiling, panels, and the 90-day simulation on every core.
//
//   relc_bench_simulate PROGRAM SMALL_DIR LARGE_DIR [--runs R] [--target-seconds S --target-mb M]
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_harness.h"
#include "codegen/jit.h"
#include "data/load.h"
#include "driver/compile.h"
#include "driver/data_schema.h"
#include "evaluate/bind.h"
#include "evaluate/panels.h"
#include "simulate/simulate.h"

namespace {

constexpr int kPhases = 5;
constexpr const char* kPhaseNames[kPhases] = {"load CSV", "measures (RFM, BG/NBD, CLV)", "JIT compile", "panels (start and weekly)",
                                              "simulation, 90 days"};
constexpr int32_t kAsOf = 20454;  // 2026-01-01

struct Sample {
  double ms[kPhases] = {};
  double total_ms = 0;
  double one_thread_ms = 0;  // the simulation again, on one thread (not in the total)
  double peak_mb = 0;
  int64_t customers = 0;
};

// One whole run, in this (child) process; phase times in `out`.
bool RunOnce(const std::string& program_path, const std::string& dir, Sample& out) {
  std::ifstream in(program_path);
  std::stringstream text;
  text << in.rdbuf();
  relc::DiagnosticCollector diagnostics;
  auto compiled = relc::driver::CompileFile(std::make_shared<const relc::SourceFile>(program_path, text.str()), diagnostics);
  auto schema = relc::driver::DataSchemaOf(compiled.checked.model);
  if (compiled.has_errors || !schema) return false;
  relc::codegen::WarmUpJit();
  auto start = relc::bench::Clock::now();
  // As `relc run` loads: on every core, keeping the columns the program reads.
  relc::data::LoadOptions load_options;
  load_options.kept_columns = relc::evaluate::ColumnsRead(compiled.programs[0]);
  relc::data::LoadResult loaded = relc::data::LoadData(dir, *schema, load_options);
  if (!loaded.store) return false;
  out.ms[0] = relc::bench::MillisecondsSince(start);
  start = relc::bench::Clock::now();
  relc::measures::MeasureOptions options{.as_of_day = kAsOf};
  relc::measures::CustomerMeasures measures = relc::measures::ComputeMeasures(*loaded.store, options);
  out.ms[1] = relc::bench::MillisecondsSince(start);
  const relc::ir::Program& program = compiled.programs[0];
  start = relc::bench::Clock::now();
  relc::codegen::JitResult jit = relc::codegen::CompileWithJit(program, {});
  if (!jit.engine) return false;
  out.ms[2] = relc::bench::MillisecondsSince(start);
  start = relc::bench::Clock::now();
  std::string error;
  auto bound = relc::evaluate::BoundData::Bind(program, *loaded.store, measures, options, int64_t{kAsOf} * 86400, 1, error);
  if (!bound) return false;
  // As `relc run` does: the weekly re-evaluations for `trigger enter`, then the start's.
  auto weekly = relc::simulate::WeeklyPanels(program, *jit.engine, *bound, 90);
  auto panels = relc::evaluate::EvaluatePanels(program, *jit.engine, *bound);
  out.ms[3] = relc::bench::MillisecondsSince(start);
  start = relc::bench::Clock::now();
  std::vector<relc::simulate::Result> results =
      relc::simulate::Simulate({{&program, jit.engine.get(), &*bound, &panels, &weekly}}, measures, {.days = 90});
  const relc::simulate::Result& result = results.front();
  out.ms[4] = relc::bench::MillisecondsSince(start);
  out.customers = result.customers + result.holdout_customers;
  for (double ms : out.ms) out.total_ms += ms;
  start = relc::bench::Clock::now();
  relc::simulate::Simulate({{&program, jit.engine.get(), &*bound, &panels, &weekly}}, measures, {.days = 90, .threads = 1});
  out.one_thread_ms = relc::bench::MillisecondsSince(start);
  return true;
}

// Runs in a fresh child process; the sample comes back through a pipe.
bool InChild(const std::string& program, const std::string& dir, Sample& sample) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Sample s;
    bool ok = RunOnce(program, dir, s);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    s.peak_mb = ok ? usage.ru_maxrss / 1024.0 : -1;
    if (write(fds[1], &s, sizeof s) != sizeof s) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  bool ok = read(fds[0], &sample, sizeof sample) == sizeof sample && sample.peak_mb > 0;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: relc_bench_simulate PROGRAM SMALL_DIR LARGE_DIR [--runs R] [--target-seconds S --target-mb M]\n");
    return 2;
  }
  int runs = 3;
  double max_seconds = 0, max_peak_mb = 0;
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--runs") runs = std::atoi(argv[i + 1]);
    if (arg == "--target-seconds") max_seconds = std::atof(argv[i + 1]);
    if (arg == "--target-mb") max_peak_mb = std::atof(argv[i + 1]);
  }
  std::vector<Sample> medians;
  for (const char* dir : {argv[2], argv[3]}) {
    std::vector<Sample> samples(static_cast<size_t>(runs));
    for (Sample& s : samples) {
      if (!InChild(argv[1], dir, s)) {
        std::fprintf(stderr, "simulate bench: a run over %s failed\n", dir);
        return 1;
      }
    }
    Sample median;
    median.customers = samples[0].customers;
    for (int p = 0; p < kPhases; ++p) {
      std::vector<double> values;
      for (const Sample& s : samples) values.push_back(s.ms[p]);
      median.ms[p] = relc::bench::Summarize(values).median;
    }
    std::vector<double> peaks, totals, one_thread;
    for (const Sample& s : samples) {
      peaks.push_back(s.peak_mb);
      totals.push_back(s.total_ms);
      one_thread.push_back(s.one_thread_ms);
    }
    median.one_thread_ms = relc::bench::Summarize(one_thread).median;
    median.peak_mb = relc::bench::Summarize(peaks).median;
    median.total_ms = relc::bench::Summarize(totals).median;
    medians.push_back(median);
  }
  std::printf("| phase (median of %d runs, each in a fresh process) | %lld customers, ms | %lld customers, ms | ratio |\n", runs,
              static_cast<long long>(medians[0].customers), static_cast<long long>(medians[1].customers));
  std::printf("|---|---|---|---|\n");
  for (int p = 0; p < kPhases; ++p) {
    std::printf("| %s | %.0f | %.0f | %.1f |\n", kPhaseNames[p], medians[0].ms[p], medians[1].ms[p], medians[1].ms[p] / medians[0].ms[p]);
  }
  std::printf("| total (median of the runs' totals) | %.0f | %.0f | %.1f |\n", medians[0].total_ms, medians[1].total_ms,
              medians[1].total_ms / medians[0].total_ms);
  const double scale = static_cast<double>(medians[1].customers) / static_cast<double>(medians[0].customers);
  std::printf("\npeak memory: %.0f MB and %.0f MB; %.1fx the customers take %.1fx the time in all (%.1fx the simulation "
              "alone)\n",
              medians[0].peak_mb, medians[1].peak_mb, scale, medians[1].total_ms / medians[0].total_ms,
              medians[1].ms[4] / medians[0].ms[4]);
  std::printf("simulation of %lld customers on 1 thread: %.0f ms, on every core (%u): %.0f ms: %.2fx faster\n",
              static_cast<long long>(medians[1].customers), medians[1].one_thread_ms, std::max(1u, std::thread::hardware_concurrency()),
              medians[1].ms[4], medians[1].one_thread_ms / medians[1].ms[4]);
  if (max_seconds > 0) {
    bool met = medians[1].total_ms <= max_seconds * 1000 && medians[1].peak_mb <= max_peak_mb;
    std::printf("target for %lld customers: under %.0f s and %.0f MB: %s (%.2f s, %.0f MB)\n",
                static_cast<long long>(medians[1].customers), max_seconds, max_peak_mb, met ? "met" : "MISSED",
                medians[1].total_ms / 1000, medians[1].peak_mb);
  }
  return 0;
}

// Benchmark: the simulation of example programs (win-back, cart abandonment...) over generated
// datasets of growing size (say 100,000, 1,000,000 and 10,000,000 customers), 90 days. Per
// dataset, one fresh process (which gives the peak memory) loads the data and computes the
// measures once, then for each program: JIT, panels (start and weekly), and the simulation R
// times on every core (median) and once on one thread.
//
//   relc_bench_simulate DIR... --program P [--program P...] [--runs R] [--max-scale X]
//     --max-scale X: the simulation of the last dataset takes at most X times the previous one's.
#include <sys/resource.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
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

constexpr int32_t kAsOf = 20454;  // 2026-01-01
constexpr size_t kMaxPrograms = 4;

struct ProgramSample {
  double jit_ms = 0, panels_ms = 0, simulate_ms = 0, one_thread_ms = 0;
};

// What one child reports for one dataset.
struct Sample {
  double load_ms = 0, measures_ms = 0, peak_mb = 0;
  int64_t customers = 0;
  ProgramSample programs[kMaxPrograms];
};

bool RunDataset(const std::vector<std::string>& paths, const std::string& dir, int runs, Sample& out) {
  std::deque<relc::driver::CompiledFile> compiled;  // not movable: the programs point into it
  for (const std::string& path : paths) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    relc::DiagnosticCollector diagnostics;
    compiled.emplace_back(relc::driver::CompileFile(std::make_shared<const relc::SourceFile>(path, text.str()), diagnostics));
    if (compiled.back().has_errors) return false;
  }
  auto schema = relc::driver::DataSchemaOf(compiled[0].checked.model);
  if (!schema) return false;
  relc::codegen::WarmUpJit();
  // As `relc run` loads: on every core, keeping the columns the programs read.
  relc::data::LoadOptions load_options;
  for (const auto& file : compiled) {
    for (const std::string& column : relc::evaluate::ColumnsRead(file.programs[0])) {
      if (std::find(load_options.kept_columns.begin(), load_options.kept_columns.end(), column) == load_options.kept_columns.end()) {
        load_options.kept_columns.push_back(column);
      }
    }
  }
  auto start = relc::bench::Clock::now();
  relc::data::LoadResult loaded = relc::data::LoadData(dir, *schema, load_options);
  if (!loaded.store) return false;
  out.load_ms = relc::bench::MillisecondsSince(start);
  start = relc::bench::Clock::now();
  relc::measures::MeasureOptions options{.as_of_day = kAsOf};
  relc::measures::CustomerMeasures measures = relc::measures::ComputeMeasures(*loaded.store, options);
  out.measures_ms = relc::bench::MillisecondsSince(start);

  for (size_t p = 0; p < compiled.size(); ++p) {
    const relc::ir::Program& program = compiled[p].programs[0];
    ProgramSample& sample = out.programs[p];
    start = relc::bench::Clock::now();
    relc::codegen::JitResult jit = relc::codegen::CompileWithJit(program, {});
    if (!jit.engine) return false;
    sample.jit_ms = relc::bench::MillisecondsSince(start);
    start = relc::bench::Clock::now();
    std::string error;
    auto bound = relc::evaluate::BoundData::Bind(program, *loaded.store, measures, options, int64_t{kAsOf} * 86400, 1, error);
    if (!bound) return false;
    auto weekly = relc::simulate::WeeklyPanels(program, *jit.engine, *bound, 90);
    auto panels = relc::evaluate::EvaluatePanels(program, *jit.engine, *bound);
    sample.panels_ms = relc::bench::MillisecondsSince(start);
    std::vector<double> simulations;
    for (int run = 0; run < runs; ++run) {
      start = relc::bench::Clock::now();
      auto results = relc::simulate::Simulate({{&program, jit.engine.get(), &*bound, &panels, &weekly}}, measures, {.days = 90});
      simulations.push_back(relc::bench::MillisecondsSince(start));
      out.customers = results.front().customers + results.front().holdout_customers;
    }
    sample.simulate_ms = relc::bench::Summarize(simulations).median;
    start = relc::bench::Clock::now();
    relc::simulate::Simulate({{&program, jit.engine.get(), &*bound, &panels, &weekly}}, measures, {.days = 90, .threads = 1});
    sample.one_thread_ms = relc::bench::MillisecondsSince(start);
  }
  return true;
}

// Runs in a fresh child process, which also gives the peak memory.
bool InChild(const std::vector<std::string>& programs, const std::string& dir, int runs, Sample& sample) {
  Sample failed;
  failed.peak_mb = -1;
  sample = relc::bench::InChildValue(
      [&] {
        Sample s;
        bool ok = RunDataset(programs, dir, runs, s);
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        s.peak_mb = ok ? usage.ru_maxrss / 1024.0 : -1;
        return s;
      },
      failed);
  return sample.peak_mb > 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> dirs, programs;
  int runs = 5;
  double max_scale = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--program" && i + 1 < argc) programs.push_back(argv[++i]);
    else if (arg == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (arg == "--max-scale" && i + 1 < argc) max_scale = std::atof(argv[++i]);
    else dirs.push_back(arg);
  }
  if (dirs.empty() || programs.empty() || programs.size() > kMaxPrograms) {
    std::fprintf(stderr, "usage: relc_bench_simulate DIR... --program P [--program P...] [--runs R] [--max-scale X]\n");
    return 2;
  }
  std::vector<Sample> samples(dirs.size());
  // The smaller datasets (given first) take a tenth of the time or less: ten times the runs
  // give their medians the same footing as the largest's, so that the scaling ratio is not noise.
  auto runs_for = [&](size_t d) { return d + 1 < dirs.size() ? std::min(10 * runs, 50) : runs; };
  for (size_t d = 0; d < dirs.size(); ++d) {
    if (!InChild(programs, dirs[d], runs_for(d), samples[d])) {
      std::fprintf(stderr, "simulate bench: the run over %s failed\n", dirs[d].c_str());
      return 1;
    }
  }
  std::printf("| phase |");
  for (const Sample& s : samples) std::printf(" %lld customers |", static_cast<long long>(s.customers));
  std::printf("\n|---|");
  for (size_t d = 0; d < samples.size(); ++d) std::printf("---|");
  std::printf("\n| load CSV, ms |");
  for (const Sample& s : samples) std::printf(" %.0f |", s.load_ms);
  std::printf("\n| measures (RFM, BG/NBD, CLV), ms |");
  for (const Sample& s : samples) std::printf(" %.0f |", s.measures_ms);
  std::printf("\n| peak memory, MB |");
  for (const Sample& s : samples) std::printf(" %.0f |", s.peak_mb);
  bool fail = false;
  std::string scaling;
  for (size_t p = 0; p < programs.size(); ++p) {
    std::string name = std::filesystem::path(programs[p]).stem().string();
    auto row = [&](const char* what, auto value) {
      std::printf("\n| %s: %s |", name.c_str(), what);
      for (const Sample& s : samples) std::printf(" %s |", value(s.programs[p], s).c_str());
    };
    row("JIT, ms", [](const ProgramSample& x, const Sample&) { return fmt::format("{:.0f}", x.jit_ms); });
    row("panels (start and weekly), ms", [](const ProgramSample& x, const Sample&) { return fmt::format("{:.0f}", x.panels_ms); });
    row("**simulation, 90 days**, ms (median)",
        [](const ProgramSample& x, const Sample&) { return fmt::format("**{:.0f}**", x.simulate_ms); });
    row("customers simulated per second",
        [](const ProgramSample& x, const Sample& s) { return fmt::format("{:.2g}", s.customers / (x.simulate_ms / 1000)); });
    row("simulation on one thread, ms", [](const ProgramSample& x, const Sample&) { return fmt::format("{:.0f}", x.one_thread_ms); });
    if (samples.size() >= 2) {
      const Sample& before = samples[samples.size() - 2];
      const Sample& last = samples.back();
      double customers = static_cast<double>(last.customers) / static_cast<double>(before.customers);
      double time = last.programs[p].simulate_ms / before.programs[p].simulate_ms;
      double threads = last.programs[p].one_thread_ms / last.programs[p].simulate_ms;
      scaling += fmt::format("{}: {:.0f}x the customers take **{:.1f}x** the simulation time{}; on every core ({}) the simulation is "
                             "{:.2f}x faster than on one\n",
                             name, customers, time, max_scale > 0 ? fmt::format(" (target: at most {:.0f}x)", max_scale) : "",
                             std::max(1u, std::thread::hardware_concurrency()), threads);
      if (max_scale > 0 && time > max_scale) {
        scaling += fmt::format("FAIL: {} scales {:.1f}x, over {:.0f}x\n", name, time, max_scale);
        fail = true;
      }
    }
  }
  std::printf("\n\nEach dataset in one fresh process: loaded and measured once, each program then compiled, its panels "
              "evaluated, and simulated %d times (median; %d times for the smaller datasets) on every core and once on one "
              "thread.\n%s",
              runs, runs_for(0), scaling.c_str());
  return fail ? 1 : 0;
}

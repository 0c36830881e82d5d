// Benchmark: `relc check` of a large program, the whole front end: parse, semantic analysis,
// and each scenario's graph with its analyses. Cold samples are what a CI job pays per file.
// The parse alone, measured the same way in the same run, is the baseline: the ratio says
// what sema and the graphs add.
//
//   relc_bench_check [--lines N] [--runs R] [--quick] [--max-cold-ms MS]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "driver/compile.h"
#include "program_generator.h"
#include "syntax/parse.h"

namespace {

using relc::bench::Clock;
using relc::bench::MillisecondsSince;

double CheckOnce(const std::shared_ptr<const relc::SourceFile>& file) {
  relc::DiagnosticCollector diagnostics;
  auto start = Clock::now();
  relc::driver::CompiledFile compiled = relc::driver::CompileFile(file, diagnostics);
  double elapsed = MillisecondsSince(start);
  if (compiled.has_errors || !diagnostics.diagnostics().empty() || compiled.graphs.empty()) return -1;
  return elapsed;
}

double ParseOnce(const std::shared_ptr<const relc::SourceFile>& file) {
  relc::DiagnosticCollector diagnostics;
  auto start = Clock::now();
  relc::syntax::Parse(file, diagnostics);
  return MillisecondsSince(start);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = relc::bench::ParseOptions(argc, argv, "relc_bench_check", 500);
  if (!parsed) return 2;
  const auto [lines, runs, max_cold_ms, quick] = *parsed;
  auto file = std::make_shared<const relc::SourceFile>("generated.rel", relc::bench::GenerateProgram(lines));
  uint32_t actual_lines = file->LineCount() - 1;

  // Every cold sample before any warm one: a child forked after a warm run inherits warm caches.
  std::vector<double> check_samples, parse_samples, warm_samples;
  for (int run = 0; run < runs; ++run) check_samples.push_back(relc::bench::InChild([&] { return CheckOnce(file); }));
  for (int run = 0; run < runs; ++run) parse_samples.push_back(relc::bench::InChild([&] { return ParseOnce(file); }));
  for (int run = 0; run < runs; ++run) warm_samples.push_back(CheckOnce(file));
  relc::bench::Summary check_cold = relc::bench::Summarize(check_samples);
  relc::bench::Summary parse_cold = relc::bench::Summarize(parse_samples);
  relc::bench::Summary check_warm = relc::bench::Summarize(warm_samples);
  if (check_cold.failed || check_warm.failed) {
    std::fprintf(stderr, "check bench: the generated program did not check cleanly\n");
    return 1;
  }
  std::printf("| check (parse + sema + graphs), %u lines | median ms | min ms | max ms |\n", actual_lines);
  std::printf("|---|---|---|---|\n");
  std::printf("| cold: `relc check` of one file | %.1f | %.1f | %.1f |\n", check_cold.median, check_cold.min, check_cold.max);
  std::printf("| warm | %.1f | %.1f | %.1f |\n", check_warm.median, check_warm.min, check_warm.max);
  std::printf("| baseline: parse only, cold | %.1f | %.1f | %.1f |\n", parse_cold.median, parse_cold.min, parse_cold.max);
  std::printf("\ncold check / cold parse: %.2f (sema and graphs add %.0f%%); %d runs each\n",
              check_cold.median / parse_cold.median, 100 * (check_cold.median / parse_cold.median - 1), runs);
  if (!quick && check_cold.median > max_cold_ms) {
    std::printf("FAIL: cold median %.1f ms is over the %.0f ms target\n", check_cold.median, max_cold_ms);
    return 1;
  }
  return 0;
}

// Benchmark: parse + AST of a large program, as `relc check` does it.
//
// Cold samples run in forked children, each the first parse of its process (ANTLR's caches
// empty), which is what a user's `relc check` pays; warm samples reuse the caches, as a
// language server does. The baseline, in the same process, is one pass over the same bytes
// counting lines: the floor any reader of the file pays.
//
//   relc_bench_parse [--lines N] [--runs R] [--quick] [--max-cold-ms MS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_harness.h"
#include "program_generator.h"
#include "syntax/parse.h"

namespace {

using relc::bench::Clock;
using relc::bench::MillisecondsSince;

// Parses once; returns milliseconds, or a negative number if the program had diagnostics.
double ParseOnce(const std::shared_ptr<const relc::SourceFile>& file) {
  relc::DiagnosticCollector diagnostics;
  auto start = Clock::now();
  relc::syntax::ParseResult result = relc::syntax::Parse(file, diagnostics);
  double elapsed = MillisecondsSince(start);
  if (!diagnostics.diagnostics().empty() || result.module.decls.empty()) return -1;
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = relc::bench::ParseOptions(argc, argv, "relc_bench_parse", 300);
  if (!parsed) return 2;
  const auto [lines, runs, max_cold_ms, quick] = *parsed;
  auto file = std::make_shared<const relc::SourceFile>("generated.rel", relc::bench::GenerateProgram(lines));
  uint32_t actual_lines = file->LineCount() - 1;
  double megabytes = static_cast<double>(file->text().size()) / 1e6;

  auto [c, w] = relc::bench::ColdAndWarm(runs, [&] { return ParseOnce(file); });
  std::vector<double> baseline;
  for (int run = 0; run < runs; ++run) {
    auto start = Clock::now();
    volatile size_t newlines = std::count(file->text().begin(), file->text().end(), '\n');
    (void)newlines;
    baseline.push_back(MillisecondsSince(start));
  }
  if (c.failed || w.failed) {
    std::fprintf(stderr, "parse bench: the generated program did not parse cleanly\n");
    return 1;
  }
  relc::bench::Summary b = relc::bench::Summarize(baseline);
  std::printf("| parse + AST, %u lines (%.2f MB) | median ms | min ms | max ms | lines/s (median) |\n", actual_lines, megabytes);
  std::printf("|---|---|---|---|---|\n");
  std::printf("| cold: first parse in a process (`relc check`) | %.1f | %.1f | %.1f | %.0f |\n", c.median, c.min, c.max,
              actual_lines / (c.median / 1000));
  std::printf("| warm: caches filled (language server) | %.1f | %.1f | %.1f | %.0f |\n", w.median, w.min, w.max,
              actual_lines / (w.median / 1000));
  std::printf("| baseline: one pass counting lines | %.3f | %.3f | %.3f | |\n", b.median, b.min, b.max);
  std::printf("\nwarm/cold ratio %.2f; cold parse costs %.0fx a bare pass over the bytes (%d runs each)\n",
              w.median / c.median, c.median / std::max(b.median, 1e-6), runs);
  if (!quick && c.median > max_cold_ms) {
    std::printf("FAIL: cold median %.1f ms is over the %.0f ms target\n", c.median, max_cold_ms);
    return 1;
  }
  return 0;
}

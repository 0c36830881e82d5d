// Benchmark: parse + AST of a large program, as `relc check` does it.
//
// Cold samples run in forked children, each the first parse of its process (ANTLR's caches
// empty), which is what a user's `relc check` pays; warm samples reuse the caches, as a
// language server does. The baseline, in the same process, is one pass over the same bytes
// counting lines: the floor any reader of the file pays.
//
//   relc_bench_parse [--lines N] [--runs R] [--quick] [--max-cold-ms MS]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "program_generator.h"
#include "syntax/parse.h"

namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Parses once; returns milliseconds, or a negative number if the program had diagnostics.
double ParseOnce(const std::shared_ptr<const relc::SourceFile>& file) {
  relc::DiagnosticCollector diagnostics;
  auto start = Clock::now();
  relc::syntax::ParseResult result = relc::syntax::Parse(file, diagnostics);
  double elapsed = MillisecondsSince(start);
  if (!diagnostics.diagnostics().empty() || result.module.decls.empty()) return -1;
  return elapsed;
}

double ColdParseInChild(const std::shared_ptr<const relc::SourceFile>& file) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    double elapsed = ParseOnce(file);
    if (write(fds[1], &elapsed, sizeof elapsed) != sizeof elapsed) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  double elapsed = -1;
  if (read(fds[0], &elapsed, sizeof elapsed) != sizeof elapsed) elapsed = -1;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return elapsed;
}

struct Summary {
  double median, min, max;
};

Summary Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples.front(), samples.back()};
}

}  // namespace

int main(int argc, char** argv) {
  int lines = 10000, runs = 7;
  double max_cold_ms = 300;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
      lines = 1000;
      runs = 3;
    } else if (arg == "--lines" && i + 1 < argc) {
      lines = std::atoi(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--max-cold-ms" && i + 1 < argc) {
      max_cold_ms = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: relc_bench_parse [--lines N] [--runs R] [--quick] [--max-cold-ms MS]\n");
      return 2;
    }
  }

  auto file = std::make_shared<const relc::SourceFile>("generated.rel", relc::bench::GenerateProgram(lines));
  uint32_t actual_lines = file->LineCount() - 1;
  double megabytes = static_cast<double>(file->text().size()) / 1e6;

  std::vector<double> cold, warm, baseline;
  for (int run = 0; run < runs; ++run) cold.push_back(ColdParseInChild(file));
  for (int run = 0; run < runs; ++run) warm.push_back(ParseOnce(file));
  for (int run = 0; run < runs; ++run) {
    auto start = Clock::now();
    volatile size_t newlines = std::count(file->text().begin(), file->text().end(), '\n');
    (void)newlines;
    baseline.push_back(MillisecondsSince(start));
  }
  if (std::any_of(cold.begin(), cold.end(), [](double ms) { return ms < 0; }) ||
      std::any_of(warm.begin(), warm.end(), [](double ms) { return ms < 0; })) {
    std::fprintf(stderr, "parse bench: the generated program did not parse cleanly\n");
    return 1;
  }

  Summary c = Summarize(cold), w = Summarize(warm), b = Summarize(baseline);
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

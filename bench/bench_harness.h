// Timing for relc's benchmarks: cold samples in forked children (each the first run in its
// process, as a command-line user pays it), warm samples in-process, medians and ranges.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace relc::bench {

using Clock = std::chrono::steady_clock;

inline double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Runs `measure` (which returns milliseconds, negative on failure) in a fresh child process.
inline double InChild(const std::function<double()>& measure) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    double elapsed = measure();
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

// Runs `measure` in a fresh child process; it fills `count` figures (milliseconds), all
// negative on failure.
inline std::vector<double> InChildMany(size_t count, const std::function<std::vector<double>()>& measure) {
  std::vector<double> figures(count, -1);
  int fds[2];
  if (pipe(fds) != 0) return figures;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::vector<double> measured = measure();
    measured.resize(count, -1);
    auto bytes = static_cast<ssize_t>(count * sizeof(double));
    if (write(fds[1], measured.data(), static_cast<size_t>(bytes)) != bytes) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  auto bytes = static_cast<ssize_t>(count * sizeof(double));
  if (read(fds[0], figures.data(), static_cast<size_t>(bytes)) != bytes) std::fill(figures.begin(), figures.end(), -1);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return figures;
}

struct Summary {
  double median = 0, min = 0, max = 0;
  bool failed = false;
};

inline Summary Summarize(std::vector<double> samples) {
  Summary summary;
  summary.failed = std::any_of(samples.begin(), samples.end(), [](double ms) { return ms < 0; });
  std::sort(samples.begin(), samples.end());
  summary.median = samples[samples.size() / 2];
  summary.min = samples.front();
  summary.max = samples.back();
  return summary;
}

// Cold samples first (before anything warms the caches in this process), then warm ones.
inline std::pair<Summary, Summary> ColdAndWarm(int runs, const std::function<double()>& measure) {
  std::vector<double> cold, warm;
  for (int run = 0; run < runs; ++run) cold.push_back(InChild(measure));
  for (int run = 0; run < runs; ++run) warm.push_back(measure());
  return {Summarize(cold), Summarize(warm)};
}

// The options every front-end benchmark takes: [--lines N] [--runs R] [--quick] [--max-cold-ms MS].
// --quick (CI) runs a small input a few times and asserts no target.
struct Options {
  int lines = 10000;
  int runs = 7;
  double max_cold_ms = 0;
  bool quick = false;
};

inline std::optional<Options> ParseOptions(int argc, char** argv, const char* name, double max_cold_ms) {
  Options options;
  options.max_cold_ms = max_cold_ms;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
      options.lines = 1000;
      options.runs = 3;
    } else if (arg == "--lines" && i + 1 < argc) {
      options.lines = std::atoi(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      options.runs = std::atoi(argv[++i]);
    } else if (arg == "--max-cold-ms" && i + 1 < argc) {
      options.max_cold_ms = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--lines N] [--runs R] [--quick] [--max-cold-ms MS]\n", name);
      return std::nullopt;
    }
  }
  return options;
}

}  // namespace relc::bench
